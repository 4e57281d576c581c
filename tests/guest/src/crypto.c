/* guest-test: variants=static,pie cflags=-mssse3 -maes -mpclmul -msha -madx requires=aes,pclmulqdq,sha_ni,adx,avx
 * AES-NI, PCLMULQDQ, SHA and ADX: every instruction on random operands (register and memory
 * forms, several immediates), hashed per instruction; a FIPS-197 AES-128 encryption and
 * decryption and a SHA-256 digest computed with the instructions; adcx/adox carry chains
 * and the flags they leave alone; #GP (SIGSEGV) on a misaligned
 * 16-byte memory operand of AES and PCLMULQDQ (SHA's: Intel faults, AMD does not). The VEX
 * forms: vaes* in 128 and 256 bits (VAES), vpclmulqdq, three operands, unaligned memory, the
 * upper half zeroed by the 128-bit forms. */
#include "vec_common.h"
#include <immintrin.h>
#include <setjmp.h>
#include <signal.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static __m128i rnd(void) {
    uint64_t q[2] = {next(), next()};
    __m128i v;
    memcpy(&v, q, 16);
    return v;
}

enum { kOps = 24 };
static uint64_t hash[kOps];
static const char *names[kOps];
static void mix(int i, const char *name, __m128i v) {
    uint64_t q[2];
    memcpy(q, &v, 16);
    names[i] = name;
    hash[i] = (hash[i] ^ q[0]) * 0x100000001b3ull;
    hash[i] = (hash[i] ^ q[1]) * 0x100000001b3ull;
}

/* reg, reg and reg, mem forms of a two-operand instruction */
#define TWO(i, insn)                                                                          \
    do {                                                                                      \
        __m128i r = a;                                                                        \
        __asm__(insn " %1, %0" : "+x"(r) : "x"(b));                                           \
        mix(i, insn, r);                                                                      \
        __m128i m = b, s = a;                                                                 \
        __asm__(insn " %1, %0" : "+x"(s) : "m"(m));                                           \
        mix(i, insn, s);                                                                      \
    } while (0)
#define IMM(i, insn, imm)                                                                     \
    do {                                                                                      \
        __m128i r = a;                                                                        \
        __asm__(insn " $" #imm ", %1, %0" : "+x"(r) : "x"(b));                                \
        mix(i, insn, r);                                                                      \
        __m128i m = b, s = a;                                                                 \
        __asm__(insn " $" #imm ", %1, %0" : "+x"(s) : "m"(m));                                \
        mix(i, insn, s);                                                                      \
    } while (0)

static void random_ops(void) {
    for (int n = 0; n < 3000; n++) {
        __m128i a = rnd(), b = rnd();
        TWO(0, "aesenc");
        TWO(1, "aesenclast");
        TWO(2, "aesdec");
        TWO(3, "aesdeclast");
        TWO(4, "aesimc");
        IMM(5, "aeskeygenassist", 0x00);
        IMM(5, "aeskeygenassist", 0x01);
        IMM(5, "aeskeygenassist", 0x36);
        IMM(5, "aeskeygenassist", 0xff);
        IMM(6, "pclmulqdq", 0x00);
        IMM(6, "pclmulqdq", 0x01);
        IMM(6, "pclmulqdq", 0x10);
        IMM(6, "pclmulqdq", 0x11);
        IMM(6, "pclmulqdq", 0xee);
        IMM(7, "sha1rnds4", 0);
        IMM(7, "sha1rnds4", 1);
        IMM(7, "sha1rnds4", 2);
        IMM(7, "sha1rnds4", 3);
        TWO(8, "sha1nexte");
        TWO(9, "sha1msg1");
        TWO(10, "sha1msg2");
        TWO(11, "sha256msg1");
        TWO(12, "sha256msg2");
        {
            register __m128i k __asm__("xmm0") = rnd();
            __m128i r = a, s = a, m = b;
            __asm__("sha256rnds2 %1, %0" : "+x"(r) : "x"(b), "x"(k));
            __asm__("sha256rnds2 %1, %0" : "+x"(s) : "m"(m), "x"(k));
            mix(13, "sha256rnds2", r);
            mix(13, "sha256rnds2", s);
        }
    }
    for (int i = 0; i < 14; i++) printf("%-16s %016llx\n", names[i], (unsigned long long)hash[i]);
}

/* FIPS-197 appendix C.1: AES-128. */
static void aes128(void) {
    uint8_t key[16], pt[16];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)i, pt[i] = (uint8_t)(i * 0x11);
    __m128i rk[11];
    rk[0] = _mm_loadu_si128((const __m128i *)key);
#define EXPAND(i, rcon)                                                                       \
    do {                                                                                      \
        __m128i t = _mm_aeskeygenassist_si128(rk[i - 1], rcon);                               \
        __m128i k = rk[i - 1];                                                                \
        t = _mm_shuffle_epi32(t, 0xff);                                                       \
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));                                           \
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));                                           \
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));                                           \
        rk[i] = _mm_xor_si128(k, t);                                                          \
    } while (0)
    EXPAND(1, 0x01); EXPAND(2, 0x02); EXPAND(3, 0x04); EXPAND(4, 0x08); EXPAND(5, 0x10);
    EXPAND(6, 0x20); EXPAND(7, 0x40); EXPAND(8, 0x80); EXPAND(9, 0x1b); EXPAND(10, 0x36);
    __m128i s = _mm_xor_si128(_mm_loadu_si128((const __m128i *)pt), rk[0]);
    for (int i = 1; i < 10; i++) s = _mm_aesenc_si128(s, rk[i]);
    s = _mm_aesenclast_si128(s, rk[10]);
    uint8_t ct[16];
    _mm_storeu_si128((__m128i *)ct, s);
    printf("aes128 ");
    for (int i = 0; i < 16; i++) printf("%02x", ct[i]);
    /* the equivalent inverse cipher */
    s = _mm_xor_si128(s, rk[10]);
    for (int i = 9; i > 0; i--) s = _mm_aesdec_si128(s, _mm_aesimc_si128(rk[i]));
    s = _mm_aesdeclast_si128(s, rk[0]);
    _mm_storeu_si128((__m128i *)ct, s);
    printf(" back ");
    for (int i = 0; i < 16; i++) printf("%02x", ct[i]);
    printf("\n");
}

