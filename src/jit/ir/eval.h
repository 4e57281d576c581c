// Evaluation of the foldable ops: shared by the interpreter and constant folding, so that both
// give every op the same meaning.
#pragma once

#include <bit>
#include <cstdint>

#include "jit/ir/opcode.h"

namespace qemu::jit {

bool eval_cond(Type t, Cond c, uint64_t a, uint64_t b);

// Evaluates a foldable op: in[] its input values, c[] its constants; writes out[].
// Returns false for an op that is not foldable.
bool eval_op(Opcode opc, Type t, const uint64_t *in, const uint64_t *c, uint64_t *out);

namespace detail {

inline uint64_t sext(uint64_t v, unsigned bits) {
  return static_cast<uint64_t>(static_cast<int64_t>(v << (64 - bits)) >> (64 - bits));
}

// Evaluation of one op (the primary template is declared only: foldable ops specialize it).
template <Opcode O>
void eval(Type t, const uint64_t *a, const uint64_t *c, uint64_t *o);

// Declared for every op; defined (in eval.cc) for the foldable ones.
#define JIT_OP(name, nout, nin, ncst, flags) \
  template <>                                \
  void eval<Opcode::name>(Type t, const uint64_t *a, const uint64_t *c, uint64_t *o);
#include "jit/ir/ops.def"
#undef JIT_OP

}  // namespace detail

}  // namespace qemu::jit
