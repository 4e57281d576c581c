// Shared by the x86 front end tests: running guest code natively (an executable page with a
// small wrapper that loads and stores the registers and flags) and through the front end and
// the IR interpreter (optionally optimized), on the same memory buffer.
#pragma once

#include <sys/mman.h>

#include <cinttypes>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "jit/backend/interp/interp.h"
#include "jit/exec/exits.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "target/x86/cpu.h"
#include "target/x86/flags.h"
#include "target/x86/frontend.h"

namespace qemu::x86::test {

// The register state both sides start from and end in.
struct State {
  uint64_t regs[16];
  uint64_t flags;
  uint64_t host_rsp;
  alignas(16) uint8_t xmm[16][16];
  uint64_t mm[8];
};

inline constexpr size_t kStateFlags = offsetof(State, flags);
inline constexpr size_t kStateHostRsp = offsetof(State, host_rsp);
inline constexpr size_t kStateXmm = offsetof(State, xmm);
inline constexpr size_t kStateMm = offsetof(State, mm);

// Guest memory = host memory, within the ranges registered (anything else faults).
class HostMemory : public jit::GuestMemory {
 public:
  void allow(const void *p, size_t n) { ranges_.push_back({reinterpret_cast<uintptr_t>(p), n}); }
  bool ok(uint64_t a, unsigned size) const {
    for (auto [s, n] : ranges_) {
      if (a >= s && a - s <= n - size) return true;
    }
    return false;
  }
  bool load(uint64_t addr, unsigned size, uint64_t *value) override {
    if (!ok(addr, size)) return false;
    *value = 0;
    std::memcpy(value, reinterpret_cast<const void *>(addr), size);
    return true;
  }
  bool store(uint64_t addr, unsigned size, uint64_t value) override {
    if (!ok(addr, size)) return false;
    std::memcpy(reinterpret_cast<void *>(addr), &value, size);
    return true;
  }

 private:
  std::vector<std::pair<uintptr_t, size_t>> ranges_;
};

// Machine code emission for the wrapper (register numbers as in Reg).
class Asm {
 public:
  std::vector<uint8_t> b;
  void byte(unsigned v) { b.push_back(static_cast<uint8_t>(v)); }
  void d32(int32_t v) {
    for (int i = 0; i < 4; i++) byte((static_cast<uint32_t>(v) >> (8 * i)) & 0xff);
  }
  // mov r64, [base + disp32] (load) or mov [base + disp32], r64 (store); base not rsp/r12.
  void mov_mem(bool store, unsigned r, unsigned base, int32_t disp) {
    byte(0x48 | ((r & 8) >> 1) | ((base & 8) >> 3));
    byte(store ? 0x89 : 0x8b);
    byte(0x80 | (r & 7) << 3 | (base & 7));
    d32(disp);
  }
  // mov [rip + target], r64 / mov r64, [rip + target]; target an offset in the page.
  void mov_rip(bool store, unsigned r, size_t target) {
    byte(0x48 | ((r & 8) >> 1));
    byte(store ? 0x89 : 0x8b);
    byte(0x05 | (r & 7) << 3);
    d32(static_cast<int32_t>(target - (b.size() + 4)));
  }
  // movdqu xmm, [base + disp32] / movdqu [base + disp32], xmm.
  void movdqu(bool store, unsigned x, unsigned base, int32_t disp) {
    byte(0xf3);
    if ((x | base) & 8) byte(0x40 | ((x & 8) >> 1) | ((base & 8) >> 3));
    byte(0x0f);
    byte(store ? 0x7f : 0x6f);
    byte(0x80 | (x & 7) << 3 | (base & 7));
    d32(disp);
  }
  // movq mm, [base + disp32] / movq [base + disp32], mm (base not rsp/r12/r8+).
  void movq_mm(bool store, unsigned m, unsigned base, int32_t disp) {
    byte(0x0f);
    byte(store ? 0x7f : 0x6f);
    byte(0x80 | (m & 7) << 3 | (base & 7));
    d32(disp);
  }
  void push(unsigned r) {
    if (r & 8) byte(0x41);
    byte(0x50 | (r & 7));
  }
  void pop(unsigned r) {
    if (r & 8) byte(0x41);
    byte(0x58 | (r & 7));
  }
};

// An executable page: prologue, the code under test, epilogue.
class NativeRunner {
 public:
  static constexpr size_t kPage = 65536;
  static constexpr size_t kSlotState = kPage - 64, kSlotRax = kPage - 56;
  static constexpr size_t kCodeStart = 1024;

