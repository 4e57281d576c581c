/* Runs instructions of the CPUID extensions one by one and prints, for each, the result or
 * SIGILL: a -cpu model without an extension makes its instructions undefined (lzcnt and tzcnt run
 * as bsr and bsf). Used by qemu_x86_64_cpu_insns_vs_qemu72_test.py. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
static sigjmp_buf jb;
static void onill(int s) {
    (void)s;
    siglongjmp(jb, 1);
}
static char buf[512] __attribute__((aligned(64)));
#define T(name, code)                                                                       \
    do {                                                                                    \
        uint64_t r = 0x1234;                                                                \
        if (!sigsetjmp(jb, 1)) {                                                            \
            __asm__ volatile(code                                                           \
                             : "+r"(r)                                                      \
                             : "r"(buf)                                                     \
                             : "memory", "cc", "xmm0", "xmm1", "rax", "rdx", "rcx", "rbx"); \
            printf("%-12s ok %llx\n", name, (unsigned long long)r);                         \
        } else                                                                              \
            printf("%-12s SIGILL\n", name);                                                 \
    } while (0)
int main(void) {
    signal(SIGILL, onill);
    T("pshufb", "pshufb %%xmm1, %%xmm0");
    T("palignr", "palignr $1, %%xmm1, %%xmm0");
    T("pmulld", "pmulld %%xmm1, %%xmm0");
    T("ptest", "ptest %%xmm1, %%xmm0");
    T("pcmpgtq", "pcmpgtq %%xmm1, %%xmm0");
    T("pcmpistri", "pcmpistri $0, %%xmm1, %%xmm0");
    T("crc32", "crc32q %0, %0");
    T("popcnt", "popcnt %0, %0");
    T("lzcnt", "mov $0x10, %0; lzcnt %0, %0");
    T("tzcnt", "mov $0x10, %0; tzcnt %0, %0");
    T("tzcnt0",
      "xor %%eax, %%eax; mov $7, %0; tzcnt %%rax, %0; setc %%al; shl $8, %0; or %%rax, %0");
    T("lzcnt0",
      "xor %%eax, %%eax; mov $7, %0; lzcnt %%rax, %0; setc %%al; shl $8, %0; or %%rax, %0");
    T("movbe", "movbe (%1), %0");
    T("andn", "andn %0, %0, %0");
    T("bextr", "bextr %0, %0, %0");
    T("blsr", "blsr %0, %0");
    T("bzhi", "bzhi %0, %0, %0");
    T("pdep", "pdep %0, %0, %0");
    T("mulx", "mulx %0, %0, %0");
    T("rorx", "rorx $3, %0, %0");
    T("shlx", "shlx %0, %0, %0");
    T("adcx", "adcx %0, %0");
    T("adox", "adox %0, %0");
    T("aesenc", "aesenc %%xmm1, %%xmm0");
    T("pclmulqdq", "pclmulqdq $0, %%xmm1, %%xmm0");
    T("sha1msg1", "sha1msg1 %%xmm1, %%xmm0");
    T("rdrand", "rdrand %0; mov $1, %0");
    T("rdseed", "rdseed %0; mov $1, %0");
    T("rdtscp", "rdtscp");
    T("cmpxchg16b", "xor %%eax,%%eax; xor %%edx,%%edx; cmpxchg16b (%1)");
    T("xgetbv", "xor %%ecx,%%ecx; xgetbv");
    T("xsave", "xor %%edx,%%edx; mov $3,%%eax; xsave (%1)");
    T("xsaveopt", "xor %%edx,%%edx; mov $3,%%eax; xsaveopt (%1)");
    T("xsavec", "xor %%edx,%%edx; mov $3,%%eax; xsavec (%1)");
    T("haddps", "haddps %%xmm1, %%xmm0");
    T("lddqu", "lddqu (%1), %%xmm0");
    T("movddup", "movddup %%xmm1, %%xmm0");
    T("fisttp", "fldz; fisttpl (%1)");
    T("pminud", "pminud %%xmm1, %%xmm0");
    T("roundsd", "roundsd $0, %%xmm1, %%xmm0");
    T("pmovzxbw", "pmovzxbw %%xmm1, %%xmm0");
    T("movntdqa", "movntdqa (%1), %%xmm0");
    T("pabsb", "pabsb %%xmm1, %%xmm0");
    T("pabsb_mmx", "pabsb %%mm1, %%mm0; emms");
    T("lahf", "lahf");
    T("cmov", "cmove %0, %0");
    T("clflush", "clflush (%1)");
    T("mfence", "mfence");
    T("prefetchw", "prefetchw (%1)");
    T("pause", "pause");
    T("fxsave", "fxsave (%1)");
    T("sse2_paddq", "paddq %%xmm1, %%xmm0");
    T("cvtsi2sd", "cvtsi2sd %0, %%xmm0");
    T("vaddps128", "vaddps %%xmm1, %%xmm0, %%xmm0");
    T("vaddps256", "vaddps %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpaddb128", "vpaddb %%xmm1, %%xmm0, %%xmm0");
    T("vpaddb256", "vpaddb %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpshufb256", "vpshufb %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpmovmskb256", "vpmovmskb %%ymm1, %0; vzeroupper");
    T("vpcmpeqb128", "vpcmpeqb %%xmm1, %%xmm0, %%xmm0");
    T("vptest256", "vptest %%ymm1, %%ymm0; vzeroupper");
    T("vpermilps256", "vpermilps $1, %%ymm1, %%ymm0; vzeroupper");
    T("vperm2f128", "vperm2f128 $1, %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vperm2i128", "vperm2i128 $1, %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpermq", "vpermq $1, %%ymm1, %%ymm0; vzeroupper");
    T("vpermd", "vpermd %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpbroadcastb", "vpbroadcastb %%xmm1, %%xmm0");
    T("vbroadcastss_m", "vbroadcastss (%1), %%xmm0");
    T("vbroadcastss_r", "vbroadcastss %%xmm1, %%xmm0");
    T("vbroadcastf128", "vbroadcastf128 (%1), %%ymm0; vzeroupper");
    T("vinsertf128", "vinsertf128 $1, %%xmm1, %%ymm0, %%ymm0; vzeroupper");
    T("vinserti128", "vinserti128 $1, %%xmm1, %%ymm0, %%ymm0; vzeroupper");
    T("vextractf128", "vextractf128 $1, %%ymm1, %%xmm0; vzeroupper");
    T("vpblendd", "vpblendd $1, %%xmm1, %%xmm0, %%xmm0");
    T("vpsllvd", "vpsllvd %%xmm1, %%xmm0, %%xmm0");
    T("vmaskmovps", "vmaskmovps (%1), %%xmm1, %%xmm0");
    T("vpmaskmovd", "vpmaskmovd (%1), %%xmm1, %%xmm0");
    T("vmovdqu256", "vmovdqu (%1), %%ymm0; vzeroupper");
    T("vmovntdqa256", "vmovntdqa (%1), %%ymm0; vzeroupper");
    T("vmpsadbw256", "vmpsadbw $0, %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpalignr256", "vpalignr $1, %%ymm1, %%ymm0, %%ymm0; vzeroupper");
    T("vpsrldq256", "vpsrldq $1, %%ymm1, %%ymm0; vzeroupper");
    T("vfmadd231ps", "vfmadd231ps %%xmm1, %%xmm0, %%xmm0");
    T("vfmadd213sd", "vfmadd213sd %%xmm1, %%xmm0, %%xmm0");
    T("vcvtph2ps", "vcvtph2ps %%xmm1, %%xmm0");
    T("vcvtps2ph", "vcvtps2ph $0, %%xmm1, %%xmm0");
    T("vzeroupper", "vzeroupper");
    T("vzeroall", "vzeroall");
    T("vpextrb", "vpextrb $1, %%xmm1, %0");
    T("vpcmpestri", "xor %%eax, %%eax; xor %%edx, %%edx; vpcmpestri $0, %%xmm1, %%xmm0");
    T("vaesenc", "vaesenc %%xmm1, %%xmm0, %%xmm0");
    T("vpclmulqdq", "vpclmulqdq $0, %%xmm1, %%xmm0, %%xmm0");
    T("vldmxcsr", "vstmxcsr (%1); vldmxcsr (%1)");
    T("vcvtsi2sd", "vcvtsi2sd %0, %%xmm0, %%xmm0");
    return 0;
}
