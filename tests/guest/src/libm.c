/* guest-test: variants=static,pie ldflags=-lm
 * libm and printf of doubles: elementary functions over a range of arguments, printed
 * exactly (%a) and in decimal; strtod/printf round trips; integer/float conversions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    for (int i = -20; i <= 20; i++) {
        double x = i * 0.37 + 0.001 * i * i;
        printf("x=%.17g sin=%a cos=%a tan=%a\n", x, sin(x), cos(x), tan(x));
        printf("  exp=%a expm1=%a atan=%a sinh=%a tanh=%a\n", exp(x), expm1(x), atan(x),
               sinh(x), tanh(x));
        if (x > 0)
            printf("  log=%a log2=%a log10=%a log1p=%a sqrt=%a cbrt=%a pow=%a\n", log(x),
                   log2(x), log10(x), log1p(x), sqrt(x), cbrt(x), pow(x, 1.0 / 3 + x));
        printf("  atan2=%a hypot=%a fmod=%a remainder=%a floor=%g ceil=%g rint=%g round=%g\n",
               atan2(x, 1.5), hypot(x, 2.5), fmod(x, 0.7), remainder(x, 0.7), floor(x), ceil(x),
               rint(x), round(x));
        printf("  float: sinf=%a expf=%a logf=%a powf=%a\n", (double)sinf((float)x),
               (double)expf((float)x), (double)logf(fabsf((float)x) + 1), (double)powf(1.5f, (float)x));
    }
    printf("%.17g %.17g %.17g\n", M_PI, M_E, sqrt(2.0));
    printf("%e %E %g %G %f %.0f %.30f\n", 1e-310, 6.02214076e23, 1e100, 1e-5, 2.5, 0.5, 0.1);
    printf("%a %a %a %a\n", 1.0, -0.0, 5e-324, 1.7976931348623157e308);
    printf("%f %f %f %g\n", INFINITY, -INFINITY, NAN, nextafter(1.0, 2.0));
    const char *in[] = {"0.1", "1e308", "1e309", "4.9e-324", "2.4703282292062327e-324", "0x1p-1074",
                        "123456789012345678901234567890", "-0", "nan", "inf", "3.14159abc"};
    for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
        char *end;
        double d = strtod(in[i], &end);
        printf("strtod(%s) = %.17g %a rest '%s'\n", in[i], d, d, end);
    }
    for (double d = -3.5; d <= 3.5; d += 0.5)
        printf("%g -> (int)%d lrint %ld llround %lld nearbyint %g trunc %g\n", d, (int)d,
               lrint(d), llround(d), nearbyint(d), trunc(d));
    printf("%lld %llu %d\n", (long long)1e18, (unsigned long long)1.8e19, (int)-2147483648.0);
    double s = 0;
    for (int i = 1; i < 100000; i++) s += 1.0 / i;
    printf("harmonic %.17g\n", s);
    printf("fma %a frexp %a ldexp %a modf %a\n", fma(0.1, 10, -1), frexp(1234.5, &(int){0}),
           ldexp(1.5, -1060), modf(-2.75, &(double){0}));
    printf("lgamma %.17g tgamma %.17g erf %.17g j0 %.17g\n", lgamma(10.5), tgamma(5.5),
           erf(0.3), j0(2.0));
    return 0;
}
