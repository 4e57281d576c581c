/* guest-test: variants=static,pie cflags=-mavx2 requires=avx,avx2
 * Signal frames with AVX state: the handler finds the XSAVE frame the kernel writes (uc_flags'
 * UC_FP_XSTATE, FP_XSTATE_MAGIC1 and its sizes in the FXSAVE image's software-reserved bytes,
 * AVX in xfeatures and in XSTATE_BV, the ymm upper halves at offset 576, FP_XSTATE_MAGIC2 after
 * the area, a 64-byte aligned fpstate), changes an upper half and a low half there, and
 * rt_sigreturn restores all 256 bits of every register. After vzeroupper XSTATE_BV's AVX bit
 * is clear. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static uint8_t regs_in[16][32] __attribute__((aligned(32)));
static uint8_t regs_out[16][32] __attribute__((aligned(32)));
static int expect_avx;

static void on_usr1(int sig, siginfo_t *si, void *uc_) {
    (void)sig, (void)si;
    ucontext_t *uc = uc_;
    uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t magic1, ext_size, xstate_size, magic2 = 0;
    uint64_t xfeatures, bv;
    memcpy(&magic1, fx + 464, 4);
    memcpy(&ext_size, fx + 468, 4);
    memcpy(&xfeatures, fx + 472, 8);
    memcpy(&xstate_size, fx + 480, 4);
    memcpy(&bv, fx + 512, 8);
    if (magic1 == 0x46505853) memcpy(&magic2, fx + xstate_size, 4);
    printf("uc_flags %d magic1 %d sizes %d xfeatures&7 %d magic2 %d aligned %d bv&4 %d\n",
           (int)uc->uc_flags, magic1 == 0x46505853,
           ext_size == xstate_size + 4 && xstate_size >= 832, (int)(xfeatures & 7),
           magic2 == 0x46505845, ((uintptr_t)fx & 63) == 0, (int)(bv & 4));
    if (!expect_avx) return;
    int same = 1;
    for (int r = 0; r < 16; r++) {
        same &= memcmp(fx + 160 + 16 * r, regs_in[r], 16) == 0;
        same &= memcmp(fx + 576 + 16 * r, regs_in[r] + 16, 16) == 0;
    }
    printf("frame holds the registers: %d\n", same);
    /* changes that sigreturn must load */
    memset(fx + 576 + 16 * 5, 0xa5, 16);
    memset(fx + 160 + 16 * 6, 0x5a, 16);
    fx[576 + 16 * 15 + 3] ^= 0xff;
}

static void run(int fill_upper) {
    for (int r = 0; r < 16; r++) {
        for (int i = 0; i < 32; i++) regs_in[r][i] = (uint8_t)(r * 37 + i * 11 + 1);
    }
    expect_avx = fill_upper;
    __asm__ volatile(
        "vmovdqa 0(%[in]), %%ymm0\n\tvmovdqa 32(%[in]), %%ymm1\n\tvmovdqa 64(%[in]), %%ymm2\n\t"
        "vmovdqa 96(%[in]), %%ymm3\n\tvmovdqa 128(%[in]), %%ymm4\n\tvmovdqa 160(%[in]), %%ymm5\n\t"
        "vmovdqa 192(%[in]), %%ymm6\n\tvmovdqa 224(%[in]), %%ymm7\n\tvmovdqa 256(%[in]), %%ymm8\n\t"
        "vmovdqa 288(%[in]), %%ymm9\n\tvmovdqa 320(%[in]), %%ymm10\n\tvmovdqa 352(%[in]), %%ymm11\n\t"
        "vmovdqa 384(%[in]), %%ymm12\n\tvmovdqa 416(%[in]), %%ymm13\n\tvmovdqa 448(%[in]), %%ymm14\n\t"
        "vmovdqa 480(%[in]), %%ymm15\n\t"
        "testl %[up], %[up]\n\tjnz 1f\n\tvzeroupper\n1:\n\t"
        "movl $39, %%eax\n\tsyscall\n\tmovl %%eax, %%edi\n\tmovl $10, %%esi\n\tmovl $62, %%eax\n\tsyscall\n\t"
        "vmovdqa %%ymm0, 0(%[out])\n\tvmovdqa %%ymm1, 32(%[out])\n\tvmovdqa %%ymm2, 64(%[out])\n\t"
        "vmovdqa %%ymm3, 96(%[out])\n\tvmovdqa %%ymm4, 128(%[out])\n\tvmovdqa %%ymm5, 160(%[out])\n\t"
        "vmovdqa %%ymm6, 192(%[out])\n\tvmovdqa %%ymm7, 224(%[out])\n\tvmovdqa %%ymm8, 256(%[out])\n\t"
        "vmovdqa %%ymm9, 288(%[out])\n\tvmovdqa %%ymm10, 320(%[out])\n\tvmovdqa %%ymm11, 352(%[out])\n\t"
        "vmovdqa %%ymm12, 384(%[out])\n\tvmovdqa %%ymm13, 416(%[out])\n\tvmovdqa %%ymm14, 448(%[out])\n\t"
        "vmovdqa %%ymm15, 480(%[out])\n\tvzeroupper"
        :
        : [in] "r"(regs_in), [out] "r"(regs_out), [up] "r"(fill_upper)
        : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
          "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
          "xmm15");
    for (int r = 0; r < 16; r++) {
        printf("ymm%-2d ", r);
        for (int i = 31; i >= 0; i--) printf("%02x", regs_out[r][i]);
        printf("\n");
    }
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    run(1);
    run(0);
    /* on an alternate stack too */
    static uint8_t alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, 0);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, 0);
    run(1);
    return 0;
}
