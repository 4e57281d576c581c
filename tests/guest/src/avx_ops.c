/* guest-test: variants=static,pie cflags=-mavx2 -mfma -mf16c requires=avx,avx2,fma,f16c
 * Every AVX/AVX2/FMA/F16C instruction family in its register and memory forms, 128 and 256
 * bits, over input sets with special values (NaNs, infinities, denormals, zeros, integer
 * extremes) under three MXCSR settings: the whole ymm destination (and the flag results) and
 * the MXCSR flags after each. Legacy SSE forms in between show that they keep the upper
 * halves, VEX.128 forms that they zero them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint8_t buf[8 * 32] __attribute__((aligned(32)));
static uint64_t out[4];
static uint32_t mx_after;
static uint64_t rflags;

static void fill(int set) {
    static const uint32_t f[] = {0x3fc00000, 0xc0100000, 0x00000000, 0x80000000, 0x7f800000,
                                 0xff800000, 0x7fc00000, 0x7fa00000, 0x00000001, 0x807fffff,
                                 0x4b800001, 0xcf000000, 0x3eaaaaab, 0x7f7fffff, 0x00800000,
                                 0x3f800001};
    static const uint64_t d[] = {0x3ff8000000000000ull, 0xc004000000000000ull, 0,
                                 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff8000000000000ull,
                                 0x7ff4000000000000ull, 0x0000000000000001ull, 0x43e0000000000000ull,
                                 0x3fd5555555555555ull, 0x7fefffffffffffffull, 0xc1e0000000200000ull};
    uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(set + 1);
    for (int i = 0; i < (int)sizeof buf; i += 4) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t v = (uint32_t)x;
        switch (set) {
            case 0: case 1:  /* floats */
                v = f[(x >> 40) % 16];
                break;
            case 2: case 3:  /* doubles: whole qwords */
                if (i % 8 == 0) {
                    uint64_t q = d[(x >> 40) % 12];
                    memcpy(buf + i, &q, 8);
                    i += 4;
                    continue;
                }
                break;
            case 4:  /* small integers and extremes */
                v = (x >> 33) % 5 == 0 ? 0x80000000u : (x >> 33) % 5 == 1 ? 0x7fffffffu : v % 300;
                break;
            default:  /* random bits */
                break;
        }
        memcpy(buf + i, &v, 4);
    }
}

/* ymm0 = destination, ymm1, ymm2, ymm3 sources; memory operands at buf+64 (32 bytes), and
 * the result buffer. */
#define RUN(text)                                                                         \
    do {                                                                                  \
        for (int s = 0; s < 6; s++) {                                                     \
            for (int m = 0; m < 3; m++) {                                                 \
                static const uint32_t kMx[] = {0x1f80, 0x3f80, 0x9fc0};                   \
                fill(s);                                                                  \
                uint32_t mx = kMx[m];                                                     \
                __asm__ volatile("vldmxcsr %[mx]\n\t"                                     \
                                 "vmovdqu (%[b]), %%ymm0\n\t"                               \
                                 "vmovdqu 32(%[b]), %%ymm1\n\t"                             \
                                 "vmovdqu 96(%[b]), %%ymm2\n\t"                             \
                                 "vmovdqu 128(%[b]), %%ymm3\n\t"                            \
                                 "xor %%eax, %%eax\n\t" text "\n\t"                         \
                                 "pushfq\n\tpopq %[fl]\n\t"                                 \
                                 "vmovdqu %%ymm0, %[o]\n\t"                                 \
                                 "vstmxcsr %[ma]\n\tvldmxcsr %[dflt]"                       \
                                 : [o] "=m"(out), [ma] "=m"(mx_after), [fl] "=r"(rflags)    \
                                 : [b] "r"(buf), [mx] "m"(mx), [dflt] "m"(kMx[0]),          \
                                   [m64] "r"(buf + 64)                                      \
                                 : "rax", "xmm0", "xmm1", "xmm2", "xmm3", "memory", "cc");  \
                printf("%-48s %d %x %016llx%016llx%016llx%016llx %04x %02llx\n", text, s, mx, \
                       (unsigned long long)out[3], (unsigned long long)out[2],             \
                       (unsigned long long)out[1], (unsigned long long)out[0],             \
                       mx_after & 0x3f, (unsigned long long)(rflags & 0x8d5));            \
            }                                                                             \
        }                                                                                 \
    } while (0)

