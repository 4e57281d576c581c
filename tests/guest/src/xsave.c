/* guest-test: variants=static,pie requires=xsave,xsaveopt,xsavec,xgetbv1
 * XSAVE/XSAVEOPT/XSAVEC/XRSTOR on the x87 (0) and SSE (1) components, and XGETBV. Only those
 * two components are requested (edx:eax masks within 3), so the host's extra ones (AVX, ...)
 * never show. What is printed: the legacy region's defined fields (not the x87 instruction and
 * operand pointers, which hold host addresses natively), the header, untouched bytes, the state
 * XRSTOR loads (also from XSTATE_BV=0: init values), and #GP (SIGSEGV, si_code SI_KERNEL) for a
 * misaligned area, header bits outside XCR0, non-zero reserved header bytes, a reserved MXCSR
 * bit and XGETBV with ECX=2. FXSAVE/FXRSTOR of the same state, and FXRSTOR's #GP for a reserved
 * MXCSR bit. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint8_t area[4096] __attribute__((aligned(64)));
static sigjmp_buf env;
static volatile int last_code;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    last_code = si->si_code;
    siglongjmp(env, 1);
}

#define XSAVE_OP(insn, p, mask) \
    __asm__ volatile(insn " %0" : "+m"(*(uint8_t(*)[576])(p)) : "a"((uint32_t)(mask)), "d"(0) : "memory")

static void set_state(int seed) {
    uint8_t x[256];
    for (int i = 0; i < 256; i++) x[i] = (uint8_t)(i * 7 + seed);
    __asm__ volatile("movdqu 0(%0),%%xmm0\n\tmovdqu 16(%0),%%xmm1\n\tmovdqu 32(%0),%%xmm2\n\t"
                     "movdqu 48(%0),%%xmm3\n\tmovdqu 64(%0),%%xmm4\n\tmovdqu 80(%0),%%xmm5\n\t"
                     "movdqu 96(%0),%%xmm6\n\tmovdqu 112(%0),%%xmm7\n\tmovdqu 128(%0),%%xmm8\n\t"
                     "movdqu 144(%0),%%xmm9\n\tmovdqu 160(%0),%%xmm10\n\tmovdqu 176(%0),%%xmm11\n\t"
                     "movdqu 192(%0),%%xmm12\n\tmovdqu 208(%0),%%xmm13\n\tmovdqu 224(%0),%%xmm14\n\t"
                     "movdqu 240(%0),%%xmm15"
                     : : "r"(x) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    uint32_t mx = 0x1f80 | (uint32_t)(seed & 3) << 13;
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));
    uint16_t cw = (uint16_t)(0x37f & ~(seed & 1 ? 0x300 : 0));
    __asm__ volatile("fninit\n\tfldcw %0\n\tfld1\n\tfldpi\n\tfldl2t" : : "m"(cw));
}

static void drop_x87(void) {
    __asm__ volatile("fninit");
}

static void read_xmm(uint8_t out[256]) {
    __asm__ volatile("movdqu %%xmm0,0(%0)\n\tmovdqu %%xmm1,16(%0)\n\tmovdqu %%xmm7,112(%0)\n\t"
                     "movdqu %%xmm8,128(%0)\n\tmovdqu %%xmm15,240(%0)"
                     : : "r"(out) : "memory");
}

static uint32_t hash(const uint8_t *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint64_t rd64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The defined fields of an area: fcw fsw ftw, mxcsr(+mask), st0-7 (10 bytes each), xmm hash,
   header words, and whether the bytes software may use (464..511) stayed 0xaa. */
static void show(const char *what, const uint8_t *p) {
    uint32_t mx, mxm;
    memcpy(&mx, p + 24, 4);
    memcpy(&mxm, p + 28, 4);
    printf("%s: fcw %02x%02x fsw %02x%02x ftw %02x mxcsr %08x/%08x", what, p[1], p[0], p[3], p[2],
           p[4], mx, mxm & 0xffff); /* bit 17 (misaligned SSE) on some hosts */
    uint32_t st = 2166136261u;
    for (int i = 0; i < 8; i++) st = (st ^ hash(p + 32 + 16 * i, 10)) * 16777619u;
    int soft = 1;
    for (int i = 464; i < 512; i++) soft &= p[i] == 0xaa;
    printf(" st %08x xmm %08x bv %llx comp %llx hdr-rest %08x soft %d\n", st, hash(p + 160, 256),
           (unsigned long long)rd64(p + 512), (unsigned long long)rd64(p + 520),
           hash(p + 528, 48), soft);
}

static void fresh(void) {
    memset(area, 0xaa, sizeof area);
    memset(area + 512, 0, 64);
}

