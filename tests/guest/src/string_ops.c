/* guest-test: variants=static,pie
 * String instructions with and without rep prefixes, forwards and backwards (DF), every size:
 * movs, stos, lods, cmps and scas with repe/repne; final rsi/rdi/rcx and flags. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char src[256], dst[256];

static void dump(const char *what, const unsigned char *p, int n) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    printf("%s %016llx\n", what, (unsigned long long)h);
}

#define MOVS(sfx, sz)                                                                          \
    static void movs_##sfx(int back, uint64_t n, int so, int d_o) {                            \
        for (int i = 0; i < 256; i++) src[i] = (unsigned char)(i * 7 + 3), dst[i] = 0xee;      \
        unsigned char *s = src + so, *d = dst + d_o;                                           \
        uint64_t c = n;                                                                        \
        if (back)                                                                              \
            __asm__ volatile("std\n\trep movs" #sfx "\n\tcld" : "+S"(s), "+D"(d), "+c"(c)       \
                             : : "memory");                                                    \
        else                                                                                   \
            __asm__ volatile("rep movs" #sfx : "+S"(s), "+D"(d), "+c"(c) : : "memory");        \
        printf("rep movs%s back=%d n=%llu rsi%+ld rdi%+ld rcx=%llu ", #sfx, back,              \
               (unsigned long long)n, (long)(s - src - so), (long)(d - dst - d_o),             \
               (unsigned long long)c);                                                         \
        dump("dst", dst, 256);                                                                 \
    }
MOVS(b, 1) MOVS(w, 2) MOVS(l, 4) MOVS(q, 8)

#define STOS(sfx, T)                                                                           \
    static void stos_##sfx(int back, uint64_t n) {                                             \
        memset(dst, 0x11, sizeof dst);                                                         \
        unsigned char *d = dst + 128;                                                          \
        uint64_t c = n;                                                                        \
        T v = (T)0x8877665544332211ull;                                                        \
        if (back)                                                                              \
            __asm__ volatile("std\n\trep stos" #sfx "\n\tcld" : "+D"(d), "+c"(c) : "a"(v)       \
                             : "memory");                                                      \
        else                                                                                   \
            __asm__ volatile("rep stos" #sfx : "+D"(d), "+c"(c) : "a"(v) : "memory");          \
        printf("rep stos%s back=%d n=%llu rdi%+ld ", #sfx, back, (unsigned long long)n,        \
               (long)(d - dst - 128));                                                         \
        dump("dst", dst, 256);                                                                 \
    }
STOS(b, uint8_t) STOS(w, uint16_t) STOS(l, uint32_t) STOS(q, uint64_t)

static void lods_test(void) {
    for (int i = 0; i < 256; i++) src[i] = (unsigned char)i;
    unsigned char *s = src + 10;
    uint64_t a = 0xffffffffffffffffull;
    __asm__ volatile("lodsb" : "+S"(s), "+a"(a));
    printf("lodsb rax=%llx rsi%+ld\n", (unsigned long long)a, (long)(s - src - 10));
    __asm__ volatile("lodsw" : "+S"(s), "+a"(a));
    printf("lodsw rax=%llx rsi%+ld\n", (unsigned long long)a, (long)(s - src - 10));
    __asm__ volatile("lodsl" : "+S"(s), "+a"(a));
    printf("lodsl rax=%llx rsi%+ld\n", (unsigned long long)a, (long)(s - src - 10));
    __asm__ volatile("std\n\tlodsq\n\tcld" : "+S"(s), "+a"(a));
    printf("std lodsq rax=%llx rsi%+ld\n", (unsigned long long)a, (long)(s - src - 10));
    uint64_t c = 5;
    __asm__ volatile("rep lodsb" : "+S"(s), "+a"(a), "+c"(c));
    printf("rep lodsb rax=%llx rsi%+ld rcx=%llu\n", (unsigned long long)a, (long)(s - src - 10),
           (unsigned long long)c);
}

static void cmps_test(const char *pfx, int repne, int back, int diffat, uint64_t n) {
    for (int i = 0; i < 256; i++) src[i] = dst[i] = (unsigned char)(i * 3);
    if (diffat >= 0) dst[diffat] ^= 0x40;
    unsigned char *s = src + (back ? 200 : 16), *d = dst + (back ? 200 : 16);
    unsigned char *s0 = s, *d0 = d;
    uint64_t c = n, f;
    if (repne && back)
        __asm__ volatile("cmp %%rcx, %%rcx\n\tstd\n\trepne cmpsb\n\tpushfq\n\tpop %[f]\n\tcld"
                         : "+S"(s), "+D"(d), "+c"(c), [f] "=r"(f) : : "cc");
    else if (repne)
        __asm__ volatile("cmp %%rcx, %%rcx\n\trepne cmpsb\n\tpushfq\n\tpop %[f]" : "+S"(s), "+D"(d), "+c"(c), [f] "=r"(f)
                         : : "cc");
    else if (back)
        __asm__ volatile("cmp %%rcx, %%rcx\n\tstd\n\trepe cmpsb\n\tpushfq\n\tpop %[f]\n\tcld"
                         : "+S"(s), "+D"(d), "+c"(c), [f] "=r"(f) : : "cc");
    else
        __asm__ volatile("cmp %%rcx, %%rcx\n\trepe cmpsb\n\tpushfq\n\tpop %[f]" : "+S"(s), "+D"(d), "+c"(c), [f] "=r"(f)
                         : : "cc");
    printf("%s cmpsb back=%d diff=%d n=%llu rsi%+ld rdi%+ld rcx=%llu f%03llx\n", pfx, back,
           diffat, (unsigned long long)n, (long)(s - s0), (long)(d - d0), (unsigned long long)c,
           (unsigned long long)(f & 0x8d5));
}

static void scas_test(int back, unsigned char needle, uint64_t n) {
    for (int i = 0; i < 256; i++) src[i] = (unsigned char)(i ^ 0x5a);
    unsigned char *d = src + 128, *d0 = d;
    uint64_t c = n, f;
    if (back)
        __asm__ volatile("cmp %%rcx, %%rcx\n\tstd\n\trepne scasb\n\tpushfq\n\tpop %[f]\n\tcld"
                         : "+D"(d), "+c"(c), [f] "=r"(f) : "a"(needle) : "cc");
    else
        __asm__ volatile("cmp %%rcx, %%rcx\n\trepne scasb\n\tpushfq\n\tpop %[f]" : "+D"(d), "+c"(c), [f] "=r"(f)
                         : "a"(needle) : "cc");
    printf("repne scasb back=%d needle=%02x n=%llu rdi%+ld rcx=%llu f%03llx\n", back, needle,
           (unsigned long long)n, (long)(d - d0), (unsigned long long)c,
           (unsigned long long)(f & 0x8d5));
    uint32_t *dl = (uint32_t *)(src + 64), *dl0 = dl;
    uint32_t want = 0x5a5a5a5a ^ 0x4f4e4d4c;
    c = n;
    __asm__ volatile("cmp %%rcx, %%rcx\n\trepe scasl\n\tpushfq\n\tpop %[f]" : "+D"(dl), "+c"(c), [f] "=r"(f)
                     : "a"(want) : "cc");
    printf("repe scasl n=%llu rdi%+ld rcx=%llu f%03llx\n", (unsigned long long)n,
           (long)((char *)dl - (char *)dl0), (unsigned long long)c,
           (unsigned long long)(f & 0x8d5));
}

int main(void) {
    static const uint64_t ns[] = {0, 1, 3, 8, 17};
    for (int back = 0; back < 2; back++)
        for (unsigned i = 0; i < 5; i++) {
            int so = back ? 200 : 8, d_o = back ? 190 : 40;
            movs_b(back, ns[i], so, d_o); movs_w(back, ns[i], so, d_o);
            movs_l(back, ns[i], so, d_o); movs_q(back, ns[i] > 8 ? 8 : ns[i], so - 64, d_o - 64);
            stos_b(back, ns[i]); stos_w(back, ns[i]); stos_l(back, ns[i]); stos_q(back, ns[i]);
        }
    /* overlapping forward copy (byte at a time semantics) */
    for (int i = 0; i < 64; i++) dst[i] = (unsigned char)i;
    {
        unsigned char *s = dst, *d = dst + 1;
        uint64_t c = 40;
        __asm__ volatile("rep movsb" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
        dump("overlap movsb", dst, 64);
    }
    lods_test();
    for (int back = 0; back < 2; back++)
        for (int diff = -1; diff < 256; diff += 37)
            for (unsigned i = 0; i < 5; i++) {
                cmps_test("repe", 0, back, diff, ns[i] * 3);
                cmps_test("repne", 1, back, diff, ns[i] * 3);
            }
    for (int back = 0; back < 2; back++)
        for (unsigned i = 0; i < 5; i++) {
            scas_test(back, 0x5a ^ 130, ns[i] * 2);
            scas_test(back, 0x5a ^ 100, 60);
        }
    return 0;
}
