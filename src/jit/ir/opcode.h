// The IR's opcodes and the facts about each, all generated from ops.def.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qemu::jit {

// Op flags (the optimizer's facts).
enum OpFlag : uint32_t {
  kSideEffects = 1u << 0,  // never removed even when its outputs are unused
  kCanFault = 1u << 1,     // may leave the block with an exception: globals must be in memory
  kBranch = 1u << 2,       // ends a basic block
  kLabel = 1u << 3,        // starts a basic block
  kNoReturn = 1u << 4,     // control never falls through to the next op
  kCommutative = 1u << 5,  // inputs 0 and 1 may be swapped
  kFoldable = 1u << 6,     // pure: evaluated from its inputs and constants by eval.h
  kCall = 1u << 7,         // a helper call (operand counts from the helper)
  kMarker = 1u << 8,       // no computation (insn_start)
};

enum class Opcode : uint8_t {
#define JIT_OP(name, nout, nin, ncst, flags) name,
#include "jit/ir/ops.def"
#undef JIT_OP
};

// The printed name: the enumerator without the trailing underscore of C++ keywords.
struct PrintName {
  char s[16];
};
consteval PrintName print_name(const char *n) {
  PrintName p{};
  unsigned i = 0;
  for (; n[i] && i < sizeof(p.s) - 1; i++) p.s[i] = n[i];
  if (i && p.s[i - 1] == '_') p.s[i - 1] = 0;
  return p;
}

struct OpInfo {
  PrintName name;
  uint8_t nout, nin, ncst;
  uint32_t flags;
};

inline constexpr OpInfo kOpInfo[] = {
#define JIT_OP(name, nout, nin, ncst, flags) {print_name(#name), nout, nin, ncst, flags},
#include "jit/ir/ops.def"
#undef JIT_OP
};

inline constexpr size_t kNumOpcodes = sizeof(kOpInfo) / sizeof(kOpInfo[0]);

constexpr const OpInfo &op_info(Opcode o) {
  return kOpInfo[static_cast<size_t>(o)];
}
constexpr bool op_has(Opcode o, uint32_t flag) {
  return (op_info(o).flags & flag) != 0;
}

// Value types. An i32 value is kept zero-extended in 64 bits.
enum class Type : uint8_t { i32, i64 };

constexpr unsigned type_bits(Type t) {
  return t == Type::i32 ? 32 : 64;
}
constexpr uint64_t type_mask(Type t) {
  return t == Type::i32 ? 0xffffffffull : ~0ull;
}

// Comparison conditions of setcond, movcond and brcond.
enum class Cond : uint8_t { never, always, eq, ne, lt, ge, le, gt, ltu, geu, leu, gtu };
inline constexpr size_t kNumConds = 12;

const char *cond_name(Cond c);
Cond cond_invert(Cond c);
Cond cond_swap(Cond c);  // the condition with its operands exchanged

// Memory access descriptor: log2 of the size in bits 0-1, sign extension in bit 2.
enum MemOp : uint32_t {
  kMo8 = 0,
  kMo16 = 1,
  kMo32 = 2,
  kMo64 = 3,
  kMoSizeMask = 3,
  kMoSign = 4,
};

constexpr unsigned memop_size(uint32_t mo) {
  return 1u << (mo & kMoSizeMask);
}

}  // namespace qemu::jit
