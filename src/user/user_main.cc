#include "user/user_main.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/log.h"
#include "jit/backend/interp/interp.h"
#include "jit/exec/engine.h"
#include "jit/exec/lookup.h"
#include "target/x86/frontend.h"
#include "target/x86/helpers.h"
#include "user/code_alias.h"
#include "user/cpu_loop.h"
#include "user/gdb.h"
#include "user/guest_addr.h"
#include "user/guest_base.h"
#include "user/guest_mmap.h"
#include "user/reserved_va.h"
#include "user/signal.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

uint32_t engine_log_flags(uint32_t mask) {
  uint32_t f = 0;
  if (mask & kLogInAsm) f |= jit::kLogInAsm;
  if (mask & kLogOp) f |= jit::kLogOp;
  if (mask & kLogOpOpt) f |= jit::kLogOpOpt;
  if (mask & kLogOutAsm) f |= jit::kLogOutAsm;
  if (mask & kLogExec) f |= jit::kLogExec;
  if (mask & kLogCpu) f |= jit::kLogCpu;
  if (mask & kLogInt) f |= jit::kLogInt;
  if (mask & kLogNochain) f |= jit::kLogNoChain;
  if (mask & kLogFpu) f |= jit::kLogFpu;
  return f;
}

void protect_code_page(uint64_t page) {
  GuestMemoryMap &mem = g_proc->mem;
  int prot = mem.prot_at(page);
  mem.set_code_page(page, true);
  if (prot >= 0 && (prot & PROT_WRITE)) {
    mem.set_wants_write(page, true);
    mprotect(g2h(page), kPageSize, prot & ~PROT_WRITE);
  }
  protect_code_aliases(page);
}

// Guest code runs only from pages the guest mapped executable (as the NX bit makes it natively).
bool code_readable(uint64_t addr, size_t len) {
  return g_proc->mem.is_mapped(addr, len, PROT_EXEC);
}

// The interpreter's guest memory: direct, with faults caught instead of crashing.
class ProbedMemory final : public jit::GuestMemory {
 public:
  bool load(uint64_t addr, unsigned size, uint64_t *value) override {
    uint64_t v = 0;
    if (!probe_read(g2h_addr(addr), &v, size)) {
      last_write_ = false;
      return false;
    }
    *value = v;
    return true;
  }
  bool store(uint64_t addr, unsigned size, uint64_t value) override {
    if (!probe_write(g2h_addr(addr), &value, size)) {
      last_write_ = true;
      return false;
    }
    return true;
  }
  static thread_local bool last_write_;
};
thread_local bool ProbedMemory::last_write_ = false;

uint64_t interp_mem_fault(void *env, uint64_t addr) {
  auto *cpu = static_cast<x86::CpuX86 *>(env);
  cpu->exception_index = x86::kExcpPF;
  cpu->fault_addr = addr;
  cpu->error_code =
      (ProbedMemory::last_write_ ? 2 : 0) | 4 | (g_proc->mem.prot_at(addr) >= 0 ? 1 : 0);
  return kExitHostFault;
}

std::string self_exe_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : std::string("/proc/self/exe");
}

void fill_random(const UserOptions &o, uint8_t out[16]) {
  if (o.have_seed) {
    uint64_t x = o.seed;
    for (int i = 0; i < 2; ++i) {
      x += 0x9e3779b97f4a7c15ull;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      memcpy(out + 8 * i, &z, 8);
    }
    return;
  }
  if (getrandom(out, 16, 0) != 16) memset(out, 0x5a, 16);
}

