/* guest-test: variants=static,pie cflags=-mavx2 requires=avx,avx2
 * AVX2 gathers: every form (dword/qword indices, dword/qword elements, 128/256) under masks,
 * scales and displacements, negative indices; the mask register is zero afterwards and the
 * destination keeps the elements whose mask bit was clear. A gather whose highest active
 * element faults: the handler sees the lower elements done and their mask bits clear, the
 * faulting one still pending; after the page is made readable the instruction restarts and
 * completes. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static int32_t table[256];
static uint64_t out[8];

static void show(const char *what) {
    printf("%-28s dst %016llx%016llx%016llx%016llx mask %016llx%016llx%016llx%016llx\n", what,
           (unsigned long long)out[3], (unsigned long long)out[2], (unsigned long long)out[1],
           (unsigned long long)out[0], (unsigned long long)out[7], (unsigned long long)out[6],
           (unsigned long long)out[5], (unsigned long long)out[4]);
}

static const int32_t kIdx[8] = {3, -2, 17, 0, 40, 5, -7, 63};
static int32_t mask_src[8];

/* dst = ymm0 (preloaded with a pattern), index ymm1, mask ymm2; base in rsi. */
#define GATHER(text, scale_base)                                                           \
    __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpsrld $4, %%ymm0, %%ymm0\n\t"     \
                     "vmovdqu (%[ix]), %%ymm1\n\tvpmovsxdq (%[ix]), %%ymm4\n\t"             \
                     "vmovdqu (%[mk]), %%ymm2\n\t" text "\n\t"                              \
                     "vmovdqu %%ymm0, (%[o])\n\tvmovdqu %%ymm2, 32(%[o])"                   \
                     :                                                                      \
                     : [ix] "r"(kIdx), [mk] "r"(mask_src), [o] "r"(out), "S"(scale_base)    \
                     : "xmm0", "xmm1", "xmm2", "xmm4", "memory");                           \
    show(text)

static volatile int faults;
static uint8_t *page;
static void on_segv(int sig, siginfo_t *si, void *uc_) {
    (void)sig;
    ucontext_t *uc = uc_;
    faults++;
    printf("fault at page+%ld\n", (long)((uint8_t *)si->si_addr - page));
    /* the partial state: xmm0/xmm2 low halves from the FXSAVE image, upper halves from the
     * XSAVE area */
    const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t magic;
    memcpy(&magic, fx + 464, 4);
    uint64_t lo[2], hi[2];
    memcpy(lo, fx + 160, 16);
    printf("  dst low %016llx%016llx\n", (unsigned long long)lo[1], (unsigned long long)lo[0]);
    memcpy(lo, fx + 160 + 32, 16);
    printf("  mask low %016llx%016llx\n", (unsigned long long)lo[1], (unsigned long long)lo[0]);
    if (magic == 0x46505853) {
        memcpy(hi, fx + 576, 16);
        printf("  dst high %016llx%016llx\n", (unsigned long long)hi[1], (unsigned long long)hi[0]);
        memcpy(hi, fx + 576 + 32, 16);
        printf("  mask high %016llx%016llx\n", (unsigned long long)hi[1], (unsigned long long)hi[0]);
    }
    mprotect(page + 4096, 4096, PROT_READ | PROT_WRITE);
}

int main(void) {
    for (int i = 0; i < 256; i++) table[i] = (int32_t)((uint32_t)i * 0x01010101u + 7);
    static const int32_t kMasks[][8] = {{-1, -1, -1, -1, -1, -1, -1, -1},
                                        {-1, 0, 0x80000000, 1, -1, 0x7fffffff, 0, -1},
                                        {0, 0, 0, 0, 0, 0, 0, 0},
                                        {0, -1, 0, -1, -1, 0, -1, 0}};
    for (int m = 0; m < 4; m++) {
        memcpy(mask_src, kMasks[m], sizeof mask_src);
        printf("mask set %d\n", m);
        const int32_t *mid = table + 64;
        GATHER("vpgatherdd %%ymm2, (%%rsi,%%ymm1,4), %%ymm0", mid);
        GATHER("vpgatherdd %%xmm2, 8(%%rsi,%%xmm1,4), %%xmm0", mid);
        GATHER("vpgatherdq %%ymm2, (%%rsi,%%xmm1,8), %%ymm0", mid);
        GATHER("vpgatherdq %%xmm2, -16(%%rsi,%%xmm1,2), %%xmm0", mid);
        GATHER("vpgatherqd %%xmm2, (%%rsi,%%ymm4,4), %%xmm0", mid);
        GATHER("vpgatherqd %%xmm2, 4(%%rsi,%%xmm4,1), %%xmm0", mid);
        GATHER("vpgatherqq %%ymm2, (%%rsi,%%ymm4,8), %%ymm0", mid);
        GATHER("vpgatherqq %%xmm2, (%%rsi,%%xmm4,4), %%xmm0", mid);
        GATHER("vgatherdps %%ymm2, (%%rsi,%%ymm1,4), %%ymm0", mid);
        GATHER("vgatherdpd %%xmm2, (%%rsi,%%xmm1,8), %%xmm0", mid);
        GATHER("vgatherqps %%xmm2, (%%rsi,%%ymm4,4), %%xmm0", mid);
        GATHER("vgatherqpd %%ymm2, 8(%%rsi,%%ymm4,8), %%ymm0", mid);
    }

    /* a fault in the highest active element */
    page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2048; i++) ((int32_t *)page)[i] = i;
    mprotect(page + 4096, 4096, PROT_NONE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    static const int32_t kFaultIdx[8] = {1, 2, 3, 4, 5, 6, 1030, 1100};
    static const int32_t kFaultMask[8] = {-1, -1, 0, -1, -1, -1, -1, 0};
    memcpy(mask_src, kFaultMask, sizeof mask_src);
    __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovdqu (%[ix]), %%ymm1\n\tvmovdqu (%[mk]), %%ymm2\n\t"
                     "vpgatherdd %%ymm2, (%%rsi,%%ymm1,4), %%ymm0\n\t"
                     "vmovdqu %%ymm0, (%[o])\n\tvmovdqu %%ymm2, 32(%[o])"
                     :
                     : [ix] "r"(kFaultIdx), [mk] "r"(mask_src), [o] "r"(out), "S"(page)
                     : "xmm0", "xmm1", "xmm2", "memory");
    show("after restart");
    printf("faults %d\n", faults);
    return 0;
}
