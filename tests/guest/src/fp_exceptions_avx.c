/* guest-test: variants=static,pie cflags=-msse4.1 -mavx2 -mfma -mf16c -DWITH_AVX ldflags=-lm requires=avx,fma,f16c
 * fp_exceptions.c's SIGFPE from unmasked MXCSR exceptions for the VEX forms: three-operand
 * scalar and packed arithmetic, 128 and 256 bits (an exception in the upper lane only; the
 * flags of both lanes; the destination's upper half kept), a narrowing conversion, vhadd,
 * vround, vcmp with a signalling and a quiet predicate, vmax, FMA, F16C, vcvtsi2sd,
 * vcvttsd2si, vcomisd, vsqrtss; the frame's ymm registers. */
#include "fp_exceptions.c"