/* SHA-256 of "abc" (one block) with the SHA extensions. */
static void sha256_abc(void) {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint8_t block[64] = {'a', 'b', 'c', 0x80};
    block[63] = 24;
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
               (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
    /* state as the instructions want it: ABEF and CDGH */
    __m128i abef = _mm_set_epi32(0x6a09e667, 0xbb67ae85, 0x510e527f, 0x9b05688c);
    __m128i cdgh = _mm_set_epi32(0x3c6ef372, 0xa54ff53a, 0x1f83d9ab, 0x5be0cd19);
    __m128i m[4];
    for (int i = 0; i < 4; i++) m[i] = _mm_set_epi32(w[4 * i + 3], w[4 * i + 2], w[4 * i + 1], w[4 * i]);
    for (int r = 0; r < 16; r++) {
        __m128i cur = m[r % 4];
        if (r >= 4) {
            __m128i t = _mm_sha256msg1_epu32(m[r % 4], m[(r + 1) % 4]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(m[(r + 3) % 4], m[(r + 2) % 4], 4));
            cur = m[r % 4] = _mm_sha256msg2_epu32(t, m[(r + 3) % 4]);
        }
        __m128i wk = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)&K[4 * r]));
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
    }
    uint32_t o[8], ab[4], cd[4];
    abef = _mm_add_epi32(abef, _mm_set_epi32(0x6a09e667, 0xbb67ae85, 0x510e527f, 0x9b05688c));
    cdgh = _mm_add_epi32(cdgh, _mm_set_epi32(0x3c6ef372, 0xa54ff53a, 0x1f83d9ab, 0x5be0cd19));
    memcpy(ab, &abef, 16);
    memcpy(cd, &cdgh, 16);
    o[0] = ab[3], o[1] = ab[2], o[2] = cd[3], o[3] = cd[2], o[4] = ab[1], o[5] = ab[0];
    o[6] = cd[1], o[7] = cd[0];
    printf("sha256(abc) ");
    for (int i = 0; i < 8; i++) printf("%08x", o[i]);
    printf("\n");
}

/* adcx/adox: two interleaved carry chains over 64- and 32-bit operands; the flags after. */
static void adx(void) {
    uint64_t h = 0;
    for (int n = 0; n < 2000; n++) {
        uint64_t a = next(), b = next(), c = next(), d = next(), fl;
        uint32_t e = (uint32_t)next(), f = (uint32_t)next();
        uint64_t setf = next() & 0x8d5; /* CF PF AF ZF SF OF */
        __asm__("pushq %[s]; popfq\n\t"
                "adcxq %[b], %[a]\n\t"
                "adoxq %[d], %[c]\n\t"
                "adcxq %[a], %[c]\n\t"
                "adoxl %[f], %[e]\n\t"
                "adcxl %[e], %[f]\n\t"
                "pushfq; popq %[fl]"
                : [a] "+r"(a), [c] "+r"(c), [e] "+r"(e), [f] "+r"(f), [fl] "=r"(fl)
                : [b] "r"(b), [d] "rm"(d), [s] "r"(setf)
                : "cc");
        h = (h ^ a) * 0x100000001b3ull;
        h = (h ^ c) * 0x100000001b3ull;
        h = (h ^ e ^ (uint64_t)f << 32) * 0x100000001b3ull;
        h = (h ^ (fl & 0x8d5)) * 0x100000001b3ull;
        if (n < 4) printf("adx %016llx %016llx %08x %08x flags %03llx\n", (unsigned long long)a,
                          (unsigned long long)c, e, f, (unsigned long long)(fl & 0x8d5));
    }
    printf("adx hash %016llx\n", (unsigned long long)h);
}


