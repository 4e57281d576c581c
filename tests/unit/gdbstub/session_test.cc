// The protocol session against a fake target: replies as QEMU 7.2 gives them, thread ids,
// resumption, and malformed or random input answered without crashing.
#include "gdbstub/session.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

namespace qemu::gdbstub {
namespace {

class FakeTarget : public Target {
 public:
  std::vector<int64_t> threads() override { return {0x100, 0x101}; }
  bool thread_info(int64_t tid, std::string *text) override {
    if (tid != 0x100 && tid != 0x101) return false;
    *text = tid == 0x100 ? "CPU#0 [running]" : "CPU#1 [running]";
    return true;
  }
  int num_registers() const override { return 3; }
  int read_register(int64_t tid, int n, std::string *out) override {
    if (n < 0 || n >= 3) return 0;
    const int size = n == 2 ? 4 : 8;
    uint64_t v = regs[n] + (tid == 0x101 ? 0x1000 : 0);
    out->append(reinterpret_cast<const char *>(&v), size);
    return size;
  }
  int write_register(int64_t, int n, std::string_view d) override {
    if (n < 0 || n >= 3) return 0;
    regs[n] = 0;
    std::memcpy(&regs[n], d.data(), d.size() < 8 ? d.size() : 8);
    return n == 2 ? 4 : 8;
  }
  bool read_memory(uint64_t addr, void *buf, size_t len) override {
    if (addr < 0x1000 || addr + len > 0x1000 + sizeof mem) return false;
    std::memcpy(buf, mem + (addr - 0x1000), len);
    return true;
  }
  bool write_memory(uint64_t addr, const void *buf, size_t len) override {
    if (addr < 0x1000 || addr + len > 0x1000 + sizeof mem) return false;
    std::memcpy(mem + (addr - 0x1000), buf, len);
    return true;
  }
  const char *target_xml(std::string_view annex) const override {
    return annex == "target.xml" ? "<target>#$}*</target>" : nullptr;
  }
  int insert_breakpoint(int type, uint64_t addr, uint64_t) override {
    if (type > 1) return -ENOSYS;
    bps.push_back(addr);
    return 0;
  }
  int remove_breakpoint(int type, uint64_t addr, uint64_t) override {
    if (type > 1) return -ENOSYS;
    for (auto it = bps.begin(); it != bps.end(); ++it) {
      if (*it == addr) {
        bps.erase(it);
        return 0;
      }
    }
    return -EINVAL;
  }

  uint64_t regs[3] = {0x1122334455667788, 0x401000, 0x246};
  uint8_t mem[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<uint64_t> bps;
};

class GdbSession : public ::testing::Test {
 protected:
  GdbSession() : s(t, [this](std::string_view b) { out += b; }) { s.set_stopped(0x100); }

  // Sends one packet; returns the reply's payload ("" for an empty reply) and checks the ack.
  std::string ask(std::string_view payload, Session::Outcome *o = nullptr) {
    out.clear();
    size_t used;
    const std::string f = frame(payload);
    const Session::Outcome r = s.feed(f, &used);
    EXPECT_EQ(used, f.size());
    if (o) *o = r;
    EXPECT_FALSE(out.empty());
    if (out.empty() || out[0] != '+') return "<no ack>";
    if (out.size() == 1) return "<no reply>";
    const size_t hash = out.rfind('#');
    EXPECT_EQ(out.substr(1), frame(out.substr(2, hash - 2)));
    return out.substr(2, hash - 2);
  }

