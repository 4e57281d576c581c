// The SSE helpers: host SSE2 instructions (through intrinsics) give results identical to the
// hardware; the guest's MXCSR (rounding, DAZ/FTZ) is installed around floating point
// operations and the exception flags raised are merged back into it.
#include <emmintrin.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "target/x86/cpu.h"
#include "target/x86/flags.h"
#include "target/x86/fp_exceptions.h"
#include "target/x86/mxcsr_guard.h"
#include "target/x86/sse.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

CpuX86 &cpu_of(U env) {
  return *reinterpret_cast<CpuX86 *>(env);
}

// Addition and multiplication with the operand order fixed: x86 returns the first operand's
// NaN when both are NaNs, and the compiler may swap the operands of a commutative operation.
float add_f(float x, float y) {
  asm("addss %1, %0" : "+x"(x) : "x"(y));
  return x;
}
float mul_f(float x, float y) {
  asm("mulss %1, %0" : "+x"(x) : "x"(y));
  return x;
}
double add_d(double x, double y) {
  asm("addsd %1, %0" : "+x"(x) : "x"(y));
  return x;
}
double mul_d(double x, double y) {
  asm("mulsd %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128 addps(__m128 x, __m128 y) {
  asm("addps %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128 mulps(__m128 x, __m128 y) {
  asm("mulps %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128d addpd(__m128d x, __m128d y) {
  asm("addpd %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128d mulpd(__m128d x, __m128d y) {
  asm("mulpd %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128 addss(__m128 x, __m128 y) {
  asm("addss %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128 mulss(__m128 x, __m128 y) {
  asm("mulss %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128d addsd(__m128d x, __m128d y) {
  asm("addsd %1, %0" : "+x"(x) : "x"(y));
  return x;
}
__m128d mulsd(__m128d x, __m128d y) {
  asm("mulsd %1, %0" : "+x"(x) : "x"(y));
  return x;
}

__m128i I(const XmmReg &x) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i *>(&x));
}
__m128 F(const XmmReg &x) {
  return _mm_loadu_ps(x.f);
}
__m128d D(const XmmReg &x) {
  return _mm_loadu_pd(x.df);
}
void put(XmmReg &x, __m128i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i *>(&x), v);
}
void put(XmmReg &x, __m128 v) {
  _mm_storeu_ps(x.f, v);
}
void put(XmmReg &x, __m128d v) {
  _mm_storeu_pd(x.df, v);
}

__m128 cmp_ps(__m128 a, __m128 b, unsigned p, bool scalar) {
  switch (p & 7) {
    case 0:
      return scalar ? _mm_cmpeq_ss(a, b) : _mm_cmpeq_ps(a, b);
    case 1:
      return scalar ? _mm_cmplt_ss(a, b) : _mm_cmplt_ps(a, b);
    case 2:
      return scalar ? _mm_cmple_ss(a, b) : _mm_cmple_ps(a, b);
    case 3:
      return scalar ? _mm_cmpunord_ss(a, b) : _mm_cmpunord_ps(a, b);
    case 4:
      return scalar ? _mm_cmpneq_ss(a, b) : _mm_cmpneq_ps(a, b);
    case 5:
      return scalar ? _mm_cmpnlt_ss(a, b) : _mm_cmpnlt_ps(a, b);
    case 6:
      return scalar ? _mm_cmpnle_ss(a, b) : _mm_cmpnle_ps(a, b);
    default:
      return scalar ? _mm_cmpord_ss(a, b) : _mm_cmpord_ps(a, b);
  }
}

__m128d cmp_pd(__m128d a, __m128d b, unsigned p, bool scalar) {
  switch (p & 7) {
    case 0:
      return scalar ? _mm_cmpeq_sd(a, b) : _mm_cmpeq_pd(a, b);
    case 1:
      return scalar ? _mm_cmplt_sd(a, b) : _mm_cmplt_pd(a, b);
    case 2:
      return scalar ? _mm_cmple_sd(a, b) : _mm_cmple_pd(a, b);
    case 3:
      return scalar ? _mm_cmpunord_sd(a, b) : _mm_cmpunord_pd(a, b);
    case 4:
      return scalar ? _mm_cmpneq_sd(a, b) : _mm_cmpneq_pd(a, b);
    case 5:
      return scalar ? _mm_cmpnlt_sd(a, b) : _mm_cmpnlt_pd(a, b);
    case 6:
      return scalar ? _mm_cmpnle_sd(a, b) : _mm_cmpnle_pd(a, b);
    default:
      return scalar ? _mm_cmpord_sd(a, b) : _mm_cmpord_pd(a, b);
  }
}

// Integer operations (no MXCSR).
bool int_op(unsigned op, XmmReg &r, const XmmReg &s, unsigned imm) {
  const __m128i a = I(r), b = I(s);
  const __m128i cnt = _mm_cvtsi32_si128(static_cast<int>(imm));
  __m128i v;
  switch (op) {
    case kPunpcklbw:
      v = _mm_unpacklo_epi8(a, b);
      break;
    case kPunpcklwd:
      v = _mm_unpacklo_epi16(a, b);
      break;
    case kPunpckldq:
      v = _mm_unpacklo_epi32(a, b);
      break;
    case kPunpcklqdq:
      v = _mm_unpacklo_epi64(a, b);
      break;
    case kPunpckhbw:
      v = _mm_unpackhi_epi8(a, b);
      break;
    case kPunpckhwd:
      v = _mm_unpackhi_epi16(a, b);
      break;
    case kPunpckhdq:
      v = _mm_unpackhi_epi32(a, b);
      break;
    case kPunpckhqdq:
      v = _mm_unpackhi_epi64(a, b);
      break;
    case kPacksswb:
      v = _mm_packs_epi16(a, b);
      break;
    case kPackssdw:
      v = _mm_packs_epi32(a, b);
      break;
    case kPackuswb:
      v = _mm_packus_epi16(a, b);
      break;
    case kPcmpgtb:
      v = _mm_cmpgt_epi8(a, b);
      break;
    case kPcmpgtw:
      v = _mm_cmpgt_epi16(a, b);
      break;
    case kPcmpgtd:
      v = _mm_cmpgt_epi32(a, b);
      break;
    case kPcmpeqb:
      v = _mm_cmpeq_epi8(a, b);
      break;
    case kPcmpeqw:
      v = _mm_cmpeq_epi16(a, b);
      break;
    case kPcmpeqd:
      v = _mm_cmpeq_epi32(a, b);
      break;
    case kPsrlw:
      v = _mm_srl_epi16(a, b);
      break;
    case kPsraw:
      v = _mm_sra_epi16(a, b);
      break;
    case kPsllw:
      v = _mm_sll_epi16(a, b);
      break;
    case kPsrld:
      v = _mm_srl_epi32(a, b);
      break;
    case kPsrad:
      v = _mm_sra_epi32(a, b);
      break;
    case kPslld:
      v = _mm_sll_epi32(a, b);
      break;
    case kPsrlq:
      v = _mm_srl_epi64(a, b);
      break;
    case kPsllq:
      v = _mm_sll_epi64(a, b);
      break;
    case kPsrlwI:
      v = _mm_srl_epi16(a, cnt);
      break;
    case kPsrawI:
      v = _mm_sra_epi16(a, cnt);
      break;
    case kPsllwI:
      v = _mm_sll_epi16(a, cnt);
      break;
    case kPsrldI:
      v = _mm_srl_epi32(a, cnt);
      break;
    case kPsradI:
      v = _mm_sra_epi32(a, cnt);
      break;
    case kPslldI:
      v = _mm_sll_epi32(a, cnt);
      break;
    case kPsrlqI:
      v = _mm_srl_epi64(a, cnt);
      break;
    case kPsllqI:
      v = _mm_sll_epi64(a, cnt);
      break;
    case kPaddb:
      v = _mm_add_epi8(a, b);
      break;
    case kPaddw:
      v = _mm_add_epi16(a, b);
      break;
    case kPaddd:
      v = _mm_add_epi32(a, b);
      break;
    case kPaddq:
      v = _mm_add_epi64(a, b);
      break;
    case kPsubb:
      v = _mm_sub_epi8(a, b);
      break;
    case kPsubw:
      v = _mm_sub_epi16(a, b);
      break;
    case kPsubd:
      v = _mm_sub_epi32(a, b);
      break;
    case kPsubq:
      v = _mm_sub_epi64(a, b);
      break;
    case kPaddusb:
      v = _mm_adds_epu8(a, b);
      break;
    case kPaddusw:
      v = _mm_adds_epu16(a, b);
      break;
    case kPsubusb:
      v = _mm_subs_epu8(a, b);
      break;
    case kPsubusw:
      v = _mm_subs_epu16(a, b);
      break;
    case kPaddsb:
      v = _mm_adds_epi8(a, b);
      break;
    case kPaddsw:
      v = _mm_adds_epi16(a, b);
      break;
    case kPsubsb:
      v = _mm_subs_epi8(a, b);
      break;
    case kPsubsw:
      v = _mm_subs_epi16(a, b);
      break;
    case kPminub:
      v = _mm_min_epu8(a, b);
      break;
    case kPmaxub:
      v = _mm_max_epu8(a, b);
      break;
    case kPminsw:
      v = _mm_min_epi16(a, b);
      break;
    case kPmaxsw:
      v = _mm_max_epi16(a, b);
      break;
    case kPand:
      v = _mm_and_si128(a, b);
      break;
    case kPandn:
      v = _mm_andnot_si128(a, b);
      break;
    case kPor:
      v = _mm_or_si128(a, b);
      break;
    case kPxor:
      v = _mm_xor_si128(a, b);
      break;
    case kPavgb:
      v = _mm_avg_epu8(a, b);
      break;
    case kPavgw:
      v = _mm_avg_epu16(a, b);
      break;
    case kPmullw:
      v = _mm_mullo_epi16(a, b);
      break;
    case kPmulhw:
      v = _mm_mulhi_epi16(a, b);
      break;
    case kPmulhuw:
      v = _mm_mulhi_epu16(a, b);
      break;
    case kPmuludq:
      v = _mm_mul_epu32(a, b);
      break;
    case kPmaddwd:
      v = _mm_madd_epi16(a, b);
      break;
    case kPsadbw:
      v = _mm_sad_epu8(a, b);
      break;
    case kPshufd: {
      XmmReg t;
      for (int i = 0; i < 4; i++) t.d[i] = s.d[(imm >> (2 * i)) & 3];
      r = t;
      return true;
    }
    case kPshufhw:
    case kPshuflw: {
      XmmReg t = s;
      const int base = op == kPshufhw ? 4 : 0;
      for (int i = 0; i < 4; i++) t.w[base + i] = s.w[base + ((imm >> (2 * i)) & 3)];
      r = t;
      return true;
    }
    case kPsrldq:
    case kPslldq: {
      XmmReg t{};
      const unsigned n = imm > 16 ? 16 : imm;
      for (unsigned i = 0; i < 16; i++) {
        if (op == kPsrldq) {
          t.b[i] = i + n < 16 ? r.b[i + n] : 0;
        } else {
          t.b[i] = i >= n ? r.b[i - n] : 0;
        }
      }
      r = t;
      return true;
    }
    default:
      return false;
  }
  put(r, v);
  return true;
}

void float_op(CpuX86 &c, unsigned op, XmmReg &r, const XmmReg &s, unsigned imm) {
  MxcsrGuard g(c);
  const __m128 a = F(r), b = F(s);
  const __m128d ad = D(r), bd = D(s);
  switch (op) {
    case kAddps:
      put(r, addps(a, b));
      break;
    case kAddpd:
      put(r, addpd(ad, bd));
      break;
    case kAddss:
      put(r, addss(a, b));
      break;
    case kAddsd:
      put(r, addsd(ad, bd));
      break;
    case kSubps:
      put(r, _mm_sub_ps(a, b));
      break;
    case kSubpd:
      put(r, _mm_sub_pd(ad, bd));
      break;
    case kSubss:
      put(r, _mm_sub_ss(a, b));
      break;
    case kSubsd:
      put(r, _mm_sub_sd(ad, bd));
      break;
    case kMulps:
      put(r, mulps(a, b));
      break;
    case kMulpd:
      put(r, mulpd(ad, bd));
      break;
    case kMulss:
      put(r, mulss(a, b));
      break;
    case kMulsd:
      put(r, mulsd(ad, bd));
      break;
    case kDivps:
      put(r, _mm_div_ps(a, b));
      break;
    case kDivpd:
      put(r, _mm_div_pd(ad, bd));
      break;
    case kDivss:
      put(r, _mm_div_ss(a, b));
      break;
    case kDivsd:
      put(r, _mm_div_sd(ad, bd));
      break;
    case kMinps:
      put(r, _mm_min_ps(a, b));
      break;
    case kMinpd:
      put(r, _mm_min_pd(ad, bd));
      break;
    case kMinss:
      put(r, _mm_min_ss(a, b));
      break;
    case kMinsd:
      put(r, _mm_min_sd(ad, bd));
      break;
    case kMaxps:
      put(r, _mm_max_ps(a, b));
      break;
    case kMaxpd:
      put(r, _mm_max_pd(ad, bd));
      break;
    case kMaxss:
      put(r, _mm_max_ss(a, b));
      break;
    case kMaxsd:
      put(r, _mm_max_sd(ad, bd));
      break;
    case kSqrtps:
      put(r, _mm_sqrt_ps(b));
      break;
    case kSqrtpd:
      put(r, _mm_sqrt_pd(bd));
      break;
    case kSqrtss:
      put(r, _mm_move_ss(a, _mm_sqrt_ss(b)));
      break;
    case kSqrtsd:
      put(r, _mm_sqrt_sd(ad, bd));
      break;
    case kRsqrtps:
      put(r, _mm_rsqrt_ps(b));
      break;
    case kRsqrtss:
      put(r, _mm_move_ss(a, _mm_rsqrt_ss(b)));
      break;
    case kRcpps:
      put(r, _mm_rcp_ps(b));
      break;
    case kRcpss:
      put(r, _mm_move_ss(a, _mm_rcp_ss(b)));
      break;
    case kAndps:
      put(r, _mm_and_ps(a, b));
      break;
    case kAndnps:
      put(r, _mm_andnot_ps(a, b));
      break;
    case kOrps:
      put(r, _mm_or_ps(a, b));
      break;
    case kXorps:
      put(r, _mm_xor_ps(a, b));
      break;
    case kCmpps:
      put(r, cmp_ps(a, b, imm, false));
      break;
    case kCmpss:
      put(r, cmp_ps(a, b, imm, true));
      break;
    case kCmppd:
      put(r, cmp_pd(ad, bd, imm, false));
      break;
    case kCmpsd:
      put(r, cmp_pd(ad, bd, imm, true));
      break;
    case kShufps: {
      XmmReg t;
      t.d[0] = r.d[imm & 3];
      t.d[1] = r.d[(imm >> 2) & 3];
      t.d[2] = s.d[(imm >> 4) & 3];
      t.d[3] = s.d[(imm >> 6) & 3];
      r = t;
      break;
    }
    case kShufpd: {
      XmmReg t;
      t.q[0] = r.q[imm & 1];
      t.q[1] = s.q[(imm >> 1) & 1];
      r = t;
      break;
    }
    case kUnpcklps:
      put(r, _mm_unpacklo_ps(a, b));
      break;
    case kUnpckhps:
      put(r, _mm_unpackhi_ps(a, b));
      break;
    case kUnpcklpd:
      put(r, _mm_unpacklo_pd(ad, bd));
      break;
    case kUnpckhpd:
      put(r, _mm_unpackhi_pd(ad, bd));
      break;
    case kCvtps2pd:
      put(r, _mm_cvtps_pd(b));
      break;
    case kCvtpd2ps:
      put(r, _mm_cvtpd_ps(bd));
      break;
    case kCvtss2sd:
      put(r, _mm_cvtss_sd(ad, b));
      break;
    case kCvtsd2ss:
      put(r, _mm_cvtsd_ss(a, bd));
      break;
    case kCvtdq2ps:
      put(r, _mm_cvtepi32_ps(I(s)));
      break;
    case kCvtps2dq:
      put(r, _mm_cvtps_epi32(b));
      break;
    case kCvttps2dq:
      put(r, _mm_cvttps_epi32(b));
      break;
    case kCvtdq2pd:
      put(r, _mm_cvtepi32_pd(I(s)));
      break;
    case kCvtpd2dq:
      put(r, _mm_cvtpd_epi32(bd));
      break;
    case kCvtpi2ps: {  // two int32 (src low half) into the low two floats
      XmmReg t = r;
      XmmReg c2 = r;
      put(c2, _mm_cvtepi32_ps(I(s)));
      t.f[0] = c2.f[0];
      t.f[1] = c2.f[1];
      r = t;
      break;
    }
    case kCvtpi2pd:
      put(r, _mm_cvtepi32_pd(I(s)));
      break;
    case kCvtps2pi:
    case kCvttps2pi:
    case kCvtpd2pi:
    case kCvttpd2pi: {  // into the low half of r (an mm register's value)
      XmmReg c2;
      if (op == kCvtps2pi) put(c2, _mm_cvtps_epi32(b));
      if (op == kCvttps2pi) put(c2, _mm_cvttps_epi32(b));
      if (op == kCvtpd2pi) put(c2, _mm_cvtpd_epi32(bd));
      if (op == kCvttpd2pi) put(c2, _mm_cvttpd_epi32(bd));
      r.q[0] = c2.q[0];
      break;
    }
    case kCvttpd2dq:
      put(r, _mm_cvttpd_epi32(bd));
      break;
    default:
      break;
  }
}

template <typename T>
T sat(int64_t v) {
  constexpr int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  return static_cast<T>(v < lo ? lo : v > hi ? hi : v);
}

// SSE3, SSSE3 and SSE4.1 in portable code (the host may lack them); floating point through
// C on the host's SSE unit under the guest's MXCSR.
bool ext_op(CpuX86 &c, unsigned op, XmmReg &r, const XmmReg &s, unsigned imm, U *ret) {
  const XmmReg a = r;
  XmmReg t{};
  switch (op) {
    case kAddsubps:
    case kHaddps:
    case kHsubps:
    case kAddsubpd:
    case kHaddpd:
    case kHsubpd:
    case kRoundps:
    case kRoundpd:
    case kRoundss:
    case kRoundsd:
    case kDpps:
    case kDppd: {
      MxcsrGuard g(c);
      switch (op) {
        case kAddsubps:
          for (int i = 0; i < 4; i++) t.f[i] = i & 1 ? add_f(a.f[i], s.f[i]) : a.f[i] - s.f[i];
          break;
        case kAddsubpd:
          t.df[0] = a.df[0] - s.df[0];
          t.df[1] = add_d(a.df[1], s.df[1]);
          break;
        case kHaddps:
        case kHsubps: {
          auto h = [&](float x, float y) { return op == kHaddps ? add_f(x, y) : x - y; };
          t.f[0] = h(a.f[0], a.f[1]);
          t.f[1] = h(a.f[2], a.f[3]);
          t.f[2] = h(s.f[0], s.f[1]);
          t.f[3] = h(s.f[2], s.f[3]);
          break;
        }
        case kHaddpd:
        case kHsubpd:
          t.df[0] = op == kHaddpd ? add_d(a.df[0], a.df[1]) : a.df[0] - a.df[1];
          t.df[1] = op == kHaddpd ? add_d(s.df[0], s.df[1]) : s.df[0] - s.df[1];
          break;
        case kRoundps:
        case kRoundpd:
        case kRoundss:
        case kRoundsd: {
          // imm bit 2: the MXCSR mode, else imm bits 0-1; bit 3: no precision exception.
          unsigned mode = (imm & 4) ? (c.mxcsr >> 13) & 3 : imm & 3;
          unsigned csr = _mm_getcsr();
          _mm_setcsr((csr & ~0x6000u) | mode << 13);
          t = a;
          if (op == kRoundps || op == kRoundss) {
            for (int i = 0; i < (op == kRoundps ? 4 : 1); i++) t.f[i] = std::nearbyintf(s.f[i]);
            if (!(imm & 8)) {
              for (int i = 0; i < (op == kRoundps ? 4 : 1); i++) {
                if (t.f[i] != s.f[i] && !std::isnan(s.f[i])) csr |= 0x20;
              }
            }
          } else {
            for (int i = 0; i < (op == kRoundpd ? 2 : 1); i++) t.df[i] = std::nearbyint(s.df[i]);
            if (!(imm & 8)) {
              for (int i = 0; i < (op == kRoundpd ? 2 : 1); i++) {
                if (t.df[i] != s.df[i] && !std::isnan(s.df[i])) csr |= 0x20;
              }
            }
          }
          // Invalid from a signaling NaN; never denormal (the comparisons above may raise it).
          _mm_setcsr(csr | (_mm_getcsr() & 0x1d));
          break;
        }
        case kDpps: {
          float p[4];
          for (int i = 0; i < 4; i++) p[i] = (imm >> (4 + i)) & 1 ? mul_f(a.f[i], s.f[i]) : 0.0f;
          float sum = add_f(add_f(p[0], p[1]), add_f(p[2], p[3]));
          for (int i = 0; i < 4; i++) t.f[i] = (imm >> i) & 1 ? sum : 0.0f;
          break;
        }
        default: {  // dppd
          double p0 = (imm >> 4) & 1 ? mul_d(a.df[0], s.df[0]) : 0.0;
          double p1 = (imm >> 5) & 1 ? mul_d(a.df[1], s.df[1]) : 0.0;
          double sum = add_d(p0, p1);
          for (int i = 0; i < 2; i++) t.df[i] = (imm >> i) & 1 ? sum : 0.0;
          break;
        }
      }
      r = t;
      return true;
    }
    case kMovsldup:
      for (int i = 0; i < 4; i++) t.d[i] = s.d[i & ~1];
      break;
    case kMovshdup:
      for (int i = 0; i < 4; i++) t.d[i] = s.d[i | 1];
      break;
    case kMovddup:
      t.q[0] = t.q[1] = s.q[0];
      break;
    case kPshufb:
      for (int i = 0; i < 16; i++) t.b[i] = s.b[i] & 0x80 ? 0 : a.b[s.b[i] & 15];
      break;
    case kPhaddw:
    case kPhsubw:
    case kPhaddsw:
    case kPhsubsw:
      for (int i = 0; i < 8; i++) {
        const XmmReg &src = i < 4 ? a : s;
        int16_t x = static_cast<int16_t>(src.w[(2 * i) & 7]),
                y = static_cast<int16_t>(src.w[((2 * i) & 7) + 1]);
        int32_t v = (op == kPhaddw || op == kPhaddsw) ? x + y : x - y;
        t.w[i] = static_cast<uint16_t>((op == kPhaddsw || op == kPhsubsw) ? sat<int16_t>(v) : v);
      }
      break;
    case kPhaddd:
    case kPhsubd:
      for (int i = 0; i < 4; i++) {
        const XmmReg &src = i < 2 ? a : s;
        uint32_t x = src.d[(2 * i) & 3], y = src.d[((2 * i) & 3) + 1];
        t.d[i] = op == kPhaddd ? x + y : x - y;
      }
      break;
    case kPmaddubsw:
      for (int i = 0; i < 8; i++) {
        int32_t v = a.b[2 * i] * static_cast<int8_t>(s.b[2 * i]) +
                    a.b[2 * i + 1] * static_cast<int8_t>(s.b[2 * i + 1]);
        t.w[i] = static_cast<uint16_t>(sat<int16_t>(v));
      }
      break;
    case kPsignb:
      for (int i = 0; i < 16; i++) {
        int8_t x = static_cast<int8_t>(s.b[i]);
        t.b[i] = static_cast<uint8_t>(x < 0 ? -a.b[i] : x == 0 ? 0 : a.b[i]);
      }
      break;
    case kPsignw:
      for (int i = 0; i < 8; i++) {
        int16_t x = static_cast<int16_t>(s.w[i]);
        t.w[i] = static_cast<uint16_t>(x < 0 ? -a.w[i] : x == 0 ? 0 : a.w[i]);
      }
      break;
    case kPsignd:
      for (int i = 0; i < 4; i++) {
        int32_t x = static_cast<int32_t>(s.d[i]);
        t.d[i] = x < 0 ? 0u - a.d[i] : x == 0 ? 0 : a.d[i];
      }
      break;
    case kPmulhrsw:
      for (int i = 0; i < 8; i++) {
        int32_t p = static_cast<int16_t>(a.w[i]) * static_cast<int16_t>(s.w[i]);
        t.w[i] = static_cast<uint16_t>(((p >> 14) + 1) >> 1);
      }
      break;
    case kPabsb:
      for (int i = 0; i < 16; i++) {
        int8_t x = static_cast<int8_t>(s.b[i]);
        t.b[i] = static_cast<uint8_t>(x < 0 ? -x : x);
      }
      break;
    case kPabsw:
      for (int i = 0; i < 8; i++) {
        int16_t x = static_cast<int16_t>(s.w[i]);
        t.w[i] = static_cast<uint16_t>(x < 0 ? -x : x);
      }
      break;
    case kPabsd:
      for (int i = 0; i < 4; i++) {
        int32_t x = static_cast<int32_t>(s.d[i]);
        t.d[i] = x < 0 ? 0u - static_cast<uint32_t>(x) : static_cast<uint32_t>(x);
      }
      break;
    case kPalignr: {
      uint8_t cat[32];
      std::memcpy(cat, s.b, 16);
      std::memcpy(cat + 16, a.b, 16);
      for (unsigned i = 0; i < 16; i++) t.b[i] = i + imm < 32 ? cat[i + imm] : 0;
      break;
    }
    case kPblendvb:
      for (int i = 0; i < 16; i++) t.b[i] = c.xmm[0].b[i] & 0x80 ? s.b[i] : a.b[i];
      break;
    case kBlendvps:
      for (int i = 0; i < 4; i++) t.d[i] = c.xmm[0].d[i] >> 31 ? s.d[i] : a.d[i];
      break;
    case kBlendvpd:
      for (int i = 0; i < 2; i++) t.q[i] = c.xmm[0].q[i] >> 63 ? s.q[i] : a.q[i];
      break;
    case kPtest: {
      bool zf = !((a.q[0] & s.q[0]) | (a.q[1] & s.q[1]));
      bool cf = !((~a.q[0] & s.q[0]) | (~a.q[1] & s.q[1]));
      *ret = (zf ? kZF : 0) | (cf ? kCF : 0);
      return true;
    }
    case kPmovsxbw:
      for (int i = 0; i < 8; i++) t.w[i] = static_cast<uint16_t>(static_cast<int8_t>(s.b[i]));
      break;
    case kPmovsxbd:
      for (int i = 0; i < 4; i++) t.d[i] = static_cast<uint32_t>(static_cast<int8_t>(s.b[i]));
      break;
    case kPmovsxbq:
      for (int i = 0; i < 2; i++) t.q[i] = static_cast<uint64_t>(static_cast<int8_t>(s.b[i]));
      break;
    case kPmovsxwd:
      for (int i = 0; i < 4; i++) t.d[i] = static_cast<uint32_t>(static_cast<int16_t>(s.w[i]));
      break;
    case kPmovsxwq:
      for (int i = 0; i < 2; i++) t.q[i] = static_cast<uint64_t>(static_cast<int16_t>(s.w[i]));
      break;
    case kPmovsxdq:
      for (int i = 0; i < 2; i++) t.q[i] = static_cast<uint64_t>(static_cast<int32_t>(s.d[i]));
      break;
    case kPmovzxbw:
      for (int i = 0; i < 8; i++) t.w[i] = s.b[i];
      break;
    case kPmovzxbd:
      for (int i = 0; i < 4; i++) t.d[i] = s.b[i];
      break;
    case kPmovzxbq:
      for (int i = 0; i < 2; i++) t.q[i] = s.b[i];
      break;
    case kPmovzxwd:
      for (int i = 0; i < 4; i++) t.d[i] = s.w[i];
      break;
    case kPmovzxwq:
      for (int i = 0; i < 2; i++) t.q[i] = s.w[i];
      break;
    case kPmovzxdq:
      for (int i = 0; i < 2; i++) t.q[i] = s.d[i];
      break;
    case kPmuldq:
      for (int i = 0; i < 2; i++) {
        t.q[i] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a.d[2 * i])) *
                                       static_cast<int32_t>(s.d[2 * i]));
      }
      break;
    case kPcmpeqq:
      for (int i = 0; i < 2; i++) t.q[i] = a.q[i] == s.q[i] ? ~0ull : 0;
      break;
    case kPcmpgtq:
      for (int i = 0; i < 2; i++) {
        t.q[i] = static_cast<int64_t>(a.q[i]) > static_cast<int64_t>(s.q[i]) ? ~0ull : 0;
      }
      break;
    case kPackusdw:
      for (int i = 0; i < 8; i++) {
        int32_t v = static_cast<int32_t>(i < 4 ? a.d[i] : s.d[i - 4]);
        t.w[i] = sat<uint16_t>(v);
      }
      break;
    case kPminsb:
    case kPmaxsb:
      for (int i = 0; i < 16; i++) {
        int8_t x = static_cast<int8_t>(a.b[i]), y = static_cast<int8_t>(s.b[i]);
        t.b[i] = static_cast<uint8_t>(op == kPminsb ? (x < y ? x : y) : (x > y ? x : y));
      }
      break;
    case kPminsd:
    case kPmaxsd:
      for (int i = 0; i < 4; i++) {
        int32_t x = static_cast<int32_t>(a.d[i]), y = static_cast<int32_t>(s.d[i]);
        t.d[i] = static_cast<uint32_t>(op == kPminsd ? (x < y ? x : y) : (x > y ? x : y));
      }
      break;
    case kPminuw:
    case kPmaxuw:
      for (int i = 0; i < 8; i++) {
        uint16_t x = a.w[i], y = s.w[i];
        t.w[i] = op == kPminuw ? (x < y ? x : y) : (x > y ? x : y);
      }
      break;
    case kPminud:
    case kPmaxud:
      for (int i = 0; i < 4; i++) {
        uint32_t x = a.d[i], y = s.d[i];
        t.d[i] = op == kPminud ? (x < y ? x : y) : (x > y ? x : y);
      }
      break;
    case kPmulld:
      for (int i = 0; i < 4; i++) t.d[i] = a.d[i] * s.d[i];
      break;
    case kPhminposuw: {
      unsigned idx = 0;
      for (unsigned i = 1; i < 8; i++) {
        if (s.w[i] < s.w[idx]) idx = i;
      }
      t.w[0] = s.w[idx];
      t.w[1] = static_cast<uint16_t>(idx);
      break;
    }
    case kBlendps:
      for (int i = 0; i < 4; i++) t.d[i] = (imm >> i) & 1 ? s.d[i] : a.d[i];
      break;
    case kBlendpd:
      for (int i = 0; i < 2; i++) t.q[i] = (imm >> i) & 1 ? s.q[i] : a.q[i];
      break;
    case kPblendw:
      for (int i = 0; i < 8; i++) t.w[i] = (imm >> i) & 1 ? s.w[i] : a.w[i];
      break;
    case kInsertps: {
      // imm bit 8 (ours): the source is a 32-bit memory operand in lane 0.
      uint32_t v = (imm & 0x100) ? s.d[0] : s.d[(imm >> 6) & 3];
      t = a;
      t.d[(imm >> 4) & 3] = v;
      for (int i = 0; i < 4; i++) {
        if ((imm >> i) & 1) t.d[i] = 0;
      }
      break;
    }
    case kMpsadbw: {
      const unsigned so = (imm & 3) * 4, dof = ((imm >> 2) & 1) * 4;
      for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
          int d = a.b[dof + i + j] - s.b[so + j];
          sum += static_cast<unsigned>(d < 0 ? -d : d);
        }
        t.w[i] = static_cast<uint16_t>(sum);
      }
      break;
    }
    default:
      return false;
  }
  r = t;
  return true;
}

