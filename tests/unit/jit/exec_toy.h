// A made-up guest for the engine's tests: 4-byte instructions (opcode, a, b, c) over a guest
// memory mapped at a host base (with an inaccessible page after it), eight 64-bit registers, a
// pc and a flags word that is part of the block key.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "jit/exec/engine.h"
#include "jit/exec/lookup.h"
#include "jit/ir/builder.h"

namespace qemu::jit::toy {

struct Cpu {
  uint64_t r[8];
  uint64_t pc;
  uint64_t flags;  // bit 0: ADDI adds twice its immediate
  uint64_t stores;
  uint32_t exit_request;  // EngineOptions::exit_request_offset in the tests that use it
};

enum Op : uint8_t {
  TRAP = 0x00,   // exit kExitTargetBase + b (pc: the next instruction)
  ADDI = 0x01,   // r[a] += (int8)b, twice in flags mode 1
  BNZ = 0x02,    // if r[a] != 0: pc += 4 + 4 * (int8)b
  JR = 0x03,     // pc = r[a] (lookup helper, goto_ptr)
  STB = 0x04,    // byte [r[b]] = r[a] (through a helper that invalidates; ends the block)
  LD = 0x05,     // r[a] = u64 [r[b]]
  HCALL = 0x07,  // a helper leaves with exit_to_loop(kExitTargetBase + 100 + b)
  MOVI = 0x08,   // r[a] = b | c << 8
  SETF = 0x09,   // flags = b (ends the block: the key changes)
  ADD = 0x0a,    // r[a] = r[b] + r[c]
  JMP = 0x0b,    // pc += 4 + 4 * (int16)(b | c << 8)
  ST = 0x0c,     // u64 [r[b]] = r[a]
  CHK = 0x0d,    // a helper raises kExitTargetBase + 99 when r[a] is zero, restoring the state
                 // from its return address (the pc is not written before the call)
  HJMP = 0x0e,   // a helper sets pc = r[a] and resumes the loop with exit_to_loop(kExitNext)
};

inline constexpr uint64_t kMemSize = 64 << 10;

// Guest memory: kMemSize bytes, then a PROT_NONE page (faults past the end are host faults).
class Memory {
 public:
  Memory() {
    void *p =
        mmap(nullptr, kMemSize + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = static_cast<uint8_t *>(p);
    mprotect(base_ + kMemSize, 4096, PROT_NONE);
  }
  ~Memory() { munmap(base_, kMemSize + 4096); }
  Memory(const Memory &) = delete;
  Memory &operator=(const Memory &) = delete;
  uint8_t *host(uint64_t addr) const { return base_ + addr; }
  uintptr_t base() const { return reinterpret_cast<uintptr_t>(base_); }

 private:
  uint8_t *base_;
};

// Assembles at a guest address.
class Asm {
 public:
  Asm(Memory &m, uint64_t at) : m_(m), pc_(at) {}
  uint64_t pc() const { return pc_; }
  void emit(Op op, uint8_t a = 0, uint8_t b = 0, uint8_t c = 0) {
    uint8_t *p = m_.host(pc_);
    p[0] = op, p[1] = a, p[2] = b, p[3] = c;
    pc_ += 4;
  }
  void addi(int a, int imm) { emit(ADDI, a, static_cast<uint8_t>(imm)); }
  void movi(int a, uint16_t v) { emit(MOVI, a, v & 0xff, v >> 8); }
  void trap(int n) { emit(TRAP, 0, n); }
  // A branch to target (an address assembled already or known).
  void bnz(int a, uint64_t target) {
    int64_t off = (static_cast<int64_t>(target) - static_cast<int64_t>(pc_ + 4)) / 4;
    emit(BNZ, a, static_cast<uint8_t>(off));
  }
  void jmp(uint64_t target) {
    int64_t off = (static_cast<int64_t>(target) - static_cast<int64_t>(pc_ + 4)) / 4;
    emit(JMP, 0, off & 0xff, (off >> 8) & 0xff);
  }