// The options a program exec'd by the guest runs under (the same emulator setup).
std::vector<std::string> exec_options(const UserOptions &o) {
  std::vector<std::string> v;
  if (o.ld_prefix != "/etc/qemu-binfmt/x86_64") v.insert(v.end(), {"-L", o.ld_prefix});
  if (o.stack_size != 8 * 1024 * 1024) v.insert(v.end(), {"-s", std::to_string(o.stack_size)});
  if (!o.cpu_model.empty()) v.insert(v.end(), {"-cpu", o.cpu_model});
  if (!o.uname_release.empty()) v.insert(v.end(), {"-r", o.uname_release});
  if (!o.log_items.empty()) v.insert(v.end(), {"-d", o.log_items});
  if (!o.log_file.empty()) v.insert(v.end(), {"-D", o.log_file});
  if (o.singlestep) v.push_back("-singlestep");
  if (o.strace) v.push_back("-strace");
  if (o.guest_base) v.insert(v.end(), {"-B", fmt::format("{:#x}", o.guest_base)});
  return v;
}

}  // namespace

int user_main(int argc, char **argv, char **envp) {
  set_progname("qemu-x86_64");
  auto *proc = new Process;
  g_proc = proc;
  UserOptions &o = proc->opts;
  ParseResult pr = parse_options(argc, argv, envp, &o, stdout, stderr);
  if (pr.action == ParseResult::kExit) return pr.exit_code;

  if (!o.cpu_model.empty() && !apply_cpu_option(o.cpu_model)) return 1;
  uint32_t log_mask = o.log_mask;
  if (o.strace) log_mask |= kLogStrace;
  Error err;
  if (!log_configure(log_mask, o.log_file, &err)) {
    error_report_err(err);
    return 1;
  }
  for (const std::string &t : o.trace) {
    std::string ev = t;
    if (ev.compare(0, 7, "enable=") == 0) ev = ev.substr(7);
    if (ev.find('=') == std::string::npos) warn_report("trace event '{}' does not exist", ev);
  }
  if (!o.plugins.empty()) {
    error_report("Could not load plugin {}: plugins are not supported", o.plugins[0]);
    return 1;
  }
  // The program: an ELF file, or a "#!" script whose interpreter we run.
  std::string program = o.program;
  std::vector<std::string> guest_args = o.args;
  bool script = false;
  LoadError lerr;
  if (!check_executable(program, &script, &lerr)) {
    printf("Error while loading %s: %s\n", program.c_str(), strerror(lerr.errnum));
    fflush(stdout);
    return 1;
  }
  if (script) {
    std::string interp, iarg;
    if (!parse_shebang(program, &interp, &iarg)) {
      printf("Error while loading %s: %s\n", program.c_str(), strerror(ENOEXEC));
      fflush(stdout);
      return 1;
    }
    std::vector<std::string> a = {interp};
    if (!iarg.empty()) a.push_back(iarg);
    a.push_back(program);
    a.insert(a.end(), guest_args.begin() + 1, guest_args.end());
    guest_args = a;
    program = interp;
    if (!check_executable(program, &script, &lerr) || script) {
      printf("Error while loading %s: %s\n", program.c_str(),
             strerror(script ? ENOEXEC : lerr.errnum));
      fflush(stdout);
      return 1;
    }
  }
  if (o.have_guest_base) {
    const int status = check_guest_base(o.guest_base, program);
    if (status >= 0) return status;
    set_guest_base(o.guest_base);
  }
  if (o.reserved_va) return refuse_reserved_va(o.reserved_va, program);
  char real[PATH_MAX];
  proc->exe_path = realpath(program.c_str(), real) ? real : program;
  proc->self_exe = self_exe_path();
  proc->exec_prefix_args = exec_options(o);

  reserve_host_mappings(&proc->mem);
  if (!load_program(program, o.ld_prefix, &proc->mem, &proc->prog, &lerr)) {
    if (lerr.errnum) {
      printf("Error while loading %s: %s\n", program.c_str(), strerror(lerr.errnum));
      fflush(stdout);
      return 1;
    }
    error_report("{}: {}", program, lerr.message);
    return 255;
  }
  proc->brk_start = proc->brk_cur = proc->brk_mapped_end = proc->prog.brk_start;

  // The guest's environment and arguments.
  // Built as QEMU builds it (each variable, then each -E, goes in front), so the guest sees
  // the same order as under QEMU: the host's reversed, changes first.
  StackParams sp;
  std::vector<std::string> env_rev;
  for (char **e = envp; e && *e; ++e) env_rev.push_back(*e);
  auto unset = [&](const std::string &name) {
    std::erase_if(env_rev, [&](const std::string &s) {
      return s.compare(0, name.size(), name) == 0 && s.size() > name.size() &&
             s[name.size()] == '=';
    });
  };
  for (const auto &[set, s] : o.env_ops) {
    unset(set ? s.substr(0, s.find('=')) : s);
    if (set) env_rev.push_back(s);
  }
  sp.envp.assign(env_rev.rbegin(), env_rev.rend());
  sp.argv = guest_args;
  if (o.have_argv0 && !sp.argv.empty()) sp.argv[0] = o.argv0;
  proc->guest_argv = sp.argv;
  sp.execfn = program;
  sp.stack_size = o.stack_size;
  uint32_t id[4];
  x86::cpuid(1, 0, id);
  sp.hwcap = id[3];
  sp.hwcap2 = 0;
  fill_random(o, sp.random);
  sp.exec_stack = proc->prog.exe.exec_stack;
  std::string serr;
  if (!setup_stack(sp, proc->prog, &proc->mem, &proc->stack, &serr)) {
    error_report("{}", serr);
    return 1;
  }

  // The translator.
  x86::FrontendOptions fo;
  fo.guest_base = g_guest_base;
  fo.code_readable = code_readable;
  fo.lookup_tb = &jit::kHelperLookupTbPtr;
  if (!o.gdb_port.empty()) fo.breakpoint_at = gdb_breakpoint_at;
  auto *fe = new x86::X86Frontend(fo);
  jit::EngineOptions eo;
  const char *be = getenv("QEMU_JIT_BACKEND");
  eo.backend =
      be && strcmp(be, "interp") == 0 ? jit::BackendKind::interp : jit::BackendKind::x86_64;
  eo.guest_base = g_guest_base;
  static ProbedMemory probed;
  if (eo.backend == jit::BackendKind::interp) {
    eo.mem = &probed;
    eo.mem_fault = interp_mem_fault;
  }
  eo.max_insns = o.singlestep ? 1 : 512;
  eo.log = engine_log_flags(log_mask);
  {
    LogLock l;
    eo.log_file = l.file();
  }
  eo.protect_code_page = protect_code_page;
  eo.exit_request_offset = exit_request_offset();
  eo.exit_request_value = kExitRequested;
  proc->engine = new jit::Engine(*fe, eo);
  reserve_host_mappings(&proc->mem);

  if (log_enabled(kLogPage)) {
    qemu_log("guest mappings:\n{}", proc->mem.format_maps());
    qemu_log("start_brk   0x{:016x}\nentry       0x{:016x}\nstack_start 0x{:016x}\n",
             proc->brk_start, proc->prog.entry, proc->stack.sp);
  }

  auto *ts = new ThreadState;
  ts->tid = gettid();
  x86::CpuX86 &cpu = ts->cpu;
  x86::cpu_reset(cpu);
  cpu.opaque = ts;
  cpu.regs[x86::RSP] = proc->stack.sp;
  cpu.rip = proc->prog.entry;
  set_current_thread(ts);
  inherit_signal_state(ts);
  signal_init();
  // The process's name (/proc/self/comm, status, stat) is the guest program's.
  std::string comm = program.substr(program.rfind('/') + 1).substr(0, 15);
  prctl(PR_SET_NAME, comm.c_str(), 0, 0, 0);
  // -g: gdb connects before the first guest instruction.
  if (!o.gdb_port.empty() && !gdb_start(o.gdb_port, ts)) {
    fprintf(stderr, "qemu: could not open gdbserver on %s\n", o.gdb_port.c_str());
    return 1;
  }
  cpu_loop(ts);
}

}  // namespace qemu::user
