/* guest-test: variants=static,pie cflags=-mssse3 requires=ssse3
 * SSE3 and SSSE3: pshufb, palignr, phadd/phsub, pabs, psign, pmulhrsw, pmaddubsw, haddps,
 * addsubpd, movddup, lddqu. */
#include "vec_common.h"
#include <tmmintrin.h>

int main(void) {
    for (int i = 0; i < 12; i++) {
        __m128i a = vi(i), b = vi(i * 7 + 1);
        p128("pshufb", _mm_shuffle_epi8(a, b));
        p128("palignr3", _mm_alignr_epi8(a, b, 3)); p128("palignr17", _mm_alignr_epi8(a, b, 17));
        p128("phaddw", _mm_hadd_epi16(a, b)); p128("phaddd", _mm_hadd_epi32(a, b));
        p128("phaddsw", _mm_hadds_epi16(a, b)); p128("phsubw", _mm_hsub_epi16(a, b));
        p128("phsubsw", _mm_hsubs_epi16(a, b)); p128("phsubd", _mm_hsub_epi32(a, b));
        p128("pabsb", _mm_abs_epi8(a)); p128("pabsw", _mm_abs_epi16(a)); p128("pabsd", _mm_abs_epi32(a));
        p128("psignb", _mm_sign_epi8(a, b)); p128("psignw", _mm_sign_epi16(a, b));
        p128("psignd", _mm_sign_epi32(a, b));
        p128("pmulhrsw", _mm_mulhrs_epi16(a, b)); p128("pmaddubsw", _mm_maddubs_epi16(a, b));
        __m128 f = vf(i), g = vf(i + 3);
        __m128d d = vd(i), e = vd(i + 1);
        PS("haddps", _mm_hadd_ps(f, g)); PS("hsubps", _mm_hsub_ps(f, g));
        PD("haddpd", _mm_hadd_pd(d, e)); PD("addsubpd", _mm_addsub_pd(d, e));
        PS("addsubps", _mm_addsub_ps(f, g)); PD("movddup", _mm_movedup_pd(d));
        PS("movshdup", _mm_movehdup_ps(f)); PS("movsldup", _mm_moveldup_ps(f));
    }
    unsigned char buf[48];
    for (int i = 0; i < 48; i++) buf[i] = (unsigned char)(i * 13);
    p128("lddqu", _mm_lddqu_si128((const __m128i *)(buf + 5)));
    return 0;
}