 private:
  Memory &m_;
  uint64_t pc_;
};

// The engine the helpers talk to (one test at a time).
inline Engine *g_engine = nullptr;

inline uint64_t helper_stb(uint64_t env, uint64_t addr, uint64_t value) {
  auto *cpu = reinterpret_cast<Cpu *>(env);
  const EngineOptions &o = g_engine->options();
  *reinterpret_cast<uint8_t *>(o.guest_base + addr) = static_cast<uint8_t>(value);
  cpu->stores++;
  g_engine->invalidate(addr, addr + 1);
  return 0;
}
inline const HelperInfo kHelperStb = {"stb", reinterpret_cast<HelperInfo::GenericFn>(&helper_stb),
                                      3, false, 0};

inline uint64_t helper_hcall(uint64_t env, uint64_t v) {
  g_engine->exit_to_loop(reinterpret_cast<void *>(env), kExitTargetBase + 100 + v);
}
inline const HelperInfo kHelperHcall = {
    "hcall", reinterpret_cast<HelperInfo::GenericFn>(&helper_hcall), 2, false, 0};

[[gnu::noinline]] inline uint64_t helper_chk(uint64_t env, uint64_t v) {
  if (v == 0) {
    auto ret = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
    if (!g_engine->restore_helper_retaddr(reinterpret_cast<void *>(env), ret)) std::abort();
    g_engine->exit_to_loop(reinterpret_cast<void *>(env), kExitTargetBase + 99);
  }
  return 0;
}
inline const HelperInfo kHelperChk = {"chk", reinterpret_cast<HelperInfo::GenericFn>(&helper_chk),
                                      2, false, 0};

inline uint64_t helper_hjmp(uint64_t env, uint64_t target) {
  reinterpret_cast<Cpu *>(env)->pc = target;
  g_engine->exit_to_loop(reinterpret_cast<void *>(env), kExitNext);
}
inline const HelperInfo kHelperHjmp = {
    "hjmp", reinterpret_cast<HelperInfo::GenericFn>(&helper_hjmp), 2, false, 0};

class Frontend final : public jit::Frontend {
 public:
  explicit Frontend(const Memory &m) : mem_(m) {}

  // The key is just the pc (programs without SETF): the engine's indirect-jump fast paths
  // (the lookup helper's direct probe, the x86-64 backend's inline one) apply.
  bool simple = false;
  bool simple_key(size_t *pc_offset, uint64_t *flags) const override {
    if (!simple) return false;
    *pc_offset = offsetof(Cpu, pc);
    *flags = 0;
    return true;
  }

  TbKey key(const void *env) const override {
    auto *cpu = static_cast<const Cpu *>(env);
    return {cpu->pc, cpu->flags};
  }

