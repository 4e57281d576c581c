#include <cmath>
#include <cstring>

#include "target/x86/cpu.h"
#include "target/x86/flags.h"
#include "target/x86/fp_exceptions.h"
#include "target/x86/x87.h"
#include "target/x86/x87_fpu.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;
using LD = long double;

// The guest's control word on the host's x87 unit (exceptions masked) while alive, and the
// exception flags raised meanwhile merged into the guest's status word. Fast path (most guests
// keep the default control word): the host's control word is loaded only when it differs, and
// the exception flags are cleared only when some are set (outside guards they are clear).
class CwGuard {
 public:
  explicit CwGuard(CpuX86 &c) : c_(c) {
    asm volatile("fnstcw %0" : "=m"(host_));
    if (status() & 0x3f) asm volatile("fnclex");
    const uint16_t cw = static_cast<uint16_t>(c.fpuc | 0x3f);
    loaded_ = cw != host_;
    if (loaded_) asm volatile("fldcw %0" : : "m"(cw));
  }
  ~CwGuard() {
    const uint16_t sw = status();
    if (sw & 0x3f) {
      c_.fpus = static_cast<uint16_t>(c_.fpus | (sw & 0x3f));  // exceptions raised
      asm volatile("fnclex");
    }
    if (loaded_) asm volatile("fldcw %0" : : "m"(host_));
  }

 private:
  static uint16_t status() {
    uint16_t sw;
    asm volatile("fnstsw %0" : "=a"(sw));
    return sw;
  }

  CpuX86 &c_;
  uint16_t host_;
  bool loaded_;
};

LD from_bits(U a, U kind, const CpuX86 &c) {
  switch (kind) {
    case 0: {
      float f;
      uint32_t v = static_cast<uint32_t>(a);
      std::memcpy(&f, &v, 4);
      return f;
    }
    case 1: {
      double d;
      std::memcpy(&d, &a, 8);
      return d;
    }
    case 2:
      return static_cast<int16_t>(a);
    case 3:
      return static_cast<int32_t>(a);
    case 4:
      return static_cast<int64_t>(a);
    case 10: {  // m80bcd
      uint8_t bcd[10];
      uint16_t e = static_cast<uint16_t>(c.helper_out[0]);
      std::memcpy(bcd, &a, 8);
      std::memcpy(bcd + 8, &e, 2);
      LD r;
      asm("fbld %1" : "=t"(r) : "m"(bcd));
      return r;
    }
    default: {
      LD v = 0;
      uint16_t e = static_cast<uint16_t>(c.helper_out[0]);
      std::memcpy(&v, &a, 8);
      std::memcpy(reinterpret_cast<uint8_t *>(&v) + 8, &e, 2);
      return v;
    }
  }
}

// Stores with the hardware's conversions (rounding per the control word, integer indefinite).
U to_bits(LD v, U kind, CpuX86 &c) {
  switch (kind) {
    case 0: {
      float f;
      asm("fstps %0" : "=m"(f) : "t"(v) : "st");
      uint32_t r;
      std::memcpy(&r, &f, 4);
      return r;
    }
    case 1: {
      double d;
      asm("fstpl %0" : "=m"(d) : "t"(v) : "st");
      U r;
      std::memcpy(&r, &d, 8);
      return r;
    }
    case 2: {
      int16_t r;
      asm("fistps %0" : "=m"(r) : "t"(v) : "st");
      return static_cast<uint16_t>(r);
    }
    case 3: {
      int32_t r;
      asm("fistpl %0" : "=m"(r) : "t"(v) : "st");
      return static_cast<uint32_t>(r);
    }
    case 4: {
      int64_t r;
      asm("fistpll %0" : "=m"(r) : "t"(v) : "st");
      return static_cast<U>(r);
    }
    case 6: {
      int16_t r;
      asm("fisttps %0" : "=m"(r) : "t"(v) : "st");
      return static_cast<uint16_t>(r);
    }
    case 7: {
      int32_t r;
      asm("fisttpl %0" : "=m"(r) : "t"(v) : "st");
      return static_cast<uint32_t>(r);
    }
    case 8: {
      int64_t r;
      asm("fisttpll %0" : "=m"(r) : "t"(v) : "st");
      return static_cast<U>(r);
    }
    case 11: {  // m80bcd: the low 8 bytes returned, the top 2 in helper_out[0]
      uint8_t bcd[10];
      asm("fbstp %0" : "=m"(bcd) : "t"(v) : "st");
      U m;
      uint16_t e;
      std::memcpy(&m, bcd, 8);
      std::memcpy(&e, bcd + 8, 2);
      c.helper_out[0] = e;
      return m;
    }
    default: {  // m80: mantissa returned, exponent word in helper_out[0]
      U m;
      uint16_t e;
      std::memcpy(&m, &v, 8);
      std::memcpy(&e, reinterpret_cast<uint8_t *>(&v) + 8, 2);
      c.helper_out[0] = e;
      return m;
    }
  }
}