/* A three-operand op in its 256 and 128 forms, register and memory sources. */
#define F3(op)                                          \
    RUN(op " %%ymm2, %%ymm1, %%ymm0");                  \
    RUN(op " (%[m64]), %%ymm1, %%ymm0");                \
    RUN(op " %%xmm2, %%xmm1, %%xmm0");                  \
    RUN(op " 16(%[m64]), %%xmm1, %%xmm0")
/* Scalar three-operand (L ignored). */
#define S3(op)                           \
    RUN(op " %%xmm2, %%xmm1, %%xmm0");   \
    RUN(op " 8(%[m64]), %%xmm1, %%xmm0")
/* Two-operand. */
#define F2(op)                          \
    RUN(op " %%ymm2, %%ymm0");          \
    RUN(op " (%[m64]), %%ymm0");        \
    RUN(op " %%xmm2, %%xmm0");          \
    RUN(op " 16(%[m64]), %%xmm0")
#define F3I(op, imm)                                    \
    RUN(op " $" imm ", %%ymm2, %%ymm1, %%ymm0");        \
    RUN(op " $" imm ", (%[m64]), %%ymm1, %%ymm0");      \
    RUN(op " $" imm ", %%xmm2, %%xmm1, %%xmm0")
#define F2I(op, imm)                             \
    RUN(op " $" imm ", %%ymm2, %%ymm0");         \
    RUN(op " $" imm ", (%[m64]), %%ymm0");       \
    RUN(op " $" imm ", %%xmm2, %%xmm0")

