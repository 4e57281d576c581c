#include "jit/ir/eval.h"

namespace qemu::jit {

const char *cond_name(Cond c) {
  static const char *const kNames[] = {"never", "always", "eq",  "ne",  "lt",  "ge",
                                       "le",    "gt",     "ltu", "geu", "leu", "gtu"};
  return kNames[static_cast<unsigned>(c)];
}

Cond cond_invert(Cond c) {
  static const Cond kInv[] = {Cond::always, Cond::never, Cond::ne,  Cond::eq,
                              Cond::ge,     Cond::lt,    Cond::gt,  Cond::le,
                              Cond::geu,    Cond::ltu,   Cond::gtu, Cond::leu};
  return kInv[static_cast<unsigned>(c)];
}

Cond cond_swap(Cond c) {
  static const Cond kSwap[] = {Cond::never, Cond::always, Cond::eq,  Cond::ne,
                               Cond::gt,    Cond::le,     Cond::ge,  Cond::lt,
                               Cond::gtu,   Cond::leu,    Cond::geu, Cond::ltu};
  return kSwap[static_cast<unsigned>(c)];
}

bool eval_cond(Type t, Cond c, uint64_t a, uint64_t b) {
  unsigned bits = type_bits(t);
  int64_t sa = static_cast<int64_t>(detail::sext(a, bits));
  int64_t sb = static_cast<int64_t>(detail::sext(b, bits));
  a &= type_mask(t);
  b &= type_mask(t);
  switch (c) {
    case Cond::never:
      return false;
    case Cond::always:
      return true;
    case Cond::eq:
      return a == b;
    case Cond::ne:
      return a != b;
    case Cond::lt:
      return sa < sb;
    case Cond::ge:
      return sa >= sb;
    case Cond::le:
      return sa <= sb;
    case Cond::gt:
      return sa > sb;
    case Cond::ltu:
      return a < b;
    case Cond::geu:
      return a >= b;
    case Cond::leu:
      return a <= b;
    case Cond::gtu:
      return a > b;
  }
  return false;
}

namespace detail {

#define EVAL(name)                                                                     \
  template <>                                                                          \
  void eval<Opcode::name>([[maybe_unused]] Type t, [[maybe_unused]] const uint64_t *a, \
                          [[maybe_unused]] const uint64_t *c, uint64_t *o)

namespace {

uint64_t mask(Type t, uint64_t v) {
  return v & type_mask(t);
}
unsigned count(Type t, uint64_t v) {
  return static_cast<unsigned>(v & (type_bits(t) - 1));
}

}  // namespace

EVAL(mov) {
  o[0] = mask(t, a[0]);
}
EVAL(movi) {
  o[0] = mask(t, c[0]);
}
EVAL(add) {
  o[0] = mask(t, a[0] + a[1]);
}
EVAL(sub) {
  o[0] = mask(t, a[0] - a[1]);
}
EVAL(mul) {
  o[0] = mask(t, a[0] * a[1]);
}
EVAL(and_) {
  o[0] = mask(t, a[0] & a[1]);
}
EVAL(or_) {
  o[0] = mask(t, a[0] | a[1]);
}
EVAL(xor_) {
  o[0] = mask(t, a[0] ^ a[1]);
}
EVAL(andc) {
  o[0] = mask(t, a[0] & ~a[1]);
}
EVAL(not_) {
  o[0] = mask(t, ~a[0]);
}
EVAL(neg) {
  o[0] = mask(t, 0 - a[0]);
}
EVAL(shl) {
  o[0] = mask(t, a[0] << count(t, a[1]));
}
EVAL(shr) {
  o[0] = mask(t, a[0]) >> count(t, a[1]);
}
EVAL(sar) {
  o[0] = mask(
      t, static_cast<uint64_t>(static_cast<int64_t>(sext(a[0], type_bits(t))) >> count(t, a[1])));
}
EVAL(rotl) {
  unsigned n = count(t, a[1]), w = type_bits(t);
  uint64_t v = mask(t, a[0]);
  o[0] = n ? mask(t, (v << n) | (v >> (w - n))) : v;
}
EVAL(rotr) {
  unsigned n = count(t, a[1]), w = type_bits(t);
  uint64_t v = mask(t, a[0]);
  o[0] = n ? mask(t, (v >> n) | (v << (w - n))) : v;
}
EVAL(clz) {
  uint64_t v = mask(t, a[0]);
  o[0] = v ? static_cast<uint64_t>(std::countl_zero(v) - (64 - type_bits(t))) : mask(t, a[1]);
}
EVAL(ctz) {
  uint64_t v = mask(t, a[0]);
  o[0] = v ? static_cast<uint64_t>(std::countr_zero(v)) : mask(t, a[1]);
}
EVAL(ctpop) {
  o[0] = static_cast<uint64_t>(std::popcount(mask(t, a[0])));
}
EVAL(bswap16) {
  o[0] = ((a[0] & 0xff) << 8) | ((a[0] >> 8) & 0xff);
}
EVAL(bswap32) {
  o[0] = __builtin_bswap32(static_cast<uint32_t>(a[0]));
}
EVAL(bswap64) {
  o[0] = mask(t, __builtin_bswap64(a[0]));
}
EVAL(ext8s) {
  o[0] = mask(t, sext(a[0], 8));
}
EVAL(ext8u) {
  o[0] = a[0] & 0xff;
}
EVAL(ext16s) {
  o[0] = mask(t, sext(a[0], 16));
}
EVAL(ext16u) {
  o[0] = a[0] & 0xffff;
}
EVAL(ext32s) {
  o[0] = mask(t, sext(a[0], 32));
}
EVAL(ext32u) {
  o[0] = a[0] & 0xffffffff;
}
EVAL(ext_i32_i64) {
  o[0] = sext(a[0], 32);
}
EVAL(extu_i32_i64) {
  o[0] = a[0] & 0xffffffff;
}
EVAL(extrl_i64_i32) {
  o[0] = a[0] & 0xffffffff;
}
EVAL(extrh_i64_i32) {
  o[0] = a[0] >> 32;
}
EVAL(deposit) {
  unsigned pos = static_cast<unsigned>(c[0]), len = static_cast<unsigned>(c[1]);
  uint64_t field = len >= 64 ? ~0ull : ((1ull << len) - 1);
  o[0] = mask(t, (a[0] & ~(field << pos)) | ((a[1] & field) << pos));
}
EVAL(extract) {
  unsigned pos = static_cast<unsigned>(c[0]), len = static_cast<unsigned>(c[1]);
  uint64_t field = len >= 64 ? ~0ull : ((1ull << len) - 1);
  o[0] = (mask(t, a[0]) >> pos) & field;
}
EVAL(sextract) {
  unsigned pos = static_cast<unsigned>(c[0]), len = static_cast<unsigned>(c[1]);
  o[0] = mask(t, sext(mask(t, a[0]) >> pos, len));
}
EVAL(mulu2) {
  if (t == Type::i32) {
    uint64_t p = (a[0] & 0xffffffff) * (a[1] & 0xffffffff);
    o[0] = p & 0xffffffff;
    o[1] = p >> 32;
  } else {
    unsigned __int128 p = static_cast<unsigned __int128>(a[0]) * a[1];
    o[0] = static_cast<uint64_t>(p);
    o[1] = static_cast<uint64_t>(p >> 64);
  }
}
EVAL(muls2) {
  if (t == Type::i32) {
    int64_t p = static_cast<int64_t>(sext(a[0], 32)) * static_cast<int64_t>(sext(a[1], 32));
    o[0] = static_cast<uint64_t>(p) & 0xffffffff;
    o[1] = static_cast<uint64_t>(p >> 32) & 0xffffffff;
  } else {
    __int128 p = static_cast<__int128>(static_cast<int64_t>(a[0])) * static_cast<int64_t>(a[1]);
    o[0] = static_cast<uint64_t>(p);
    o[1] = static_cast<uint64_t>(static_cast<unsigned __int128>(p) >> 64);
  }
}
EVAL(add2) {
  uint64_t lo = mask(t, a[0] + a[2]);
  uint64_t carry = lo < mask(t, a[0]) ? 1 : 0;
  o[0] = lo;
  o[1] = mask(t, a[1] + a[3] + carry);
}
EVAL(sub2) {
  uint64_t lo = mask(t, a[0] - a[2]);
  uint64_t borrow = mask(t, a[0]) < mask(t, a[2]) ? 1 : 0;
  o[0] = lo;
  o[1] = mask(t, a[1] - a[3] - borrow);
}
EVAL(setcond) {
  o[0] = eval_cond(t, static_cast<Cond>(c[0]), a[0], a[1]) ? 1 : 0;
}
EVAL(movcond) {
  o[0] = mask(t, eval_cond(t, static_cast<Cond>(c[0]), a[0], a[1]) ? a[2] : a[3]);
}

#undef EVAL

}  // namespace detail

namespace {

using EvalFn = void (*)(Type, const uint64_t *, const uint64_t *, uint64_t *);

template <Opcode O>
constexpr EvalFn eval_fn() {
  if constexpr (op_has(O, kFoldable)) {
    return &detail::eval<O>;
  } else {
    return nullptr;
  }
}

// Generated from the table: every foldable op must have its eval above (else a link error).
constexpr EvalFn kEval[] = {
#define JIT_OP(name, nout, nin, ncst, flags) eval_fn<Opcode::name>(),
#include "jit/ir/ops.def"
#undef JIT_OP
};

}  // namespace

bool eval_op(Opcode opc, Type t, const uint64_t *in, const uint64_t *c, uint64_t *out) {
  EvalFn fn = kEval[static_cast<size_t>(opc)];
  if (!fn) return false;
  fn(t, in, c, out);
  return true;
}

}  // namespace qemu::jit
