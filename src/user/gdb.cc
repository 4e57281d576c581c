#include "user/gdb.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "base/error.h"
#include "base/log.h"
#include "gdbstub/session.h"
#include "gdbstub/signals.h"
#include "gdbstub/socket.h"
#include "gdbstub/x86_64.h"
#include "jit/exec/engine.h"
#include "user/guest_addr.h"
#include "user/signal.h"
#include "user/user_state.h"

namespace qemu::user {

std::atomic<bool> g_gdb_attached{false};

namespace {

// The guest as gdb sees it.
class UserTarget : public gdbstub::Target {
 public:
  std::vector<int64_t> threads() override {
    std::lock_guard<std::mutex> l(mu);
    std::vector<int64_t> ids;
    for (const Entry &e : list) ids.push_back(e.ts->tid);
    return ids;
  }
  bool thread_info(int64_t tid, std::string *text) override {
    std::lock_guard<std::mutex> l(mu);
    for (const Entry &e : list) {
      if (e.ts->tid != tid) continue;
      *text = "CPU#" + std::to_string(e.index) + " [running]";
      return true;
    }
    return false;
  }
  int num_registers() const override { return gdbstub::kX86_64NumRegs; }
  int read_register(int64_t tid, int n, std::string *out) override {
    ThreadState *ts = find(tid);
    return ts ? gdbstub::x86_64_read_register(ts->cpu, n, out) : 0;
  }
  int write_register(int64_t tid, int n, std::string_view data) override {
    ThreadState *ts = find(tid);
    return ts ? gdbstub::x86_64_write_register(ts->cpu, n, data) : 0;
  }
  // As QEMU 7.2: only what the guest mapped with the access asked for (so not a write into
  // read-only code: gdb uses Z0 breakpoints).
  bool read_memory(uint64_t addr, void *buf, size_t len) override {
    if (addr + len < addr || !g_proc->mem.is_mapped(addr, len, PROT_READ)) return false;
    return probe_read(g2h_addr(addr), buf, static_cast<unsigned>(len));
  }
  bool write_memory(uint64_t addr, const void *buf, size_t len) override {
    if (addr + len < addr || !g_proc->mem.is_mapped(addr, len, PROT_WRITE)) return false;
    // A page holding translated code is write-protected on the host: the fault handler
    // drops its blocks and lets the write through.
    return probe_write(g2h_addr(addr), buf, static_cast<unsigned>(len));
  }
  const char *target_xml(std::string_view annex) const override {
    return gdbstub::x86_64_target_xml(annex);
  }
  bool auxv(std::string *out) override {
    const StackInfo &s = g_proc->stack;
    if (!s.auxv) return false;
    out->assign(static_cast<const char *>(g2h(s.auxv)), s.auxv_len);
    return true;
  }
  std::string offsets() override {
    // The main program's load bias (a PIE's base; 0 for a fixed-address program).
    char buf[128];
    const unsigned long long b = g_proc->prog.exe.load_bias;
    std::snprintf(buf, sizeof buf, "Text=%016llx;Data=%016llx;Bss=%016llx", b, b, b);
    return buf;
  }
  int insert_breakpoint(int type, uint64_t addr, uint64_t) override {
    if (type != gdbstub::kBpSoftware && type != gdbstub::kBpHardware) return -ENOSYS;
    {
      std::lock_guard<std::mutex> l(bp_mu);
      bps[addr]++;
      bp_count.fetch_add(1);
    }
    g_proc->engine->invalidate(addr, addr + 1);
    return 0;
  }
  int remove_breakpoint(int type, uint64_t addr, uint64_t) override {
    if (type != gdbstub::kBpSoftware && type != gdbstub::kBpHardware) return -ENOSYS;
    {
      std::lock_guard<std::mutex> l(bp_mu);
      auto it = bps.find(addr);
      if (it == bps.end()) return -EINVAL;
      if (--it->second == 0) bps.erase(it);
      bp_count.fetch_sub(1);
    }
    g_proc->engine->invalidate(addr, addr + 1);
    return 0;
  }
  void clear_breakpoints() {
    std::vector<uint64_t> addrs;
    {
      std::lock_guard<std::mutex> l(bp_mu);
      for (const auto &[a, n] : bps) addrs.push_back(a);
      bps.clear();
      bp_count.store(0);
    }
    for (uint64_t a : addrs) g_proc->engine->invalidate(a, a + 1);
  }
  bool breakpoint_at(uint64_t pc) {
    if (bp_count.load(std::memory_order_relaxed) == 0) return false;
    std::lock_guard<std::mutex> l(bp_mu);
    return bps.count(pc) != 0;
  }

  ThreadState *find(int64_t tid) {
    std::lock_guard<std::mutex> l(mu);
    for (const Entry &e : list) {
      if (e.ts->tid == tid) return e.ts;
    }
    return nullptr;
  }
  void add(ThreadState *ts) {
    std::lock_guard<std::mutex> l(mu);
    // The lowest free CPU index, as QEMU numbers its CPUs.
    int index = 0;
    while (std::any_of(list.begin(), list.end(), [&](const Entry &e) { return e.index == index; }))
      index++;
    list.push_back({ts, index});
  }
  void remove(ThreadState *ts) {
    std::lock_guard<std::mutex> l(mu);
    std::erase_if(list, [&](const Entry &e) { return e.ts == ts; });
  }
  std::vector<ThreadState *> all() {
    std::lock_guard<std::mutex> l(mu);
    std::vector<ThreadState *> v;
    for (const Entry &e : list) v.push_back(e.ts);
    return v;
  }

