// The x87 operations while the guest's control word unmasks an exception. The operation runs
// masked first (x87_op); when it raised an exception the guest unmasks, the outcome is redone
// the way the processor leaves it (SDM vol. 1, 8.5): ES and B set (the #MF is taken by the next
// waiting instruction) and
// - invalid operation (also a stack fault), denormal operand, division by zero: nothing
//   changes but the flags (and the condition codes of a comparison: unordered); no store, no
//   pop. An fld of a denormal m32/m64 still loads it.
// - overflow, underflow: to a register, the result with its exponent biased by -/+24576 (the
//   host's own instruction under the guest's control word gives it, and the flags and C1); to
//   memory, nothing stored, no pop, only OE or UE flagged, C1 clear. An unmasked underflow is
//   raised by tiny results even when they are exact.
// - precision: the result as usual, C1 saying whether it was rounded up.
#include <cmath>
#include <cstring>
#include <limits>

#include "target/x86/fp_exceptions.h"
#include "target/x86/x87.h"
#include "target/x86/x87_fpu.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

struct Snapshot {
  CpuX86::FpReg regs[8];
  uint8_t tags[8];
  uint32_t top;
  uint16_t sw;

  explicit Snapshot(const CpuX86 &c) : top(c.fpstt), sw(c.fpus) {
    std::memcpy(regs, c.fpregs, sizeof regs);
    std::memcpy(tags, c.fptags, sizeof tags);
  }
  void restore(CpuX86 &c) const {
    std::memcpy(c.fpregs, regs, sizeof regs);
    std::memcpy(c.fptags, tags, sizeof tags);
    c.fpstt = top;
  }
};

// st0 = x, st1 = y through `insn` on the host under the guest's control word cw (exceptions
// unmasked as the guest has them): the result and the status word. The host's pending
// exception is cleared right after, before anything waits. (X87_EXACT_POP: insn pops st1.)
#define X87_EXACT_ASM(insn)                       \
  "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\t" insn \
  "\n\tfnstsw %[sw]\n\tfnclex\n\t"                \
  "fldcw %[s]"
#define X87_EXACT(insn)                                   \
  asm volatile(X87_EXACT_ASM(insn)                        \
               : "=t"(r), [sw] "=m"(*sw), [s] "=m"(saved) \
               : "0"(x), "u"(y), [cw] "m"(cw))
#define X87_EXACT_POP(insn)                               \
  asm volatile(X87_EXACT_ASM(insn)                        \
               : "=t"(r), [sw] "=m"(*sw), [s] "=m"(saved) \
               : "0"(x), "u"(y), [cw] "m"(cw)             \
               : "st(1)")

// arith()'s kinds (0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr), or 8 + kFunary's operation
// (those of redoable()).
X87Ld exact(unsigned k, X87Ld x, X87Ld y, uint16_t cw, uint16_t *sw) {
  X87Ld r;
  uint16_t saved;
  switch (k) {
    case 0:
      X87_EXACT("fadd %%st(1), %%st");
      break;
    case 1:
      X87_EXACT("fmul %%st(1), %%st");
      break;
    case 4:
      X87_EXACT("fsub %%st(1), %%st");
      break;
    case 5:
      X87_EXACT("fsubr %%st(1), %%st");
      break;
    case 6:
      X87_EXACT("fdiv %%st(1), %%st");
      break;
    case 7:
      X87_EXACT("fdivr %%st(1), %%st");
      break;
    case 8 + 4:
      X87_EXACT("f2xm1");
      break;
    case 8 + 5:
      X87_EXACT_POP("fyl2x");
      break;
    case 8 + 7:
      X87_EXACT_POP("fpatan");
      break;
    case 8 + 9:
      X87_EXACT("fprem1");
      break;
    case 8 + 12:
      X87_EXACT("fprem");
      break;
    case 8 + 13:
      X87_EXACT_POP("fyl2xp1");
      break;
    case 8 + 14:
      X87_EXACT("fsqrt");
      break;
    case 8 + 16:
      X87_EXACT("frndint");
      break;
    case 8 + 17:
      X87_EXACT("fscale");
      break;
    case 8 + 18:
      X87_EXACT("fsin");
      break;
    default:
      X87_EXACT("fcos");
      break;
  }
  return r;
}
#undef X87_EXACT_POP
#undef X87_EXACT
#undef X87_EXACT_ASM