LD arith(unsigned k, LD a, LD b) {
  switch (k) {
    case 0:
      return a + b;
    case 1:
      return a * b;
    case 4:
      return a - b;
    case 5:
      return b - a;
    case 6:
      return a / b;
    default:
      return b / a;
  }
}

U unary(Fpu &f, unsigned k) {
  // (fxam, fdecstp and fincstp do not read st0: an empty one is no stack fault.)
  LD x = k == 3 || k == 10 || k == 11 ? LD{0} : f.get(0), r, r2;
  auto st1 = [&] { return f.get(1); };
  uint16_t sw;
  switch (k) {
    case 0:
      f.set(0, -x);
      break;
    case 1:
      f.set(0, std::fabs(x));
      break;
    case 2:
      f.compare(x, 0.0L);
      break;
    case 3: {  // fxam: from the bits (no arithmetic, which could raise DE on a denormal)
      const CpuX86::FpReg &reg = f.c.fpregs[f.phys(0)];
      const unsigned e = reg.exp & 0x7fff;
      uint16_t bits = reg.exp & 0x8000 ? kC1 : 0;
      if (f.c.fptags[f.phys(0)]) {
        bits |= kC3 | kC0;  // empty
      } else if (e == 0x7fff) {
        bits |= reg.mant << 1 ? kC0 : kC2 | kC0;  // NaN, infinity
      } else if (e == 0) {
        bits |= reg.mant ? kC3 | kC2 : kC3;  // denormal, zero
      } else if (reg.mant >> 63) {
        bits |= kC2;  // normal
      }               // (else unnormal: unsupported, C3 = C2 = C0 = 0)
      f.cc(bits);
      break;
    }
    case 4:
      asm("f2xm1" : "+t"(x));
      f.set(0, x);
      break;
    case 5:
      asm("fyl2x" : "=t"(r) : "0"(x), "u"(st1()) : "st(1)");
      f.pop();
      f.set(0, r);
      break;
    case 6:
      // Out of range (C2): nothing is pushed; push 1.0 so the asm's stack shape holds.
      asm("fptan; fnstsw %%ax; testw $0x400, %%ax; jz 1f; fld1; 1:"
          : "=t"(r2), "=u"(r), "=a"(sw)
          : "0"(x)
          : "cc");
      if (sw & kC2) {
        f.cc(kC2);
        break;
      }
      f.cc(0);
      f.set(0, r);
      f.push(r2);
      break;
    case 7:
      asm("fpatan" : "=t"(r) : "0"(x), "u"(st1()) : "st(1)");
      f.pop();
      f.set(0, r);
      break;
    case 8:
      asm("fxtract" : "=t"(r), "=u"(r2) : "0"(x));
      f.set(0, r2);
      f.push(r);
      break;
    case 9:
    case 12:
      if (k == 9) {
        asm("fprem1; fnstsw %%ax" : "=t"(r), "=a"(sw) : "0"(x), "u"(st1()));
      } else {
        asm("fprem; fnstsw %%ax" : "=t"(r), "=a"(sw) : "0"(x), "u"(st1()));
      }
      f.set(0, r);
      f.cc(sw & (kC0 | kC1 | kC2 | kC3));
      break;
    case 10:
      f.c.fpstt = (f.c.fpstt - 1) & 7;
      break;
    case 11:
      f.c.fpstt = (f.c.fpstt + 1) & 7;
      break;
    case 13:
      asm("fyl2xp1" : "=t"(r) : "0"(x), "u"(st1()) : "st(1)");
      f.pop();
      f.set(0, r);
      break;
    case 14:
      asm("fsqrt" : "+t"(x));
      f.set(0, x);
      break;
    case 15:
      asm("fsincos; fnstsw %%ax; testw $0x400, %%ax; jz 1f; fld1; 1:"
          : "=t"(r), "=u"(r2), "=a"(sw)
          : "0"(x)
          : "cc");
      if (sw & kC2) {
        f.cc(kC2);
        break;
      }
      f.cc(0);
      f.set(0, r2);
      f.push(r);
      break;
    case 16:
      asm("frndint" : "+t"(x));
      f.set(0, x);
      break;
    case 17:
      asm("fscale" : "=t"(r) : "0"(x), "u"(st1()));
      f.set(0, r);
      break;
    default:
      if (k == 18) {
        asm("fsin; fnstsw %%ax" : "+t"(x), "=a"(sw));
      } else {
        asm("fcos; fnstsw %%ax" : "+t"(x), "=a"(sw));
      }
      f.cc(sw & kC2);
      if (!(sw & kC2)) f.set(0, x);
      break;
  }
  return 0;
}

