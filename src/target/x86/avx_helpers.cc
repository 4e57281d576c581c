// kHelperAvx: the AVX/AVX2/FMA/F16C operations not done in IR, on whole registers of the CPU
// state (ymm n = xmm[n] and ymmh[n]; kAvxMem: the memory operand in xmm_tmp). Floating point
// runs under the guest's MXCSR (MxcsrGuard). FMA3 and F16C use the host's instructions (the
// same operand roles, so NaN propagation and rounding match); cpuid.cc does not advertise them
// on a host without them, and their instructions are then #UD (the std::fma path is a last
// resort only).
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "target/x86/avx.h"
#include "target/x86/flags.h"
#include "target/x86/fp_exceptions.h"
#include "target/x86/mxcsr_guard.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

union Ymm {
  uint8_t b[32];
  uint16_t w[16];
  uint32_t d[8];
  uint64_t q[4];
  int32_t sd[8];
  int64_t sq[4];
  float f[8];
  double df[4];
  XmmReg x[2];
};

Ymm get(const CpuX86 &c, unsigned n) {
  Ymm y;
  if (n == kAvxMem) {
    std::memcpy(y.b, &c.xmm_tmp, 32);
  } else {
    y.x[0] = c.xmm[n];
    y.x[1] = c.ymmh[n];
  }
  return y;
}

// The result into ymm n: 256 bits, or 128 with the upper half zeroed.
void put(CpuX86 &c, unsigned n, const Ymm &y, bool l) {
  if (n == kAvxMem) {
    std::memcpy(&c.xmm_tmp, y.b, 32);
    return;
  }
  c.xmm[n] = y.x[0];
  if (l) {
    c.ymmh[n] = y.x[1];
  } else {
    c.ymmh[n] = XmmReg{};
  }
}

// vcmp predicates 0-31: the relation, and whether a quiet NaN raises invalid (signaling).
template <typename T>
bool relation(T a, T b, unsigned p) {
  const bool un = std::isnan(a) || std::isnan(b);
  const bool lt = !un && a < b, eq = !un && a == b, gt = !un && a > b;
  switch (p & 15) {
    case 0:
      return eq;
    case 1:
      return lt;
    case 2:
      return lt || eq;
    case 3:
      return un;
    case 4:
      return !eq;
    case 5:
      return !lt;
    case 6:
      return !(lt || eq);
    case 7:
      return !un;
    case 8:
      return eq || un;
    case 9:
      return lt || un;
    case 10:
      return !gt;
    case 11:
      return false;
    case 12:
      return !eq && !un;
    case 13:
      return gt || eq;
    case 14:
      return gt;
    default:
      return true;
  }
}

bool signaling(unsigned p) {
  const unsigned b = p & 15;
  const bool s = b == 1 || b == 2 || b == 5 || b == 6 || b == 9 || b == 10 || b == 13 || b == 14;
  return (p & 16) ? !s : s;
}

// The exceptions the comparison raises (invalid, denormal) on the host.
void raise_compare(float a, float b, bool sig) {
  if (sig) {
    asm volatile("comiss %1, %0" : : "x"(a), "x"(b) : "cc");
  } else {
    asm volatile("ucomiss %1, %0" : : "x"(a), "x"(b) : "cc");
  }
}
void raise_compare(double a, double b, bool sig) {
  if (sig) {
    asm volatile("comisd %1, %0" : : "x"(a), "x"(b) : "cc");
  } else {
    asm volatile("ucomisd %1, %0" : : "x"(a), "x"(b) : "cc");
  }
}

// With DAZ the relation sees denormals as zero.
template <typename T>
T daz(T x, bool on) {
  return on && std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(T(0), x) : x;
}

template <typename T>
void compare(CpuX86 &c, T *r, const T *a, const T *b, unsigned n, unsigned p) {
  const bool z = c.mxcsr & 0x40;
  for (unsigned i = 0; i < n; i++) {
    // The relation may raise anything on the host: its flags are dropped, and the exceptions
    // of the predicate's kind raised by one (u)comis.
    const unsigned saved = _mm_getcsr();
    const bool v = relation(daz(a[i], z), daz(b[i], z), p);
    _mm_setcsr(saved);
    raise_compare(a[i], b[i], signaling(p));
    if constexpr (sizeof(T) == 4) {
      uint32_t m = v ? ~0u : 0u;
      std::memcpy(&r[i], &m, 4);
    } else {
      uint64_t m = v ? ~0ull : 0ull;
      std::memcpy(&r[i], &m, 8);
    }
  }
}

