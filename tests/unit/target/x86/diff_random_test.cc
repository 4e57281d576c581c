// Differential test: random instructions generated from the decoder's definition table, run
// natively and through the front end + IR interpreter (unoptimized and optimized); registers,
// the defined arithmetic flags and a memory buffer must match.
#include <cpuid.h>
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdlib>
#include <random>

#include "target/x86/decode.h"
#include "x86_test_util.h"

namespace qemu::x86::test {
namespace {

struct HostFeatures {
  bool bmi1 = false, bmi2 = false, movbe = false, popcnt = false, lzcnt = false;
  bool sse3 = false, ssse3 = false, sse41 = false, sse42 = false;
  HostFeatures() {
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
      sse3 = c & 1;
      ssse3 = c & (1u << 9);
      sse41 = c & (1u << 19);
      sse42 = c & (1u << 20);
      movbe = c & (1u << 22);
      popcnt = c & (1u << 23);
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
      bmi1 = b & (1u << 3);
      bmi2 = b & (1u << 8);
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) lzcnt = c & (1u << 5);
  }
};

bool is_v(Opnd o) {
  return o == Opnd::Ev || o == Opnd::Gv || o == Opnd::Iz || o == Opnd::Iv || o == Opnd::rAX ||
         o == Opnd::Zv || o == Opnd::Ibs || o == Opnd::Ey || o == Opnd::Gy || o == Opnd::By;
}
bool is_byte_reg(Opnd o) {
  return o == Opnd::Eb || o == Opnd::Gb || o == Opnd::Zb;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {
    HostFeatures hf;
    size_t n;
    const Def *defs = all_defs(&n);
    for (size_t i = 0; i < n; i++) {
      const Def &d = defs[i];
      if (d.flags & kNoTest) continue;
      const std::string name = d.name;
      if ((name == "andn" || name == "bextr" || name.rfind("bls", 0) == 0) && !hf.bmi1) continue;
      if ((name == "bzhi" || name == "pdep" || name == "pext" || name == "mulx" || name == "rorx" ||
           name == "sarx" || name == "shlx" || name == "shrx") &&
          !hf.bmi2) {
        continue;
      }
      if (name == "movbe" && !hf.movbe) continue;
      const bool sse_ext = (d.flags & kSse) && (d.map == kMap0F38 || d.map == kMap0F3A);
      if (sse_ext && !(hf.ssse3 && hf.sse41 && hf.sse42)) continue;
      if ((name.find("addsub") == 0 || name.find("hadd") == 0 || name.find("hsub") == 0 ||
           name.find("dup") != std::string::npos || name == "lddqu") &&
          !hf.sse3) {
        continue;
      }
      if (name == "popcnt" && !hf.popcnt) continue;
      if ((name == "lzcnt" || name == "tzcnt") && !(hf.lzcnt && hf.bmi1)) continue;
      pool_.push_back(&d);
    }
  }

  uint64_t next() { return rng_(); }
  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }

  const Def &pick() { return *pool_[below(static_cast<unsigned>(pool_.size()))]; }
  size_t pool_size() const { return pool_.size(); }

  unsigned pick_reg() {
    static const unsigned k[] = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    return k[below(14)];
  }