static void float_ops(void) {
    F3("vaddps"); F3("vaddpd"); S3("vaddss"); S3("vaddsd");
    F3("vsubps"); F3("vsubpd"); S3("vsubss"); S3("vsubsd");
    F3("vmulps"); F3("vmulpd"); S3("vmulss"); S3("vmulsd");
    F3("vdivps"); F3("vdivpd"); S3("vdivss"); S3("vdivsd");
    F3("vminps"); F3("vminpd"); S3("vminss"); S3("vminsd");
    F3("vmaxps"); F3("vmaxpd"); S3("vmaxss"); S3("vmaxsd");
    F2("vsqrtps"); F2("vsqrtpd"); S3("vsqrtss"); S3("vsqrtsd");
    F2("vrcpps"); F2("vrsqrtps"); S3("vrcpss"); S3("vrsqrtss");
    F3("vandps"); F3("vandnpd"); F3("vorps"); F3("vxorpd");
    F3("vaddsubps"); F3("vaddsubpd"); F3("vhaddps"); F3("vhaddpd"); F3("vhsubps"); F3("vhsubpd");
    F3("vunpcklps"); F3("vunpckhps"); F3("vunpcklpd"); F3("vunpckhpd");
    F3I("vshufps", "0x1b"); F3I("vshufpd", "0x6"); F3I("vblendps", "0xa5"); F3I("vblendpd", "0x9");
    F3I("vdpps", "0xf1"); F3I("vdpps", "0x3c");
    RUN("vdppd $0x31, %%xmm2, %%xmm1, %%xmm0");
    F3I("vcmpps", "0"); F3I("vcmpps", "1"); F3I("vcmpps", "3"); F3I("vcmpps", "4");
    F3I("vcmpps", "8"); F3I("vcmpps", "9"); F3I("vcmpps", "0xa"); F3I("vcmpps", "0xb");
    F3I("vcmpps", "0xc"); F3I("vcmpps", "0xd"); F3I("vcmpps", "0xe"); F3I("vcmpps", "0xf");
    F3I("vcmpps", "0x10"); F3I("vcmpps", "0x11"); F3I("vcmpps", "0x13"); F3I("vcmpps", "0x15");
    F3I("vcmpps", "0x18"); F3I("vcmpps", "0x1a"); F3I("vcmpps", "0x1d"); F3I("vcmpps", "0x1f");
    F3I("vcmppd", "2"); F3I("vcmppd", "5"); F3I("vcmppd", "6"); F3I("vcmppd", "7");
    F3I("vcmppd", "0x12"); F3I("vcmppd", "0x14"); F3I("vcmppd", "0x16"); F3I("vcmppd", "0x19");
    RUN("vcmpss $0x1e, %%xmm2, %%xmm1, %%xmm0"); RUN("vcmpsd $0x9, 8(%[m64]), %%xmm1, %%xmm0");
    RUN("vcmpss $0x2, %%xmm2, %%xmm1, %%xmm0"); RUN("vcmpsd $0x11, %%xmm2, %%xmm1, %%xmm0");
    F2I("vroundps", "0"); F2I("vroundps", "1"); F2I("vroundps", "0xa"); F2I("vroundpd", "4");
    F2I("vroundpd", "0xb"); RUN("vroundss $3, %%xmm2, %%xmm1, %%xmm0");
    RUN("vroundsd $0xc, 8(%[m64]), %%xmm1, %%xmm0");
    /* conversions with their operand mixes */
    RUN("vcvtdq2ps %%ymm2, %%ymm0"); RUN("vcvtdq2ps (%[m64]), %%xmm0");
    RUN("vcvtps2dq %%ymm2, %%ymm0"); RUN("vcvttps2dq (%[m64]), %%ymm0");
    RUN("vcvtdq2pd %%xmm2, %%ymm0"); RUN("vcvtdq2pd (%[m64]), %%ymm0"); RUN("vcvtdq2pd %%xmm2, %%xmm0");
    RUN("vcvtps2pd %%xmm2, %%ymm0"); RUN("vcvtps2pd 8(%[m64]), %%ymm0"); RUN("vcvtps2pd %%xmm2, %%xmm0");
    RUN("vcvtpd2ps %%ymm2, %%xmm0"); RUN("vcvtpd2psy (%[m64]), %%xmm0"); RUN("vcvtpd2ps %%xmm2, %%xmm0");
    RUN("vcvtpd2psx (%[m64]), %%xmm0");
    RUN("vcvttpd2dq %%ymm2, %%xmm0"); RUN("vcvttpd2dqy (%[m64]), %%xmm0"); RUN("vcvttpd2dq %%xmm2, %%xmm0");
    RUN("vcvtpd2dq %%ymm2, %%xmm0"); RUN("vcvtpd2dqx (%[m64]), %%xmm0");
    RUN("vcvtss2sd %%xmm2, %%xmm1, %%xmm0"); RUN("vcvtsd2ss 8(%[m64]), %%xmm1, %%xmm0");
    RUN("vcvtsi2ss %%eax, %%xmm1, %%xmm0"); RUN("vcvtsi2sdq 8(%[m64]), %%xmm1, %%xmm0");
    RUN("vcvtsi2ssl 4(%[m64]), %%xmm1, %%xmm0");
    RUN("vcvttss2si %%xmm2, %%eax\n\tvmovd %%eax, %%xmm0");
    RUN("vcvtsd2si 8(%[m64]), %%rax\n\tvmovq %%rax, %%xmm0");
    RUN("vcomiss %%xmm2, %%xmm1"); RUN("vucomisd 8(%[m64]), %%xmm1"); RUN("vcomisd %%xmm2, %%xmm1");
    /* moves and their upper-half rules */
    RUN("vmovups (%[m64]), %%ymm0"); RUN("vmovupd %%ymm2, %%ymm0"); RUN("vmovaps %%xmm2, %%xmm0");
    RUN("vmovapd 32(%[b]), %%ymm0"); RUN("vmovdqa %%ymm1, %%ymm0"); RUN("vmovdqu 1(%[m64]), %%xmm0");
    RUN("vmovups %%ymm2, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovntps %%ymm2, 64(%[b])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovntdq %%xmm2, 64(%[b])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovntdqa 64(%[b]), %%ymm0"); RUN("vlddqu 3(%[m64]), %%ymm0");
    RUN("vmovss 4(%[m64]), %%xmm0"); RUN("vmovsd 8(%[m64]), %%xmm0");
    RUN("vmovss %%xmm2, %%xmm1, %%xmm0"); RUN("vmovsd %%xmm2, %%xmm1, %%xmm0");
    /* the store opcodes' register forms (11, 29, 7F) */
    RUN("%{store%} vmovss %%xmm2, %%xmm1, %%xmm0"); RUN("%{store%} vmovsd %%xmm2, %%xmm1, %%xmm0");
    RUN("%{store%} vmovdqu %%ymm2, %%ymm0"); RUN("%{store%} vmovups %%xmm2, %%xmm0");
    RUN("%{store%} vmovapd %%ymm2, %%ymm0"); RUN("%{store%} vmovdqa %%xmm2, %%xmm0");
    RUN("vmovss %%xmm0, 4(%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovlps 8(%[m64]), %%xmm1, %%xmm0"); RUN("vmovhps 8(%[m64]), %%xmm1, %%xmm0");
    RUN("vmovlpd 8(%[m64]), %%xmm1, %%xmm0"); RUN("vmovhpd 8(%[m64]), %%xmm1, %%xmm0");
    RUN("vmovhlps %%xmm2, %%xmm1, %%xmm0"); RUN("vmovlhps %%xmm2, %%xmm1, %%xmm0");
    RUN("vmovhps %%xmm2, 8(%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovlpd %%xmm2, 8(%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovd %%xmm2, %%eax\n\tvmovq %%rax, %%xmm0"); RUN("vmovd 4(%[m64]), %%xmm0");
    RUN("vmovq %%xmm2, %%xmm0"); RUN("vmovq 8(%[m64]), %%xmm0");
    RUN("vmovq %%xmm2, 8(%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmovddup %%ymm2, %%ymm0"); RUN("vmovddup 8(%[m64]), %%xmm0"); RUN("vmovddup (%[m64]), %%ymm0");
    RUN("vmovshdup %%ymm2, %%ymm0"); RUN("vmovsldup (%[m64]), %%ymm0"); RUN("vmovsldup %%xmm2, %%xmm0");
    RUN("vmovmskps %%ymm2, %%eax\n\tvmovd %%eax, %%xmm0"); RUN("vmovmskpd %%xmm2, %%eax\n\tvmovd %%eax, %%xmm0");
    RUN("vmovmskpd %%ymm2, %%eax\n\tvmovd %%eax, %%xmm0");
    RUN("vtestps %%ymm2, %%ymm1"); RUN("vtestpd (%[m64]), %%xmm1"); RUN("vtestps %%xmm2, %%xmm1");
    RUN("vtestpd %%ymm2, %%ymm1");
    /* legacy SSE keeps the upper half, VEX.128 zeroes it */
    RUN("addps %%xmm2, %%xmm0"); RUN("movaps %%xmm2, %%xmm0"); RUN("pxor %%xmm0, %%xmm0");
    RUN("vpxor %%xmm0, %%xmm0, %%xmm0"); RUN("vxorps %%ymm0, %%ymm0, %%ymm0");
    RUN("vzeroupper"); RUN("vzeroall"); RUN("movq %%xmm2, %%xmm0");
    RUN("vbroadcastss 4(%[m64]), %%ymm0"); RUN("vbroadcastss %%xmm2, %%xmm0");
    RUN("vbroadcastsd 8(%[m64]), %%ymm0"); RUN("vbroadcastsd %%xmm2, %%ymm0");
    RUN("vbroadcastf128 16(%[m64]), %%ymm0");
    RUN("vinsertf128 $1, %%xmm2, %%ymm1, %%ymm0"); RUN("vinsertf128 $0, (%[m64]), %%ymm1, %%ymm0");
    RUN("vextractf128 $1, %%ymm2, %%xmm0"); RUN("vextractf128 $1, %%ymm2, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vperm2f128 $0x31, %%ymm2, %%ymm1, %%ymm0"); RUN("vperm2f128 $0x28, (%[m64]), %%ymm1, %%ymm0");
    RUN("vperm2f128 $0x83, %%ymm2, %%ymm1, %%ymm0");
    F2I("vpermilps", "0x93"); F2I("vpermilpd", "0x5"); F3("vpermilps"); F3("vpermilpd");
    RUN("vblendvps %%ymm3, %%ymm2, %%ymm1, %%ymm0"); RUN("vblendvpd %%xmm3, (%[m64]), %%xmm1, %%xmm0");
    RUN("vblendvpd %%ymm3, %%ymm2, %%ymm1, %%ymm0"); RUN("vpblendvb %%ymm3, %%ymm2, %%ymm1, %%ymm0");
    RUN("vpblendvb %%xmm3, (%[m64]), %%xmm1, %%xmm0");
    RUN("vmaskmovps (%[m64]), %%ymm3, %%ymm0"); RUN("vmaskmovpd (%[m64]), %%xmm3, %%xmm0");
    RUN("vmaskmovps %%ymm2, %%ymm3, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vmaskmovpd %%xmm2, %%xmm3, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vinsertps $0x5d, %%xmm2, %%xmm1, %%xmm0"); RUN("vinsertps $0x90, 4(%[m64]), %%xmm1, %%xmm0");
    RUN("vextractps $2, %%xmm2, %%eax\n\tvmovd %%eax, %%xmm0");
}

