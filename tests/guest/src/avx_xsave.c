/* guest-test: variants=static,pie cflags=-mavx2 -mxsave -mxsavec -mxsaveopt requires=avx,avx2,xsave
 * XSAVE, XSAVEOPT, XSAVEC and XRSTOR with the AVX component (2): the ymm upper halves at offset
 * 576 in both forms, XSTATE_BV (bit 2 clear after vzeroupper: the component is in its initial
 * state; x87's bit is left out, it depends on the C library), XCOMP_BV of the compacted form, XRSTOR of saved, modified and init (XSTATE_BV bit 2
 * clear) images, masks that leave AVX out (the upper halves unchanged), XGETBV's XCR0 AVX
 * bit and XINUSE's (ECX=1). */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint8_t area[4096] __attribute__((aligned(64)));
static uint8_t regs[16][32] __attribute__((aligned(32)));

static void set_regs(int seed) {
    for (int r = 0; r < 16; r++) {
        for (int i = 0; i < 32; i++) regs[r][i] = (uint8_t)(seed + r * 29 + i * 3);
    }
    __asm__ volatile("vmovdqa 0(%0), %%ymm0\n\tvmovdqa 32(%0), %%ymm1\n\tvmovdqa 64(%0), %%ymm2\n\t"
                     "vmovdqa 96(%0), %%ymm3\n\tvmovdqa 480(%0), %%ymm15"
                     :
                     : "r"(regs)
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm15");
}

static void show_regs(const char *what) {
    uint8_t o[5][32];
    __asm__ volatile("vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\tvmovdqu %%ymm2, 64(%0)\n\t"
                     "vmovdqu %%ymm3, 96(%0)\n\tvmovdqu %%ymm15, 128(%0)"
                     :
                     : "r"(o)
                     : "memory");
    printf("%s:", what);
    for (int r = 0; r < 5; r++) {
        printf(" ");
        for (int i = 31; i >= 0; i--) printf("%02x", o[r][i]);
    }
    printf("\n");
}

static void show_area(const char *what) {
    uint64_t bv, comp;
    memcpy(&bv, area + 512, 8);
    memcpy(&comp, area + 520, 8);
    printf("%s: xstate_bv&6 %llx xcomp_bv %llx ymmh0 ", what, (unsigned long long)(bv & 6),
           (unsigned long long)comp);
    for (int i = 15; i >= 0; i--) printf("%02x", area[576 + i]);
    printf(" ymmh15 ");
    for (int i = 15; i >= 0; i--) printf("%02x", area[576 + 240 + i]);
    printf(" xmm1 ");
    for (int i = 15; i >= 0; i--) printf("%02x", area[160 + 16 + i]);
    printf("\n");
}

int main(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    printf("xcr0&7 %x\n", lo & 7);
    /* XINUSE's AVX bit: set by a 256-bit write, clear after vzeroupper */
    uint32_t used, unused;
    set_regs(13);
    __asm__ volatile("xgetbv" : "=a"(used), "=d"(hi) : "c"(1));
    __asm__ volatile("vzeroupper\n\txgetbv" : "=a"(unused), "=d"(hi) : "c"(1));
    printf("xinuse&4 %x after vzeroupper %x\n", used & 4, unused & 4);

    memset(area, 0, sizeof area);
    set_regs(1);
    _xsave(area, 7);
    show_area("xsave 7");
    memset(area, 0, sizeof area);
    set_regs(2);
    _xsave(area, 3);
    show_area("xsave 3");
    memset(area, 0, sizeof area);
    set_regs(9);
    _xsaveopt(area, 7);
    show_area("xsaveopt 7");
    memset(area, 0, sizeof area);
    set_regs(3);
    _xsavec(area, 7);
    show_area("xsavec 7");
    memset(area, 0, sizeof area);
    set_regs(12); /* printf may have used the registers (and vzeroupper) */
    _xsavec(area, 5);
    show_area("xsavec 5");

    /* vzeroupper: the component is in its init state */
    memset(area, 0, sizeof area);
    set_regs(10);
    __asm__ volatile("vzeroupper");
    _xsave(area, 7);
    show_area("xsave after vzeroupper");
    memset(area, 0, sizeof area);
    set_regs(11);
    __asm__ volatile("vzeroupper");
    _xsavec(area, 7);
    show_area("xsavec after vzeroupper");

    /* restore: saved, modified, init */
    memset(area, 0, sizeof area);
    set_regs(4);
    _xsave(area, 7);
    set_regs(5);
    _xrstor(area, 7);
    show_regs("xrstor saved");
    area[576 + 5] ^= 0xff;
    _xrstor(area, 7);
    show_regs("xrstor modified");
    set_regs(6);
    _xrstor(area, 3);
    show_regs("xrstor mask 3");
    uint64_t bv = 3;
    memcpy(area + 512, &bv, 8);
    _xrstor(area, 7);
    show_regs("xrstor bv 3 (init)");
    memset(area, 0, sizeof area);
    set_regs(7);
    _xsavec(area, 7);
    set_regs(8);
    _xrstor(area, 7);
    show_regs("xrstor compacted");
    __asm__ volatile("vzeroupper");
    return 0;
}