  // Encodes one instance of d: registers other than rsp/r15, memory operands [r15 + disp8].
  bool encode(const Def &d, std::vector<uint8_t> &out) {
    const bool modrm = d.has_modrm();
    bool mem = false;
    if (modrm) {
      if (d.mod == kModMem || (d.flags & kTestMemOnly)) {
        mem = true;
      } else if (d.mod == kModReg || (d.flags & kTestRegOnly)) {
        mem = false;
      } else {
        mem = below(3) == 0;
      }
      // A bit offset in a register may point anywhere.
      if (std::string(d.name).rfind("bt", 0) == 0 && d.o[1] == Opnd::Gv) mem = false;
    }
    bool has_v = false, byte_reg = false, only_y = true;
    for (Opnd o : d.o) {
      has_v |= is_v(o);
      byte_reg |= is_byte_reg(o);
      if (is_v(o) && o != Opnd::Ey && o != Opnd::Gy && o != Opnd::By) only_y = false;
    }
    const bool vex = d.map == kMapVex0F38 || d.map == kMapVex0F3A;
    unsigned osize = 4;
    if (d.flags & kD64) {
      osize = 8;
    } else if (has_v) {
      unsigned r = below(d.flags & (kTestNo16 | kSse) || vex || only_y ? 2 : 3);
      osize = r == 0 ? 4 : r == 1 ? 8 : 2;
    }
    bool w = osize == 8 && !(d.flags & kD64);
    unsigned reg = d.reg >= 0 ? static_cast<unsigned>(d.reg) : pick_reg();
    unsigned rm = mem ? 15 : pick_reg();
    unsigned vvvv = 0;
    for (Opnd o : d.o) {
      if (o == Opnd::By) vvvv = pick_reg();
    }
    unsigned zreg = 0;
    bool zform = false;
    for (Opnd o : d.o) {
      if (o == Opnd::Zb || o == Opnd::Zv || o == Opnd::Zq) zform = true;
    }
    if (zform) {
      zreg = (d.opc & 7) | (below(2) << 3);
      if (zreg == 4 || zreg == 15) return false;
      if (d.opc == 0x90 && zreg == 0) return false;
    }
    const bool rr = reg & 8, rb = (modrm ? rm : zreg) & 8;
    bool need_rex = w || rr || rb;
    if (byte_reg && need_rex) {
      // Bytes 4-7 would be spl..dil: keep them away from rsp.
      if ((reg & 7) == 4 || (!mem && (rm & 7) == 4)) return false;
    }
    if (vex) {
      out.push_back(0xc4);
      out.push_back(((rr ? 0 : 0x80) | 0x40 | (rb ? 0 : 0x20)) | (d.map == kMapVex0F38 ? 2 : 3));
      unsigned pp = d.pfx == kPfx66 ? 1 : d.pfx == kPfxF3 ? 2 : d.pfx == kPfxF2 ? 3 : 0;
      bool vw = osize == 8;
      out.push_back((vw ? 0x80 : 0) | ((~vvvv & 15) << 3) | pp);
      out.push_back(d.opc);
    } else {
      if (osize == 2 && d.pfx != kPfx66) out.push_back(0x66);
      if (mem && (d.flags & kLock) && below(3) == 0) out.push_back(0xf0);
      if (d.pfx == kPfx66) out.push_back(0x66);
      if (d.pfx == kPfxF3) out.push_back(0xf3);
      if (d.pfx == kPfxF2) out.push_back(0xf2);
      if (need_rex) out.push_back(0x40 | (w ? 8 : 0) | (rr ? 4 : 0) | (rb ? 1 : 0));
      if (d.map != kMap1) out.push_back(0x0f);
      if (d.map == kMap0F38) out.push_back(0x38);
      if (d.map == kMap0F3A) out.push_back(0x3a);
      out.push_back(zform ? static_cast<uint8_t>(d.opc) : d.opc);
    }
    if (modrm) {
      out.push_back(static_cast<uint8_t>((mem ? 0x40 : 0xc0) | (reg & 7) << 3 | (rm & 7)));
      // SSE memory operands of 16 bytes must be aligned: keep every SSE one aligned.
      if (mem) out.push_back(static_cast<uint8_t>(next() & ((d.flags & kSse) ? 0xf0 : 0xff)));
    }
    for (Opnd o : d.o) {
      unsigned n = 0;
      switch (o) {
        case Opnd::Ib:
        case Opnd::Ibs:
          n = 1;
          break;
        case Opnd::Iw:
          n = 2;
          break;
        case Opnd::Iz:
          n = osize == 2 ? 2 : 4;
          break;
        case Opnd::Iv:
          n = osize;
          break;
        default:
          break;
      }
      uint64_t v = next();
      for (unsigned i = 0; i < n; i++) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    return true;
  }

  uint64_t random_value() {
    switch (below(8)) {
      case 0:
        return 0;
      case 1:
        return ~0ull;
      case 2:
        return below(64);
      case 3:
        return 0x8000000000000000ull >> (below(4) * 8 + 7);
      case 4:
        return next() & 0xffffffff;
      default:
        return next();
    }
  }

 private:
  std::mt19937_64 rng_;
  std::vector<const Def *> pool_;
};

uint64_t undef_mask(uint32_t flags) {
  uint64_t m = 0;
  if (flags & kUndefOF) m |= kOF;
  if (flags & kUndefSF) m |= kSF;
  if (flags & kUndefZF) m |= kZF;
  if (flags & kUndefAF) m |= kAF;
  if (flags & kUndefPF) m |= kPF;
  if (flags & kUndefCF) m |= kCF;
  return m;
}

std::string hex(const std::vector<uint8_t> &v) {
  std::string s;
  char buf[4];
  for (uint8_t x : v) {
    std::snprintf(buf, sizeof buf, "%02x ", x);
    s += buf;
  }
  return s;
}

alignas(64) uint8_t g_buf[8192];

TEST(X86Diff, RandomInstructions) {
  NativeRunner native;
  const char *seed_env = std::getenv("X86_TEST_SEED");
  Generator gen(seed_env ? std::strtoull(seed_env, nullptr, 0) : 20261202);
  ASSERT_GT(gen.pool_size(), 200u);
  HostMemory mem;
  mem.allow(g_buf, sizeof g_buf);
  constexpr int kCases = 10000;
  int failures = 0, insns = 0;
  std::vector<uint8_t> init(sizeof g_buf), after_native(sizeof g_buf);
  for (int c = 0; c < kCases && failures < 10; c++) {
    // A sequence: instructions with undefined flags only last.
    std::vector<uint8_t> code;
    std::string names;
    uint32_t last_flags = 0;
    const int len = 1 + gen.below(4);
    for (int i = 0; i < len; i++) {
      const Def *d;
      std::vector<uint8_t> one;
      do {
        d = &gen.pick();
        one.clear();
      } while ((i + 1 < len && (d->flags & kUndefAll)) || !gen.encode(*d, one));
      code.insert(code.end(), one.begin(), one.end());
      names += std::string(d->name) + " ";
      last_flags = d->flags;
      insns++;
    }
    const uint64_t end = native.load(code);
    State s0{};
    for (int r = 0; r < 16; r++) s0.regs[r] = gen.random_value();
    s0.regs[RSP] = reinterpret_cast<uintptr_t>(g_buf + 7168);
    s0.regs[R15] = reinterpret_cast<uintptr_t>(g_buf + 2048);
    s0.flags = (gen.next() & kArithFlags) | 0x202;
    for (auto &m : s0.mm) m = gen.random_value();
    for (auto &x : s0.xmm) {
      for (int i = 0; i < 2; i++) {
        uint64_t q;
        switch (gen.below(4)) {
          case 0: {
            double dv = static_cast<double>(static_cast<int64_t>(gen.next() >> gen.below(64))) /
                        static_cast<double>(1 + gen.below(1000));
            std::memcpy(&q, &dv, 8);
            break;
          }
          case 1: {
            float f[2] = {static_cast<float>(static_cast<int32_t>(gen.next())) / 7.0f,
                          static_cast<float>(gen.below(100)) - 50.0f};
            std::memcpy(&q, f, 8);
            break;
          }
          default:
            q = gen.random_value();
            break;
        }
        std::memcpy(x + 8 * i, &q, 8);
      }
    }
    for (auto &x : g_buf) x = static_cast<uint8_t>(gen.next());
    std::memcpy(init.data(), g_buf, sizeof g_buf);

    State sn = s0;
    if (std::getenv("X86_TEST_VERBOSE"))
      std::fprintf(stderr, "%d: %s| %s\n", c, names.c_str(), hex(code).c_str());
    native.run(&sn);
    std::memcpy(after_native.data(), g_buf, sizeof g_buf);
    native.stop_at_end(end);

    for (bool opt : {false, true}) {
      std::memcpy(g_buf, init.data(), sizeof g_buf);
      CpuX86 cpu;
      state_to_cpu(s0, cpu);
      cpu.rip = native.code_addr();
      EmuResult r = run_emulated(cpu, mem, end, opt);
      ASSERT_EQ(r.error, "") << names;
      State se{};
      cpu_to_state(cpu, se);
      const uint64_t fmask = kArithFlags & ~undef_mask(last_flags);
      bool bad = r.exit.kind != jit::ExitKind::exit_tb || cpu.rip != end;
      for (int i = 0; i < 16; i++) bad |= se.regs[i] != sn.regs[i];
      int xbad = -1;
      for (int i = 0; i < 16; i++) {
        if (std::memcmp(se.xmm[i], sn.xmm[i], 16) != 0) xbad = i;
      }
      bad |= xbad >= 0;
      for (int i = 0; i < 8; i++) {
        if (se.mm[i] != sn.mm[i]) {
          bad = true;
          char mline[120];
          std::snprintf(mline, sizeof mline,
                        "  mm%d: in %016" PRIx64 " native %016" PRIx64 " emu %016" PRIx64 "\n", i,
                        s0.mm[i], sn.mm[i], se.mm[i]);
          ADD_FAILURE() << names << " " << hex(code) << "\n" << mline;
        }
      }
      bad |= (se.flags & fmask) != (sn.flags & fmask);
      bool membad = std::memcmp(g_buf, after_native.data(), sizeof g_buf) != 0;
      if (bad || membad) {
        failures++;
        std::string msg = "case " + std::to_string(c) + (opt ? " (optimized)" : "") + ": " + names +
                          "\n  bytes: " + hex(code) + "\n";
        char line[160];
        for (int i = 0; i < 16; i++) {
          if (se.regs[i] != sn.regs[i] || s0.regs[i] != sn.regs[i]) {
            std::snprintf(line, sizeof line,
                          "  r%d: in %016" PRIx64 " native %016" PRIx64 " emu %016" PRIx64 "%s\n",
                          i, s0.regs[i], sn.regs[i], se.regs[i],
                          se.regs[i] != sn.regs[i] ? "  <--" : "");
            msg += line;
          }
        }
        std::snprintf(line, sizeof line,
                      "  flags in %03" PRIx64 " native %03" PRIx64 " emu %03" PRIx64
                      " (mask %03" PRIx64 ")%s\n",
                      s0.flags & kArithFlags, sn.flags & kArithFlags, se.flags & kArithFlags, fmask,
                      membad ? " memory differs" : "");
        msg += line;
        if (xbad >= 0) {
          uint64_t in[2], nat[2], emu[2];
          std::memcpy(in, s0.xmm[xbad], 16);
          std::memcpy(nat, sn.xmm[xbad], 16);
          std::memcpy(emu, se.xmm[xbad], 16);
          std::snprintf(line, sizeof line,
                        "  xmm%d: in %016" PRIx64 ":%016" PRIx64 " native %016" PRIx64
                        ":%016" PRIx64 " emu %016" PRIx64 ":%016" PRIx64 "\n",
                        xbad, in[1], in[0], nat[1], nat[0], emu[1], emu[0]);
          msg += line;
        }
        ADD_FAILURE() << msg;
        break;
      }
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(insns, 20000);
}

}  // namespace
}  // namespace qemu::x86::test
