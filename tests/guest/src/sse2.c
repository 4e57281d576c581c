/* guest-test: variants=static,pie cflags=-msse2
 * SSE and SSE2 through intrinsics: packed and scalar float/double arithmetic on special values
 * (NaNs, infinities, denormals, signed zeros), comparisons, conversions incl. out-of-range
 * truncations, MXCSR rounding modes, and the integer instructions (add/sub saturating, mul,
 * shifts, compares, pack/unpack, shuffles, movemask, sad). */
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void p128(const char *what, __m128i v) {
    uint64_t q[2];
    memcpy(q, &v, 16);
    printf("%s %016llx%016llx\n", what, (unsigned long long)q[1], (unsigned long long)q[0]);
}
#define PS(what, v) p128(what, _mm_castps_si128(v))
#define PD(what, v) p128(what, _mm_castpd_si128(v))

#ifdef WITH_NANS /* NaN operands: propagation and quieting rules */
#define FNAN1 0x7fc00000
#define FNAN2 0xffc00001
#define FNAN3 0x7f800001
#define DNAN1 0x7ff8000000000000ull
#define DNAN2 0xfff8000000000123ull
#define DNAN3 0x7ff0000000000001ull
#else
#define FNAN1 0x40490fdb
#define FNAN2 0xc2f60000
#define FNAN3 0x00800000
#define DNAN1 0x400921fb54442d18ull
#define DNAN2 0xc05ec00000000000ull
#define DNAN3 0x0010000000000000ull
#endif
static const uint32_t fbits[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000,
                                 0xff800000, FNAN1, FNAN2, FNAN3, 0x00000001,
                                 0x807fffff, 0x7f7fffff, 0x4b000001, 0xcf000000, 0x4f000000,
                                 0x3eaaaaab};
static const uint64_t dbits[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull,
                                 0xbff0000000000000ull, 0x7ff0000000000000ull,
                                 0xfff0000000000000ull, DNAN1, DNAN2, DNAN3, 1,
                                 0x800fffffffffffffull, 0x7fefffffffffffffull,
                                 0x43e0000000000000ull, 0xc3e0000000000000ull,
                                 0x41dfffffffc00000ull, 0x3fd5555555555555ull};
#define NF 16

static __m128 vf(int i) {
    uint32_t b[4] = {fbits[i % NF], fbits[(i + 3) % NF], fbits[(i + 7) % NF],
                     fbits[(i + 11) % NF]};
    __m128 v;
    memcpy(&v, b, 16);
    return v;
}
static __m128d vd(int i) {
    uint64_t b[2] = {dbits[i % NF], dbits[(i + 5) % NF]};
    __m128d v;
    memcpy(&v, b, 16);
    return v;
}
static __m128i vi(int i) {
    uint64_t b[2] = {0x0123456789abcdefull * (uint64_t)(i + 1) ^ 0x8000800080008000ull,
                     0xfedcba9876543210ull + 0x1111111111111111ull * (uint64_t)i};
    __m128i v;
    memcpy(&v, b, 16);
    return v;
}

