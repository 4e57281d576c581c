/* guest-test: variants=static,pie cflags=-mavx2 -mfma requires=avx,avx2,fma
 * AVX, AVX2 and FMA through intrinsics: 256-bit float and integer arithmetic, the upper halves
 * (vzeroupper, 128-bit VEX ops zeroing them), permutes, gathers, masked loads/stores,
 * broadcasts, variable shifts, fused multiply-add (single rounding). */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void p256(const char *what, __m256i v) {
    uint64_t q[4];
    memcpy(q, &v, 32);
    printf("%s %016llx%016llx%016llx%016llx\n", what, (unsigned long long)q[3],
           (unsigned long long)q[2], (unsigned long long)q[1], (unsigned long long)q[0]);
}
#define PS(w, v) p256(w, _mm256_castps_si256(v))
#define PD(w, v) p256(w, _mm256_castpd_si256(v))

int main(void) {
    float fa[8], fb[8];
    double da[4], db[4];
    int32_t ia[8], ib[8];
    for (int i = 0; i < 8; i++) {
        fa[i] = (float)(i * 1.25 - 3), fb[i] = (float)(7.5 / (i + 1));
        ia[i] = i * 0x01020304 - 5, ib[i] = (i * 37) % 11 - 3;
    }
    for (int i = 0; i < 4; i++) da[i] = i * 0.1 + 1e-3, db[i] = 1.0 / (i + 3);
    __m256 a = _mm256_loadu_ps(fa), b = _mm256_loadu_ps(fb);
    __m256d c = _mm256_loadu_pd(da), d = _mm256_loadu_pd(db);
    __m256i x = _mm256_loadu_si256((const __m256i *)ia), y = _mm256_loadu_si256((const __m256i *)ib);
    PS("addps", _mm256_add_ps(a, b)); PS("mulps", _mm256_mul_ps(a, b)); PS("divps", _mm256_div_ps(a, b));
    PS("sqrtps", _mm256_sqrt_ps(b)); PS("maxps", _mm256_max_ps(a, b)); PS("hadd", _mm256_hadd_ps(a, b));
    PS("cmplt", _mm256_cmp_ps(a, b, _CMP_LT_OQ)); PS("blendv", _mm256_blendv_ps(a, b, a));
    PS("round", _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    PS("permute2f128", _mm256_permute2f128_ps(a, b, 0x21)); PS("shuffle", _mm256_shuffle_ps(a, b, 0x1b));
    PD("addpd", _mm256_add_pd(c, d)); PD("fmadd", _mm256_fmadd_pd(c, d, c)); PD("fmsub", _mm256_fmsub_pd(c, c, d));
    PS("fnmadd", _mm256_fnmadd_ps(a, b, b));
    double e = 0.1, f = 10.0, g = -1.0;
    __m128d fm = _mm_fmadd_sd(_mm_set_sd(e), _mm_set_sd(f), _mm_set_sd(g));
    printf("fma single rounding: %a (separate: %a)\n", _mm_cvtsd_f64(fm), e * f + g);
    p256("paddd", _mm256_add_epi32(x, y)); p256("pmulld", _mm256_mullo_epi32(x, y));
    p256("psllvd", _mm256_sllv_epi32(x, _mm256_and_si256(y, _mm256_set1_epi32(31))));
    p256("psravd", _mm256_srav_epi32(x, _mm256_set1_epi32(3)));
    p256("permutevar8x32", _mm256_permutevar8x32_epi32(x, _mm256_set_epi32(0, 2, 4, 6, 1, 3, 5, 7)));
    p256("permute4x64", _mm256_permute4x64_epi64(x, 0x4e)); p256("shufb", _mm256_shuffle_epi8(x, y));
    p256("pcmpgtd", _mm256_cmpgt_epi32(x, y)); p256("packs", _mm256_packs_epi32(x, y));
    p256("unpacklo", _mm256_unpacklo_epi8(x, y)); p256("sad", _mm256_sad_epu8(x, y));
    p256("broadcast", _mm256_broadcastd_epi32(_mm256_castsi256_si128(y)));
    printf("movemask %x testz %d\n", _mm256_movemask_epi8(x), _mm256_testz_si256(x, y));
    int32_t table[64];
    for (int i = 0; i < 64; i++) table[i] = i * i;
    p256("gather", _mm256_i32gather_epi32(table, _mm256_set_epi32(63, 1, 17, 5, 0, 33, 8, 2), 4));
    int32_t out[8] = {0};
    _mm256_maskstore_epi32(out, _mm256_set_epi32(-1, 0, -1, 0, -1, -1, 0, 0), x);
    p256("maskstore", _mm256_loadu_si256((const __m256i *)out));
    p256("maskload", _mm256_maskload_epi32(ia, _mm256_set_epi32(0, -1, 0, -1, 0, 0, -1, -1)));
    /* a 128-bit VEX op zeroes the upper half of the ymm register */
    __m256i up;
    __asm__("vpcmpeqd %%ymm1, %%ymm1, %%ymm1\n\tvpaddd %%xmm1, %%xmm1, %%xmm1\n\tvmovdqu %%ymm1, %0\n\tvzeroupper"
            : "=m"(up) : : "xmm1");
    p256("vex128 zeroes upper", up);
    return 0;
}