  NativeRunner() {
    mem_ = static_cast<uint8_t *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE | PROT_EXEC,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    Asm a;
    static const unsigned kSaved[] = {RBX, RBP, R12, R13, R14, R15};
    for (unsigned r : kSaved) a.push(r);
    a.mov_rip(true, RDI, kSlotState);
    a.mov_mem(true, RSP, RDI, kStateHostRsp);
    a.byte(0xff);  // push qword [rdi + flags]
    a.byte(0xb7);
    a.d32(kStateFlags);
    a.byte(0x9d);  // popfq
    for (unsigned x = 0; x < 16; x++) a.movdqu(false, x, RDI, kStateXmm + 16 * x);
    for (unsigned m = 0; m < 8; m++) a.movq_mm(false, m, RDI, kStateMm + 8 * m);
    for (unsigned r = 0; r < 16; r++) {
      if (r != RDI) a.mov_mem(false, r, RDI, 8 * r);
    }
    a.mov_mem(false, RDI, RDI, 8 * RDI);
    // jmp to the code.
    a.byte(0xe9);
    a.d32(static_cast<int32_t>(kCodeStart - (a.b.size() + 4)));
    std::memcpy(mem_, a.b.data(), a.b.size());
  }
  ~NativeRunner() { munmap(mem_, kPage); }

  uint64_t code_addr() const { return reinterpret_cast<uintptr_t>(mem_ + kCodeStart); }

  // Places code; returns the guest address where it ends (the epilogue).
  uint64_t load(const std::vector<uint8_t> &code) {
    std::memcpy(mem_ + kCodeStart, code.data(), code.size());
    size_t end = kCodeStart + code.size();
    Asm a;
    a.b.resize(end);
    a.mov_rip(true, RAX, kSlotRax);
    a.mov_rip(false, RAX, kSlotState);
    for (unsigned r = 1; r < 16; r++) a.mov_mem(true, r, RAX, 8 * r);
    for (unsigned x = 0; x < 16; x++) a.movdqu(true, x, RAX, kStateXmm + 16 * x);
    for (unsigned m = 0; m < 8; m++) a.movq_mm(true, m, RAX, kStateMm + 8 * m);
    a.byte(0x0f);  // emms
    a.byte(0x77);
    a.mov_rip(false, RCX, kSlotRax);
    a.mov_mem(true, RCX, RAX, 0);
    a.mov_mem(false, RSP, RAX, kStateHostRsp);
    a.byte(0x9c);  // pushfq
    a.pop(RCX);
    a.mov_mem(true, RCX, RAX, kStateFlags);
    a.byte(0xfc);  // cld
    static const unsigned kSaved[] = {R15, R14, R13, R12, RBP, RBX};
    for (unsigned r : kSaved) a.pop(r);
    a.byte(0xc3);
    std::memcpy(mem_ + end, a.b.data() + end, a.b.size() - end);
    __builtin___clear_cache(reinterpret_cast<char *>(mem_), reinterpret_cast<char *>(mem_ + kPage));
    return reinterpret_cast<uintptr_t>(mem_ + end);
  }

  // For the emulated run: a syscall where the epilogue starts, so emulation stops there
  // (load() rewrites the epilogue).
  void stop_at_end(uint64_t end) {
    auto *p = reinterpret_cast<uint8_t *>(end);
    p[0] = 0x0f;
    p[1] = 0x05;
  }

  void run(State *s) { reinterpret_cast<void (*)(State *)>(mem_)(s); }

 private:
  uint8_t *mem_;
};

// Block-local temps must be written and read within one basic block (the backend's rule; the
// interpreter would not notice).
inline std::string check_bb_temps(const jit::Ir &ir) {
  std::vector<int64_t> written(ir.num_temps(), -1);
  int64_t bb = 0;
  for (size_t n = 0; n < ir.ops.size(); n++) {
    const jit::Op &op = ir.ops[n];
    if (op.opc == jit::Opcode::set_label) bb++;
    for (unsigned i = 0; i < op.nin; i++) {
      jit::TempId t = op.in(i);
      if (ir.temp(t).kind == jit::TempKind::bb && written[t] != bb) {
        return "op " + std::to_string(n) +
               " reads a block-local temp of another basic block: " + jit::print_op(ir, op);
      }
    }
    for (unsigned i = 0; i < op.nout; i++) written[op.out(i)] = bb;
    if (jit::op_has(op.opc, jit::kBranch)) bb++;
  }
  return "";
}

struct EmuResult {
  jit::ExitResult exit;
  int blocks = 0;
  std::string error;  // a verifier message
};

// Runs guest code from cpu.rip until it reaches end_pc or exits with a target value.
inline EmuResult run_emulated(CpuX86 &cpu, jit::GuestMemory &mem, uint64_t end_pc, bool opt,
                              unsigned max_insns = 512, const FrontendOptions &fo = {}) {
  X86Frontend fe(fo);
  EmuResult res;
  for (int i = 0; i < 100000; i++) {
    if (cpu.rip == end_pc) {
      res.exit = {jit::ExitKind::exit_tb, jit::kExitNext};
      return res;
    }
    if (end_pc != ~0ull && cpu.rip == end_pc + 2 && res.exit.value == kExitSyscall) {
      cpu.rip = end_pc;
      res.exit = {jit::ExitKind::exit_tb, jit::kExitNext};
      return res;
    }
    jit::Ir ir;
    jit::Builder b(ir);
    jit::TbSource src;
    fe.translate(fe.key(&cpu), b, src, max_insns);
    std::string v = jit::verify(ir);
    if (v.empty()) v = check_bb_temps(ir);
    if (!v.empty()) {
      res.error = v + "\n" + jit::print(ir);
      return res;
    }
    if (opt) jit::optimize(ir);
    jit::Interpreter interp(ir);
    jit::ExitResult r = interp.run(&cpu, mem);
    res.blocks++;
    if (r.kind == jit::ExitKind::fault) {
      fe.restore(&cpu, r.insn_pc, r.insn_extra);
      res.exit = r;
      return res;
    }
    if (r.kind == jit::ExitKind::fell_off) {
      res.error = "fell off\n" + jit::print(ir);
      return res;
    }
    if (r.kind == jit::ExitKind::exit_tb && r.value >= jit::kExitTargetBase) {
      res.exit = r;
      if (r.value == kExitSyscall && cpu.rip == end_pc + 2) continue;
      return res;
    }
  }
  res.error = "too many blocks";
  return res;
}

inline void state_to_cpu(const State &s, CpuX86 &cpu) {
  cpu_reset(cpu);
  std::memcpy(cpu.regs, s.regs, sizeof cpu.regs);
  set_eflags(cpu, s.flags, kArithFlags | kDF);
  std::memcpy(cpu.xmm, s.xmm, sizeof cpu.xmm);
  for (int i = 0; i < 8; i++) cpu.fpregs[i].mant = s.mm[i];
}

inline void cpu_to_state(const CpuX86 &cpu, State &s) {
  std::memcpy(s.regs, cpu.regs, sizeof s.regs);
  s.flags = get_eflags(cpu);
  std::memcpy(s.xmm, cpu.xmm, sizeof s.xmm);
  for (int i = 0; i < 8; i++) s.mm[i] = cpu.fpregs[i].mant;
}

}  // namespace qemu::x86::test