static int try_op(int which, uint8_t *p, uint32_t mask) {
    last_code = 0;
    if (sigsetjmp(env, 1)) return last_code;
    switch (which) {
        case 0: XSAVE_OP("xsave", p, mask); break;
        case 1: XSAVE_OP("xrstor", p, mask); break;
        case 2: XSAVE_OP("xsavec", p, mask); break;
        case 3: {
            uint32_t lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(mask));
            break;
        }
    }
    return -1;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    uint32_t lo, hi;
    set_state(1);
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    printf("xcr0 has x87+sse: %u\n", (lo & 3) == 3);
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
    printf("in use x87+sse: %u\n", lo & 3);

    for (int seed = 1; seed <= 3; seed++) {
        for (uint32_t mask = 1; mask <= 3; mask++) {
            const char *ops[] = {"xsave", "xsaveopt", "xsavec"};
            for (int op = 0; op < 3; op++) {
                fresh();
                set_state(seed);
                if (op == 0) XSAVE_OP("xsave", area, mask);
                if (op == 1) XSAVE_OP("xsaveopt", area, mask);
                if (op == 2) XSAVE_OP("xsavec", area, mask);
                drop_x87();
                char what[64];
                snprintf(what, sizeof what, "%s seed %d mask %u", ops[op], seed, mask);
                show(what, area);
            }
        }
    }

    /* xsave then xrstor of an edited image. */
    fresh();
    set_state(2);
    XSAVE_OP("xsave", area, 3);
    drop_x87();
    for (int i = 160; i < 416; i++) area[i] ^= 0x5a;
    area[0] = 0x7f; area[1] = 0x0f;                 /* fcw 0f7f */
    uint32_t mx = 0x9fc0;
    memcpy(area + 24, &mx, 4);
    set_state(3);
    XSAVE_OP("xrstor", area, 3);
    uint8_t x[256], y[256];
    memset(x, 0, sizeof x);
    read_xmm(x);
    uint16_t cw, sw;
    uint32_t mx2;
    __asm__ volatile("fnstcw %0\n\tfnstsw %1\n\tstmxcsr %2" : "=m"(cw), "=m"(sw), "=m"(mx2));
    long double top;
    __asm__ volatile("fstpt %0" : "=m"(top));
    printf("xrstor: xmm %08x fcw %04x fsw-top %u mxcsr %08x st0 %.10Lg\n", hash(x, 256), cw,
           (sw >> 11) & 7, mx2, top);
    drop_x87();

    /* XSTATE_BV = 0: both components get their init values; MXCSR still comes from memory
       in the standard form. */
    for (int bv = 0; bv < 4; bv++) {
        fresh();
        set_state(1);
        XSAVE_OP("xsave", area, 3);
        memcpy(area + 512, &(uint64_t){(uint64_t)bv}, 8);
        set_state(2);
        XSAVE_OP("xrstor", area, 3);
        memset(y, 0, sizeof y);
        read_xmm(y);
        __asm__ volatile("fnstcw %0\n\tfnstsw %1\n\tstmxcsr %2" : "=m"(cw), "=m"(sw), "=m"(mx2));
        uint8_t envbuf[28];
        __asm__ volatile("fnstenv %0\n\tfldcw %1" : "=m"(envbuf) : "m"(cw));
        printf("xrstor bv %d: xmm %08x fcw %04x fsw %04x ftw %02x%02x mxcsr %08x\n", bv,
               hash(y, 256), cw, sw, envbuf[9], envbuf[8], mx2);
        drop_x87();
    }

    /* Compacted image back through xrstor. */
    fresh();
    set_state(3);
    XSAVE_OP("xsavec", area, 3);
    set_state(1);
    XSAVE_OP("xrstor", area, 3);
    memset(y, 0, sizeof y);
    read_xmm(y);
    __asm__ volatile("stmxcsr %0" : "=m"(mx2));
    printf("xrstor compacted: xmm %08x mxcsr %08x\n", hash(y, 256), mx2);
    drop_x87();

    /* #GP cases. */
    fresh();
    set_state(1);
    XSAVE_OP("xsave", area, 3);
    drop_x87();
    printf("xsave misaligned: %d\n", try_op(0, area + 16, 3));
    printf("xsavec misaligned: %d\n", try_op(2, area + 32, 3));
    printf("xrstor misaligned: %d\n", try_op(1, area + 8, 3));
    uint8_t good[576];
    memcpy(good, area, 576);
    area[512 + 1] = 1; /* XSTATE_BV bit 8: never in XCR0 */
    printf("xrstor bv bit 8: %d\n", try_op(1, area, 3));
    memcpy(area, good, 576);
    area[512 + 16] = 1; /* reserved header byte */
    printf("xrstor reserved header: %d\n", try_op(1, area, 3));
    memcpy(area, good, 576);
    mx = 0x11f80;
    memcpy(area + 24, &mx, 4);
    printf("xrstor reserved mxcsr: %d\n", try_op(1, area, 3));
    printf("xrstor reserved mxcsr, x87 only: %d\n", try_op(1, area, 1));
    drop_x87();
    printf("xgetbv ecx=2: %d\n", try_op(3, NULL, 2));

    /* FXSAVE writes the same legacy region; FXRSTOR loads it back, #GP for reserved MXCSR. */
    for (int seed = 1; seed <= 3; seed++) {
        fresh();
        set_state(seed);
        __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])area));
        drop_x87();
        char what[32];
        snprintf(what, sizeof what, "fxsave seed %d", seed);
        show(what, area);
    }
    fresh();
    set_state(2);
    __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])area));
    area[0] = 0x7f; area[1] = 0x0c;
    set_state(1);
    __asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[512])area));
    memset(y, 0, sizeof y);
    read_xmm(y);
    __asm__ volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(cw), "=m"(mx2));
    printf("fxrstor: xmm %08x fcw %04x mxcsr %08x\n", hash(y, 256), cw, mx2);
    drop_x87();
    mx = 0x41f80;
    memcpy(area + 24, &mx, 4);
    last_code = 0;
    int r = -1;
    if (sigsetjmp(env, 1)) r = last_code;
    else __asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[512])area));
    printf("fxrstor reserved mxcsr: %d\n", r);
    return 0;
}