  void translate(const TbKey &key, Builder &b, TbSource &src, unsigned max_insns) override {
    Ir &ir = b.ir();
    TempId r[8];
    for (int i = 0; i < 8; i++) {
      r[i] = ir.new_global(Type::i64, offsetof(Cpu, r) + 8 * i, "r" + std::to_string(i));
    }
    TempId pc = ir.new_global(Type::i64, offsetof(Cpu, pc), "pc");
    TempId flags = ir.new_global(Type::i64, offsetof(Cpu, flags), "flags");
    auto k = [&](uint64_t v) { return b.konst(Type::i64, v); };
    auto goto_tb = [&](unsigned slot, uint64_t dest) {
      b.goto_tb(slot);
      b.movi(Type::i64, pc, dest);
      b.exit_tb(kExitChain0 + slot);
    };
    uint64_t at = key.pc;
    unsigned n = 0;
    bool done = false;
    while (!done) {
      const uint8_t *p = mem_.host(at);
      const uint8_t op = p[0], a = p[1] & 7, bb = p[2], c = p[3];
      const uint64_t next = at + 4;
      b.insn_start(at);
      n++;
      switch (op) {
        case ADDI: {
          uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(bb)));
          if (key.flags & 1) imm *= 2;
          b.add(Type::i64, r[a], r[a], k(imm));
          break;
        }
        case BNZ: {
          LabelId taken = b.label();
          b.brcond(Type::i64, Cond::ne, r[a], k(0), taken);
          goto_tb(0, next);
          b.set_label(taken);
          goto_tb(1, next + 4 * static_cast<int64_t>(static_cast<int8_t>(bb)));
          done = true;
          break;
        }
        case JMP:
          goto_tb(0, next + 4 * static_cast<int64_t>(static_cast<int16_t>(bb | c << 8)));
          done = true;
          break;
        case JR: {
          b.mov(Type::i64, pc, r[a]);
          TempId t = b.temp(Type::i64);
          b.call(&kHelperLookupTbPtr, t, {Ir::kEnv});
          b.goto_ptr(t);
          done = true;
          break;
        }
        case STB:
          b.call(&kHelperStb, 0, {Ir::kEnv, r[bb & 7], r[a]});
          goto_tb(0, next);
          done = true;
          break;
        case LD:
          b.qemu_ld(Type::i64, r[a], r[bb & 7], kMo64);
          break;
        case ST:
          b.qemu_st(Type::i64, r[a], r[bb & 7], kMo64);
          break;
        case HCALL:
          b.movi(Type::i64, pc, next);
          b.call(&kHelperHcall, 0, {Ir::kEnv, k(bb)});
          b.exit_tb(kExitNext);  // not reached
          done = true;
          break;
        case MOVI:
          b.movi(Type::i64, r[a], bb | c << 8);
          break;
        case CHK:
          b.call(&kHelperChk, 0, {Ir::kEnv, r[a]});
          break;
        case HJMP:
          b.call(&kHelperHjmp, 0, {Ir::kEnv, r[a]});
          b.exit_tb(kExitNext);  // not reached
          done = true;
          break;
        case SETF:
          b.movi(Type::i64, flags, bb);
          b.movi(Type::i64, pc, next);
          b.exit_tb(kExitNext);
          done = true;
          break;
        case ADD:
          b.add(Type::i64, r[a], r[bb & 7], r[c & 7]);
          break;
        default:  // TRAP and anything unknown
          b.movi(Type::i64, pc, next);
          b.exit_tb(kExitTargetBase + (op == TRAP ? bb : 255));
          done = true;
          break;
      }
      at = next;
      if (!done && (n >= max_insns || at >= kMemSize)) {
        goto_tb(0, at);
        done = true;
      }
    }
    // The bytes read, split at the page boundary when the block crosses one.
    uint64_t len = at - key.pc;
    uint64_t first = std::min<uint64_t>(len, 4096 - (key.pc & 4095));
    src.start[0] = key.pc;
    src.len[0] = static_cast<uint32_t>(first);
    if (len > first) {
      src.start[1] = key.pc + first;
      src.len[1] = static_cast<uint32_t>(len - first);
    }
    src.num_insns = n;
  }

  void restore(void *env, uint64_t insn_pc, uint64_t) override {
    static_cast<Cpu *>(env)->pc = insn_pc;
  }
  void capstone_mode(uint64_t, int *arch, int *mode) const override {
    *arch = -1;
    *mode = 0;
  }
  void dump_state(const void *env, FILE *out, bool) const override {
    auto *cpu = static_cast<const Cpu *>(env);
    std::fprintf(out, "PC=%016llx FL=%llx", static_cast<unsigned long long>(cpu->pc),
                 static_cast<unsigned long long>(cpu->flags));
    for (int i = 0; i < 8; i++) {
      std::fprintf(out, " R%d=%llx", i, static_cast<unsigned long long>(cpu->r[i]));
    }
    std::fputc('\n', out);
  }

 private:
  const Memory &mem_;
};

// Whether the engine has the x86-64 backend (else it falls back to the interpreter).
inline bool x64_built_in() {
  static const bool yes = [] {
    Memory m;
    Frontend fe(m);
    EngineOptions o;
    o.backend = BackendKind::x86_64;
    return Engine(fe, o).backend() == BackendKind::x86_64;
  }();
  return yes;
}

}  // namespace qemu::jit::toy
