/* guest-test: variants=static,pie ldflags=-lm
 * (x87_edge.c adds frndint under reduced precision control, fprem's quotient bits and
 * transcendentals of tiny arguments.)
 * x87: 80-bit long double arithmetic, the control word's rounding and precision control,
 * fnstsw after compares, fist/fistp in every rounding mode, frndint, fprem/fprem1, fxtract,
 * fscale, fabs/fchs, constants, conversions to and from float/double/int, and transcendental
 * instructions printed to 15 digits (their last bits are implementation-specific). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void pld(const char *what, long double v) {
    unsigned char b[16] = {0};
    memcpy(b, &v, 10);
    printf("%s %02x%02x:%02x%02x%02x%02x%02x%02x%02x%02x %.21Lg\n", what, b[9], b[8], b[7], b[6],
           b[5], b[4], b[3], b[2], b[1], b[0], v);
}

static void setcw(uint16_t cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }
static uint16_t getcw(void) {
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

int main(void) {
    volatile long double vals[] = {1.0L, -2.5L, 3.0L, 1e4000L, -1e-4000L, 0.1L, 1.0L / 3.0L,
                                   12345678901234567890.0L, 0.0L, -0.0L, 2.5L, -3.5L, 7.0L};
    const int n = sizeof vals / sizeof vals[0];
    uint16_t cw0 = getcw();
    printf("default cw %04x\n", cw0);
    static const char *rc_names[] = {"nearest", "down", "up", "zero"};
    static const char *pc_names[] = {"single", "reserved", "double", "extended"};
    for (int rc = 0; rc < 4; rc++)
        for (int pc = 0; pc < 4; pc += (pc == 0 ? 2 : 1)) {
            setcw((uint16_t)((cw0 & ~0x0f00) | (rc << 10) | (pc << 8)));
            printf("rounding %s precision %s\n", rc_names[rc], pc_names[pc]);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j += 4) {
                    long double a = vals[i], b = vals[j], r;
                    __asm__("faddp" : "=t"(r) : "0"(a), "u"(b) : "st(1)");
                    pld(" add", r);
                    __asm__("fmulp" : "=t"(r) : "0"(a), "u"(b) : "st(1)");
                    pld(" mul", r);
                    if (b != 0) {
                        __asm__("fdivrp" : "=t"(r) : "0"(a), "u"(b) : "st(1)");
                        pld(" div", r);
                    }
                }
            for (int i = 0; i < n; i++) {
                long double a = vals[i], r;
                __asm__("fsqrt" : "=t"(r) : "0"(a < 0 ? -a : a));
                pld(" sqrt", r);
#ifndef X87_EDGE
                if (pc == 3) /* frndint ignores precision control: see x87_edge */
