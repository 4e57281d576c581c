/* guest-test: variants=static,pie
 * brk/sbrk growth and shrink (new memory is zero, shrunk memory is released), malloc of many
 * small and a few large blocks (past the mmap threshold, up to 256 MiB), realloc growth
 * keeping contents, calloc zeroing, posix_memalign/aligned_alloc alignment, free and reuse,
 * stack usage of a deep recursion and a large alloca. */
#define _GNU_SOURCE
#include <alloca.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long recurse(int n) {
    volatile char pad[512];
    pad[0] = (char)n;
    if (n == 0) return 0;
    return pad[0] + recurse(n - 1);
}

static uint64_t hash(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

int main(void) {
    /* the break is moved and restored before stdio allocates anything */
    char *b0 = sbrk(0);
    char *b1 = sbrk(1 << 20);
    int zero1 = 1;
    for (int i = 0; i < 1 << 20; i += 97) zero1 &= b1[i] == 0;
    memset(b1, 0xab, 1 << 20);
    sbrk(-(1 << 19));
    long moved = (long)((char *)sbrk(0) - b0);
    sbrk(1 << 19);
    int zero2 = 1;
    for (int i = 1 << 19; i < 1 << 20; i += 97) zero2 &= b1[i] == 0;
    brk(b0);
    int back = sbrk(0) == b0;
    printf("sbrk grew by 1 MiB: returned old break %d, zero %d\n", b1 == b0, zero1);
    printf("shrunk: break moved back %ld\n", moved);
    printf("regrown part zero again %d\n", zero2);
    printf("brk back %d\n", back);
    int zero;

    static void *small[20000];
    uint64_t h = 0;
    for (int i = 0; i < 20000; i++) {
        size_t n = 1 + (size_t)(i * 37 % 700);
        small[i] = malloc(n);
        memset(small[i], i & 0xff, n);
    }
    for (int i = 0; i < 20000; i += 2) free(small[i]);
    for (int i = 1; i < 20000; i += 2) h = h * 31 + hash(small[i], 1 + (size_t)(i * 37 % 700));
    for (int i = 1; i < 20000; i += 2) free(small[i]);
    printf("small blocks hash %016llx\n", (unsigned long long)h);

    size_t sizes[] = {1 << 17, 1 << 20, 3 << 20, 64 << 20, 256 << 20};
    for (unsigned i = 0; i < 5; i++) {
        unsigned char *p = malloc(sizes[i]);
        for (size_t k = 0; k < sizes[i]; k += 4096) p[k] = (unsigned char)(k >> 12);
        uint64_t s = 0;
        for (size_t k = 0; k < sizes[i]; k += 4096) s += p[k];
        printf("malloc %zu: sum %llu\n", sizes[i], (unsigned long long)s);
        free(p);
    }
    unsigned char *r = malloc(100);
    for (int i = 0; i < 100; i++) r[i] = (unsigned char)i;
    for (size_t n = 200; n < (64 << 20); n *= 3) r = realloc(r, n);
    printf("realloc kept %016llx\n", (unsigned long long)hash(r, 100));
    free(r);
    unsigned char *c = calloc(1 << 20, 4);
    zero = 1;
    for (int i = 0; i < 4 << 20; i += 61) zero &= c[i] == 0;
    printf("calloc zero %d\n", zero);
    free(c);
    void *al;
    posix_memalign(&al, 4096, 10000);
    void *al2 = aligned_alloc(1 << 16, 1 << 16);
    printf("aligned %d %d\n", ((uintptr_t)al & 4095) == 0, ((uintptr_t)al2 & 0xffff) == 0);
    free(al), free(al2);
    printf("deep recursion %ld\n", recurse(10000));
    char *st = alloca(4 << 20);
    memset(st, 1, 4 << 20);
    printf("4 MiB alloca hash %016llx\n", (unsigned long long)hash((unsigned char *)st, 4 << 20));
    return 0;
}