// fsincos (a = 15) or fptan (6) on x the same way: st0 and st1 after it (the tangent's 1 and the
// tangent; cos and sin), unless C2 says x is out of range (nothing changes).
void exact_two(U a, X87Ld x, uint16_t cw, X87Ld *r0, X87Ld *r1, uint16_t *sw) {
  uint16_t saved;
  if (a == 15) {
    asm volatile(
        "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\tfsincos\n\tfnstsw %%ax\n\tfnclex\n\t"
        "fldcw %[s]\n\ttestw $0x400, %%ax\n\tjz 1f\n\tfld1\n1:"
        : "=t"(*r0), "=u"(*r1), "=a"(*sw), [s] "=m"(saved)
        : "0"(x), [cw] "m"(cw)
        : "cc");
  } else {
    asm volatile(
        "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\tfptan\n\tfnstsw %%ax\n\tfnclex\n\t"
        "fldcw %[s]\n\ttestw $0x400, %%ax\n\tjz 1f\n\tfld1\n1:"
        : "=t"(*r0), "=u"(*r1), "=a"(*sw), [s] "=m"(saved)
        : "0"(x), [cw] "m"(cw)
        : "cc");
  }
}

// The register-destination operations redo_exact redoes: fadd..fdivr in all their forms, and
// kFunary's computations (f2xm1, fyl2x, fptan, fpatan, fprem1, fprem, fyl2xp1, fsqrt, fsincos,
// frndint, fscale, fsin, fcos; not fxtract, which raises no post-computation exception).
bool redoable(unsigned o, U a) {
  if (o <= kFdivrSt) {
    const unsigned k = (o - kFaddM) % (kFaddSt - kFaddM);
    return k != 2 && k != 3;
  }
  if (o <= kFdivrTo) return true;
  return o == kFunary && a >= 4 && a <= 19 && a != 8 && a != 10 && a != 11;
}

// Redoes a redoable operation with the host's instruction under the guest's control word, on
// the state from before it: *sw is the host's status word after it. (The condition codes
// fprem, fsin and fcos set are those of the masked run, the same.)
void redo_exact(CpuX86 &c, unsigned o, U a, U b, uint16_t *sw) {
  Fpu f{c};
  if (o <= kFdivrM) {
    f.set(0, exact(o - kFaddM, f.get(0), x87_from_bits(a, b, c), c.fpuc, sw));
  } else if (o <= kFdivrSt) {
    f.set(0, exact(o - kFaddSt, f.get(0), f.get(static_cast<unsigned>(a)), c.fpuc, sw));
  } else if (o <= kFdivrTo) {
    const unsigned i = static_cast<unsigned>(a);
    f.set(i, exact(o - kFaddTo, f.get(i), f.get(0), c.fpuc, sw));
    if (b) f.pop();
  } else if (a == 6 || a == 15) {
    X87Ld r0, r1;
    exact_two(a, f.get(0), c.fpuc, &r0, &r1, sw);
    if (*sw & kC2) return;
    f.set(0, r1);
    f.push(r0);
  } else {
    const bool two = a == 5 || a == 7 || a == 9 || a == 12 || a == 13 || a == 17;
    const X87Ld r =
        exact(8 + static_cast<unsigned>(a), f.get(0), two ? f.get(1) : X87Ld{0}, c.fpuc, sw);
    if (a == 5 || a == 7 || a == 13) f.pop();               // st1 = result, popped
    if ((a != 18 && a != 19) || !(*sw & kC2)) f.set(0, r);  // fsin/fcos out of range: kept
  }
}

// The bytes of a store's destination (kFst of kind b at host address a) as kFst returns them:
// what a suppressed store leaves.
U stored_bytes(CpuX86 &c, U a, U kind) {
  static constexpr unsigned kSize[12] = {4, 8, 2, 4, 8, 0, 2, 4, 8, 10, 0, 10};
  const unsigned n = kind < 12 ? kSize[kind] : 0;
  U v = 0;
  if (!a || !n) return 0;
  std::memcpy(&v, reinterpret_cast<const void *>(a), n < 8 ? n : 8);
  if (n == 10) {
    uint16_t e;
    std::memcpy(&e, reinterpret_cast<const uint8_t *>(a) + 8, 2);
    c.helper_out[0] = e;
  }
  return v;
}

// Whether a store of kind b rounded st0 (x) up in magnitude: the value stored, r, is larger.
bool rounded_up(X87Ld x, U r, U kind) {
  X87Ld v;
  switch (kind) {
    case 0: {
      float f;
      const uint32_t bits = static_cast<uint32_t>(r);
      std::memcpy(&f, &bits, 4);
      v = f;
      break;
    }
    case 1: {
      double d;
      std::memcpy(&d, &r, 8);
      v = d;
      break;
    }
    case 2:
      v = static_cast<int16_t>(r);
      break;
    case 3:
      v = static_cast<int32_t>(r);
      break;
    case 4:
      v = static_cast<int64_t>(r);
      break;
    default:
      return false;  // truncating stores, m80 (exact), BCD
  }
  return std::fabs(v) > std::fabs(x);
}

