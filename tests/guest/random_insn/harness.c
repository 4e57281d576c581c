/* Runs the generated instruction sequences (seqs.S, made by gen.py): each one twice, from two
 * states drawn from a seeded generator (all general registers but rsp, the arithmetic flags,
 * xmm0-15 and, when the sequences use AVX, the upper halves of ymm0-15, MXCSR and a 1 KiB
 * memory buffer), and prints one line per sequence with a hash of
 * each final state. `harness dump N` prints the two final states of sequence N in full.
 * Built with gcc -static (not PIE): the buffer's address is the same natively and emulated. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMSZ 1024

struct state {
    uint64_t gpr[16]; /* encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
    uint64_t flags;
    uint64_t mxcsr;
    unsigned char xmm[16][16];
    unsigned char ymmh[16][16]; /* bits 255:128 of ymm0-15 (loaded and stored with AVX only) */
};

extern void run_seq(struct state *s, void (*fn)(void));
extern void (*const seq_table[])(void);
extern const uint32_t seq_count;
extern const uint64_t gen_seed;
extern const uint32_t gen_float_specials;
extern const uint32_t gen_clean_floats;
unsigned char membuf[MEMSZ] __attribute__((aligned(64)));

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static uint64_t rng;
static uint64_t next(void) { /* splitmix64 */
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t gpr_value(void) {
    switch (next() % 8) {
    case 0: return next() % 17;
    case 1: return (uint64_t)(int64_t)(int32_t)next();
    case 2: return 1ull << (next() % 64);
    case 3: return next() % 2 ? 0 : ~0ull;
    case 4: return (uint64_t)-(int64_t)(next() % 300);
    case 5: return next() & 0xffffffff;
    default: return next();
    }
}

static uint32_t float_lane(void) {
    static const uint32_t specials[] = {0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000,
                                        0xff800000, 0x00000001, 0x807fffff, 0x7f7fffff,
                                        0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000};
    unsigned n = gen_float_specials ? 13 : 9;
    switch (next() % 6) {
    case 0: return specials[next() % n];
    case 1: { /* a float of moderate magnitude */
        uint32_t e = 100 + (uint32_t)(next() % 56);
        return (uint32_t)(next() & 0x807fffff) | (e << 23);
    }
    case 2: return (uint32_t)(next() % 1000);
    default: {
        uint32_t v = (uint32_t)next();
        if (!gen_float_specials && ((v >> 23) & 0xff) == 0xff) v &= ~(1u << 30);
        return v;
    }
    }
}

/* No NaN or infinity in either a float or a double read from these 32-bit words. */
static void clean_words(unsigned char *p, size_t n) {
    for (size_t i = 0; i + 4 <= n; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        if (((w >> 23) & 0xff) == 0xff || ((w >> 20) & 0x7ff) == 0x7ff) w &= ~(1u << 30);
        memcpy(p + i, &w, 4);
    }
}

static void init_state(struct state *s, uint32_t seq, int k) {
    rng = gen_seed * 0x2545f4914f6cdd1dull + seq * 2u + (uint64_t)k + 1;
    next();
    for (int i = 0; i < 16; i++) s->gpr[i] = i == 4 ? 0 : gpr_value();
    s->flags = 0x202 | (next() & 0x8d5);
    s->mxcsr = 0x1f80 | ((next() % 4) << 13) | (next() % 8 == 0 ? 0x8040 : 0);
    for (int r = 0; r < 16; r++) {
        int kind = (int)(next() % 3);
        for (int l = 0; l < 4; l++) {
            uint32_t v;
            if (kind == 0) v = float_lane();
            else if (kind == 1) v = (uint32_t)gpr_value();
            else v = (uint32_t)next();
            if (kind != 0 && !gen_float_specials && ((v >> 23) & 0xff) == 0xff) v &= ~(1u << 30);
            memcpy(&s->xmm[r][l * 4], &v, 4);
        }
        if (kind == 2 && next() % 2) { /* a double of moderate magnitude in each half */
            for (int h = 0; h < 2; h++) {
                uint64_t d = (next() & 0x800fffffffffffffull) | ((uint64_t)(900 + next() % 250) << 52);
                memcpy(&s->xmm[r][h * 8], &d, 8);
            }
        }
    }
    for (int r = 0; r < 16; r++) {
        for (int l = 0; l < 4; l++) {
            uint32_t v = next() % 3 == 0 ? float_lane() : (uint32_t)next();
            memcpy(&s->ymmh[r][l * 4], &v, 4);
        }
    }
    for (int i = 0; i < MEMSZ; i += 8) {
        uint64_t v = gpr_value();
        memcpy(membuf + i, &v, 8);
    }
    if (gen_clean_floats) { /* xmm0-7 and the first 256 bytes hold only floats; no DAZ/FTZ */
        s->mxcsr &= ~(uint64_t)0x8040;
        clean_words(&s->xmm[0][0], 8 * 16);
        clean_words(membuf, 256);
    }
}

/* What is compared: registers, the arithmetic flags, MXCSR without the denormal flag (DE,
 * which QEMU 7.2 does not raise; guest/sse_nan checks it), xmm and the buffer. */
static void canonical(struct state *s) {
    s->gpr[4] = 0;
    s->flags &= 0x8d5 | 0x400;
    s->mxcsr &= ~(uint64_t)0x2;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ull;
    return h;
}

static void run(uint32_t i, int k, struct state *s) {
    init_state(s, i, k);
    run_seq(s, seq_table[i]);
    canonical(s);
}

static void dump(const struct state *s) {
    for (int r = 0; r < 16; r++)
        if (r != 4) printf("  %-5s %016" PRIx64 "\n", gpr_names[r], s->gpr[r]);
    printf("  flags %03" PRIx64 "\n  mxcsr %04" PRIx64 "\n", s->flags, s->mxcsr);
    for (int r = 0; r < 16; r++) {
        printf("  ymm%-2d ", r);
        for (int b = 15; b >= 0; b--) printf("%02x", s->ymmh[r][b]);
        for (int b = 15; b >= 0; b--) printf("%02x", s->xmm[r][b]);
        printf("\n");
    }
    for (int i = 0; i < MEMSZ; i += 32) {
        printf("  mem+%03x ", i);
        for (int b = 0; b < 32; b++) printf("%02x", membuf[i + b]);
        printf("\n");
    }
}

int main(int argc, char **argv) {
    static struct state s __attribute__((aligned(16)));
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash still shows how far it got */
    if (argc == 3 && strcmp(argv[1], "dump") == 0) {
        uint32_t i = (uint32_t)strtoul(argv[2], NULL, 0);
        if (i >= seq_count) return 2;
        for (int k = 0; k < 2; k++) {
            printf("sequence %u state %d:\n", i, k);
            run(i, k, &s);
            dump(&s);
        }
        return 0;
    }
    printf("seed %" PRIu64 " sequences %u\n", gen_seed, seq_count);
    for (uint32_t i = 0; i < seq_count; i++) {
        uint64_t h[2];
        for (int k = 0; k < 2; k++) {
            run(i, k, &s);
            h[k] = fnv(fnv(1469598103934665603ull, &s, sizeof s), membuf, MEMSZ);
        }
        printf("%u %016" PRIx64 " %016" PRIx64 "\n", i, h[0], h[1]);
    }
    return 0;
}