 private:
  struct Entry {
    ThreadState *ts;
    int index;
  };
  std::mutex mu;
  std::vector<Entry> list;
  std::mutex bp_mu;
  std::map<uint64_t, int> bps;
  std::atomic<int> bp_count{0};
};

struct Gdb {
  UserTarget target;
  int fd = -1;
  std::mutex mu;  // one thread talks to gdb at a time
  std::unique_ptr<gdbstub::Session> session;
  std::string input;  // received, not yet handled
};

Gdb *g_gdb = nullptr;

void send_bytes(std::string_view b) {
  if (g_gdb && g_gdb->fd >= 0) gdbstub::write_all(g_gdb->fd, b.data(), b.size());
}

// After the last packet (W, X): gdb acknowledges it before we go, else it may find the
// connection closed before its ack is written (as QEMU 7.2, which waits for the ack).
void wait_for_ack() {
  for (;;) {
    pollfd p = {g_gdb->fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return;
    char c;
    const ssize_t n = read(g_gdb->fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '+') return;
  }
}

// gdb went away or detached: the program runs on freely.
void release_locked() {
  g_gdb_attached.store(false);
  g_gdb->target.clear_breakpoints();
  for (ThreadState *t : g_gdb->target.all()) t->cpu.debug_step = 0;
}

[[noreturn]] void killed_by_gdb() {
  g_gdb->session->report_exit(0);
  wait_for_ack();
  error_report("QEMU: Terminated via GDBstub");
  log_close();
  fflush(nullptr);
  _exit(0);
}

// Serves gdb until it resumes; returns the Linux signal for ts (0: none).
int serve_locked(ThreadState *ts) {
  Gdb &g = *g_gdb;
  for (;;) {
    size_t used = 0;
    const auto outcome = g.session->feed(g.input, &used);
    g.input.erase(0, used);
    g.session->take_interrupt();  // Ctrl-C while stopped: nothing to interrupt
    switch (outcome) {
      case gdbstub::Session::Outcome::none:
        break;
      case gdbstub::Session::Outcome::kill:
        killed_by_gdb();
      case gdbstub::Session::Outcome::detach:
        release_locked();
        return 0;
      case gdbstub::Session::Outcome::resume: {
        const gdbstub::Resume &r = g.session->resume();
        for (ThreadState *t : g.target.all()) {
          t->cpu.debug_step = r.action_for(t->tid).kind == 's' ? 1 : 0;
        }
        if (r.set_pc) ts->cpu.rip = r.pc;
        return gdbstub::linux_signal_from_gdb(r.action_for(ts->tid).signal);
      }
    }
    char buf[4096];
    ssize_t n;
    do {
      n = read(g.fd, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      // The connection is gone: QEMU goes on without the debugger.
      close(g.fd);
      g.fd = -1;
      release_locked();
      return 0;
    }
    g.input.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

bool gdb_start(const std::string &port_or_path, ThreadState *main) {
  const int fd = gdbstub::listen_and_accept(port_or_path);
  if (fd < 0) return false;
  g_gdb = new Gdb;
  g_gdb->fd = fd;
  g_gdb->session = std::make_unique<gdbstub::Session>(g_gdb->target, send_bytes);
  g_gdb->target.add(main);
  g_gdb_attached.store(true);
  std::lock_guard<std::mutex> l(g_gdb->mu);
  // The first stop is silent: gdb asks with '?'.
  g_gdb->session->set_stopped(main->tid);
  serve_locked(main);
  return true;
}

bool gdb_breakpoint_at(uint64_t pc) {
  return g_gdb && g_gdb->target.breakpoint_at(pc);
}

void gdb_thread_started(ThreadState *ts) {
  if (g_gdb && !ts->vfork_child) g_gdb->target.add(ts);
}

void gdb_thread_exited(ThreadState *ts) {
  if (g_gdb) g_gdb->target.remove(ts);
}

int gdb_stop(ThreadState *ts, int sig) {
  if (!gdb_attached() || ts->vfork_child) return sig;
  std::lock_guard<std::mutex> l(g_gdb->mu);
  if (!gdb_attached() || g_gdb->fd < 0) return sig;
  ts->cpu.debug_step = 0;
  g_gdb->session->report_stop(ts->tid, gdbstub::gdb_signal_from_linux(sig));
  return serve_locked(ts);
}

void gdb_process_exit(int code) {
  if (!g_gdb || g_gdb->fd < 0) return;
  std::lock_guard<std::mutex> l(g_gdb->mu);
  if (g_gdb->fd < 0) return;
  g_gdb->session->report_exit(code);
  wait_for_ack();
}

void gdb_process_signalled(int sig) {
  if (!g_gdb || g_gdb->fd < 0) return;
  g_gdb->session->report_signalled(gdbstub::gdb_signal_from_linux(sig));
  wait_for_ack();
}

void gdb_fork_child() {
  if (!g_gdb) return;
  if (g_gdb->fd >= 0) close(g_gdb->fd);
  g_gdb->fd = -1;
  g_gdb_attached.store(false);
  g_gdb->target.clear_breakpoints();
  g_gdb->session = std::make_unique<gdbstub::Session>(g_gdb->target, send_bytes);
  new (&g_gdb->mu) std::mutex;  // the parent may have held it at fork
}

}  // namespace qemu::user