// Scalar double arithmetic, the most frequent helper operations of floating point code, on
// the low 8 bytes alone (no dispatch through the other families).
template <unsigned kOp>
void scalar_double(CpuX86 &c, uint8_t *d, const uint8_t *s) {
  double x, y;
  std::memcpy(&x, d, 8);
  std::memcpy(&y, s, 8);
  {
    MxcsrGuard g(c);
    if constexpr (kOp == kAddsd) {
      asm volatile("addsd %1, %0" : "+x"(x) : "x"(y));
    } else if constexpr (kOp == kSubsd) {
      asm volatile("subsd %1, %0" : "+x"(x) : "x"(y));
    } else if constexpr (kOp == kMulsd) {
      asm volatile("mulsd %1, %0" : "+x"(x) : "x"(y));
    } else {
      asm volatile("divsd %1, %0" : "+x"(x) : "x"(y));
    }
  }
  std::memcpy(d, &x, 8);
}

// addsd/subsd/mulsd/divsd as kinds 0-3 (kHelperSseSd's numbering); -1 for other operations.
int sd_kind(unsigned op) {
  switch (op) {
    case kAddsd:
      return 0;
    case kSubsd:
      return 1;
    case kMulsd:
      return 2;
    case kDivsd:
      return 3;
    default:
      return -1;
  }
}

