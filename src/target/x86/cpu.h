// The x86-64 guest CPU state (user level). Generated code reaches fields by their offsets, so the
// layout is part of the translator's contract; keep hot fields first.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qemu::x86 {

enum Reg : unsigned {
  RAX,
  RCX,
  RDX,
  RBX,
  RSP,
  RBP,
  RSI,
  RDI,
  R8,
  R9,
  R10,
  R11,
  R12,
  R13,
  R14,
  R15
};

// Exceptions (vector numbers) in CpuX86::exception_index.
enum Exception : uint32_t {
  kExcpDE = 0,  // divide error -> SIGFPE
  kExcpDB = 1,  // debug (single step) -> SIGTRAP
  kExcpBP = 3,  // int3 -> SIGTRAP
  kExcpOF = 4,  // into
  kExcpUD = 6,  // undefined opcode -> SIGILL
  kExcpNM = 7,
  kExcpGP = 13,  // general protection -> SIGSEGV (si_addr 0)
  kExcpPF = 14,  // page fault -> SIGSEGV/SIGBUS at fault_addr
  kExcpMF = 16,  // x87 error -> SIGFPE
  kExcpAC = 17,
  kExcpXM = 19,  // SIMD floating point -> SIGFPE
};

// Target exits of Engine::run (see jit/exec/exits.h).
enum Exit : uint64_t {
  kExitSyscall = 16,     // the syscall instruction: rip is after it
  kExitException = 17,   // exception_index, error_code, fault_addr say which; rip is the insn's
  kExitInterrupt = 18,   // int N (N in exception_index): rip after it
  kExitSingleStep = 19,  // a single-step block ran its instruction: rip after it
  kExitBreakpoint = 20,  // a debugger breakpoint at rip (the instruction did not run)
};

// Translation-block key flags: either makes every block one instruction ending in
// kExitSingleStep (a syscall ends it with kExitSyscall, as the step is not reported there).
enum TbFlag : uint64_t {
  kTbTrapFlag = 1,   // EFLAGS.TF
  kTbDebugStep = 2,  // CpuX86::debug_step
};

union XmmReg {
  uint8_t b[16];
  uint16_t w[8];
  uint32_t d[4];
  uint64_t q[2];
  float f[4];
  double df[2];
};

struct CpuX86 {
  uint64_t regs[16];
  uint64_t rip;
  // Condition codes, computed lazily from the last flag-setting operation (cc_op says which).
  uint64_t cc_dst, cc_src, cc_src2;
  uint32_t cc_op;
  int32_t df;       // 1 or -1 (the direction flag)
  uint64_t eflags;  // the bits other than OF SF ZF AF PF CF and DF (IF, ID, AC, ...)
  uint64_t fs_base, gs_base;

  alignas(16) XmmReg xmm[16];
  // AVX: bits 255:128 of ymm0..15 (legacy SSE ops keep them, VEX.128 ops zero them).
  alignas(16) XmmReg ymmh[16];
  uint32_t mxcsr;

  // x87 and MMX: registers in physical order; st(i) is fpregs[(fpstt + i) & 7].
  struct FpReg {
    uint64_t mant;  // 80-bit: 64-bit significand
    uint16_t exp;   //         sign and exponent
    uint16_t pad[3];
  } fpregs[8];
  uint32_t fpstt;  // top of stack
  uint16_t fpus, fpuc;
  uint8_t fptags[8];  // 1: empty

  // Why the last kExitException / kExitInterrupt.
  uint32_t exception_index;
  uint32_t error_code;
  uint64_t fault_addr;

  void *opaque;         // the owner's (user mode: the thread's state)
  uint32_t debug_step;  // the debugger single-steps this CPU (kTbDebugStep)

  // Scratch for helpers that return more than one value (read back with ld from env).
  uint64_t helper_out[2];
  // An SSE memory operand, loaded here so helpers see registers and memory alike.
  alignas(16) XmmReg xmm_tmp;
  XmmReg xmm_tmp_hi;  // the upper half of a 256-bit memory operand (follows xmm_tmp)
  // AVX: a 256-bit source copied aside when the destination overwrites it first.
  alignas(16) XmmReg avx_scratch[2];
};

// The state at process start (user mode): flags 0x202, DF clear, MXCSR 0x1f80, x87 control
// word 0x37f with an empty stack; registers zero.
void cpu_reset(CpuX86 &cpu);

// EFLAGS as the guest sees it (computed from the lazy state) and back.
uint64_t get_eflags(const CpuX86 &cpu);
void set_eflags(CpuX86 &cpu, uint64_t value, uint64_t mask);

}  // namespace qemu::x86
