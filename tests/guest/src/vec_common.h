/* Helpers shared by the SSE extension programs. */
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

static __m128i vi(int i) {
  uint64_t b[2] = {0x0123456789abcdefull * (uint64_t)(i + 1) ^ 0x8000800080008000ull,
                   0xfedcba9876543210ull + 0x1111111111111111ull * (uint64_t)i};
  if (i % 4 == 3) b[1] = 0x7f7f80800000ffffull;
  __m128i v;
  memcpy(&v, b, 16);
  return v;
}
static __m128 vf(int i) {
  static const float f[] = {1.5f, -2.25f, 0.0f,  -0.0f,  1e30f,      -3.7e-39f,
                            2.5f, 3.5f,   -0.5f, 1e-10f, 123456.78f, -7.49999f};
  return _mm_setr_ps(f[i % 12], f[(i + 5) % 12], f[(i + 7) % 12], f[(i + 2) % 12]);
}
static __m128d vd(int i) {
  static const double d[] = {
      1.5,   -2.5,      0.0, -0.0, 1e300, 4.9e-324, 2.5000000001, -3.5, 0.49999999999999994,
      1e-10, 123456.78, -7.5};
  return _mm_setr_pd(d[i % 12], d[(i + 5) % 12]);
}