// d's low double op= s's (kind as sd_kind).
void scalar_double_kind(CpuX86 &c, unsigned kind, uint8_t *d, const uint8_t *s) {
  switch (kind) {
    case 0:
      return scalar_double<kAddsd>(c, d, s);
    case 1:
      return scalar_double<kSubsd>(c, d, s);
    case 2:
      return scalar_double<kMulsd>(c, d, s);
    default:
      return scalar_double<kDivsd>(c, d, s);
  }
}

// Everything but the moves and maskmov, on a register value.
U sse_exec(CpuX86 &c, unsigned o, XmmReg &r, const XmmReg &s, unsigned i) {
  U ret = 0;
  if (o >= kAddsubps) {
    ext_op(c, o, r, s, i, &ret);
  } else if (!int_op(o, r, s, i)) {
    float_op(c, o, r, s, i);
  }
  return ret;
}

// A floating point operation (sse_op_fp) on n lanes (r[k] op= s[k]) while the guest unmasks an
// exception: computed aside, then either #XM with nothing written or the results written.
void sse_checked(CpuX86 &c, unsigned op, XmmReg *const r[], const XmmReg s[], unsigned imm,
                 unsigned n) {
  XmmReg t[2];
  {
    SseExceptionScope x(c);
    for (unsigned k = 0; k < n; k++) {
      t[k] = *r[k];
      sse_exec(c, op, t[k], s[k], imm);
    }
    const uint32_t raised = x.raised();
    uint32_t post = 0;
    for (unsigned k = 0; k < n; k++) post |= sse_post_flags(c.mxcsr, op, *r[k], s[k], raised);
    x.finish(post);
  }
  for (unsigned k = 0; k < n; k++) *r[k] = t[k];
}

