/* guest-test: variants=static cflags=-msse2 -DWITH_NANS
 * The SSE/SSE2 program of sse2.c with NaN operands (quiet and signalling, both signs): which
 * operand's NaN propagates, quieting, the default NaN of invalid operations, comparisons and
 * conversions of NaNs; and the MXCSR denormal-operand flag (DE). */
#include "sse2.c"
