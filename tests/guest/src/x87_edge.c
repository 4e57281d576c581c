/* guest-test: variants=static ldflags=-lm cflags=-DX87_EDGE
 * x87.c plus its edge cases: frndint under reduced precision control (it ignores PC), the
 * quotient bits fprem/fprem1 leave in C0, C3 and C1, and fsincos/fptan of tiny arguments. */
#include "x87.c"
