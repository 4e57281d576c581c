/* guest-test: variants=static,pie cflags=-msse4.1 requires=sse4_1
 * Alignment of legacy SSE memory operands: a 16-byte operand that is not 16-byte aligned
 * raises #GP (SIGSEGV, si_code SI_KERNEL, si_addr 0) for arithmetic, logic, shuffles, movaps/
 * movapd/movdqa/movntdq/movntdqa, fxsave/fxrstor; movups/movupd/movdqu/lddqu and pcmpXstrX take
 * any address; scalar and narrower operands (movss/movsd, addss/addsd, movddup, pmovzx/pmovsx,
 * insertps, roundss/roundsd, movhps/movlps, movq) read only their own bytes: placed at the very
 * end of a page followed by an inaccessible one they do not fault. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile int sig_code, sig_addr_zero;

static void handler(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    sig_code = si->si_code;
    sig_addr_zero = si->si_addr == 0;
    siglongjmp(env, 1);
}

#define TRY(name, asm_text, ptr)                                                              \
    do {                                                                                      \
        sig_code = -1;                                                                        \
        if (!sigsetjmp(env, 1)) __asm__ volatile(asm_text : : "r"(ptr) : "xmm0", "xmm1", "memory", "rax", "rcx", "rdx", "cc"); \
        if (sig_code == -1) printf("%-28s ok\n", name);                                       \
        else printf("%-28s fault si_code %d si_addr 0 %d\n", name, sig_code, sig_addr_zero);  \
    } while (0)

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    static uint8_t buf[1024] __attribute__((aligned(64)));
    for (int i = 0; i < 1024; i++) buf[i] = (uint8_t)i;
    uint8_t *al = buf + 64, *mis = buf + 64 + 4, *mis8 = buf + 64 + 8;

    /* Aligned: nothing faults. */
    TRY("movaps aligned", "movaps (%0), %%xmm0", al);
    TRY("addps aligned", "addps (%0), %%xmm0", al);
    TRY("fxsave aligned", "fxsave (%0)", al);
    /* Misaligned 16-byte operands. */
    TRY("movaps load", "movaps (%0), %%xmm0", mis);
    TRY("movaps store", "movaps %%xmm0, (%0)", mis);
    TRY("movapd load", "movapd (%0), %%xmm0", mis8);
    TRY("movdqa load", "movdqa (%0), %%xmm0", mis8);
    TRY("movdqa store", "movdqa %%xmm0, (%0)", mis8);
    TRY("movntdq", "movntdq %%xmm0, (%0)", mis8);
    TRY("movntps", "movntps %%xmm0, (%0)", mis);
    TRY("movntdqa", "movntdqa (%0), %%xmm0", mis8);
    TRY("addps", "addps (%0), %%xmm0", mis);
    TRY("mulpd", "mulpd (%0), %%xmm0", mis8);
    TRY("pxor", "pxor (%0), %%xmm0", mis);
    TRY("pand", "pand (%0), %%xmm0", mis);
    TRY("paddb", "paddb (%0), %%xmm0", mis);
    TRY("pcmpeqb", "pcmpeqb (%0), %%xmm0", mis);
    TRY("pshufd", "pshufd $0x1b, (%0), %%xmm0", mis);
    TRY("punpcklbw", "punpcklbw (%0), %%xmm0", mis);
    TRY("pshufb", "pshufb (%0), %%xmm0", mis);
    TRY("ptest", "ptest (%0), %%xmm0", mis);
    TRY("cvtdq2ps", "cvtdq2ps (%0), %%xmm0", mis);
    TRY("fxsave", "fxsave (%0)", mis8);
    TRY("fxrstor", "fxrstor (%0)", mis8);
    /* Unaligned forms. */
    TRY("movups", "movups (%0), %%xmm0", mis);
    TRY("movupd store", "movupd %%xmm0, (%0)", mis);
    TRY("movdqu", "movdqu (%0), %%xmm0", mis);
    TRY("movdqu store", "movdqu %%xmm0, (%0)", mis);
    TRY("lddqu", "lddqu (%0), %%xmm0", mis);
    TRY("pcmpistri", "pcmpistri $0, (%0), %%xmm0", mis);
    TRY("pcmpestri", "mov $4, %%eax\n\tmov $4, %%edx\n\tpcmpestri $0, (%0), %%xmm0", mis);
    TRY("addss", "addss (%0), %%xmm0", mis);
    TRY("addsd", "addsd (%0), %%xmm0", mis);
    TRY("movddup", "movddup (%0), %%xmm0", mis);
    TRY("pmovzxbw", "pmovzxbw (%0), %%xmm0", mis);

    /* Narrow operands at the end of a page followed by an inaccessible page. */
    uint8_t *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(pages, 0x11, 4096);
    mprotect(pages + 4096, 4096, PROT_NONE);
    uint8_t *end = pages + 4096;
    TRY("movss at page end", "movss (%0), %%xmm0", end - 4);
    TRY("movsd at page end", "movsd (%0), %%xmm0", end - 8);
    TRY("addss at page end", "addss (%0), %%xmm0", end - 4);
    TRY("movddup at page end", "movddup (%0), %%xmm0", end - 8);
    TRY("pmovzxbw at page end", "pmovzxbw (%0), %%xmm0", end - 8);
    TRY("pmovsxbd at page end", "pmovsxbd (%0), %%xmm0", end - 4);
    TRY("pmovzxbq at page end", "pmovzxbq (%0), %%xmm0", end - 2);
    TRY("pmovsxdq at page end", "pmovsxdq (%0), %%xmm0", end - 8);
    TRY("insertps at page end", "insertps $0x10, (%0), %%xmm0", end - 4);
    TRY("roundss at page end", "roundss $1, (%0), %%xmm0", end - 4);
    TRY("roundsd at page end", "roundsd $1, (%0), %%xmm0", end - 8);
    TRY("movhps at page end", "movhps (%0), %%xmm0", end - 8);
    TRY("movq at page end", "movq (%0), %%xmm0", end - 8);
    TRY("cvtps2pd at page end", "cvtps2pd (%0), %%xmm0", end - 8);
    TRY("movups across the end", "movups (%0), %%xmm0", end - 8);
    return 0;
}