U h_sse_sd(U env, U kind, U doff, U soff) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<uint8_t *>(env);
  if (mxcsr_unmasked(c)) [[unlikely]] {
    static constexpr unsigned kOps[4] = {kAddsd, kSubsd, kMulsd, kDivsd};
    XmmReg *r = reinterpret_cast<XmmReg *>(base + doff), s;
    std::memcpy(&s, base + soff, sizeof s);
    sse_checked(c, kOps[kind & 3], &r, &s, 0, 1);
    return 0;
  }
  scalar_double_kind(c, static_cast<unsigned>(kind), base + doff, base + soff);
  return 0;
}

U h_sse(U env, U op, U doff, U soff, U imm) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<uint8_t *>(env);
  if (mxcsr_unmasked(c) && sse_op_fp(static_cast<unsigned>(op))) [[unlikely]] {
    XmmReg *r = reinterpret_cast<XmmReg *>(base + doff), s;
    std::memcpy(&s, base + soff, sizeof s);
    sse_checked(c, static_cast<unsigned>(op), &r, &s, static_cast<unsigned>(imm), 1);
    return 0;
  }
  if (const int kind = sd_kind(static_cast<unsigned>(op)); kind >= 0) {
    scalar_double_kind(c, static_cast<unsigned>(kind), base + doff, base + soff);
    return 0;
  }
  XmmReg &r = *reinterpret_cast<XmmReg *>(base + doff);
  XmmReg s;
  std::memcpy(&s, base + soff, sizeof s);
  const unsigned o = static_cast<unsigned>(op), i = static_cast<unsigned>(imm);
  switch (o) {
    case kMovss:
      r.d[0] = s.d[0];
      return 0;
    case kMovsd:
    case kMovlps:
      r.q[0] = s.q[0];
      return 0;
    case kMovhps:
    case kMovlhps:
      r.q[1] = s.q[0];
      return 0;
    case kMovhlps:
      r.q[0] = s.q[1];
      return 0;
    case kMovq:
      r.q[0] = s.q[0];
      r.q[1] = 0;
      return 0;
    case kMaskmov:
      for (int k = 0; k < 16; k++) {
        if (s.b[k] & 0x80) r.b[k] = c.xmm[imm & 15].b[k];
      }
      return 0;
    default:
      break;
  }
  return sse_exec(c, o, r, s, i);
}