namespace qemu::x86::test {

// Runs code natively and emulated (unoptimized and optimized) from the same state and memory;
// returns an empty string when registers, flags (under flag_mask), xmm and memory agree.
class Harness {
 public:
  static constexpr size_t kBufSize = 8192;
  alignas(64) uint8_t buf[kBufSize];
  NativeRunner native;
  HostMemory mem;

  Harness() { mem.allow(buf, kBufSize); }

  uint64_t addr(size_t off) const { return reinterpret_cast<uintptr_t>(buf + off); }

  State state() const {
    State s{};
    s.regs[RSP] = addr(7168);
    s.regs[R15] = addr(2048);
    s.flags = 0x202;
    return s;
  }

  std::string diff(const std::vector<uint8_t> &code, const State &s0,
                   uint64_t flag_mask = kArithFlags) {
    std::vector<uint8_t> init(buf, buf + kBufSize);
    const uint64_t end = native.load(code);
    State sn = s0;
    native.run(&sn);
    std::vector<uint8_t> after(buf, buf + kBufSize);
    native.stop_at_end(end);
    for (bool opt : {false, true}) {
      std::memcpy(buf, init.data(), kBufSize);
      CpuX86 cpu;
      state_to_cpu(s0, cpu);
      cpu.rip = native.code_addr();
      EmuResult r = run_emulated(cpu, mem, end, opt);
      if (!r.error.empty()) return r.error;
      State se{};
      cpu_to_state(cpu, se);
      std::string why;
      char line[200];
      if (r.exit.kind != jit::ExitKind::exit_tb || cpu.rip != end) {
        std::snprintf(line, sizeof line, "exit kind %d value %" PRIu64 " rip +%" PRIx64 "\n",
                      static_cast<int>(r.exit.kind), r.exit.value, cpu.rip - native.code_addr());
        why += line;
      }
      for (int i = 0; i < 16; i++) {
        if (se.regs[i] != sn.regs[i]) {
          std::snprintf(line, sizeof line,
                        "r%d: in %016" PRIx64 " native %016" PRIx64 " emu %016" PRIx64 "\n", i,
                        s0.regs[i], sn.regs[i], se.regs[i]);
          why += line;
        }
      }
      if ((se.flags ^ sn.flags) & flag_mask) {
        std::snprintf(line, sizeof line, "flags native %03" PRIx64 " emu %03" PRIx64 "\n",
                      sn.flags & 0xfff, se.flags & 0xfff);
        why += line;
      }
      for (int i = 0; i < 16; i++) {
        if (std::memcmp(se.xmm[i], sn.xmm[i], 16) != 0) why += "xmm" + std::to_string(i) + "\n";
      }
      for (int i = 0; i < 8; i++) {
        if (se.mm[i] != sn.mm[i]) why += "mm" + std::to_string(i) + "\n";
      }
      if (std::memcmp(buf, after.data(), kBufSize) != 0) why += "memory differs\n";
      if (!why.empty()) return std::string(opt ? "(optimized) " : "") + why;
    }
    return "";
  }

  // Runs code emulated only; the CPU state is left in cpu.
  EmuResult emulate(const std::vector<uint8_t> &code, CpuX86 &cpu, bool opt = false,
                    const FrontendOptions &fo = {}) {
    const uint64_t end = native.load(code);
    native.stop_at_end(end);
    cpu.rip = native.code_addr();
    return run_emulated(cpu, mem, end, opt, 512, fo);
  }
};

}  // namespace qemu::x86::test
