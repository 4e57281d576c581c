// Runs compiled blocks of the x86-64 backend in tests: a guest address space that is a real
// mapping (guest page kBase..kBase+4K readable, everything else up to 2 MiB unmapped), a
// SIGSEGV handler that maps faults back to guest instructions (find_insn) and leaves with
// siglongjmp, and the interpreter's ExitResult for comparison.
#pragma once

#include <gtest/gtest.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cstring>

#include "jit/backend/interp/interp.h"
#include "jit/backend/x64/codegen.h"
#include "jit/ir/builder.h"
#include "jit_test_util.h"

namespace qemu::jit::test {

class GuestSpace {
 public:
  static constexpr size_t kSize = 2 << 20;
  GuestSpace() {
    void *p = mmap(nullptr, kSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) std::abort();
    base_ = static_cast<uint8_t *>(p);
    mprotect(base_ + FlatMemory::kBase, 4096, PROT_READ | PROT_WRITE);
  }
  ~GuestSpace() { munmap(base_, kSize); }
  uintptr_t base() const { return reinterpret_cast<uintptr_t>(base_); }
  uint8_t *page() const { return base_ + FlatMemory::kBase; }

 private:
  uint8_t *base_;
};

struct FaultState {
  sigjmp_buf jmp;
  bool armed = false;
  uintptr_t addr = 0, pc = 0;
};

inline FaultState &fault_state() {
  static FaultState s;
  return s;
}

inline void on_segv(int sig, siginfo_t *si, void *ctx) {
  FaultState &s = fault_state();
  if (!s.armed) {
    signal(sig, SIG_DFL);
    return;  // faults again, with the default action
  }
  s.armed = false;
  s.addr = reinterpret_cast<uintptr_t>(si->si_addr);
  s.pc = static_cast<uintptr_t>(static_cast<ucontext_t *>(ctx)->uc_mcontext.gregs[REG_RIP]);
  siglongjmp(s.jmp, 1);
}

class SegvHandler {
 public:
  SegvHandler() {
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv_);
    sigaction(SIGBUS, &sa, &old_bus_);
  }
  ~SegvHandler() {
    sigaction(SIGSEGV, &old_segv_, nullptr);
    sigaction(SIGBUS, &old_bus_, nullptr);
  }

 private:
  struct sigaction old_segv_ {};
  struct sigaction old_bus_ {};
};

inline constexpr uint64_t kCatchValue = 0xca7c4;

// Runs tb with env; exit_tb values come back as exit_tb (kCatchValue, returned by the block
// goto_ptr targets, as goto_ptr to catch_code), faults as fault with the guest address and
// the instruction find_insn gives.
inline ExitResult run_compiled(const x64::CodeBuffer &buf, const x64::CompiledTb &tb, void *env,
                               uintptr_t guest_base, const void *catch_code) {
  FaultState &s = fault_state();
  ExitResult r{ExitKind::exit_tb};
  if (sigsetjmp(s.jmp, 1) == 0) {
    s.armed = true;
    uint64_t v = buf.enter(env, tb.code);
    s.armed = false;
    if (v == kCatchValue) {
      r.kind = ExitKind::goto_ptr;
      r.value = reinterpret_cast<uintptr_t>(catch_code);
    } else {
      r.value = v;
    }
    return r;
  }
  r.kind = ExitKind::fault;
  r.value = s.addr - guest_base;
  EXPECT_TRUE(s.pc >= reinterpret_cast<uintptr_t>(tb.code) &&
              s.pc < reinterpret_cast<uintptr_t>(tb.code) + tb.size)
      << "fault outside the block at " << std::hex << s.pc;
  if (!x64::find_insn(tb, s.pc, &r.insn_pc, &r.insn_extra)) {
    r.insn_pc = r.insn_extra = 0;
  }
  return r;
}

// A block that only returns kCatchValue.
inline x64::CompiledTb compile_catcher(x64::CodeBuffer &buf, uintptr_t guest_base) {
  Ir ir;
  Builder b(ir);
  b.exit_tb(kCatchValue);
  x64::CodegenOptions opt;
  opt.guest_base = guest_base;
  x64::CompiledTb tb;
  EXPECT_TRUE(x64::compile(ir, buf, opt, &tb));
  return tb;
}

}  // namespace qemu::jit::test

namespace qemu::jit::test {

// Compiles and runs blocks against the interpreter with one CPU state and guest memory image.
class X64Runner {
 public:
  struct Outcome {
    ExitResult exit;
    Env env;
    std::vector<uint8_t> mem;
    bool operator==(const Outcome &) const = default;
  };

  explicit X64Runner(size_t buf_size = 16 << 20)
      : buf_(buf_size, space_.base()), catcher_(compile_catcher(buf_, space_.base())) {}

  x64::CodeBuffer &buf() { return buf_; }
  // For the blocks compiled from now on.
  x64::CodegenOptions::InlineScalarDouble inline_scalar_double;
  uintptr_t guest_base() const { return space_.base(); }
  const uint8_t *catcher() const { return catcher_.code; }

  // Compiles ir as it is (the caller optimizes or computes liveness).
  x64::CompiledTb compile(const Ir &ir, uint32_t disable_features = 0) {
    if (buf_.full()) {
      buf_.reset();
      catcher_ = compile_catcher(buf_, space_.base());
    }
    x64::CodegenOptions opt;
    opt.guest_base = space_.base();
    opt.disable_features = disable_features;
    opt.inline_scalar_double = inline_scalar_double;
    x64::CompiledTb tb;
    x64::CodegenError why = x64::CodegenError::none;
    EXPECT_TRUE(x64::compile(ir, buf_, opt, &tb, &why)) << static_cast<int>(why);
    return tb;
  }

  Outcome interp(const Ir &ir, const Env &env, const std::vector<uint8_t> &mem) {
    Outcome o{{ExitKind::exit_tb}, env, mem};
    FlatMemory m;
    m.bytes = mem;
    o.exit = Interpreter(ir).run(&o.env, m);
    if (o.exit.kind != ExitKind::fault) o.exit.insn_pc = o.exit.insn_extra = 0;
    o.mem = m.bytes;
    return o;
  }

  Outcome jit(const x64::CompiledTb &tb, const Env &env, const std::vector<uint8_t> &mem) {
    Outcome o{{ExitKind::exit_tb}, env, mem};
    uint8_t *page = space_.page();
    std::memset(page, 0, 4096);
    std::memcpy(page, mem.data(), mem.size());
    o.exit = run_compiled(buf_, tb, &o.env, space_.base(), catcher_.code);
    o.mem.assign(page, page + mem.size());
    return o;
  }

 private:
  GuestSpace space_;
  SegvHandler segv_;
  x64::CodeBuffer buf_;
  x64::CompiledTb catcher_;
};

}  // namespace qemu::jit::test