// VEX forms of the floating point operations (kHelperSseVex).
U h_sse_vex(U env, U ctl, U dreg, U areg, U s0, U s1) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<uint8_t *>(env);
  const unsigned op = ctl & 0xffff, imm = (ctl >> 16) & 0xff, n = (ctl >> 24) & 1 ? 2 : 1;
  const bool narrow = (ctl >> 25) & 1;
  const unsigned d = dreg & 15;
  if (const int kind = sd_kind(op); kind >= 0 && !mxcsr_unmasked(c)) {
    // vaddsd/vsubsd/vmulsd/vdivsd: the source's 8 bytes only (a memory operand was stored
    // there as 8), then in place.
    uint8_t y[8];
    std::memcpy(y, base + s0, 8);
    if ((areg & 15) != d) c.xmm[d] = c.xmm[areg & 15];
    scalar_double_kind(c, static_cast<unsigned>(kind), c.xmm[d].b, y);
    c.ymmh[d] = XmmReg{};
    return 0;
  }
  XmmReg t[2], s[2];
  for (unsigned k = 0; k < n; k++) {
    t[k] = k ? c.ymmh[areg & 15] : c.xmm[areg & 15];
    std::memcpy(&s[k], base + (k ? s1 : s0), 16);
  }
  if (mxcsr_unmasked(c)) [[unlikely]] {
    XmmReg *r[2] = {&t[0], &t[1]};
    sse_checked(c, op, r, s, imm, n);
  } else {
    for (unsigned k = 0; k < n; k++) sse_exec(c, op, t[k], s[k], imm);
  }
  if (narrow && n == 2) {
    t[0].q[1] = t[1].q[0];
    t[1] = XmmReg{};
  }
  c.xmm[d] = t[0];
  c.ymmh[d] = n == 2 && !narrow ? t[1] : XmmReg{};
  return 0;
}