// FMA3 on the host: the instruction of the same form and operand roles (d = dst, a = vvvv,
// s = r/m), on 128-bit values.
#define FMA_ASM(name) \
  [](__m128 &d, __m128 a, __m128 s) { asm(#name " %2, %1, %0" : "+x"(d) : "x"(a), "x"(s)); }
#define FMA_FORMS(op, t) \
  { FMA_ASM(op##132##t), FMA_ASM(op##213##t), FMA_ASM(op##231##t) }
using FmaFn = void (*)(__m128 &, __m128, __m128);
// [low nibble - 6][W][form]
const FmaFn kFma[10][2][3] = {
    {FMA_FORMS(vfmaddsub, ps), FMA_FORMS(vfmaddsub, pd)},
    {FMA_FORMS(vfmsubadd, ps), FMA_FORMS(vfmsubadd, pd)},
    {FMA_FORMS(vfmadd, ps), FMA_FORMS(vfmadd, pd)},
    {FMA_FORMS(vfmadd, ss), FMA_FORMS(vfmadd, sd)},
    {FMA_FORMS(vfmsub, ps), FMA_FORMS(vfmsub, pd)},
    {FMA_FORMS(vfmsub, ss), FMA_FORMS(vfmsub, sd)},
    {FMA_FORMS(vfnmadd, ps), FMA_FORMS(vfnmadd, pd)},
    {FMA_FORMS(vfnmadd, ss), FMA_FORMS(vfnmadd, sd)},
    {FMA_FORMS(vfnmsub, ps), FMA_FORMS(vfnmsub, pd)},
    {FMA_FORMS(vfnmsub, ss), FMA_FORMS(vfnmsub, sd)},
};
#undef FMA_FORMS
#undef FMA_ASM

const bool kHostFma = (__builtin_cpu_init(), __builtin_cpu_supports("fma"));
const bool kHostF16c = (__builtin_cpu_init(), __builtin_cpu_supports("f16c"));

// The portable FMA: element i of (x * y + z) with the signs of the operation.
template <typename T>
T fma_elem(unsigned lo, unsigned i, T x, T y, T z) {
  bool neg_prod = lo >= 0xc, neg_add;
  if (lo == 6) {
    neg_add = !(i & 1);
  } else if (lo == 7) {
    neg_add = i & 1;
  } else {
    neg_add = lo == 0xa || lo == 0xb || lo == 0xe || lo == 0xf;
  }
  return std::fma(neg_prod ? -x : x, y, neg_add ? -z : z);
}

template <typename T>
void fma_soft(unsigned form, unsigned lo, T *d, const T *a, const T *s, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    T x, y, z;
    if (form == 0) {
      x = d[i], y = s[i], z = a[i];
    } else if (form == 1) {
      x = a[i], y = d[i], z = s[i];
    } else {
      x = a[i], y = s[i], z = d[i];
    }
    d[i] = fma_elem(lo, i, x, y, z);
  }
}

void fma(CpuX86 &c, Ymm &r, const Ymm &a, const Ymm &s, unsigned arg, bool l, bool w) {
  const unsigned form = arg >> 4, lo = arg & 15;
  const bool scalar = lo >= 8 && (lo & 1);
  MxcsrGuard g(c);
  if (kHostFma) {
    for (unsigned k = 0; k < (l ? 2u : 1u); k++) {
      __m128 d, x, y;
      std::memcpy(&d, &r.x[k], 16);
      std::memcpy(&x, &a.x[k], 16);
      std::memcpy(&y, &s.x[k], 16);
      kFma[lo - 6][w][form](d, x, y);
      std::memcpy(&r.x[k], &d, 16);
    }
    return;
  }
  const unsigned n = scalar ? 1 : (l ? 8 : 4) >> w;
  if (w) {
    fma_soft(form, lo, r.df, a.df, s.df, n);
  } else {
    fma_soft(form, lo, r.f, a.f, s.f, n);
  }
}

// F16C on the host (vcvtps2ph's rounding control is an immediate).
__attribute__((target("avx,f16c"))) void host_cvtph2ps(const uint8_t *src, uint8_t *dst) {
  __m128i h;
  std::memcpy(&h, src, 16);
  const __m256 v = _mm256_cvtph_ps(h);
  std::memcpy(dst, &v, 32);
}

__attribute__((target("avx,f16c"))) void host_cvtps2ph(const uint8_t *src, uint8_t *dst, bool l,
                                                       unsigned imm) {
  __m256 v;
  std::memcpy(&v, src, 32);
  const __m128 x = _mm256_castps256_ps128(v);
  __m128i h;
  switch (imm & 7) {
#define CASE(n)                                         \
  case n:                                               \
    h = l ? _mm256_cvtps_ph(v, n) : _mm_cvtps_ph(x, n); \
    break;
    CASE(0)
    CASE(1)
    CASE(2)
    CASE(3)
    CASE(4)
    CASE(5)
    CASE(6)
    default:
      h = l ? _mm256_cvtps_ph(v, 7) : _mm_cvtps_ph(x, 7);
      break;
#undef CASE
  }
  std::memcpy(dst, &h, 16);
}

// The operation into r; false when only its low 128 bits are the result (vcvtps2ph).
bool avx_op(CpuX86 &c, unsigned op, bool l, bool w, unsigned d, const Ymm &a, const Ymm &s,
            unsigned i8, Ymm &r) {
  const unsigned nd = l ? 8 : 4, nq = l ? 4 : 2;
  switch (op) {
    case kVpermilpsV:
      for (unsigned i = 0; i < nd; i++) r.d[i] = a.d[(i & ~3u) + (s.d[i] & 3)];
      break;
    case kVpermilpdV:
      for (unsigned i = 0; i < nq; i++) r.q[i] = a.q[(i & ~1u) + ((s.q[i] >> 1) & 1)];
      break;
    case kVpermd:
      for (unsigned i = 0; i < 8; i++) r.d[i] = s.d[a.d[i] & 7];
      break;
    case kVpsllv:
    case kVpsrlv:
    case kVpsrav:
      if (w && op != kVpsrav) {
        for (unsigned i = 0; i < nq; i++) {
          const uint64_t n = s.q[i];
          r.q[i] = n > 63 ? 0 : op == kVpsllv ? a.q[i] << n : a.q[i] >> n;
        }
      } else {
        for (unsigned i = 0; i < nd; i++) {
          const uint64_t n = s.d[i];
          if (op == kVpsrav) {
            r.sd[i] = a.sd[i] >> (n > 31 ? 31 : n);
          } else {
            r.d[i] = n > 31 ? 0 : op == kVpsllv ? a.d[i] << n : a.d[i] >> n;
          }
        }
      }
      break;
    case kVcmpps:
    case kVcmppd:
    case kVcmpss:
    case kVcmpsd: {
      MxcsrGuard g(c);
      r = a;
      if (op == kVcmpps || op == kVcmpss) {
        compare(c, r.f, a.f, s.f, op == kVcmpss ? 1 : nd, i8);
      } else {
        compare(c, r.df, a.df, s.df, op == kVcmpsd ? 1 : nq, i8);
      }
      break;
    }
    case kVcvtph2ps: {
      if (!kHostF16c) break;
      Ymm src = s;
      if (!l) std::memset(src.b + 8, 0, 24);  // only the halves converted may raise
      MxcsrGuard g(c);
      host_cvtph2ps(src.b, r.b);
      break;
    }
    case kVcvtps2ph: {
      // s is the source register (the destination may be memory: xmm_tmp).
      if (!kHostF16c) return false;
      MxcsrGuard g(c);
      host_cvtps2ph(s.b, r.b, l, i8);
      return false;
    }
    case kVfma:
      r = get(c, d);
      fma(c, r, a, s, i8, l, w);
      break;
    default:
      break;
  }
  return l;
}

U h_avx(U env, U ctl, U dn, U an, U sn, U imm) {
  CpuX86 &c = *reinterpret_cast<CpuX86 *>(env);
  const unsigned op = ctl & 0xff;
  const bool l = ctl & 0x100, w = ctl & 0x200;
  const unsigned d = static_cast<unsigned>(dn), i8 = static_cast<unsigned>(imm);
  const Ymm a = get(c, static_cast<unsigned>(an)), s = get(c, static_cast<unsigned>(sn));
  Ymm r{};
  bool wide;
  if (op >= kVcmpps && mxcsr_unmasked(c)) [[unlikely]] {
    // Comparisons, F16C and FMA with an exception unmasked: #XM before anything is written
    // (FMA and vcvtps2ph keep the masked overflow/underflow flags: see fp_exceptions.h).
    SseExceptionScope x(c);
    wide = avx_op(c, op, l, w, d, a, s, i8, r);
    x.finish();
  } else {
    wide = avx_op(c, op, l, w, d, a, s, i8, r);
  }
  put(c, d, r, wide);
  return 0;
}

template <typename Fn>
jit::HelperInfo::GenericFn fn(Fn *f) {
  return reinterpret_cast<jit::HelperInfo::GenericFn>(f);
}

}  // namespace

const jit::HelperInfo kHelperAvx = {"avx", fn(&h_avx), 6, false, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperAvxFp = {"avx_fp", fn(&h_avx), 6, false, jit::kHelperReadsGlobals};

}  // namespace qemu::x86