  FakeTarget t;
  std::string out;
  Session s;
};

TEST_F(GdbSession, QueriesAsQemu72) {
  EXPECT_EQ(ask("qSupported:multiprocess+;swbreak+;xmlRegisters=i386"),
            "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+");
  EXPECT_EQ(ask("?"), "T05thread:p01.100;");
  EXPECT_EQ(ask("qC"), "QCp01.100");
  EXPECT_EQ(ask("qAttached:1"), "0");
  EXPECT_EQ(ask("qfThreadInfo"), "mp01.100");
  EXPECT_EQ(ask("qsThreadInfo"), "mp01.101");
  EXPECT_EQ(ask("qsThreadInfo"), "l");
  EXPECT_EQ(ask("qThreadExtraInfo,p1.101"), to_hex(std::string_view("CPU#1 [running]")));
  EXPECT_EQ(ask("vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(ask("vMustReplyEmpty"), "");
  EXPECT_EQ(ask("QStartNoAckMode"), "");  // not offered by QEMU 7.2
  EXPECT_EQ(ask("X1000,1:a"), "");        // neither is X
  EXPECT_EQ(ask("qXfer:features:read:target.xml:0,ffb"), "l<target>}\x03}\x04}]}\x0a</target>");
  EXPECT_EQ(ask("qXfer:features:read:target.xml:4,3"), "mget");
  EXPECT_EQ(ask("qXfer:features:read:target.xml:100,3"), "E00");
  EXPECT_EQ(ask("qXfer:features:read:other.xml:0,10"), "E00");
  EXPECT_EQ(ask("qXfer:auxv:read::0,10"), "E00");
}

TEST_F(GdbSession, Registers) {
  EXPECT_EQ(ask("g"),
            "887766554433221100104000000000004602"
            "0000");
  EXPECT_EQ(ask("p1"), "");  // before gdb read the description, as QEMU 7.2
  ask("qXfer:features:read:target.xml:0,10");
  EXPECT_EQ(ask("p1"), "0010400000000000");
  EXPECT_EQ(ask("p3"), "E14");
  EXPECT_EQ(ask("P1=0020400000000000"), "OK");
  EXPECT_EQ(t.regs[1], 0x402000u);
  EXPECT_EQ(ask("P7=00"), "OK");
  EXPECT_EQ(ask("Pzz"), "");
  EXPECT_EQ(ask("Hgp1.101"), "OK");
  EXPECT_EQ(ask("p1"), "0030400000000000");
  EXPECT_EQ(ask("Hg1"), "E22");
  EXPECT_EQ(ask("Hc-1"), "OK");
  EXPECT_EQ(ask("Hx"), "E22");
  EXPECT_EQ(ask("T101"), "OK");
  EXPECT_EQ(ask("Tp1.5"), "E22");
}

TEST_F(GdbSession, Memory) {
  EXPECT_EQ(ask("m1000,4"), "deadbeef");
  EXPECT_EQ(ask("m1000,0"), "");
  EXPECT_EQ(ask("m0,4"), "E14");
  EXPECT_EQ(ask("m1000"), "E22");
  EXPECT_EQ(ask("mzz"), "");
  EXPECT_EQ(ask("m1000,801"), "E22");
  EXPECT_EQ(ask("M1000,2:4142"), "OK");
  EXPECT_EQ(ask("m1000,2"), "4142");
  EXPECT_EQ(ask("M1000,2:41"), "E22");
  EXPECT_EQ(ask("M0,1:00"), "E14");
  EXPECT_EQ(ask("Mzz"), "");
}

TEST_F(GdbSession, Breakpoints) {
  EXPECT_EQ(ask("Z0,401000,1"), "OK");
  EXPECT_EQ(ask("Z1,402000,1"), "OK");
  EXPECT_EQ(ask("Z2,1000,4"), "");
  EXPECT_EQ(ask("Z0"), "E22");
  EXPECT_EQ(ask("Z0,zz,1"), "");
  EXPECT_EQ(ask("z0,401000,1"), "OK");
  EXPECT_EQ(ask("z0,401000,1"), "E22");
  Session::Outcome o;
  EXPECT_EQ(ask("D", &o), "OK");
  EXPECT_EQ(o, Session::Outcome::detach);
  EXPECT_TRUE(t.bps.empty());
}

TEST_F(GdbSession, Resume) {
  ask("qSupported:multiprocess+");
  Session::Outcome o;
  EXPECT_EQ(ask("vCont;s:p1.100;c:p1.-1", &o), "<no reply>");
  EXPECT_EQ(o, Session::Outcome::resume);
  EXPECT_EQ(s.resume().action_for(0x100).kind, 's');
  EXPECT_EQ(s.resume().action_for(0x101).kind, 'c');
  ask("vCont;C0b:p1.100;c", &o);
  EXPECT_EQ(o, Session::Outcome::resume);
  EXPECT_EQ(s.resume().action_for(0x100).signal, 0x0b);
  EXPECT_EQ(s.resume().action_for(0x101).signal, 0);
  EXPECT_EQ(ask("vCont;x", &o), "E22");
  EXPECT_EQ(o, Session::Outcome::none);
  ask("C1e", &o);
  EXPECT_EQ(o, Session::Outcome::resume);
  EXPECT_EQ(s.resume().action_for(0x100).signal, 0x1e);
  ask("s", &o);
  EXPECT_EQ(s.resume().action_for(0x100).kind, 's');
  ask("c401000", &o);
  EXPECT_TRUE(s.resume().set_pc);
  EXPECT_EQ(s.resume().pc, 0x401000u);
  s.report_stop(0x101, 11);
  EXPECT_EQ(out.substr(out.find('$')), frame("T0bthread:p01.101;"));
  EXPECT_EQ(ask("?"), "T05thread:p01.101;");
}

TEST_F(GdbSession, KillAndExit) {
  Session::Outcome o;
  EXPECT_EQ(ask("vKill;1", &o), "OK");
  EXPECT_EQ(o, Session::Outcome::kill);
  out.clear();
  s.report_exit(0x2c);
  EXPECT_EQ(out, frame("W2c"));
  out.clear();
  s.report_signalled(11);
  EXPECT_EQ(out, frame("X0b"));
}

TEST_F(GdbSession, NakResendsAndBadChecksum) {
  ask("qC");
  out.clear();
  size_t used;
  s.feed("-", &used);
  EXPECT_EQ(out, frame("QC100"));
  out.clear();
  s.feed("$qC#00", &used);
  EXPECT_EQ(out, "-");
  out.clear();
  s.feed("\x03", &used);
  EXPECT_TRUE(s.take_interrupt());
  EXPECT_TRUE(out.empty());
}

TEST_F(GdbSession, FeedStopsAtResume) {
  size_t used;
  const std::string a = frame("c"), b = frame("g");
  EXPECT_EQ(s.feed(a + b, &used), Session::Outcome::resume);
  EXPECT_EQ(used, a.size());
}

// Random packets and random bytes: replies, never a crash.
TEST_F(GdbSession, RandomInput) {
  std::mt19937 rng(7);
  const char *prefixes[] = {"m",
                            "M",
                            "p",
                            "P",
                            "g",
                            "G",
                            "H",
                            "T",
                            "Z",
                            "z",
                            "q",
                            "qXfer:",
                            "qXfer:features:read:",
                            "qXfer:auxv:read::",
                            "vCont;",
                            "v",
                            "C",
                            "S",
                            "c",
                            "s",
                            "qThreadExtraInfo,",
                            "?",
                            "X"};
  const char alphabet[] = "0123456789abcdefpP.,:;=-#$}*zZ";
  for (int i = 0; i < 20000; i++) {
    std::string p = prefixes[rng() % (sizeof prefixes / sizeof *prefixes)];
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; k++) p += alphabet[rng() % (sizeof alphabet - 1)];
    size_t used;
    s.feed(frame(p), &used);
    std::string raw;
    for (int k = 0; k < 8; k++) raw += static_cast<char>(rng());
    s.feed(raw, &used);
  }
}

}  // namespace
}  // namespace qemu::gdbstub