// MMX operations: the 64-bit operands in the low halves of xmm-sized values; the lane-wise
// operations' low halves are the MMX results, the others are rearranged first.
U h_mmx(U env, U op, U doff, U soff, U imm) {
  auto *base = reinterpret_cast<uint8_t *>(env);
  XmmReg a{}, s{};
  std::memcpy(&a.q[0], base + doff, 8);
  std::memcpy(&s.q[0], base + soff, 8);
  unsigned o = static_cast<unsigned>(op);
  switch (o) {
    case kPunpckhbw:
    case kPunpckhwd:
    case kPunpckhdq:
      a.q[0] >>= 32;
      s.q[0] >>= 32;
      o = o == kPunpckhbw ? kPunpcklbw : o == kPunpckhwd ? kPunpcklwd : kPunpckldq;
      break;
    case kPacksswb:
    case kPackssdw:
    case kPackuswb:
      a.q[1] = s.q[0];
      s = a;
      break;
    case kPshufw:
      o = kPshuflw;
      break;
    case kPhaddw:
    case kPhaddd:
    case kPhaddsw:
    case kPhsubw:
    case kPhsubd:
    case kPhsubsw:
      a.q[1] = s.q[0];  // the 128-bit form's low half: pairs of a, then of s
      break;
    case kPshufb:
      for (int i = 0; i < 8; i++) s.b[i] &= 0x87;  // indices within 8 bytes
      break;
    case kPalignr: {
      uint8_t cat[16];
      std::memcpy(cat, &s.q[0], 8);
      std::memcpy(cat + 8, &a.q[0], 8);
      uint64_t v = 0;
      for (unsigned i = 0; i < 8; i++) {
        uint64_t byte = i + imm < 16 ? cat[i + imm] : 0;
        v |= byte << (8 * i);
      }
      std::memcpy(base + doff, &v, 8);
      return 0;
    }
    default:
      break;
  }
  if (o >= kAddsubps) {
    U ret = 0;
    ext_op(cpu_of(env), o, a, s, static_cast<unsigned>(imm), &ret);
  } else {
    int_op(o, a, s, static_cast<unsigned>(imm));
  }
  std::memcpy(base + doff, &a.q[0], 8);
  return 0;
}