static void int_ops(void) {
    F3("vpaddb"); F3("vpaddw"); F3("vpaddd"); F3("vpaddq"); F3("vpsubb"); F3("vpsubw");
    F3("vpsubd"); F3("vpsubq"); F3("vpaddsb"); F3("vpaddsw"); F3("vpaddusb"); F3("vpaddusw");
    F3("vpsubsb"); F3("vpsubsw"); F3("vpsubusb"); F3("vpsubusw"); F3("vpmullw"); F3("vpmulhw");
    F3("vpmulhuw"); F3("vpmuludq"); F3("vpmuldq"); F3("vpmulld"); F3("vpmulhrsw"); F3("vpmaddwd");
    F3("vpmaddubsw"); F3("vpsadbw"); F3("vpavgb"); F3("vpavgw"); F3("vpminub"); F3("vpmaxub");
    F3("vpminsw"); F3("vpmaxsw"); F3("vpminsb"); F3("vpmaxsb"); F3("vpminuw"); F3("vpmaxuw");
    F3("vpminsd"); F3("vpmaxsd"); F3("vpminud"); F3("vpmaxud"); F3("vpand"); F3("vpandn");
    F3("vpor"); F3("vpxor"); F3("vpcmpeqb"); F3("vpcmpeqw"); F3("vpcmpeqd"); F3("vpcmpeqq");
    F3("vpcmpgtb"); F3("vpcmpgtw"); F3("vpcmpgtd"); F3("vpcmpgtq"); F3("vpacksswb");
    F3("vpackssdw"); F3("vpackuswb"); F3("vpackusdw"); F3("vpunpcklbw"); F3("vpunpcklwd");
    F3("vpunpckldq"); F3("vpunpcklqdq"); F3("vpunpckhbw"); F3("vpunpckhwd"); F3("vpunpckhdq");
    F3("vpunpckhqdq"); F3("vpshufb"); F3("vphaddw"); F3("vphaddd"); F3("vphaddsw"); F3("vphsubw");
    F3("vphsubd"); F3("vphsubsw"); F3("vpsignb"); F3("vpsignw"); F3("vpsignd");
    F3("vpsllvd"); F3("vpsllvq"); F3("vpsrlvd"); F3("vpsrlvq"); F3("vpsravd");
    RUN("vpermd %%ymm2, %%ymm1, %%ymm0"); RUN("vpermps (%[m64]), %%ymm1, %%ymm0");
    RUN("vpermps %%ymm2, %%ymm1, %%ymm0");
    F2("vpabsb"); F2("vpabsw"); F2("vpabsd");
    F3I("vpalignr", "5"); F3I("vpalignr", "0x13"); F3I("vpblendw", "0x5a"); F3I("vpblendd", "0x96");
    F3I("vmpsadbw", "0x2d"); F3I("vmpsadbw", "0x12");
    F2I("vpshufd", "0x4e"); F2I("vpshufhw", "0x1b"); F2I("vpshuflw", "0xe4");
    RUN("vpermq $0x4e, %%ymm2, %%ymm0"); RUN("vpermpd $0x1b, (%[m64]), %%ymm0");
    RUN("vperm2i128 $0x20, %%ymm2, %%ymm1, %%ymm0"); RUN("vperm2i128 $0x13, (%[m64]), %%ymm1, %%ymm0");
    RUN("vinserti128 $1, 16(%[m64]), %%ymm1, %%ymm0"); RUN("vextracti128 $1, %%ymm2, %%xmm0");
    RUN("vbroadcasti128 (%[m64]), %%ymm0");
    RUN("vpbroadcastb %%xmm2, %%ymm0"); RUN("vpbroadcastb 3(%[m64]), %%xmm0");
    RUN("vpbroadcastw %%xmm2, %%xmm0"); RUN("vpbroadcastw 6(%[m64]), %%ymm0");
    RUN("vpbroadcastd %%xmm2, %%ymm0"); RUN("vpbroadcastd 4(%[m64]), %%xmm0");
    RUN("vpbroadcastq %%xmm2, %%ymm0"); RUN("vpbroadcastq 8(%[m64]), %%xmm0");
    RUN("vpmovsxbw %%xmm2, %%ymm0"); RUN("vpmovsxbd %%xmm2, %%ymm0"); RUN("vpmovsxbq (%[m64]), %%ymm0");
    RUN("vpmovsxwd (%[m64]), %%ymm0"); RUN("vpmovsxwq %%xmm2, %%ymm0"); RUN("vpmovsxdq %%xmm2, %%ymm0");
    RUN("vpmovzxbw (%[m64]), %%ymm0"); RUN("vpmovzxbd %%xmm2, %%ymm0"); RUN("vpmovzxbq %%xmm2, %%ymm0");
    RUN("vpmovzxwd %%xmm2, %%ymm0"); RUN("vpmovzxwq (%[m64]), %%ymm0"); RUN("vpmovzxdq %%xmm2, %%ymm0");
    RUN("vpmovzxbw %%xmm2, %%xmm0"); RUN("vpmovsxdq 8(%[m64]), %%xmm0");
    RUN("vpmovzxdq %%xmm0, %%ymm0"); RUN("vcvtps2pd %%xmm0, %%ymm0");
#define SH(op)                                  \
    RUN(op " %%xmm2, %%ymm1, %%ymm0");          \
    RUN(op " 16(%[m64]), %%ymm1, %%ymm0");      \
    RUN(op " %%xmm2, %%xmm1, %%xmm0");          \
    RUN("vpand 32(%[b]), %%xmm2, %%xmm3\n\t" op " %%xmm3, %%ymm1, %%ymm0")
    SH("vpsllw"); SH("vpslld"); SH("vpsllq"); SH("vpsrlw"); SH("vpsrld"); SH("vpsrlq");
    SH("vpsraw"); SH("vpsrad");
    RUN("vpsllw $3, %%ymm2, %%ymm0"); RUN("vpslld $31, %%ymm2, %%ymm0"); RUN("vpsllq $40, %%xmm2, %%xmm0");
    RUN("vpsrlw $17, %%ymm2, %%ymm0"); RUN("vpsrld $7, %%ymm2, %%ymm0"); RUN("vpsrlq $1, %%ymm2, %%ymm0");
    RUN("vpsraw $9, %%ymm2, %%ymm0"); RUN("vpsrad $40, %%ymm2, %%ymm0");
    RUN("vpslldq $5, %%ymm2, %%ymm0"); RUN("vpsrldq $11, %%ymm2, %%ymm0"); RUN("vpsrldq $16, %%xmm2, %%xmm0");
    RUN("vpsllq $1, %%ymm0, %%ymm0");
    RUN("vpmovmskb %%ymm2, %%eax\n\tvmovd %%eax, %%xmm0"); RUN("vpmovmskb %%xmm2, %%eax\n\tvmovd %%eax, %%xmm0");
    RUN("vptest %%ymm2, %%ymm1"); RUN("vptest (%[m64]), %%ymm1"); RUN("vptest %%xmm2, %%xmm1");
    RUN("vptest %%ymm1, %%ymm1"); RUN("vphminposuw %%xmm2, %%xmm0");
    RUN("vpmaskmovd (%[m64]), %%ymm3, %%ymm0"); RUN("vpmaskmovq (%[m64]), %%xmm3, %%xmm0");
    RUN("vpmaskmovd %%xmm2, %%xmm3, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vpmaskmovq %%ymm2, %%ymm3, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vpinsrb $9, %%eax, %%xmm1, %%xmm0"); RUN("vpinsrw $3, 2(%[m64]), %%xmm1, %%xmm0");
    RUN("vpinsrd $2, 4(%[m64]), %%xmm1, %%xmm0"); RUN("vpinsrq $1, %%rax, %%xmm1, %%xmm0");
    RUN("vpextrb $13, %%xmm2, %%eax\n\tvmovd %%eax, %%xmm0"); RUN("vpextrw $5, %%xmm2, %%eax\n\tvmovd %%eax, %%xmm0");
    RUN("vpextrd $3, %%xmm2, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vpextrq $1, %%xmm2, %%rax\n\tvmovq %%rax, %%xmm0");
    RUN("vpcmpistri $0x0c, %%xmm2, %%xmm1\n\tvmovd %%ecx, %%xmm0");
    RUN("vpcmpistrm $0x40, %%xmm2, %%xmm1");
    RUN("vpcmpestrm $0x08, (%[m64]), %%xmm1");
}