static void floats(void) {
    static const unsigned modes[] = {_MM_ROUND_NEAREST, _MM_ROUND_DOWN, _MM_ROUND_UP,
                                     _MM_ROUND_TOWARD_ZERO};
    unsigned saved = _mm_getcsr();
    for (int m = 0; m < 4; m++) {
        _mm_setcsr((saved & ~0x6000u) | modes[m]);
        printf("rounding mode %d\n", m);
        for (int i = 0; i < NF; i++)
            for (int j = 0; j < NF; j += 3) {
                __m128 a = vf(i), b = vf(j);
                __m128d c = vd(i), d = vd(j);
                PS("addps", _mm_add_ps(a, b)); PS("subps", _mm_sub_ps(a, b));
                PS("mulps", _mm_mul_ps(a, b)); PS("divps", _mm_div_ps(a, b));
                PS("minps", _mm_min_ps(a, b)); PS("maxps", _mm_max_ps(a, b));
                PS("addss", _mm_add_ss(a, b));
                PD("addpd", _mm_add_pd(c, d)); PD("subpd", _mm_sub_pd(c, d));
                PD("mulpd", _mm_mul_pd(c, d)); PD("divpd", _mm_div_pd(c, d));
                PD("minsd", _mm_min_sd(c, d)); PD("maxpd", _mm_max_pd(c, d));
                if (m == 0) {
                    PS("cmpltps", _mm_cmplt_ps(a, b)); PS("cmpunordps", _mm_cmpunord_ps(a, b));
                    PS("cmpneqps", _mm_cmpneq_ps(a, b)); PD("cmplepd", _mm_cmple_pd(c, d));
                    PD("cmpnltpd", _mm_cmpnlt_pd(c, d));
                    printf("comiss %d %d %d ucomisd %d %d\n", _mm_comieq_ss(a, b),
                           _mm_comilt_ss(a, b), _mm_comigt_ss(a, b), _mm_ucomieq_sd(c, d),
                           _mm_ucomilt_sd(c, d));
                }
            }
        for (int i = 0; i < NF; i++) {
            __m128 a = vf(i);
            __m128d c = vd(i);
            PS("sqrtps", _mm_sqrt_ps(a)); PD("sqrtpd", _mm_sqrt_pd(c));
            p128("cvtps2dq", _mm_cvtps_epi32(a)); p128("cvttps2dq", _mm_cvttps_epi32(a));
            p128("cvtpd2dq", _mm_cvtpd_epi32(c)); p128("cvttpd2dq", _mm_cvttpd_epi32(c));
            PS("cvtpd2ps", _mm_cvtpd_ps(c)); PD("cvtps2pd", _mm_cvtps_pd(a));
            PS("cvtdq2ps", _mm_cvtepi32_ps(vi(i))); PD("cvtdq2pd", _mm_cvtepi32_pd(vi(i)));
            printf("cvtsd2si %lld cvttsd2si %lld cvtss2si %d\n",
                   (long long)_mm_cvtsd_si64(c), (long long)_mm_cvttsd_si64(c),
                   _mm_cvtss_si32(a));
            PD("cvtsi2sd", _mm_cvtsi64_sd(c, (long long)0x7fffffffffffffffll - i * 977));
            PS("cvtsi2ss", _mm_cvtsi64_ss(a, (long long)0x0123456789abcdefll * i));
        }
#ifdef WITH_NANS
        printf("mxcsr flags %02x\n", _mm_getcsr() & 0x3f);
#else /* the denormal-operand flag (DE) is checked by sse_nan */
        printf("mxcsr flags %02x\n", _mm_getcsr() & 0x3d);
#endif
        _mm_setcsr(saved);
    }
    /* flush-to-zero and denormals-are-zero */
    _mm_setcsr(saved | 0x8040);
    PS("ftz/daz mulps", _mm_mul_ps(vf(9), vf(2)));
    PS("ftz/daz addps", _mm_add_ps(vf(10), vf(9)));
    _mm_setcsr(saved);
}