U sse_compare(CpuX86 &c, U kind, const XmmReg &a, const XmmReg &b) {
  MxcsrGuard g(c);
  bool zf, pf, cf;
  const __m128 x = F(a), y = F(b);
  switch (kind & 3) {
    case 0:
      asm("ucomiss %[y], %[x]" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : [x] "x"(x), [y] "x"(y));
      break;
    case 1:
      asm("ucomisd %[y], %[x]" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : [x] "x"(x), [y] "x"(y));
      break;
    case 2:
      asm("comiss %[y], %[x]" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : [x] "x"(x), [y] "x"(y));
      break;
    default:
      asm("comisd %[y], %[x]" : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf) : [x] "x"(x), [y] "x"(y));
      break;
  }
  return (zf ? kZF : 0) | (pf ? kPF : 0) | (cf ? kCF : 0);
}

U h_sse_compare(U env, U kind, U aoff, U boff) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<const uint8_t *>(env);
  XmmReg a, b;
  std::memcpy(&a, base + aoff, 16);
  std::memcpy(&b, base + boff, 16);
  if (mxcsr_unmasked(c)) [[unlikely]] {
    SseExceptionScope x(c);
    const U f = sse_compare(c, kind, a, b);
    x.finish();
    return f;
  }
  return sse_compare(c, kind, a, b);
}

void cvt_i2f(CpuX86 &c, U kind, U value, XmmReg &t) {
  MxcsrGuard g(c);
  switch (kind) {
    case 0:
      put(t, _mm_cvtsi32_ss(F(t), static_cast<int>(value)));
      break;
    case 1:
      put(t, _mm_cvtsi64_ss(F(t), static_cast<long long>(value)));
      break;
    case 2:
      put(t, _mm_cvtsi32_sd(D(t), static_cast<int>(value)));
      break;
    default:
      put(t, _mm_cvtsi64_sd(D(t), static_cast<long long>(value)));
      break;
  }
}

U h_cvt_i2f(U env, U kind, U value, U doff, U aoff) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<uint8_t *>(env);
  XmmReg t;
  std::memcpy(&t, base + aoff, 16);
  if (mxcsr_unmasked(c)) [[unlikely]] {
    SseExceptionScope x(c);
    cvt_i2f(c, kind, value, t);
    x.finish();
  } else {
    cvt_i2f(c, kind, value, t);
  }
  std::memcpy(base + doff, &t, 16);
  return 0;
}

U cvt_f2i(CpuX86 &c, U kind, const XmmReg &s) {
  MxcsrGuard g(c);
  const bool dbl = kind & 1, q = kind & 2, trunc = kind & 4;
  if (dbl) {
    __m128d v = D(s);
    if (q) return static_cast<U>(trunc ? _mm_cvttsd_si64(v) : _mm_cvtsd_si64(v));
    return static_cast<uint32_t>(trunc ? _mm_cvttsd_si32(v) : _mm_cvtsd_si32(v));
  }
  __m128 v = F(s);
  if (q) return static_cast<U>(trunc ? _mm_cvttss_si64(v) : _mm_cvtss_si64(v));
  return static_cast<uint32_t>(trunc ? _mm_cvttss_si32(v) : _mm_cvtss_si32(v));
}

U h_cvt_f2i(U env, U kind, U soff) {
  CpuX86 &c = cpu_of(env);
  XmmReg s;
  std::memcpy(&s, reinterpret_cast<const uint8_t *>(env) + soff, 16);
  if (mxcsr_unmasked(c)) [[unlikely]] {
    SseExceptionScope x(c);
    const U r = cvt_f2i(c, kind, s);
    x.finish();
    return r;
  }
  return cvt_f2i(c, kind, s);
}

U h_movmsk(U env, U soff, U kind) {
  XmmReg s;
  std::memcpy(&s, reinterpret_cast<const uint8_t *>(env) + soff, 16);
  if (kind == 0) return static_cast<uint32_t>(_mm_movemask_epi8(I(s)));
  if (kind == 1) return static_cast<uint32_t>(_mm_movemask_ps(F(s)));
  return static_cast<uint32_t>(_mm_movemask_pd(D(s)));
}