LD constant(U k) {
  LD r;
  switch (k) {
    case 0:
      asm("fld1" : "=t"(r));
      break;
    case 1:
      asm("fldl2t" : "=t"(r));
      break;
    case 2:
      asm("fldl2e" : "=t"(r));
      break;
    case 3:
      asm("fldpi" : "=t"(r));
      break;
    case 4:
      asm("fldlg2" : "=t"(r));
      break;
    case 5:
      asm("fldln2" : "=t"(r));
      break;
    default:
      asm("fldz" : "=t"(r));
      break;
  }
  return r;
}

uint16_t tag_word(const CpuX86 &c) {
  uint16_t tw = 0;
  for (unsigned i = 0; i < 8; i++) {
    unsigned t;
    if (c.fptags[i]) {
      t = 3;
    } else {
      LD v = 0;
      std::memcpy(&v, &c.fpregs[i], 10);
      t = v == 0 ? 1 : std::isfinite(v) && std::fpclassify(v) == FP_NORMAL ? 0 : 2;
    }
    tw = static_cast<uint16_t>(tw | t << (2 * i));
  }
  return tw;
}

void fninit(CpuX86 &c) {
  c.fpuc = 0x37f;
  c.fpus = 0;
  c.fpstt = 0;
  for (auto &t : c.fptags) t = 1;
}

}  // namespace

LD x87_from_bits(uint64_t a, uint64_t kind, const CpuX86 &c) {
  return from_bits(a, kind, c);
}

