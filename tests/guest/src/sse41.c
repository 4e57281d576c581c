/* guest-test: variants=static,pie cflags=-msse4.1 requires=sse4_1
 * SSE4.1: blends, dpps/dppd, extract/insert, pmovsx/zx, pmin/pmax, pmulld, pmuldq, packusdw,
 * pcmpeqq, ptest, round* in every mode, minpos, mpsadbw. */
#include "vec_common.h"
#include <smmintrin.h>

int main(void) {
    for (int i = 0; i < 12; i++) {
        __m128i a = vi(i), b = vi(i * 5 + 2);
        __m128 f = vf(i), g = vf(i + 4);
        __m128d d = vd(i), e = vd(i + 3);
        p128("pblendw", _mm_blend_epi16(a, b, 0xa5)); p128("pblendvb", _mm_blendv_epi8(a, b, vi(i + 1)));
        PS("blendps", _mm_blend_ps(f, g, 5)); PS("blendvps", _mm_blendv_ps(f, g, _mm_castsi128_ps(b)));
        PD("blendpd", _mm_blend_pd(d, e, 2)); PD("blendvpd", _mm_blendv_pd(d, e, _mm_castsi128_pd(a)));
        PS("dpps", _mm_dp_ps(f, g, 0xf1)); PS("dpps2", _mm_dp_ps(f, g, 0x5e));
        PD("dppd", _mm_dp_pd(d, e, 0x31));
        printf("pextrb %d pextrd %d pextrq %llx extractps %x\n", _mm_extract_epi8(a, 13),
               _mm_extract_epi32(a, 2), (long long)_mm_extract_epi64(b, 1), _mm_extract_ps(f, 3));
        p128("pinsrb", _mm_insert_epi8(a, 0x99, 9)); p128("pinsrd", _mm_insert_epi32(a, 0x12345, 3));
        p128("pinsrq", _mm_insert_epi64(a, 0x1234567890ll, 0));
        PS("insertps", _mm_insert_ps(f, g, 0x9a));
        p128("pmovsxbw", _mm_cvtepi8_epi16(a)); p128("pmovzxbd", _mm_cvtepu8_epi32(a));
        p128("pmovsxwq", _mm_cvtepi16_epi64(b)); p128("pmovzxdq", _mm_cvtepu32_epi64(b));
        p128("pminsb", _mm_min_epi8(a, b)); p128("pmaxuw", _mm_max_epu16(a, b));
        p128("pminud", _mm_min_epu32(a, b)); p128("pmaxsd", _mm_max_epi32(a, b));
        p128("pmulld", _mm_mullo_epi32(a, b)); p128("pmuldq", _mm_mul_epi32(a, b));
        p128("packusdw", _mm_packus_epi32(a, b)); p128("pcmpeqq", _mm_cmpeq_epi64(a, _mm_unpacklo_epi64(a, b)));
        printf("ptest z=%d c=%d nzc=%d\n", _mm_testz_si128(a, b), _mm_testc_si128(a, b),
               _mm_testnzc_si128(a, b));
        for (int m = 0; m < 4; m++) {
            PS("roundps", m == 0 ? _mm_round_ps(f, 0) : m == 1 ? _mm_round_ps(f, 1)
                        : m == 2 ? _mm_round_ps(f, 2) : _mm_round_ps(f, 3));
            PD("roundpd", m == 0 ? _mm_round_pd(d, 8) : m == 1 ? _mm_round_pd(d, 9)
                        : m == 2 ? _mm_round_pd(d, 10) : _mm_round_pd(d, 11));
        }
        PS("roundss-mxcsr", _mm_round_ss(f, g, 4)); PD("roundsd", _mm_round_sd(d, e, 1));
        p128("phminposuw", _mm_minpos_epu16(a));
        p128("mpsadbw", _mm_mpsadbw_epu8(a, b, 5));
    }
    return 0;
}