static void integers(void) {
    for (int i = 0; i < 12; i++) {
        __m128i a = vi(i), b = vi(i * 5 + 3);
        p128("paddb", _mm_add_epi8(a, b)); p128("paddw", _mm_add_epi16(a, b));
        p128("paddd", _mm_add_epi32(a, b)); p128("paddq", _mm_add_epi64(a, b));
        p128("psubsb", _mm_subs_epi8(a, b)); p128("paddusw", _mm_adds_epu16(a, b));
        p128("psubusb", _mm_subs_epu8(a, b)); p128("paddsw", _mm_adds_epi16(a, b));
        p128("pmullw", _mm_mullo_epi16(a, b)); p128("pmulhw", _mm_mulhi_epi16(a, b));
        p128("pmulhuw", _mm_mulhi_epu16(a, b)); p128("pmuludq", _mm_mul_epu32(a, b));
        p128("pmaddwd", _mm_madd_epi16(a, b)); p128("psadbw", _mm_sad_epu8(a, b));
        p128("pavgb", _mm_avg_epu8(a, b)); p128("pavgw", _mm_avg_epu16(a, b));
        p128("pminub", _mm_min_epu8(a, b)); p128("pmaxsw", _mm_max_epi16(a, b));
        p128("pcmpeqb", _mm_cmpeq_epi8(a, b)); p128("pcmpgtw", _mm_cmpgt_epi16(a, b));
        p128("pcmpgtd", _mm_cmpgt_epi32(a, b));
        p128("pand", _mm_and_si128(a, b)); p128("pandn", _mm_andnot_si128(a, b));
        p128("por", _mm_or_si128(a, b)); p128("pxor", _mm_xor_si128(a, b));
        p128("packsswb", _mm_packs_epi16(a, b)); p128("packssdw", _mm_packs_epi32(a, b));
        p128("packuswb", _mm_packus_epi16(a, b));
        p128("punpcklbw", _mm_unpacklo_epi8(a, b)); p128("punpckhwd", _mm_unpackhi_epi16(a, b));
        p128("punpckldq", _mm_unpacklo_epi32(a, b)); p128("punpckhqdq", _mm_unpackhi_epi64(a, b));
        p128("pshufd", _mm_shuffle_epi32(a, 0x1b)); p128("pshuflw", _mm_shufflelo_epi16(a, 0x72));
        p128("pshufhw", _mm_shufflehi_epi16(a, 0xc9));
        p128("psllw", _mm_slli_epi16(a, i)); p128("psrld", _mm_srli_epi32(a, i * 3));
        p128("psraw", _mm_srai_epi16(a, i * 2)); p128("psrad", _mm_srai_epi32(a, i * 3));
        p128("psllq", _mm_slli_epi64(a, i * 6)); p128("psrlq", _mm_srl_epi64(a, _mm_cvtsi32_si128(i * 7)));
        p128("pslldq", _mm_slli_si128(a, 5)); p128("psrldq", _mm_srli_si128(a, 11));
        p128("psllw-var", _mm_sll_epi16(a, _mm_cvtsi32_si128(i + 10)));
        printf("pmovmskb %x movmskps %x movmskpd %x pextrw %d\n", _mm_movemask_epi8(a),
               _mm_movemask_ps(_mm_castsi128_ps(a)), _mm_movemask_pd(_mm_castsi128_pd(b)),
               _mm_extract_epi16(a, 5));
        p128("pinsrw", _mm_insert_epi16(a, 0xbeef, 6));
        PS("shufps", _mm_shuffle_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), 0x4e));
        PD("shufpd", _mm_shuffle_pd(_mm_castsi128_pd(a), _mm_castsi128_pd(b), 1));
        PS("unpcklps", _mm_unpacklo_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b)));
        PS("movss", _mm_move_ss(_mm_castsi128_ps(a), _mm_castsi128_ps(b)));
        p128("movq", _mm_move_epi64(a));
        printf("movd %x movq %llx\n", _mm_cvtsi128_si32(b), (long long)_mm_cvtsi128_si64(b));
    }
    /* unaligned loads and stores */
    unsigned char buf[64];
    for (int i = 0; i < 64; i++) buf[i] = (unsigned char)(i * 11);
    __m128i u = _mm_loadu_si128((const __m128i *)(buf + 3));
    _mm_storeu_si128((__m128i *)(buf + 37), u);
    p128("loadu", u);
    p128("after storeu", _mm_loadu_si128((const __m128i *)(buf + 33)));
    /* maskmovdqu */
    unsigned char mbuf[16] = {0};
    _mm_maskmoveu_si128(vi(3), vi(4), (char *)mbuf);
    p128("maskmovdqu", _mm_loadu_si128((const __m128i *)mbuf));
    /* maskmovq (MMX): selected bytes written, the others keep memory's value */
    static const unsigned long long masks[] = {0, ~0ull, 0x8000800080008000ull,
                                               0x7f80ff0001fe8081ull, 0x00000000000000ffull};
    for (unsigned i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        unsigned long long q = 0xa5a5a5a5a5a5a5a5ull;
        _mm_maskmove_si64(_mm_cvtsi64_m64(0x1122334455667788ll), _mm_cvtsi64_m64((long long)masks[i]),
                          (char *)&q);
        _mm_empty();
        printf("maskmovq %016llx -> %016llx\n", masks[i], q);
    }
}

int main(void) {
    floats();
    integers();
    return 0;
}
