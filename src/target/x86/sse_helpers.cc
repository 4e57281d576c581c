// The SSE helpers: host SSE2 instructions (through intrinsics) give results identical to the
// hardware; the guest's MXCSR (rounding, DAZ/FTZ) is installed around floating point
// operations and the exception flags raised are merged back into it.
#include <emmintrin.h>

#include <cmath>
#include <cstring>

#include "target/x86/cpu.h"
#include "target/x86/flags.h"
#include "target/x86/sse.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

CpuX86 &cpu_of(U env) {
  return *reinterpret_cast<CpuX86 *>(env);
}

// The guest's MXCSR on the host for the lifetime of the guard, exceptions masked.
class MxcsrGuard {
 public:
  explicit MxcsrGuard(CpuX86 &c) : c_(c), host_(_mm_getcsr()) {
    _mm_setcsr((c.mxcsr & ~0x3fu) | 0x1f80u);
  }
  ~MxcsrGuard() {
    c_.mxcsr |= _mm_getcsr() & 0x3f;
    _mm_setcsr(host_);
  }

 private:
  CpuX86 &c_;
  unsigned host_;
};

__m128i I(const XmmReg &x) {
  return _mm_load_si128(reinterpret_cast<const __m128i *>(&x));
}
__m128 F(const XmmReg &x) {
  return _mm_load_ps(x.f);
}
__m128d D(const XmmReg &x) {
  return _mm_load_pd(x.df);
}
void put(XmmReg &x, __m128i v) {
  _mm_store_si128(reinterpret_cast<__m128i *>(&x), v);
}
void put(XmmReg &x, __m128 v) {
  _mm_store_ps(x.f, v);
}
void put(XmmReg &x, __m128d v) {
  _mm_store_pd(x.df, v);
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
      put(r, _mm_add_ps(a, b));
      break;
    case kAddpd:
      put(r, _mm_add_pd(ad, bd));
      break;
    case kAddss:
      put(r, _mm_add_ss(a, b));
      break;
    case kAddsd:
      put(r, _mm_add_sd(ad, bd));
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
      put(r, _mm_mul_ps(a, b));
      break;
    case kMulpd:
      put(r, _mm_mul_pd(ad, bd));
      break;
    case kMulss:
      put(r, _mm_mul_ss(a, b));
      break;
    case kMulsd:
      put(r, _mm_mul_sd(ad, bd));
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
    case kCvttpd2dq:
      put(r, _mm_cvttpd_epi32(bd));
      break;
    default:
      break;
  }
}

U h_sse(U env, U op, U doff, U soff, U imm) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<uint8_t *>(env);
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
    default:
      break;
  }
  if (!int_op(o, r, s, i)) float_op(c, o, r, s, i);
  return 0;
}

U h_sse_compare(U env, U kind, U aoff, U boff) {
  CpuX86 &c = cpu_of(env);
  auto *base = reinterpret_cast<const uint8_t *>(env);
  XmmReg a, b;
  std::memcpy(&a, base + aoff, 16);
  std::memcpy(&b, base + boff, 16);
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

U h_cvt_i2f(U env, U kind, U value, U doff) {
  CpuX86 &c = cpu_of(env);
  MxcsrGuard g(c);
  XmmReg &t = *reinterpret_cast<XmmReg *>(reinterpret_cast<uint8_t *>(env) + doff);
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
  return 0;
}

U h_cvt_f2i(U env, U kind, U soff) {
  CpuX86 &c = cpu_of(env);
  XmmReg s;
  std::memcpy(&s, reinterpret_cast<const uint8_t *>(env) + soff, 16);
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

// The FXSAVE area (64-bit format): x87 state, MXCSR, x87 registers, xmm0-15.
U h_fxsave(U env, U host) {
  CpuX86 &c = cpu_of(env);
  auto *p = reinterpret_cast<uint8_t *>(host);
  uint16_t fsw = static_cast<uint16_t>((c.fpus & ~0x3800u) | (c.fpstt & 7) << 11);
  uint8_t ftw = 0;
  for (int i = 0; i < 8; i++) {
    if (!c.fptags[i]) ftw |= static_cast<uint8_t>(1u << i);
  }
  std::memset(p, 0, 32);
  std::memcpy(p, &c.fpuc, 2);
  std::memcpy(p + 2, &fsw, 2);
  p[4] = ftw;
  std::memcpy(p + 24, &c.mxcsr, 4);
  uint32_t mask = 0xffff;
  std::memcpy(p + 28, &mask, 4);
  for (int i = 0; i < 8; i++) {
    const auto &r = c.fpregs[(c.fpstt + i) & 7];
    std::memset(p + 32 + 16 * i, 0, 16);
    std::memcpy(p + 32 + 16 * i, &r.mant, 8);
    std::memcpy(p + 40 + 16 * i, &r.exp, 2);
  }
  std::memcpy(p + 160, c.xmm, 256);
  return 0;
}

U h_fxrstor(U env, U host) {
  CpuX86 &c = cpu_of(env);
  const auto *p = reinterpret_cast<const uint8_t *>(host);
  uint16_t fsw;
  std::memcpy(&c.fpuc, p, 2);
  std::memcpy(&fsw, p + 2, 2);
  c.fpstt = (fsw >> 11) & 7;
  c.fpus = fsw & ~0x3800;
  for (int i = 0; i < 8; i++) c.fptags[i] = !((p[4] >> i) & 1);
  uint32_t mx;
  std::memcpy(&mx, p + 24, 4);
  c.mxcsr = mx & 0xffff;
  for (int i = 0; i < 8; i++) {
    auto &r = c.fpregs[(c.fpstt + i) & 7];
    std::memcpy(&r.mant, p + 32 + 16 * i, 8);
    std::memcpy(&r.exp, p + 40 + 16 * i, 2);
  }
  std::memcpy(c.xmm, p + 160, 256);
  return 0;
}

template <typename Fn>
jit::HelperInfo::GenericFn fn(Fn *f) {
  return reinterpret_cast<jit::HelperInfo::GenericFn>(f);
}

}  // namespace

const jit::HelperInfo kHelperSse = {"sse", fn(&h_sse), 5, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperSseCompare = {"sse_compare", fn(&h_sse_compare), 4, true,
                                           jit::kHelperNoGlobals};
const jit::HelperInfo kHelperCvtI2F = {"cvt_i2f", fn(&h_cvt_i2f), 4, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperCvtF2I = {"cvt_f2i", fn(&h_cvt_f2i), 3, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperMovmsk = {"movmsk", fn(&h_movmsk), 3, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperLdmxcsr = {"ldmxcsr", fn(&h_ldmxcsr), 2, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperFxsave = {"fxsave", fn(&h_fxsave), 2, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperFxrstor = {"fxrstor", fn(&h_fxrstor), 2, true, jit::kHelperNoGlobals};

}  // namespace qemu::x86