#endif
                {
                    __asm__("frndint" : "=t"(r) : "0"(a));
                    pld(" frndint", r);
                }
                int64_t q;
                if (a < 1e18L && a > -1e18L) {
                    __asm__("fistpll %0" : "=m"(q) : "t"(a * 1.5L) : "st");
                    printf(" fistp %lld\n", (long long)q);
                }
            }
            setcw(cw0);
        }
    /* compares and the status word */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j += 3) {
            uint16_t sw;
            long double a = vals[i], b = vals[j];
            __asm__("fucom %%st(1)\n\tfnstsw %0" : "=a"(sw) : "t"(a), "u"(b));
            printf("fucom %d %d sw %04x", i, j, sw & 0x4500);
            uint64_t fl;
            __asm__("fucomi %%st(1), %%st\n\tpushfq\n\tpop %0" : "=r"(fl) : "t"(a), "u"(b) : "cc");
            printf(" fucomi %03llx", (unsigned long long)(fl & 0x45));
            __asm__("ftst\n\tfnstsw %0" : "=a"(sw) : "t"(a));
            printf(" ftst %04x", sw & 0x4500);
            __asm__("fxam\n\tfnstsw %0" : "=a"(sw) : "t"(a));
            printf(" fxam %04x\n", sw & 0x4700);
        }
    /* constants */
    long double c;
    __asm__("fldpi" : "=t"(c)); pld("fldpi", c);
    __asm__("fldl2e" : "=t"(c)); pld("fldl2e", c);
    __asm__("fldl2t" : "=t"(c)); pld("fldl2t", c);
    __asm__("fldlg2" : "=t"(c)); pld("fldlg2", c);
    __asm__("fldln2" : "=t"(c)); pld("fldln2", c);
    __asm__("fld1" : "=t"(c)); pld("fld1", c);
    __asm__("fldz" : "=t"(c)); pld("fldz", c);
    /* fprem, fprem1, fxtract, fscale */
    for (int i = 0; i < n; i++) {
        long double a = vals[i] * 7.25L, b = 2.5L, r;
        uint16_t sw;
        __asm__("1: fprem\n\tfnstsw %%ax\n\ttestw $0x400, %%ax\n\tjnz 1b" : "=t"(r), "=a"(sw)
                : "0"(a), "u"(b));
        pld("fprem", r);
#ifdef X87_EDGE /* quotient bits in C0, C3, C1 */
        printf(" q bits %04x\n", sw & 0x4300);
#endif
        __asm__("1: fprem1\n\tfnstsw %%ax\n\ttestw $0x400, %%ax\n\tjnz 1b" : "=t"(r), "=a"(sw)
                : "0"(a), "u"(b));
        pld("fprem1", r);
#ifdef X87_EDGE
        printf(" q bits %04x\n", sw & 0x4300);
#endif
        if (a != 0 && a < 1e4000L && a > -1e4000L) {
            long double m, e;
            __asm__("fxtract" : "=t"(m), "=u"(e) : "0"(a));
            pld("fxtract m", m);
            pld("fxtract e", e);
        }
        __asm__("fscale" : "=t"(r) : "0"(a), "u"(-3.7L));
        pld("fscale", r);
    }
    /* conversions */
    for (int i = 0; i < n; i++) {
        float f = (float)vals[i];
        double d = (double)vals[i];
        long double back = d;
        printf("to float %a to double %a", (double)f, d);
        pld(" back", back + (long double)f);
        int32_t i32;
        int16_t i16;
        __asm__("fistl %0" : "=m"(i32) : "t"(vals[i] * 1000));
        __asm__("fists %0" : "=m"(i16) : "t"(vals[i] * 1000));
        printf(" fist32 %d fist16 %d\n", i32, i16);
        unsigned char bcd[10];
        __asm__("fbstp %0" : "=m"(bcd) : "t"(vals[i] * 1000) : "st");
        printf(" fbstp %02x%02x%02x%02x\n", bcd[9], bcd[2], bcd[1], bcd[0]);
    }
    /* transcendental instructions, to 15 digits */
    for (int i = 0; i < n; i++) {
        long double a = vals[i] / 4000, s, co, r;
        if (a > 1e10L || a < -1e10L) continue;
#ifndef X87_EDGE /* tiny arguments: see x87_edge */
        if (a != 0 && a < 1e-300L && a > -1e-300L) continue;
#endif
        __asm__("fsincos" : "=t"(co), "=u"(s) : "0"(a));
        __asm__("fptan\n\tfstp %%st(0)" : "=t"(r) : "0"(a));
        printf("x %.15Lg sin %.15Lg cos %.15Lg tan %.15Lg", a, s, co, r);
        __asm__("f2xm1" : "=t"(r) : "0"(a));
        printf(" f2xm1 %.15Lg", r);
        __asm__("fpatan" : "=t"(r) : "0"(a), "u"(1.5L) : "st(1)");
        printf(" fpatan %.15Lg", r);
        if (a > 0) {
            __asm__("fyl2x" : "=t"(r) : "0"(a), "u"(3.0L) : "st(1)");
            printf(" fyl2x %.15Lg", r);
        }
        __asm__("fyl2xp1" : "=t"(r) : "0"(a / 4), "u"(3.0L) : "st(1)");
        printf(" fyl2xp1 %.15Lg\n", r);
    }
    /* long double through libc */
    long double acc = 0;
    for (int i = 1; i <= 1000; i++) acc += 1.0L / ((long double)i * i);
    printf("sum 1/i^2 %.20Lg\n", acc);
    printf("printf %Lf %Le %La\n", vals[6], vals[3], vals[5]);
    return 0;
}
