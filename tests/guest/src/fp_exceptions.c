/* guest-test: variants=static,pie cflags=-msse4.1 ldflags=-lm
 * Unmasked floating point exceptions raise SIGFPE as on Linux. SSE (#XM, and with -DWITH_AVX
 * the VEX forms): each of IE/DE/ZE/OE/UE/PE unmasked in MXCSR, scalar and packed, register and
 * memory sources, conversions, comparisons; the handler sees si_code (the kernel's priority:
 * invalid, divide, overflow, underflow/denormal, inexact), si_addr and rip at the instruction,
 * the frame's MXCSR flags (only the pre-computation ones when one of them is unmasked; exact
 * underflows and overflows as the unmasked rules give them), the destination unchanged and the
 * registers of the instructions before it in the block; leaving by siglongjmp (the FPU state is
 * then the handler's initial one), or returning after masking the exception in the frame (the
 * instruction is retried). x87 (#MF): the exception is pending (ES, B) until the next waiting
 * instruction (fwait, fnop, fld, fxch, fldcw, fst; not fnstsw, fnstcw, fnclex, fnstenv, fxsave),
 * the frame's status and registers as the manual leaves them (nothing changed for invalid,
 * denormal and divide by zero, no store and no pop; biased exponents for overflow/underflow to
 * a register; C1 for inexact), fldcw/fldenv/frstor/fxrstor unmasking a flag already set;
 * returning after clearing the flags. feenableexcept with C arithmetic; the masked default. */
#define _GNU_SOURCE
#include <fenv.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

/* What the handler saw. */
static struct {
    int count, code;
    uint64_t addr, rip, rcx, rdx;
    uint32_t mxcsr;
    uint16_t cw, sw, tw;
    uint8_t xmm[3][16];
    uint8_t ymmh[3][16];
    uint8_t st[2][10];
} got;

static sigjmp_buf jb;
static volatile int mode; /* 0: siglongjmp; 1: mask all of MXCSR and return; 2: fnclex-like */
static volatile uint64_t expect_at;

static void handler(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    (void)sig;
    got.count++;
    got.code = si->si_code;
    got.addr = (uint64_t)si->si_addr;
    got.rip = uc->uc_mcontext.gregs[REG_RIP];
    got.rcx = uc->uc_mcontext.gregs[REG_RCX];
    got.rdx = uc->uc_mcontext.gregs[REG_RDX];
    got.mxcsr = fp->mxcsr;
    got.cw = fp->cwd;
    got.sw = fp->swd;
    got.tw = fp->ftw;
    for (int i = 0; i < 3; i++) memcpy(got.xmm[i], &fp->_xmm[i], 16);
#ifdef WITH_AVX
    /* The XSAVE frame's upper halves (offset 576). */
    for (int i = 0; i < 3; i++) memcpy(got.ymmh[i], (uint8_t *)fp + 576 + 16 * i, 16);
#endif
    for (int i = 0; i < 2; i++) memcpy(got.st[i], &fp->_st[i], 10);
    if (mode == 0) siglongjmp(jb, 1);
    if (mode == 1) fp->mxcsr |= 0x1f80;
    if (mode == 2) fp->swd &= 0x7f00;
}

static const char *code_name(int c) {
    switch (c) {
        case FPE_FLTINV: return "FLTINV";
        case FPE_FLTDIV: return "FLTDIV";
        case FPE_FLTOVF: return "FLTOVF";
        case FPE_FLTUND: return "FLTUND";
        case FPE_FLTRES: return "FLTRES";
        default: return "other";
    }
}

static void hex(const uint8_t *p, int n) {
    for (int i = n; i-- > 0;) printf("%02x", p[i]);
}

/* The signal part of a line. */
static void show_signal(void) {
    printf(" SIGFPE %s at %s rcx %#llx", code_name(got.code),
           got.addr == expect_at && got.rip == expect_at ? "insn" : "ELSEWHERE",
           (unsigned long long)got.rcx);
}

/* ---- SSE (#XM) ---- */

static uint8_t din[32] __attribute__((aligned(32)));
static uint8_t sin_[32] __attribute__((aligned(32)));
static uint8_t ain[32] __attribute__((aligned(32)));
static uint8_t dout[32] __attribute__((aligned(32)));
static uint32_t mx_in, mx_out;
static const uint32_t mx_default = 0x1f80;
static uint64_t rdx_out;

/* xmm0 = din (destination), xmm1 = sin_ (source), rdx = 0x5555 (integer destination), rcx
 * counted up around the instruction (the state before it must be exact). */
#define SSE_FN(fname, insn)                                                                     \
    static void fname(void) {                                                                   \
        __asm__ volatile("movdqu %[d], %%xmm0\n\tmovdqu %[s], %%xmm1\n\tmov $0x5555, %%edx\n\t" \
                         "mov $0x1110, %%ecx\n\tldmxcsr %[mi]\n\tlea 1f(%%rip), %%rax\n\t"       \
                         "mov %%rax, %[at]\n\tadd $2, %%ecx\n\t"                                 \
                         "1: " insn "\n\tadd $1, %%ecx\n\tstmxcsr %[mo]\n\t"                     \
                         "ldmxcsr %[def]\n\tmovdqu %%xmm0, %[o]\n\tmov %%rdx, %[ro]"             \
                         : [o] "=m"(dout), [mo] "=m"(mx_out), [at] "=m"(expect_at),              \
                           [ro] "=m"(rdx_out)                                                    \
                         : [d] "m"(din), [s] "m"(sin_), [mi] "m"(mx_in), [def] "m"(mx_default)   \
                         : "rax", "rcx", "rdx", "xmm0", "xmm1", "memory");                       \
    }

static void run_sse(const char *name, void (*fn)(void), uint32_t mx, const void *d, const void *s,
                    int ret_mode) {
    memcpy(din, d, 16);
    memcpy(sin_, s, 16);
    memset(dout, 0, sizeof dout);
    memset(&got, 0, sizeof got);
    mx_in = mx;
    mode = ret_mode;
    printf("%-34s", name);
    if (sigsetjmp(jb, 1) == 0) {
        fn();
        if (got.count) {
            show_signal();
            printf(" frame mxcsr %04x; returned: mxcsr %04x dst ", got.mxcsr, mx_out);
        } else {
            printf(" no signal mxcsr %04x dst ", mx_out);
        }
        hex(dout, 16);
        printf(" rdx %#llx\n", (unsigned long long)rdx_out);
        return;
    }
    uint32_t now;
    __asm__ volatile("stmxcsr %0" : "=m"(now));
    show_signal();
    printf(" frame mxcsr %04x dst %s src %s rdx %#llx; after: mxcsr %04x\n", got.mxcsr,
           memcmp(got.xmm[0], din, 16) ? "CHANGED" : "kept",
           memcmp(got.xmm[1], sin_, 16) ? "CHANGED" : "kept", (unsigned long long)got.rdx, now);
}

