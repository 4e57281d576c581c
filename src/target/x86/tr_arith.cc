// add or adc sbb and sub xor cmp, test, inc/dec, not/neg.
#include "target/x86/helpers.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Opcode;

namespace {

enum AluOp { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp };

uint32_t cc_size(unsigned size) {
  return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

// A locked read-modify-write of the memory operand: returns the old value.
TempId atomic_rmw(Translator &t, const Insn &in, unsigned size, uint32_t op, TempId src,
                  TempId carry) {
  TempId addr = t.ea(in);
  t.load(addr, size);  // faults here, precisely, when the page is not there
  return t.call(kHelperAtomicRmw, {t.host_addr(addr), t.cst(op | size << 8), src, carry});
}

}  // namespace

void tr_alu(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0], s = in.def->o[1];
  const unsigned size = t.size_of(in, d);
  const unsigned op = in.def->arg;
  const uint32_t sz = cc_size(size);
  TempId c = t.get(in, s);
  if (size < 8) c = t.zext(size, c);
  TempId cf = 0;
  if (op == kAdc || op == kSbb) cf = t.carry();
  TempId a;
  if (in.lock) {
    static constexpr uint32_t kAtomic[] = {kAtomicAdd, kAtomicOr,  kAtomicAdc, kAtomicSbb,
                                           kAtomicAnd, kAtomicSub, kAtomicXor};
    a = atomic_rmw(t, in, size, kAtomic[op], c, cf ? cf : t.cst(0));
  } else {
    a = t.get(in, d);
  }
  TempId r;
  switch (op) {
    case kAdd:
      r = t.binop(Opcode::add, a, c);
      break;
    case kOr:
      r = t.binop(Opcode::or_, a, c);
      break;
    case kAdc:
      r = t.binop(Opcode::add, t.binop(Opcode::add, a, c), cf);
      break;
    case kSbb:
      r = t.binop(Opcode::sub, t.binop(Opcode::sub, a, c), cf);
      break;
    case kAnd:
      r = t.binop(Opcode::and_, a, c);
      break;
    case kXor:
      r = t.binop(Opcode::xor_, a, c);
      break;
    default:
      r = t.binop(Opcode::sub, a, c);
      break;
  }
  r = t.zext(size, r);
  if (op != kCmp && !in.lock) t.put(in, d, r);
  switch (op) {
    case kAdd:
      t.set_cc(kCcAdd + sz, r, c);
      break;
    case kAdc:
      t.set_cc(kCcAdc + sz, r, c, cf);
      break;
    case kSbb:
      t.set_cc(kCcSbb + sz, r, c, cf);
      break;
    case kSub:
    case kCmp:
      t.set_cc(kCcSub + sz, r, c);
      break;
    default:
      t.set_cc(kCcLogic + sz, r);
      break;
  }
}

void tr_test(Translator &t, const Insn &in) {
  const unsigned size = t.size_of(in, in.def->o[0]);
  TempId a = t.get(in, in.def->o[0]);
  TempId c = t.get(in, in.def->o[1]);
  TempId r = t.zext(size, t.binop(Opcode::and_, a, c));
  t.set_cc(kCcLogic + cc_size(size), r);
}

void tr_incdec(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0];
  const unsigned size = t.size_of(in, d);
  const bool dec = in.def->arg;
  TempId cf = t.carry();
  TempId one = t.cst(dec ? ~0ull : 1);
  TempId a = in.lock ? atomic_rmw(t, in, size, kAtomicAdd, one, t.cst(0)) : t.get(in, d);
  TempId r = t.zext(size, t.binop(Opcode::add, a, one));
  if (!in.lock) t.put(in, d, r);
  t.set_cc((dec ? kCcDec : kCcInc) + cc_size(size), r, cf);
}

void tr_notneg(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0];
  const unsigned size = t.size_of(in, d);
  const bool neg = in.def->arg;
  TempId a = in.lock ? atomic_rmw(t, in, size, neg ? kAtomicNeg : kAtomicNot, t.cst(0), t.cst(0))
                     : t.get(in, d);
  TempId r = t.zext(size, t.unop(neg ? Opcode::neg : Opcode::not_, a));
  if (!in.lock) t.put(in, d, r);
  if (neg) t.set_cc(kCcSub + cc_size(size), r, a);
}

}  // namespace qemu::x86

namespace qemu::x86 {

// adcx / adox (arg 0 / 1): G += E + CF (OF); only that flag changes, to the carry out.
void tr_adx(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0], s = in.def->o[1];
  const unsigned size = t.size_of(in, d);
  const unsigned shift = in.def->arg ? 11 : 0;
  TempId fl = t.eflags();
  TempId cin = t.binop(Opcode::and_, t.binop(Opcode::shr, fl, t.cst(shift)), t.cst(1));
  TempId a = t.get(in, d), c = t.get(in, s);
  TempId r, cout;
  if (size == 4) {
    TempId sum = t.binop(Opcode::add, t.binop(Opcode::add, t.zext(4, a), t.zext(4, c)), cin);
    r = t.zext(4, sum);
    cout = t.binop(Opcode::shr, sum, t.cst(32));
  } else {
    TempId s1 = t.binop(Opcode::add, a, c);
    r = t.binop(Opcode::add, s1, cin);
    TempId c1 = t.tmp(), c2 = t.tmp();
    t.b.setcond(jit::Type::i64, jit::Cond::ltu, c1, s1, a);
    t.b.setcond(jit::Type::i64, jit::Cond::ltu, c2, r, s1);
    cout = t.binop(Opcode::or_, c1, c2);
  }
  t.put(in, d, r);
  TempId kept = t.binop(Opcode::and_, fl, t.cst(~(uint64_t{1} << shift)));
  t.set_flags(t.binop(Opcode::or_, kept, t.binop(Opcode::shl, cout, t.cst(shift))));
}

}  // namespace qemu::x86