typedef struct { uint64_t q[4]; } y256;
static void mixy(int i, const char *name, y256 v) {
    names[i] = name;
    for (int k = 0; k < 4; k++) hash[i] = (hash[i] ^ v.q[k]) * 0x100000001b3ull;
}
static y256 rndy(void) {
    y256 v = {{next(), next(), next(), next()}};
    return v;
}

/* dst = op(a, b) for ymm registers loaded from memory; also the unaligned memory form */
#define VY(i, insn)                                                                            \
    do {                                                                                       \
        y256 r;                                                                                \
        __asm__("vmovdqu %1, %%ymm1; vmovdqu %2, %%ymm2; vmovdqu %3, %%ymm3\n\t"               \
                insn " %%ymm2, %%ymm1, %%ymm3; vmovdqu %%ymm3, %0"                             \
                : "=m"(r) : "m"(a), "m"(b), "m"(junk) : "xmm1", "xmm2", "xmm3");               \
        mixy(i, insn, r);                                                                      \
        __asm__("vmovdqu %1, %%ymm1; vmovdqu %3, %%ymm3\n\t"                                   \
                insn " %2, %%ymm1, %%ymm3; vmovdqu %%ymm3, %0"                                 \
                : "=m"(r) : "m"(a), "m"(ubuf.v), "m"(junk) : "xmm1", "xmm3");                  \
        mixy(i, insn, r);                                                                      \
    } while (0)
#define VX(i, insn, pre)                                                                       \
    do {                                                                                       \
        y256 r;                                                                                \
        __asm__("vmovdqu %1, %%ymm1; vmovdqu %2, %%ymm2; vmovdqu %3, %%ymm3\n\t"               \
                insn " " pre "%%xmm2, %%xmm1, %%xmm3; vmovdqu %%ymm3, %0"                      \
                : "=m"(r) : "m"(a), "m"(b), "m"(junk) : "xmm1", "xmm2", "xmm3");               \
        mixy(i, insn, r);                                                                      \
    } while (0)
#define VX2(i, insn, pre)                                                                      \
    do {                                                                                       \
        y256 r;                                                                                \
        __asm__("vmovdqu %1, %%ymm2; vmovdqu %2, %%ymm3\n\t"                                   \
                insn " " pre "%%xmm2, %%xmm3; vmovdqu %%ymm3, %0"                              \
                : "=m"(r) : "m"(b), "m"(junk) : "xmm2", "xmm3");                               \
        mixy(i, insn, r);                                                                      \
    } while (0)

static void vex_ops(void) {
    static struct { char pad; y256 v; } __attribute__((packed, aligned(32))) ubuf; /* v: unaligned */
    for (int i = 14; i < kOps; i++) hash[i] = 0;
    for (int n = 0; n < 2000; n++) {
        y256 a = rndy(), b = rndy(), junk = rndy();
        ubuf.v = b;
        VY(14, "vaesenc");
        VY(15, "vaesenclast");
        VY(16, "vaesdec");
        VY(17, "vaesdeclast");
        VX(18, "vaesenc", "");
        VX(18, "vaesdeclast", "");
        VX2(19, "vaesimc", "");
        VX2(20, "vaeskeygenassist", "$0x1b, ");
        VX(21, "vpclmulqdq", "$0x00, ");
        VX(21, "vpclmulqdq", "$0x11, ");
        VX(21, "vpclmulqdq", "$0x10, ");
    }
    for (int i = 14; i < 22; i++) printf("%-16s %016llx\n", names[i], (unsigned long long)hash[i]);
}

static sigjmp_buf jb;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("signal %d code %d addr %p\n", sig, si->si_code, si->si_addr);
    siglongjmp(jb, 1);
}

static void misaligned(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    static char buf[64] __attribute__((aligned(16)));
    __m128i r = _mm_setzero_si128();
    if (!sigsetjmp(jb, 1)) {
        __asm__ volatile("aesenc 1(%1), %0" : "+x"(r) : "r"(buf) : "memory");
        printf("aesenc misaligned: no fault\n");
    }
    if (!sigsetjmp(jb, 1)) {
        __asm__ volatile("pclmulqdq $0, 8(%1), %0" : "+x"(r) : "r"(buf) : "memory");
        printf("pclmulqdq misaligned: no fault\n");
    }
    __asm__ volatile("aesenc 16(%1), %0" : "+x"(r) : "r"(buf) : "memory");
    p128("aligned ok", r);
}

int main(void) {
    random_ops();
    vex_ops();
    aes128();
    sha256_abc();
    adx();
    misaligned();
    return 0;
}