uint64_t x87_op(CpuX86 &c, unsigned op, uint64_t a, uint64_t b) {
  CwGuard guard(c);
  Fpu f{c};
  const unsigned o = static_cast<unsigned>(op);
  if (o <= kFdivrM) {
    LD v = from_bits(a, b, c), x = f.get(0);
    const CpuX86::FpReg &st0 = c.fpregs[f.phys(0)];
    if (!c.fptags[f.phys(0)] && (st0.exp & 0x7fff) == 0x7fff && st0.mant << 1) {
      // Beside a NaN in st0 a denormal operand is not reported (its conversion raised DE).
      uint16_t hs;
      asm volatile("fnstsw %0" : "=a"(hs));
      if (hs & 0x02) {
        c.fpus = static_cast<uint16_t>(c.fpus | (hs & 0x3d));
        asm volatile("fnclex");
      }
    }
    const unsigned k = o - kFaddM;
    if (k == 2 || k == 3) {
      f.compare(x, v);
      if (k == 3) f.pop();
    } else {
      f.set(0, arith(k, x, v));
    }
    return 0;
  }
  if (o <= kFdivrSt) {
    const unsigned k = o - kFaddSt;
    LD x = f.get(0), v = f.get(static_cast<unsigned>(a));
    if (k == 2 || k == 3) {
      f.compare(x, v);
      if (k == 3) f.pop();
      if (k == 3 && b) f.pop();  // fcompp
    } else {
      f.set(0, arith(k, x, v));
    }
    return 0;
  }
  if (o <= kFdivrTo) {
    const unsigned k = o - kFaddTo;
    const unsigned i = static_cast<unsigned>(a);
    f.set(i, arith(k, f.get(i), f.get(0)));
    if (b) f.pop();
    return 0;
  }
  switch (o) {
    case kFld:
      f.push(from_bits(a, b, c));
      return 0;
    case kFldSt:
      f.push(f.get(static_cast<unsigned>(a)));
      return 0;
    case kFst:  // (a: the destination's host address, for x87_unmasked)
      return to_bits(f.get(0), b, c);
    case kFstSt:
      f.set(static_cast<unsigned>(a), f.get(0));
      if (b) f.pop();
      return 0;
    case kFxch: {
      const unsigned i = static_cast<unsigned>(a);
      CpuX86::FpReg t = c.fpregs[f.phys(0)];
      c.fpregs[f.phys(0)] = c.fpregs[f.phys(i)];
      c.fpregs[f.phys(i)] = t;
      uint8_t tg = c.fptags[f.phys(0)];
      c.fptags[f.phys(0)] = c.fptags[f.phys(i)];
      c.fptags[f.phys(i)] = tg;
      return 0;
    }
    case kFconst:
      f.push(constant(a));
      return 0;
    case kFunary:
      return unary(f, static_cast<unsigned>(a));
    case kFucom:
      f.compare(f.get(0), f.get(static_cast<unsigned>(a)), true);
      for (U i = 0; i < b; i++) f.pop();
      return 0;
    case kFcomi: {
      LD x = f.get(0), y = f.get(static_cast<unsigned>(a));
      bool zf, pf, cf;
      if (b & 2) {
        asm("fucomi %%st(1), %%st" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "t"(x), "u"(y));
      } else {
        asm("fcomi %%st(1), %%st" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : "t"(x), "u"(y));
      }
      if (b & 1) f.pop();
      return (zf ? kZF : 0) | (pf ? kPF : 0) | (cf ? kCF : 0);
    }
    case kFcmov:
      if (b) f.set(0, f.get(static_cast<unsigned>(a)));
      return 0;
    case kFfree:
      c.fptags[f.phys(static_cast<unsigned>(a))] = 1;
      return 0;
    case kFninit:
      fninit(c);
      return 0;
    case kFpop:
      f.pop();
      return 0;
    case kFnclex:
      c.fpus &= 0x7f00;
      return 0;
    case kFldcw:
      c.fpuc = static_cast<uint16_t>(a);
      x87_update_es(c);
      return 0;
    case kFwait:
      return 0;
    case kFnstsw:
      return f.status();
    case kFnstenv: {
      auto *p = reinterpret_cast<uint8_t *>(a);
      uint32_t env28[7] = {
          c.fpuc | 0xffff0000u, f.status() | 0xffff0000u, tag_word(c) | 0xffff0000u, 0, 0, 0,
          0xffff0000u};
      std::memcpy(p, env28, 28);
      if (b) {
        for (unsigned i = 0; i < 8; i++) std::memcpy(p + 28 + 10 * i, &c.fpregs[f.phys(i)], 10);
        fninit(c);
      } else {
        c.fpuc |= 0x3f;  // fnstenv masks all exceptions
        x87_update_es(c);
      }
      return 0;
    }
    default: {  // kFldenv
      const auto *p = reinterpret_cast<const uint8_t *>(a);
      uint16_t cw, sw, tw;
      std::memcpy(&cw, p, 2);
      std::memcpy(&sw, p + 4, 2);
      std::memcpy(&tw, p + 8, 2);
      c.fpuc = cw;
      c.fpstt = (sw >> 11) & 7;
      c.fpus = sw & ~0x3800;
      x87_update_es(c);
      for (unsigned i = 0; i < 8; i++) c.fptags[i] = ((tw >> (2 * i)) & 3) == 3;
      if (b) {
        for (unsigned i = 0; i < 8; i++) std::memcpy(&c.fpregs[f.phys(i)], p + 28 + 10 * i, 10);
      }
      return 0;
    }
  }
}

namespace {

// Whether the instruction of op waits: it raises a pending #MF instead of running (all but
// fninit, fnclex, fnstsw, fnstenv/fnsave and the pop that ends a store).
bool waits(unsigned op) {
  return op != kFninit && op != kFnclex && op != kFnstsw && op != kFnstenv && op != kFpop;
}

U h_x87(U env, U op, U a, U b) {
  CpuX86 &c = *reinterpret_cast<CpuX86 *>(env);
  const unsigned o = static_cast<unsigned>(op);
  if ((c.fpus & 0x80) && waits(o)) [[unlikely]] {
    x87_update_es(c);  // (ES without an unmasked flag, e.g. written by a debugger: cleared)
    if (c.fpus & 0x80) raise_fp_exception(c, kExcpMF);
  }
  if ((c.fpuc & 0x3f) != 0x3f) [[unlikely]]
    return x87_unmasked(c, o, a, b);
  return x87_op(c, o, a, b);
}

}  // namespace

// It may raise #MF: the globals are in memory at the call.
const jit::HelperInfo kHelperX87 = {"x87", reinterpret_cast<jit::HelperInfo::GenericFn>(&h_x87), 4,
                                    true, jit::kHelperReadsGlobals};

}  // namespace qemu::x86