// Whether x (a finite st0) stored as kind b (0 m32, 1 m64) is tiny: below the format's smallest
// normal once rounded to its precision (the exponent unbounded) under control word cw.
bool store_tiny(X87Ld x, U kind, uint16_t cw) {
  if (!std::isfinite(x) || x == 0) return false;
  const uint16_t pc = static_cast<uint16_t>(0x3f | (kind ? 0x200u : 0u) | (cw & 0xc00u));
  uint16_t saved, sw;
  X87Ld r;
  asm volatile(
      "fnstcw %[s]\n\tfldcw %[pc]\n\tfmul %%st(1), %%st\n\tfnstsw %[sw]\n\t"
      "fnclex\n\tfldcw %[s]"
      : "=t"(r), [sw] "=m"(sw), [s] "=m"(saved)
      : "0"(x), "u"(X87Ld{1}), [pc] "m"(pc));
  const X87Ld min =
      kind ? X87Ld{std::numeric_limits<double>::min()} : X87Ld{std::numeric_limits<float>::min()};
  return std::fabs(r) < min;
}

}  // namespace

U x87_unmasked(CpuX86 &c, unsigned o, U a, U b) {
  if (o == kFpop) {  // the pop that ends a store: not when the store was suppressed
    if (c.helper_out[1]) return 0;
    return x87_op(c, o, a, b);
  }
  // Operations that raise no arithmetic exception (control, environment, ffree, fwait).
  if (o == kFfree || o == kFninit || o == kFnclex || o == kFldcw || o == kFnstsw || o == kFnstenv ||
      o == kFldenv || o == kFwait || o == kFxch)
    return x87_op(c, o, a, b);
  const Snapshot before(c);
  X87Ld st0 = 0;
  if (o == kFst && !c.fptags[c.fpstt & 7]) std::memcpy(&st0, &c.fpregs[c.fpstt & 7], 10);
  U r = x87_op(c, o, a, b);
  if (o == kFst) c.helper_out[1] = 0;
  // (No flag the guest unmasks is set before a waiting instruction: else #MF came first.)
  uint16_t fresh = c.fpus & ~before.sw & 0x7f;
  uint16_t unmasked = fresh & ~c.fpuc & 0x3f;
  // An unmasked underflow is raised by tiny results even when exact (a masked one wants them
  // inexact too): the stores check the value, the arithmetic is redone on the host whenever a
  // post-computation exception is unmasked.
  if (o == kFst && b <= 1 && (~c.fpuc & kFpUE) && !(unmasked & kFpPre) &&
      store_tiny(st0, b, c.fpuc)) {
    fresh |= kFpUE;
    unmasked |= kFpUE;
  }
  const bool redo = !(unmasked & kFpPre) && (~c.fpuc & (kFpOE | kFpUE | kFpPE)) && redoable(o, a);
  if (!unmasked && !redo) return r;
  const uint16_t cc = c.fpus & (kC0 | kC1 | kC2 | kC3);
  uint16_t flags = fresh, c1 = cc & kC1;
  bool suppress_store = false;
  if (unmasked & kFpPre) {
    flags = fresh & (kFpPre | 0x40);
    // fld of a denormal m32/m64 loads it all the same.
    const bool loads = o == kFld && b <= 1 && !(fresh & (kFpIE | 0x40));
    if (!loads) before.restore(c);
    suppress_store = o == kFst;
  } else if (o == kFst) {
    if (unmasked & (kFpOE | kFpUE)) {
      flags = fresh & (kFpOE | kFpUE);
      c1 = 0;
      suppress_store = true;
    } else {
      c1 = rounded_up(st0, r, b) ? kC1 : 0;
    }
  } else if (redo) {
    before.restore(c);
    uint16_t sw = 0;
    redo_exact(c, o, a, b, &sw);
    // (The masked pre-computation flags too: a memory operand's conversion raises its DE or
    // IE before the host's instruction.)
    flags = (fresh & (kFpPre | 0x40)) | (sw & 0x3f);
    c1 = sw & kC1;
  }  // (Others, e.g. fxtract, keep the masked result and flags.)
  if (suppress_store) {
    r = stored_bytes(c, a, b);
    c.helper_out[1] = 1;
  }
  c.fpus = static_cast<uint16_t>((before.sw & ~(kC0 | kC1 | kC2 | kC3)) | (cc & ~kC1) | c1 | flags);
  x87_update_es(c);
  return r;
}

}  // namespace qemu::x86