U h_ldmxcsr(U env, U value) {
  if (value & ~0xffffull) return 1;
  cpu_of(env).mxcsr = static_cast<uint32_t>(value);
  return 0;
}

template <typename Fn>
jit::HelperInfo::GenericFn fn(Fn *f) {
  return reinterpret_cast<jit::HelperInfo::GenericFn>(f);
}

}  // namespace

// The helpers that may raise #XM read the globals: they are in memory at the call, as the
// exception needs them.
const jit::HelperInfo kHelperSse = {"sse", fn(&h_sse), 5, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperSseFp = {"sse_fp", fn(&h_sse), 5, true, jit::kHelperReadsGlobals};
const jit::HelperInfo kHelperSseVex = {"sse_vex", fn(&h_sse_vex), 6, false,
                                       jit::kHelperReadsGlobals};
const jit::HelperInfo kHelperSseSd = {"sse_sd", fn(&h_sse_sd), 4, false, jit::kHelperReadsGlobals};
const jit::HelperInfo kHelperMmx = {"mmx", fn(&h_mmx), 5, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperSseCompare = {"sse_compare", fn(&h_sse_compare), 4, true,
                                           jit::kHelperReadsGlobals};
const jit::HelperInfo kHelperCvtI2F = {"cvt_i2f", fn(&h_cvt_i2f), 5, true,
                                       jit::kHelperReadsGlobals};
const jit::HelperInfo kHelperCvtF2I = {"cvt_f2i", fn(&h_cvt_f2i), 3, true,
                                       jit::kHelperReadsGlobals};
const jit::HelperInfo kHelperMovmsk = {"movmsk", fn(&h_movmsk), 3, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperLdmxcsr = {"ldmxcsr", fn(&h_ldmxcsr), 2, true, jit::kHelperNoGlobals};

}  // namespace qemu::x86

// SSE4.2 string comparisons (pcmpestri/pcmpestrm/pcmpistri/pcmpistrm).
namespace qemu::x86 {

namespace {

struct StrData {
  int64_t e[16];
  unsigned n;    // 16 bytes or 8 words
  unsigned len;  // valid elements
};

StrData str_data(const XmmReg &x, unsigned imm, bool explicit_len, int64_t reg_len) {
  StrData d{};
  const bool words = imm & 1, sign = imm & 2;
  d.n = words ? 8 : 16;
  for (unsigned i = 0; i < d.n; i++) {
    d.e[i] = words ? (sign ? static_cast<int16_t>(x.w[i]) : x.w[i])
                   : (sign ? static_cast<int8_t>(x.b[i]) : x.b[i]);
  }
  if (explicit_len) {
    int64_t l = reg_len < 0 ? -reg_len : reg_len;
    d.len = l > static_cast<int64_t>(d.n) ? d.n : static_cast<unsigned>(l);
  } else {
    d.len = d.n;
    for (unsigned i = 0; i < d.n; i++) {
      if (d.e[i] == 0) {
        d.len = i;
        break;
      }
    }
  }
  return d;
}

// ctl: imm | explicit << 8 | mask << 9 | rex.w << 10. Returns the flags | index << 32.
uint64_t h_pcmpstr(uint64_t env, uint64_t ctl, uint64_t aoff, uint64_t boff, uint64_t ra,
                   uint64_t rd) {
  CpuX86 &c = *reinterpret_cast<CpuX86 *>(env);
  const unsigned imm = ctl & 0xff;
  const bool expl = ctl & 0x100, mask = ctl & 0x200, w = ctl & 0x400;
  XmmReg xa, xb;
  std::memcpy(&xa, reinterpret_cast<uint8_t *>(env) + aoff, 16);
  std::memcpy(&xb, reinterpret_cast<uint8_t *>(env) + boff, 16);
  const int64_t la = w ? static_cast<int64_t>(ra) : static_cast<int32_t>(ra);
  const int64_t lb = w ? static_cast<int64_t>(rd) : static_cast<int32_t>(rd);
  const StrData a = str_data(xa, imm, expl, la), b = str_data(xb, imm, expl, lb);
  const unsigned n = a.n, agg = (imm >> 2) & 3;
  unsigned res = 0;
  for (unsigned i = 0; i < n; i++) {
    bool bit = false;
    switch (agg) {
      case 0:  // equal any
        if (i < b.len) {
          for (unsigned j = 0; j < a.len && !bit; j++) bit = a.e[j] == b.e[i];
        }
        break;
      case 1:  // ranges
        if (i < b.len) {
          for (unsigned j = 0; j + 1 < a.len + 1 && j + 1 <= n - 1 && !bit; j += 2) {
            if (j + 1 >= a.len) break;
            bit = a.e[j] <= b.e[i] && b.e[i] <= a.e[j + 1];
          }
        }
        break;
      case 2: {  // equal each
        const bool va = i < a.len, vb = i < b.len;
        bit = va && vb ? a.e[i] == b.e[i] : !va && !vb;
        break;
      }
      default:  // equal ordered
        bit = true;
        for (unsigned k = 0; i + k < n + 0 && k < n - i && bit; k++) {
          if (k >= a.len) break;
          if (i + k >= b.len) {
            bit = false;
            break;
          }
          bit = a.e[k] == b.e[i + k];
        }
        break;
    }
    if (bit) res |= 1u << i;
  }
  const unsigned all = (1u << n) - 1;
  switch ((imm >> 4) & 3) {
    case 1:
      res ^= all;
      break;
    case 3:
      res ^= (1u << b.len) - 1;
      break;
    default:
      break;
  }
  res &= all;
  uint64_t flags =
      (res ? kCF : 0) | (b.len < n ? kZF : 0) | (a.len < n ? kSF : 0) | ((res & 1) ? kOF : 0);
  if (mask) {
    XmmReg m{};
    if (imm & 0x40) {
      for (unsigned i = 0; i < n; i++) {
        if ((res >> i) & 1) {
          if (n == 16) {
            m.b[i] = 0xff;
          } else {
            m.w[i] = 0xffff;
          }
        }
      }
    } else {
      m.q[0] = res;
    }
    c.xmm[0] = m;
    return flags;
  }
  unsigned index = n;
  if (res)
    index = (imm & 0x40) ? 31 - static_cast<unsigned>(__builtin_clz(res))
                         : static_cast<unsigned>(__builtin_ctz(res));
  return flags | uint64_t{index} << 32;
}

}  // namespace

const jit::HelperInfo kHelperPcmpstr = {"pcmpstr",
                                        reinterpret_cast<jit::HelperInfo::GenericFn>(&h_pcmpstr), 6,
                                        true, jit::kHelperNoGlobals};

}  // namespace qemu::x86
