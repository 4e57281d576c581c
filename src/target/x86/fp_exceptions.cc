// Unmasked SSE/AVX exceptions (the rare path of the helpers) and the way out of a helper.
#include "target/x86/fp_exceptions.h"

#include <xmmintrin.h>

#include <cmath>
#include <limits>

#include "jit/exec/engine.h"
#include "target/x86/sse.h"

namespace qemu::x86 {

void raise_fp_exception(CpuX86 &c, uint32_t excp) {
  c.exception_index = excp;
  c.error_code = 0;
  c.fault_addr = 0;
  jit::Engine::raise_from_helper(&c, kExitException);
}

SseExceptionScope::SseExceptionScope(CpuX86 &c) : c_(c), saved_(c.mxcsr) {
  uint32_t m = saved_ & ~0x3fu;
  if (!(m & 0x800)) m &= ~0x8000u;  // underflow unmasked: no flush to zero
  c.mxcsr = m;
}

uint32_t sse_xm_flags(uint32_t mxcsr, uint32_t raised, uint32_t post) {
  const uint32_t unmasked = ~(mxcsr >> 7) & 0x3f;
  uint32_t flags = raised & kFpPre;
  if (!(flags & unmasked)) flags |= post;
  return flags & unmasked ? flags : 0;
}

void SseExceptionScope::finish(uint32_t post) {
  const uint32_t raised = this->raised();
  const uint32_t xm = sse_xm_flags(saved_, raised, post);
  c_.mxcsr = saved_;
  if (xm) {
    c_.mxcsr |= xm;
    raise_fp_exception(c_, kExcpXM);
  }
  c_.mxcsr |= raised;
}

namespace {

enum Kind : uint8_t { kAdd, kSub, kMul, kDiv, kCvt };

// The flags of one scalar operation on the host's SSE unit with the guest's rounding, DAZ and FTZ
// (exceptions masked; the scope has no FTZ when underflow is unmasked), and its result.
template <typename T>
uint32_t host_flags(Kind k, T x, T y, uint32_t mxcsr, T *r) {
  const unsigned host = _mm_getcsr();
  _mm_setcsr((mxcsr & 0xe040u) | 0x1f80u);
  if constexpr (sizeof(T) == 4) {
    __m128 a = _mm_set_ss(x);
    const __m128 b = _mm_set_ss(y);
    switch (k) {
      case kAdd:
        asm volatile("addss %1, %0" : "+x"(a) : "x"(b));
        break;
      case kSub:
        asm volatile("subss %1, %0" : "+x"(a) : "x"(b));
        break;
      case kMul:
        asm volatile("mulss %1, %0" : "+x"(a) : "x"(b));
        break;
      default:
        asm volatile("divss %1, %0" : "+x"(a) : "x"(b));
        break;
    }
    *r = _mm_cvtss_f32(a);
  } else {
    __m128d a = _mm_set_sd(x);
    const __m128d b = _mm_set_sd(y);
    switch (k) {
      case kAdd:
        asm volatile("addsd %1, %0" : "+x"(a) : "x"(b));
        break;
      case kSub:
        asm volatile("subsd %1, %0" : "+x"(a) : "x"(b));
        break;
      case kMul:
        asm volatile("mulsd %1, %0" : "+x"(a) : "x"(b));
        break;
      default:
        asm volatile("divsd %1, %0" : "+x"(a) : "x"(b));
        break;
    }
    *r = _mm_cvtsd_f64(a);
  }
  const uint32_t flags = _mm_getcsr() & 0x3f;
  _mm_setcsr(host);
  return flags;
}

// cvtsd2ss of one element: the flags and the result.
uint32_t host_cvt_flags(double x, uint32_t mxcsr, float *r) {
  const unsigned host = _mm_getcsr();
  _mm_setcsr((mxcsr & 0xe040u) | 0x1f80u);
  __m128 a = _mm_setzero_ps();
  const __m128d b = _mm_set_sd(x);
  asm volatile("cvtsd2ss %1, %0" : "+x"(a) : "x"(b));
  *r = _mm_cvtss_f32(a);
  const uint32_t flags = _mm_getcsr() & 0x3f;
  _mm_setcsr(host);
  return flags;
}

// x op y (kCvt: x) rounded to a float's or a double's significand in the rounding mode rc with
// the exponent unbounded (the x87 unit's range under a 24- or 53-bit precision control), and
// whether that rounding was inexact.
long double round_wide(Kind k, long double x, long double y, bool dbl, unsigned rc, bool *inexact) {
  const uint16_t cw = static_cast<uint16_t>(0x3f | (dbl ? 0x200u : 0u) | rc << 10);
  uint16_t saved, sw;
  long double r;
  switch (k) {
    case kAdd:
      asm volatile(
          "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\tfadd %%st(1), %%st\n\t"
          "fnstsw %[sw]\n\tfldcw %[s]"
          : "=t"(r), [sw] "=m"(sw), [s] "=m"(saved)
          : "0"(x), "u"(y), [cw] "m"(cw));
      break;
    case kSub:
      asm volatile(
          "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\tfsub %%st(1), %%st\n\t"
          "fnstsw %[sw]\n\tfldcw %[s]"
          : "=t"(r), [sw] "=m"(sw), [s] "=m"(saved)
          : "0"(x), "u"(y), [cw] "m"(cw));
      break;
    case kMul:
    case kCvt:
      asm volatile(
          "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\tfmul %%st(1), %%st\n\t"
          "fnstsw %[sw]\n\tfldcw %[s]"
          : "=t"(r), [sw] "=m"(sw), [s] "=m"(saved)
          : "0"(x), "u"(k == kCvt ? 1.0L : y), [cw] "m"(cw));
      break;
    default:
      asm volatile(
          "fnstcw %[s]\n\tfnclex\n\tfldcw %[cw]\n\tfdiv %%st(1), %%st\n\t"
          "fnstsw %[sw]\n\tfldcw %[s]"
          : "=t"(r), [sw] "=m"(sw), [s] "=m"(saved)
          : "0"(x), "u"(y), [cw] "m"(cw));
      break;
  }
  asm volatile("fnclex");
  *inexact = sw & 0x20;
  return r;
}

template <typename T>
T daz(T x, uint32_t mxcsr) {
  return (mxcsr & 0x40) && std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(T(0), x) : x;
}

// The post-computation flags of one element: R is the result's type (float for kCvt).
template <typename T, typename R = T>
uint32_t element_post(Kind k, T x, T y, uint32_t mxcsr) {
  R masked;
  uint32_t f;
  if constexpr (sizeof(R) < sizeof(T)) {
    f = host_cvt_flags(x, mxcsr, &masked);
  } else {
    f = host_flags(k, x, y, mxcsr, &masked);
  }
  const uint32_t post = f & ~kFpPre;
  // Invalid or division by zero: a NaN or an infinity, nothing rounded.
  if (f & (kFpIE | kFpZE)) return post;
  bool inexact;
  const long double w =
      round_wide(k, daz(x, mxcsr), daz(y, mxcsr), sizeof(R) == 8, (mxcsr >> 13) & 3, &inexact);
  if (!std::isfinite(w)) return post;
  const long double mag = std::fabs(w);
  const uint32_t exact_pe = inexact ? uint32_t{kFpPE} : 0u;
  if (!(mxcsr & 0x400) && mag > std::numeric_limits<R>::max()) return kFpOE | exact_pe;
  if (!(mxcsr & 0x800) && w != 0 && mag < std::numeric_limits<R>::min()) return kFpUE | exact_pe;
  return post;
}

}  // namespace

uint32_t sse_post_flags(uint32_t mxcsr, unsigned op, const XmmReg &r, const XmmReg &s,
                        uint32_t raised) {
  if ((mxcsr & 0xc00) == 0xc00) return raised & ~kFpPre;  // OE and UE masked: as raised
  uint32_t post = 0;
  auto f4 = [&](Kind k, float x, float y) { post |= element_post(k, x, y, mxcsr); };
  auto d2 = [&](Kind k, double x, double y) { post |= element_post(k, x, y, mxcsr); };
  auto cvt = [&](double x) { post |= element_post<double, float>(kCvt, x, 0, mxcsr); };
  static constexpr Kind kKinds[4] = {kAdd, kSub, kMul, kDiv};
  switch (op) {
    case kAddps:
    case kSubps:
    case kMulps:
    case kDivps:
      for (int i = 0; i < 4; i++) f4(kKinds[(op - kAddps) / 4], r.f[i], s.f[i]);
      return post;
    case kAddpd:
    case kSubpd:
    case kMulpd:
    case kDivpd:
      for (int i = 0; i < 2; i++) d2(kKinds[(op - kAddpd) / 4], r.df[i], s.df[i]);
      return post;
    case kAddss:
    case kSubss:
    case kMulss:
    case kDivss:
      f4(kKinds[(op - kAddss) / 4], r.f[0], s.f[0]);
      return post;
    case kAddsd:
    case kSubsd:
    case kMulsd:
    case kDivsd:
      d2(kKinds[(op - kAddsd) / 4], r.df[0], s.df[0]);
      return post;
    case kCvtsd2ss:
      cvt(s.df[0]);
      return post;
    case kCvtpd2ps:
      cvt(s.df[0]);
      cvt(s.df[1]);
      return post;
    case kAddsubps:
      for (int i = 0; i < 4; i++) f4(i & 1 ? kAdd : kSub, r.f[i], s.f[i]);
      return post;
    case kAddsubpd:
      d2(kSub, r.df[0], s.df[0]);
      d2(kAdd, r.df[1], s.df[1]);
      return post;
    case kHaddps:
    case kHsubps: {
      const Kind k = op == kHaddps ? kAdd : kSub;
      f4(k, r.f[0], r.f[1]);
      f4(k, r.f[2], r.f[3]);
      f4(k, s.f[0], s.f[1]);
      f4(k, s.f[2], s.f[3]);
      return post;
    }
    case kHaddpd:
    case kHsubpd: {
      const Kind k = op == kHaddpd ? kAdd : kSub;
      d2(k, r.df[0], r.df[1]);
      d2(k, s.df[0], s.df[1]);
      return post;
    }
    default:
      return raised & ~kFpPre;
  }
}

}  // namespace qemu::x86