SSE_FN(f_divsd, "divsd %%xmm1, %%xmm0")
SSE_FN(f_divsd_m, "divsd %[s], %%xmm0")
SSE_FN(f_addsd, "addsd %%xmm1, %%xmm0")
SSE_FN(f_addsd_m, "addsd %[s], %%xmm0")
SSE_FN(f_mulsd, "mulsd %%xmm1, %%xmm0")
SSE_FN(f_subsd, "subsd %%xmm1, %%xmm0")
SSE_FN(f_sqrtsd, "sqrtsd %%xmm1, %%xmm0")
SSE_FN(f_minsd, "minsd %%xmm1, %%xmm0")
SSE_FN(f_cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
SSE_FN(f_cvtss2sd, "cvtss2sd %%xmm1, %%xmm0")
SSE_FN(f_cvttsd2si, "cvttsd2si %%xmm1, %%rdx")
SSE_FN(f_cvtsd2si, "cvtsd2si %%xmm1, %%edx")
SSE_FN(f_cvtsi2sd, "cvtsi2sdq %%rdx, %%xmm0")
SSE_FN(f_comisd, "comisd %%xmm1, %%xmm0")
SSE_FN(f_ucomisd, "ucomisd %%xmm1, %%xmm0")
SSE_FN(f_roundsd0, "roundsd $0, %%xmm1, %%xmm0")
SSE_FN(f_roundsd8, "roundsd $8, %%xmm1, %%xmm0")
SSE_FN(f_divss, "divss %%xmm1, %%xmm0")
SSE_FN(f_mulss, "mulss %[s], %%xmm0")
SSE_FN(f_divps, "divps %%xmm1, %%xmm0")
SSE_FN(f_divps_m, "divps %[s], %%xmm0")
SSE_FN(f_mulps, "mulps %%xmm1, %%xmm0")
SSE_FN(f_addpd, "addpd %%xmm1, %%xmm0")
SSE_FN(f_mulpd, "mulpd %%xmm1, %%xmm0")
SSE_FN(f_sqrtps, "sqrtps %%xmm1, %%xmm0")
SSE_FN(f_cmpltpd, "cmpltpd %%xmm1, %%xmm0")
SSE_FN(f_cmpeqps, "cmpeqps %%xmm1, %%xmm0")
SSE_FN(f_cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm0")
SSE_FN(f_cvtps2dq, "cvtps2dq %%xmm1, %%xmm0")
SSE_FN(f_haddpd, "haddpd %%xmm1, %%xmm0")
SSE_FN(f_addsubps, "addsubps %%xmm1, %%xmm0")
SSE_FN(f_dppd, "dppd $0x31, %%xmm1, %%xmm0")
SSE_FN(f_andps, "andps %%xmm1, %%xmm0")
SSE_FN(f_rcpps, "rcpps %%xmm1, %%xmm0")

static void d2(uint8_t *p, double a, double b) {
    memcpy(p, &a, 8);
    memcpy(p + 8, &b, 8);
}
static void f4(uint8_t *p, float a, float b, float c, float d) {
    float v[4] = {a, b, c, d};
    memcpy(p, v, 16);
}
static double bits_d(uint64_t b) {
    double d;
    memcpy(&d, &b, 8);
    return d;
}

/* MXCSR with the exceptions in `unmask` unmasked (flag bits). */
static uint32_t unm(uint32_t unmask) {
    return 0x1f80 & ~(unmask << 7);
}

enum { IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32 };

static void sse_tests(void) {
    uint8_t d[16], s[16];
    const double snan = bits_d(0x7ff4000000000000ull), qnan = bits_d(0x7ff8000000000000ull);
    const double den = 0x1p-1060, tiny = 0x1p-515;

    printf("-- SSE scalar\n");
    d2(d, 1, 7), d2(s, 0, 9);
    run_sse("divsd 1/0 masked", f_divsd, 0x1f80, d, s, 0);
    run_sse("divsd 1/0 ZE", f_divsd, unm(ZE), d, s, 0);
    run_sse("divsd m64 1/0 ZE", f_divsd_m, unm(ZE), d, s, 0);
    run_sse("divsd 1/0 ZE, PE flag set", f_divsd, unm(ZE) | PE, d, s, 0);
    run_sse("divsd 1/0 ZE, retried masked", f_divsd, unm(ZE), d, s, 1);
    run_sse("divsd 0/0 ZE only unmasked", f_divsd, unm(ZE), s, s, 0);
    d2(s, 3, 9);
    run_sse("divsd 1/3 PE", f_divsd, unm(PE), d, s, 0);
    run_sse("divsd 1/3 ZE (no signal)", f_divsd, unm(ZE), d, s, 0);
    d2(d, 1, 0), d2(s, snan, 0);
    run_sse("addsd snan IE", f_addsd, unm(IE), d, s, 0);
    run_sse("addsd m64 snan IE", f_addsd_m, unm(IE), d, s, 0);
    run_sse("addsd snan IE retried", f_addsd, unm(IE), d, s, 1);
    d2(d, 1e300, 0), d2(s, 1e300, 0);
    run_sse("mulsd overflow OE", f_mulsd, unm(OE), d, s, 0);
    run_sse("mulsd overflow PE", f_mulsd, unm(PE), d, s, 0);
    run_sse("mulsd overflow OE retried", f_mulsd, unm(OE), d, s, 1);
    d2(d, 1, 0), d2(s, den, 0);
    run_sse("divsd 1/denormal exact OE", f_divsd, unm(OE), d, s, 0);
    d2(d, tiny, 0), d2(s, tiny, 0);
    run_sse("mulsd tiny exact masked", f_mulsd, 0x1f80, d, s, 0);
    run_sse("mulsd tiny exact UE", f_mulsd, unm(UE), d, s, 0);
    run_sse("mulsd tiny exact UE FTZ", f_mulsd, unm(UE) | 0x8000, d, s, 0);
    run_sse("mulsd tiny exact FTZ masked", f_mulsd, 0x9f80, d, s, 0);
    d2(d, tiny * 3, 0), d2(s, tiny * 0.3, 0);
    run_sse("mulsd tiny inexact UE", f_mulsd, unm(UE), d, s, 0);
    d2(d, den, 0), d2(s, 0, 0);
    run_sse("addsd denormal+0 UE", f_addsd, unm(UE), d, s, 0);
    run_sse("addsd denormal+0 UE DAZ", f_addsd, unm(UE) | 0x40, d, s, 0);
    d2(d, den, 0), d2(s, 1, 0);
    run_sse("addsd denormal DE", f_addsd, unm(DE), d, s, 0);
    run_sse("addsd denormal DE DAZ", f_addsd, unm(DE) | 0x40, d, s, 0);
    run_sse("subsd denormal DE", f_subsd, unm(DE), d, s, 0);
    run_sse("minsd denormal DE", f_minsd, unm(DE), d, s, 0);
    d2(s, 3, 0);
    run_sse("divsd denormal/3 PE (DE UE flags)", f_divsd, unm(PE), d, s, 0);
    d2(s, 0, 0);
    run_sse("divsd denormal/0 ZE", f_divsd, unm(ZE), d, s, 0);
    d2(d, 5, 5), d2(s, -1, 0);
    run_sse("sqrtsd -1 IE", f_sqrtsd, unm(IE), d, s, 0);
    d2(s, 2, 0);
    run_sse("sqrtsd 2 PE", f_sqrtsd, unm(PE), d, s, 0);
    d2(s, 1e300, 0);
    run_sse("cvtsd2ss 1e300 OE", f_cvtsd2ss, unm(OE), d, s, 0);
    d2(s, 0x1p-140, 0);
    run_sse("cvtsd2ss 2^-140 UE (exact)", f_cvtsd2ss, unm(UE), d, s, 0);
    f4(s, __builtin_nansf(""), 0, 0, 0);
    run_sse("cvtss2sd snan IE", f_cvtss2sd, unm(IE), d, s, 0);
    d2(s, 1e20, 0);
    run_sse("cvttsd2si 1e20 IE", f_cvttsd2si, unm(IE), d, s, 0);
    d2(s, 1.5, 0);
    run_sse("cvtsd2si 1.5 PE", f_cvtsd2si, unm(PE), d, s, 0);
    run_sse("cvtsd2si 1.5 masked", f_cvtsd2si, 0x1f80, d, s, 0);
    run_sse("cvtsi2sd 0x5555 PE (exact)", f_cvtsi2sd, unm(PE), d, s, 0);
    d2(d, qnan, 0), d2(s, 1, 0);
    run_sse("comisd qnan IE", f_comisd, unm(IE), d, s, 0);
    run_sse("ucomisd qnan IE (no signal)", f_ucomisd, unm(IE), d, s, 0);
    d2(s, 1.5, 0);
    run_sse("roundsd imm 0 PE", f_roundsd0, unm(PE), d, s, 0);
    run_sse("roundsd imm 8 PE (suppressed)", f_roundsd8, unm(PE), d, s, 0);
    f4(d, 1, 2, 3, 4), f4(s, 0, 1, 1, 1);
    run_sse("divss 1/0 ZE", f_divss, unm(ZE), d, s, 0);
    f4(d, 0x1p-70f, 2, 3, 4), f4(s, 0x1p-70f, 1, 1, 1);
    run_sse("mulss m32 tiny exact UE", f_mulss, unm(UE), d, s, 0);

    printf("-- SSE packed\n");
    f4(d, 1, 1, 1, 1), f4(s, 0, 3, 1, 1);
    run_sse("divps ZE lane + PE lane, ZE", f_divps, unm(ZE), d, s, 0);
    run_sse("divps ZE lane + PE lane, ZE PE", f_divps, unm(ZE | PE), d, s, 0);
    run_sse("divps ZE lane + PE lane, PE", f_divps, unm(PE), d, s, 0);
    run_sse("divps m128 ZE", f_divps_m, unm(ZE), d, s, 0);
    f4(d, 1, 1, 1, 1), f4(s, 1, 4, 1, 0);
    run_sse("divps 1/0 in lane 3 ZE", f_divps, unm(ZE), d, s, 0);
    f4(d, 1e30f, 1, 1, 1), f4(s, 0x1p-140f, 0, 1, 1);
    run_sse("divps OE lane + ZE masked, OE", f_divps, unm(OE), d, s, 0);
    f4(d, 0x1p-70f, 0x1p-140f, 1, 1), f4(s, 0x1p-70f, 3, 1, 1);
    run_sse("mulps UE lane + DE masked, UE", f_mulps, unm(UE), d, s, 0);
    run_sse("mulps UE lane + DE lane, DE", f_mulps, unm(DE), d, s, 0);
    f4(d, 0, 1, 1, 1), f4(s, 0, 0, 1, 1);
    run_sse("divps IE + ZE lanes, all", f_divps, 0, d, s, 0);
    f4(d, 1e30f, 0x1p-70f, 1, 1), f4(s, 1e30f, 0x1p-70f, 1, 1);
    run_sse("mulps OE + UE lanes, all", f_mulps, 0, d, s, 0);
    d2(d, 1, 1e308), d2(s, 2, 1e308);
    run_sse("addpd overflow lane 1 OE", f_addpd, unm(OE), d, s, 0);
    d2(d, 0x1p-600, 3), d2(s, 0x1p-600, 3);
    run_sse("mulpd tiny lane 0 UE", f_mulpd, unm(UE), d, s, 0);
    f4(s, 4, -1, 9, 16);
    run_sse("sqrtps -1 lane 1 IE", f_sqrtps, unm(IE), d, s, 0);
    d2(d, 1, 2), d2(s, qnan, 1);
    run_sse("cmpltpd qnan IE", f_cmpltpd, unm(IE), d, s, 0);
    f4(d, __builtin_nanf(""), 1, 1, 1), f4(s, 1, 1, 1, 1);
    run_sse("cmpeqps qnan IE (no signal)", f_cmpeqps, unm(IE), d, s, 0);
    f4(d, __builtin_nansf(""), 1, 1, 1);
    run_sse("cmpeqps snan IE", f_cmpeqps, unm(IE), d, s, 0);
    d2(s, 1e300, 0x1p-140);
    run_sse("cvtpd2ps OE lane 0, UE lane 1, UE", f_cvtpd2ps, unm(UE), d, s, 0);
    run_sse("cvtpd2ps OE lane 0, UE lane 1, OE", f_cvtpd2ps, unm(OE), d, s, 0);
    f4(s, 1.5f, 3e9f, 1, 1);
    run_sse("cvtps2dq IE lane 1", f_cvtps2dq, unm(IE), d, s, 0);
    run_sse("cvtps2dq PE lane 0", f_cvtps2dq, unm(PE), d, s, 0);
    d2(d, 1e308, 1e308), d2(s, 1, 2);
    run_sse("haddpd overflow OE", f_haddpd, unm(OE), d, s, 0);
    f4(d, 0x1p-140f, 0x1p-140f, 1, 1), f4(s, 0, 0x1p-140f, 1, 1);
    run_sse("addsubps denormals UE", f_addsubps, unm(UE), d, s, 0);
    d2(d, 1e200, 1), d2(s, 1e200, 1);
    run_sse("dppd overflow OE", f_dppd, unm(OE), d, s, 0);
    f4(d, 0, 1, 1, 1), f4(s, 0, 0, 1, 1);
    run_sse("andps all unmasked (no signal)", f_andps, 0, d, s, 0);
    run_sse("rcpps 0 all unmasked (no signal)", f_rcpps, 0, d, s, 0);
}

static void ldmxcsr_tests(void) {
    uint8_t d[16], s[16];
    printf("-- ldmxcsr\n");
    /* A flag already set and unmasked: no exception until an instruction raises one. */
    d2(d, 1, 0), d2(s, 2, 0);
    run_sse("ZE flag set + unmasked, 1+2", f_addsd, unm(ZE) | ZE, d, s, 0);
    d2(s, 0, 0);
    run_sse("ZE flag set + unmasked, 1/0", f_divsd, unm(ZE) | ZE, d, s, 0);
}

/* ---- C arithmetic with feenableexcept ---- */

static volatile double vone = 1, vzero = 0, vbig = 1e300;
static volatile long double lone = 1, lzero = 0, lneg = -1;
static volatile double sink;
static volatile long double lsink;

static void c_tests(void) {
    printf("-- feenableexcept\n");
    if (sigsetjmp(jb, 1) == 0) {
        mode = 0;
        memset(&got, 0, sizeof got);
        feenableexcept(FE_DIVBYZERO);
        sink = vone / vzero;
        printf("1.0/0.0 FE_DIVBYZERO: no signal %g\n", sink);
    } else {
        printf("1.0/0.0 FE_DIVBYZERO: SIGFPE %s, after siglongjmp fegetexcept %#x\n",
               code_name(got.code), fegetexcept());
    }
    if (sigsetjmp(jb, 1) == 0) {
        memset(&got, 0, sizeof got);
        feenableexcept(FE_OVERFLOW);
        sink = vbig * vbig;
        printf("1e300*1e300 FE_OVERFLOW: no signal %g\n", sink);
    } else {
        printf("1e300*1e300 FE_OVERFLOW: SIGFPE %s, frame mxcsr %04x\n", code_name(got.code),
               got.mxcsr);
    }
    if (sigsetjmp(jb, 1) == 0) {
        memset(&got, 0, sizeof got);
        feenableexcept(FE_DIVBYZERO);
        lsink = lone / lzero;
        printf("1.0L/0.0L FE_DIVBYZERO: no signal\n");
    } else {
        printf("1.0L/0.0L FE_DIVBYZERO: SIGFPE %s, frame sw & 0x80ff %04x\n",
               code_name(got.code), got.sw & 0x80ff);
    }
    if (sigsetjmp(jb, 1) == 0) {
        memset(&got, 0, sizeof got);
        feenableexcept(FE_INVALID);
        lsink = sqrtl(lneg);
        printf("sqrtl(-1) FE_INVALID: no signal\n");
    } else {
        printf("sqrtl(-1) FE_INVALID: SIGFPE %s, frame sw & 0x80ff %04x\n", code_name(got.code),
               got.sw & 0x80ff);
    }
    fedisableexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    sink = vone / vzero;
    printf("masked: 1.0/0.0 = %g, 0.0/0.0 is nan %d, flags %#x\n", sink,
           isnan(vzero / vzero), fetestexcept(FE_ALL_EXCEPT));
    lsink = lone / lzero;
    printf("masked: 1.0L/0.0L = %Lg\n", lsink);
}

/* ---- x87 (#MF) ---- */

static uint16_t cw_in, sw_op, sw_wait;
static const uint16_t cw_default = 0x37f;
static float fm;
static double dm;
static int32_t im;
static int16_t hm;
static uint8_t save[108];
static uint8_t area[512] __attribute__((aligned(64)));
static uint8_t env28[28];

/* setup, then op under control word cw_in: sw_op is the status word right after op (fnstsw,
 * which does not wait), then `wait` (expected to raise the pending exception), then fnsave. */
#define X87_FN(fname, setup, op, wait)                                                          \
    static void fname(void) {                                                                   \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tmov $0x1110, %%ecx\n\t" setup "\n\t" op     \
                         "\n\tfnstsw %[swo]\n\tlea 1f(%%rip), %%rax\n\tmov %%rax, %[at]\n\t"     \
                         "add $2, %%ecx\n\t1: " wait "\n\tfnstsw %[sww]\n\tfnsave %[sv]\n\t"    \
                         "fldcw %[def]"                                                          \
                         : [swo] "=m"(sw_op), [sww] "=m"(sw_wait), [sv] "=m"(save),             \
                           [at] "=m"(expect_at), [fm] "+m"(fm), [dm] "+m"(dm), [im] "+m"(im),    \
                           [hm] "+m"(hm), [env] "+m"(env28), [area] "+m"(area)                   \
                         : [cw] "m"(cw_in), [def] "m"(cw_default)                                \
                         : "rax", "rcx", "memory");                                              \
    }

static void st_hex(const uint8_t *p) {
    hex(p, 10);
}

/* Runs fn with the operands fm, dm, im under control word cw; ret_mode as the handler's mode. */
static void run_x87(const char *name, void (*fn)(void), uint16_t cw, int ret_mode, float f,
                    double d, int32_t i) {
    memset(&got, 0, sizeof got);
    memset(save, 0, sizeof save);
    fm = f, dm = d, im = i, hm = 77;
    cw_in = cw;
    mode = ret_mode;
    printf("%-34s", name);
    if (sigsetjmp(jb, 1) == 0) {
        fn();
        if (got.count) {
            show_signal();
            printf(" frame sw %04x;", got.sw);
        } else {
            printf(" no signal");
        }
        /* (C1 after masked arithmetic is left out: the emulator does not track it.) */
        const uint16_t c1 = got.count ? 0xffff : 0xfdff;
        printf(" sw after op %04x, at end %04x st0 ", sw_op & c1, *(uint16_t *)(save + 4) & c1);
        st_hex(save + 28);
        printf(" st1 ");
        st_hex(save + 38);
    } else {
        uint16_t cwnow, swnow;
        __asm__ volatile("fnstcw %0\n\tfnstsw %1" : "=m"(cwnow), "=m"(swnow));
        show_signal();
        printf(" frame sw %04x cw %04x tw %02x st0 ", got.sw, got.cw, got.tw);
        st_hex(got.st[0]);
        printf(" st1 ");
        st_hex(got.st[1]);
        printf("; after: cw %04x sw %04x", cwnow, swnow);
    }
    printf(" fm %a dm %a im %d hm %d\n", fm, dm, im, hm);
}

/* Control words: the exceptions in `unmask` unmasked. */
static uint16_t cwu(uint16_t unmask) {
    return 0x37f & ~unmask;
}

#define DIV10 "fld1\n\tfldz\n\tfdivrp"

X87_FN(x_div0_fwait, DIV10 "\n\tnop", "", "fwait")
X87_FN(x_div0_fnop, "", DIV10, "fnop")
X87_FN(x_div0_fld1, "", DIV10, "fld1")
X87_FN(x_div0_fxch, "", DIV10, "fxch")
X87_FN(x_div0_fldcw, "", DIV10, "fldcw %[cw]")
X87_FN(x_div0_fsts, "", DIV10, "fsts %[fm]")
X87_FN(x_div0_fnstsw, "", DIV10 "\n\tfnstsw %%ax\n\tfnstcw %[hm]", "fwait")
X87_FN(x_div0_fxsave, "", DIV10 "\n\tfxsave %[area]", "fwait")
X87_FN(x_div0_fnclex, "", DIV10 "\n\tfnclex", "fwait")
X87_FN(x_div0_fnstenv, "", DIV10 "\n\tfnstenv %[env]", "fwait")
X87_FN(x_div0_fdiv, "fld1\n\tfld1", "fldz\n\tfdivr %%st(1), %%st", "fwait")
X87_FN(x_fsqrt_neg, "fld1\n\tfchs", "fsqrt", "fwait")
X87_FN(x_fld_snan, "fld1", "flds %[fm]", "fwait")
X87_FN(x_fadd_snan, "fld1", "fadds %[fm]", "fwait")
X87_FN(x_fcom_qnan, "fldz\n\tfld1", "fcompl %[dm]", "fwait")
X87_FN(x_fcomi_qnan, "fldz\n\tfldl %[dm]", "fcomip %%st(1), %%st\n\tsetp %%cl", "fwait")
X87_FN(x_push_full, "fld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1", "fldz", "fwait")
X87_FN(x_pop_empty, "", "fadd %%st(1), %%st", "fwait")
X87_FN(x_fstp_empty, "", "fstps %[fm]", "fwait")
X87_FN(x_fist_big, "fld1\n\tfldl %[dm]", "fistpl %[im]", "fwait")
X87_FN(x_fist16_big, "fld1\n\tfldl %[dm]", "fistps %[hm]", "fwait")
X87_FN(x_fisttp_big, "fld1\n\tfldl %[dm]", "fisttpl %[im]", "fwait")
X87_FN(x_fmul_over, "fldl %[dm]\n\tfmul %%st(0), %%st\n\tfmul %%st(0), %%st\n\t"
                    "fmul %%st(0), %%st\n\tfmul %%st(0), %%st",
       "fmul %%st(0), %%st", "fwait")
X87_FN(x_fscale_over, "fildl %[im]\n\tfld1", "fscale", "fwait")
X87_FN(x_fmulp_under, "fld1\n\tfldl %[dm]\n\tfmul %%st(0), %%st\n\tfmul %%st(0), %%st\n\t"
                      "fmul %%st(0), %%st\n\tfmul %%st(0), %%st\n\tfldl %[dm]",
       "fmulp", "fwait")
X87_FN(x_fstl_over, "fld1\n\tfldl %[dm]\n\tfmul %%st(0), %%st", "fstpl %[dm]", "fwait")
X87_FN(x_fsts_over, "fld1\n\tfldl %[dm]", "fstps %[fm]", "fwait")
X87_FN(x_fsts_tiny, "fld1\n\tfldl %[dm]", "fstps %[fm]", "fwait")
X87_FN(x_fdiv3, "fld1\n\tfld1\n\tfildl %[im]", "fdivrp", "fwait")
X87_FN(x_fsts_pe, "fld1\n\tfldl %[dm]", "fstps %[fm]", "fwait")
X87_FN(x_fistp_pe, "fld1\n\tfldl %[dm]", "fistpl %[im]", "fwait")
X87_FN(x_faddl_den, "fld1", "faddl %[dm]", "fwait")
X87_FN(x_fldl_den, "fld1", "fldl %[dm]", "fwait")
X87_FN(x_fldcw_unmask, "fld1\n\tfldz\n\tfdivrp", "fldcw %[hm]\n\tfnstsw %%ax\n\tmov %%ax, %[im]",
       "fwait")
X87_FN(x_fldcw_mask, "fld1\n\tfldz\n\tfdivrp", "fnclex\n\tfld1\n\tfldz\n\tfdivrp", "fldcw %[hm]")
X87_FN(x_fldenv_unmask, "fld1\n\tfldz\n\tfdivrp\n\tfnstenv %[env]\n\tandw $0xfffb, %[env]",
       "fldenv %[env]\n\tfnstsw %%ax\n\tmov %%ax, %[im]", "fwait")
X87_FN(x_fldenv_es_masked, "fnstenv %[env]\n\torw $0x8081, 4+%[env]",
       "fldenv %[env]\n\tfnstsw %%ax\n\tmov %%ax, %[im]", "fwait")
X87_FN(x_frstor_unmask, "fld1\n\tfldz\n\tfdivrp\n\tfnsave %[area]\n\tandw $0xfffb, %[area]",
       "frstor %[area]\n\tfnstsw %%ax\n\tmov %%ax, %[im]", "fwait")
X87_FN(x_fxrstor_unmask, "fld1\n\tfldz\n\tfdivrp\n\tfxsave %[area]\n\tandw $0xfffb, %[area]",
       "fxrstor %[area]\n\tfnstsw %%ax\n\tmov %%ax, %[im]", "fwait")

static void x87_tests(void) {
    const uint16_t all = 0x3f;
    printf("-- x87 waiting and non-waiting instructions (1/0, ZE unmasked)\n");
    run_x87("fdivrp 1/0 masked", x_div0_fwait, 0x37f, 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fwait", x_div0_fwait, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fnop", x_div0_fnop, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fld1", x_div0_fld1, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fxch", x_div0_fxch, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fldcw", x_div0_fldcw, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fsts", x_div0_fsts, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fnstsw fnstcw, fwait", x_div0_fnstsw, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fxsave, fwait", x_div0_fxsave, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fnclex, fwait", x_div0_fnclex, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivrp 1/0, fnstenv, fwait", x_div0_fnstenv, cwu(ZE), 0, 5, 7, 77);
    run_x87("fdivr 1/0, fwait, retried", x_div0_fdiv, cwu(ZE), 2, 5, 7, 77);
    run_x87("fdivr 1/0 all unmasked", x_div0_fdiv, cwu(all), 0, 5, 7, 77);

    printf("-- x87 invalid, denormal\n");
    float fsnan;
    const uint32_t snan = 0x7fa00000;
    memcpy(&fsnan, &snan, 4);
    const double qnan = __builtin_nan("");
    run_x87("fsqrt -1 IE", x_fsqrt_neg, cwu(IE), 0, 5, 7, 77);
    run_x87("flds snan IE (no push)", x_fld_snan, cwu(IE), 0, fsnan, 0, 0);
    run_x87("fadds snan IE", x_fadd_snan, cwu(IE), 0, fsnan, 0, 0);
    run_x87("fcompl qnan IE (cc, no pop)", x_fcom_qnan, cwu(IE), 0, 5, qnan, 77);
    run_x87("fcomip qnan IE", x_fcomi_qnan, cwu(IE), 0, 5, qnan, 77);
    run_x87("fld (full stack) IE", x_push_full, cwu(IE), 0, 5, 7, 77);
    run_x87("fadd (empty) IE", x_pop_empty, cwu(IE), 0, 5, 7, 77);
    run_x87("fstps (empty) IE, no pop", x_fstp_empty, cwu(IE), 0, 5, 7, 77);
    run_x87("fstps (empty) masked", x_fstp_empty, 0x37f, 0, 5, 7, 77);
    run_x87("fistpl 1e30 IE (no store/pop)", x_fist_big, cwu(IE), 0, 0, 1e30, 77);
    run_x87("fistps 1e30 IE", x_fist16_big, cwu(IE), 0, 0, 1e30, 77);
    run_x87("fisttpl 1e30 IE", x_fisttp_big, cwu(IE), 0, 0, 1e30, 77);
    run_x87("fistpl 1e30 masked", x_fist_big, 0x37f, 0, 0, 1e30, 77);
    run_x87("faddl denormal DE", x_faddl_den, cwu(DE), 0, 0, 0x1p-1070, 0);
    run_x87("fldl denormal DE (loads)", x_fldl_den, cwu(DE), 0, 0, 0x1p-1070, 0);

    printf("-- x87 overflow, underflow, precision\n");
    run_x87("fmul overflow OE (biased)", x_fmul_over, cwu(OE), 0, 0, 1e300, 0);
    run_x87("fmul overflow masked", x_fmul_over, 0x37f, 0, 0, 1e300, 0);
    run_x87("fscale 2^20000 OE (biased)", x_fscale_over, cwu(OE), 0, 0, 0, 20000);
    run_x87("fmulp underflow UE (biased)", x_fmulp_under, cwu(UE), 0, 0, 0x1p-1000, 0);
    run_x87("fmulp underflow masked", x_fmulp_under, 0x37f, 0, 0, 0x1p-1000, 0);
    run_x87("fstpl 1e600 OE (no store)", x_fstl_over, cwu(OE), 0, 0, 1e300, 0);
    run_x87("fstps 1e300 OE (no store)", x_fsts_over, cwu(OE), 0, 0, 1e300, 0);
    run_x87("fstps 1.1875*2^-140 UE", x_fsts_tiny, cwu(UE), 0, 0, 0x1.3p-140, 0);
    run_x87("fstps 1.1875*2^-140 masked", x_fsts_tiny, 0x37f, 0, 0, 0x1.3p-140, 0);
    run_x87("fdivrp 1/3 PE (C1, popped)", x_fdiv3, cwu(PE), 0, 0, 0, 3);
    run_x87("fstps 0.1 PE (stored, C1)", x_fsts_pe, cwu(PE), 0, 0, 0.1, 0);
    run_x87("fistpl 2.5 PE", x_fistp_pe, cwu(PE), 0, 0, 2.5, 0);
    run_x87("fistpl 2.75 PE", x_fistp_pe, cwu(PE), 0, 0, 2.75, 0);
}

static void x87_tests2(void) {
    printf("-- x87 control and environment loads\n");
    hm = (int16_t)cwu(ZE);
    /* fldcw unmasking ZE (already flagged): ES set, the next waiting instruction faults. */
    memset(&got, 0, sizeof got);
    printf("%-34s", "fldcw unmasking a set ZE");
    cw_in = 0x37f;
    mode = 0;
    if (sigsetjmp(jb, 1) == 0) {
        x_fldcw_unmask();
        printf(" no signal");
    } else {
        show_signal();
        printf(" frame sw %04x cw %04x, sw after fldcw %04x", got.sw, got.cw, (uint16_t)im);
    }
    printf("\n");
    memset(&got, 0, sizeof got);
    printf("%-34s", "fldcw masking a pending ZE");
    cw_in = cwu(ZE);
    hm = 0x37f;
    if (sigsetjmp(jb, 1) == 0) {
        x_fldcw_mask();
        printf(" no signal");
    } else {
        show_signal();
        printf(" (fldcw waits) frame sw %04x", got.sw);
    }
    printf("\n");
    struct {
        const char *name;
        void (*fn)(void);
    } loads[] = {{"fldenv unmasking a set ZE", x_fldenv_unmask},
                 {"fldenv ES=1 all masked", x_fldenv_es_masked},
                 {"frstor unmasking a set ZE", x_frstor_unmask},
                 {"fxrstor unmasking a set ZE", x_fxrstor_unmask}};
    for (volatile unsigned k = 0; k < sizeof loads / sizeof *loads; k++) {
        memset(&got, 0, sizeof got);
        printf("%-34s", loads[k].name);
        cw_in = 0x37f;
        im = 0;
        if (sigsetjmp(jb, 1) == 0) {
            loads[k].fn();
            printf(" no signal, sw after load %04x", (uint16_t)im);
        } else {
            show_signal();
            printf(" frame sw %04x cw %04x, sw after load %04x", got.sw, got.cw, (uint16_t)im);
        }
        printf("\n");
    }
}

#ifdef WITH_AVX
/* ---- AVX (VEX forms) ---- */

/* ymm0 = din (destination), ymm1 = sin_ (second source), ymm2 = ain (first source, VEX.vvvv). */
#define AVX_FN(fname, insn)                                                                     \
    static void fname(void) {                                                                   \
        __asm__ volatile("vmovdqu %[d], %%ymm0\n\tvmovdqu %[s], %%ymm1\n\tvmovdqu %[a], %%ymm2\n\t" \
                         "mov $0x5555, %%edx\n\tmov $0x1110, %%ecx\n\tldmxcsr %[mi]\n\t"         \
                         "lea 1f(%%rip), %%rax\n\tmov %%rax, %[at]\n\tadd $2, %%ecx\n\t"         \
                         "1: " insn "\n\tadd $1, %%ecx\n\tstmxcsr %[mo]\n\tldmxcsr %[def]\n\t"   \
                         "vmovdqu %%ymm0, %[o]\n\tmov %%rdx, %[ro]\n\tvzeroupper"                \
                         : [o] "=m"(dout), [mo] "=m"(mx_out), [at] "=m"(expect_at),              \
                           [ro] "=m"(rdx_out)                                                    \
                         : [d] "m"(din), [s] "m"(sin_), [a] "m"(ain), [mi] "m"(mx_in),           \
                           [def] "m"(mx_default)                                                 \
                         : "rax", "rcx", "rdx", "xmm0", "xmm1", "xmm2", "memory");               \
    }

static void run_avx(const char *name, void (*fn)(void), uint32_t mx, const void *d,
                    const void *a, const void *s, int ret_mode) {
    memcpy(din, d, 32);
    memcpy(ain, a, 32);
    memcpy(sin_, s, 32);
    memset(dout, 0, sizeof dout);
    memset(&got, 0, sizeof got);
    mx_in = mx;
    mode = ret_mode;
    printf("%-34s", name);
    if (sigsetjmp(jb, 1) == 0) {
        fn();
        if (got.count) {
            show_signal();
            printf(" frame mxcsr %04x; returned: mxcsr %04x dst ", got.mxcsr, mx_out);
        } else {
            printf(" no signal mxcsr %04x dst ", mx_out);
        }
        hex(dout, 32);
        printf(" rdx %#llx\n", (unsigned long long)rdx_out);
        return;
    }
    const int dst_kept = !memcmp(got.xmm[0], din, 16) && !memcmp(got.ymmh[0], din + 16, 16);
    const int src_kept = !memcmp(got.xmm[1], sin_, 16) && !memcmp(got.ymmh[1], sin_ + 16, 16) &&
                         !memcmp(got.xmm[2], ain, 16) && !memcmp(got.ymmh[2], ain + 16, 16);
    show_signal();
    printf(" frame mxcsr %04x dst %s srcs %s rdx %#llx\n", got.mxcsr,
           dst_kept ? "kept" : "CHANGED", src_kept ? "kept" : "CHANGED",
           (unsigned long long)got.rdx);
}

AVX_FN(v_divsd, "vdivsd %%xmm1, %%xmm2, %%xmm0")
AVX_FN(v_addsd_m, "vaddsd %[s], %%xmm2, %%xmm0")
AVX_FN(v_mulsd, "vmulsd %%xmm1, %%xmm2, %%xmm0")
AVX_FN(v_divps128, "vdivps %%xmm1, %%xmm2, %%xmm0")
AVX_FN(v_divps, "vdivps %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_divps_m, "vdivps %[s], %%ymm2, %%ymm0")
AVX_FN(v_mulpd, "vmulpd %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_sqrtpd, "vsqrtpd %%ymm1, %%ymm0")
AVX_FN(v_cvtpd2ps, "vcvtpd2ps %%ymm1, %%xmm0")
AVX_FN(v_haddpd, "vhaddpd %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_roundpd, "vroundpd $0, %%ymm1, %%ymm0")
AVX_FN(v_cmpltps, "vcmpltps %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_cmpeqps, "vcmpeqps %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_maxpd, "vmaxpd %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_fmadd231sd, "vfmadd231sd %%xmm1, %%xmm2, %%xmm0")
AVX_FN(v_fmadd132ps, "vfmadd132ps %%ymm1, %%ymm2, %%ymm0")
AVX_FN(v_cvtps2ph, "vcvtps2ph $0, %%ymm2, %%xmm0")
AVX_FN(v_cvtph2ps, "vcvtph2ps %%xmm1, %%ymm0")
AVX_FN(v_cvtsi2sd, "vcvtsi2sdq %%rdx, %%xmm2, %%xmm0")
AVX_FN(v_cvttsd2si, "vcvttsd2si %%xmm1, %%rdx")
AVX_FN(v_comisd, "vcomisd %%xmm1, %%xmm2")
AVX_FN(v_sqrtss, "vsqrtss %%xmm1, %%xmm2, %%xmm0")

static void d4(uint8_t *p, double a, double b, double c, double d) {
    double v[4] = {a, b, c, d};
    memcpy(p, v, 32);
}
static void f8(uint8_t *p, float a, float b, float c, float d, float e, float f, float g,
               float h) {
    float v[8] = {a, b, c, d, e, f, g, h};
    memcpy(p, v, 32);
}

static void avx_tests(void) {
    uint8_t d[32], a[32], s[32];
    const double qnan = bits_d(0x7ff8000000000000ull), snan = bits_d(0x7ff4000000000000ull);
    printf("-- AVX\n");
    d4(d, 11, 12, 13, 14), d4(a, 1, 2, 3, 4), d4(s, 0, 1, 1, 1);
    run_avx("vdivsd 1/0 masked", v_divsd, 0x1f80, d, a, s, 0);
    run_avx("vdivsd 1/0 ZE", v_divsd, unm(ZE), d, a, s, 0);
    run_avx("vdivsd 1/0 ZE retried", v_divsd, unm(ZE), d, a, s, 1);
    d4(s, snan, 1, 1, 1);
    run_avx("vaddsd m64 snan IE", v_addsd_m, unm(IE), d, a, s, 0);
    d4(a, 0x1p-515, 2, 3, 4), d4(s, 0x1p-515, 1, 1, 1);
    run_avx("vmulsd tiny exact UE", v_mulsd, unm(UE), d, a, s, 0);
    f8(a, 1, 1, 1, 1, 1, 1, 1, 1), f8(s, 1, 3, 1, 1, 1, 1, 1, 0);
    run_avx("vdivps 1/0 upper lane ZE", v_divps, unm(ZE), d, a, s, 0);
    run_avx("vdivps m256 1/0 upper lane ZE", v_divps_m, unm(ZE), d, a, s, 0);
    run_avx("vdivps 1/0 upper, 1/3 lower, PE", v_divps, unm(PE), d, a, s, 0);
    run_avx("vdivps 1/0 upper, 1/3 lower, ZE", v_divps, unm(ZE | PE), d, a, s, 0);
    run_avx("vdivps xmm (128) 1/3 PE", v_divps128, unm(PE), d, a, s, 0);
    run_avx("vdivps xmm (128) 1/0 masked", v_divps128, 0x1f80, d, a, s, 0);
    d4(a, 1, 1, 1, 1e300), d4(s, 1, 1, 1, 1e300);
    run_avx("vmulpd overflow lane 3 OE", v_mulpd, unm(OE), d, a, s, 0);
    d4(s, 4, 9, 16, -1);
    run_avx("vsqrtpd -1 lane 3 IE", v_sqrtpd, unm(IE), d, a, s, 0);
    d4(s, 1, 2, 3, 1e300);
    run_avx("vcvtpd2ps ymm overflow OE", v_cvtpd2ps, unm(OE), d, a, s, 0);
    run_avx("vcvtpd2ps ymm masked", v_cvtpd2ps, 0x1f80, d, a, s, 0);
    d4(a, 1, 2, 1e308, 1e308), d4(s, 1, 2, 3, 4);
    run_avx("vhaddpd overflow upper OE", v_haddpd, unm(OE), d, a, s, 0);
    d4(s, 1, 2, 3, 4.5);
    run_avx("vroundpd 4.5 PE", v_roundpd, unm(PE), d, a, s, 0);
    f8(a, 1, 1, 1, 1, 1, 1, 1, 1), f8(s, 1, 1, 1, 1, 1, 1, 1, __builtin_nanf(""));
    run_avx("vcmpltps qnan IE", v_cmpltps, unm(IE), d, a, s, 0);
    run_avx("vcmpeqps qnan IE (no signal)", v_cmpeqps, unm(IE), d, a, s, 0);
    d4(a, 1, 2, 3, 0x1p-1070), d4(s, 1, 1, 1, 1);
    run_avx("vmaxpd denormal DE", v_maxpd, unm(DE), d, a, s, 0);
    d4(d, 0, 0, 0, 0), d4(a, 1e300, 0, 0, 0), d4(s, 1e300, 0, 0, 0);
    run_avx("vfmadd231sd overflow OE", v_fmadd231sd, unm(OE), d, a, s, 0);
    f8(d, 1, 1, 1, 1, 1, 1, 1, __builtin_nansf("")), f8(a, 1, 1, 1, 1, 1, 1, 1, 1);
    f8(s, 1, 1, 1, 1, 1, 1, 1, 1);
    run_avx("vfmadd132ps snan IE", v_fmadd132ps, unm(IE), d, a, s, 0);
    f8(a, 1, 2, 3, 4, 5, 6, 7, 1e10f);
    run_avx("vcvtps2ph 1e10 OE", v_cvtps2ph, unm(OE), d, a, s, 0);
    run_avx("vcvtps2ph 1e10 masked", v_cvtps2ph, 0x1f80, d, a, s, 0);
    memset(s, 0, 32);
    s[14] = 0x01, s[15] = 0x7c; /* half lane 7: a signalling NaN */
    run_avx("vcvtph2ps snan IE", v_cvtph2ps, unm(IE), d, a, s, 0);
    d4(a, 1, 2, 3, 4);
    run_avx("vcvtsi2sd 0x5555 PE (exact)", v_cvtsi2sd, unm(PE), d, a, s, 0);
    d4(s, 1e20, 0, 0, 0);
    run_avx("vcvttsd2si 1e20 IE", v_cvttsd2si, unm(IE), d, a, s, 0);
    d4(a, qnan, 0, 0, 0), d4(s, 1, 0, 0, 0);
    run_avx("vcomisd qnan IE", v_comisd, unm(IE), d, a, s, 0);
    f8(s, -1, 0, 0, 0, 0, 0, 0, 0);
    run_avx("vsqrtss -1 IE", v_sqrtss, unm(IE), d, a, s, 0);
}
#endif

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);
#ifdef WITH_AVX
    avx_tests();
    (void)sse_tests, (void)ldmxcsr_tests, (void)x87_tests, (void)x87_tests2, (void)c_tests;
#else
    sse_tests();
    ldmxcsr_tests();
    x87_tests();
    x87_tests2();
    c_tests();
    (void)ain;
#endif
    uint32_t mx;
    uint16_t cw;
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(cw));
    printf("end: mxcsr %04x cw %04x\n", mx, cw);
    return 0;
}