static void fma_f16c(void) {
#define FMA(op)                                                               \
    F3(op "132ps"); F3(op "213ps"); F3(op "231ps"); F3(op "132pd"); F3(op "213pd"); \
    F3(op "231pd")
#define FMAS(op)                                                          \
    S3(op "132ss"); S3(op "213ss"); S3(op "231ss"); S3(op "132sd"); S3(op "213sd"); \
    S3(op "231sd")
    FMA("vfmadd"); FMA("vfmsub"); FMA("vfnmadd"); FMA("vfnmsub"); FMA("vfmaddsub"); FMA("vfmsubadd");
    FMAS("vfmadd"); FMAS("vfmsub"); FMAS("vfnmadd"); FMAS("vfnmsub");
    RUN("vcvtph2ps %%xmm2, %%ymm0"); RUN("vcvtph2ps (%[m64]), %%ymm0"); RUN("vcvtph2ps %%xmm2, %%xmm0");
    RUN("vcvtph2ps 8(%[m64]), %%xmm0");
    RUN("vcvtps2ph $0, %%ymm2, %%xmm0"); RUN("vcvtps2ph $1, %%ymm2, %%xmm0");
    RUN("vcvtps2ph $2, %%xmm2, %%xmm0"); RUN("vcvtps2ph $3, %%ymm2, %%xmm0");
    RUN("vcvtps2ph $4, %%ymm2, %%xmm0"); RUN("vcvtps2ph $0xfd, %%xmm2, %%xmm0");
    RUN("vcvtps2ph $4, %%ymm2, (%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
    RUN("vcvtps2ph $1, %%xmm2, 8(%[m64])\n\tvmovdqu (%[m64]), %%ymm0");
}

int main(void) {
    float_ops();
    int_ops();
    fma_f16c();
    return 0;
}
