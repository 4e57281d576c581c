/* guest-test: variants=static,pie
 * Integer arithmetic and flags through inline assembly: add/adc/sub/sbb/and/or/xor/cmp/test,
 * neg/not/inc/dec, shifts and rotates by every interesting count, shld/shrd, bt/bts/btr/btc,
 * bsf/bsr, bswap, mul/imul/div/idiv, in every operand size, with carry-in and flags-in
 * variants. Only flags the SDM defines after each instruction are printed. */
#include <stdint.h>
#include <stdio.h>

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define OF 0x800
#define ARITH (CF | PF | AF | ZF | SF | OF)

typedef uint64_t (*binfn)(uint64_t a, uint64_t b, uint64_t *fl);

#define BIN(op, sfx, T)                                                                       \
    static uint64_t op##_##sfx(uint64_t a64, uint64_t b64, uint64_t *fl) {                    \
        T a = (T)a64, b = (T)b64;                                                             \
        uint64_t f = *fl;                                                                     \
        __asm__ volatile("push %[f]\n\tpopfq\n\t" #op #sfx " %[b], %[a]\n\tpushfq\n\tpop %[f]" \
                         : [a] "+r"(a), [f] "+r"(f)                                           \
                         : [b] "r"(b)                                                         \
                         : "cc");                                                             \
        *fl = f;                                                                              \
        return (uint64_t)a;                                                                   \
    }
#define UN(op, sfx, T)                                                                        \
    static uint64_t op##_##sfx(uint64_t a64, uint64_t b64, uint64_t *fl) {                    \
        T a = (T)a64;                                                                         \
        (void)b64;                                                                            \
        uint64_t f = *fl;                                                                     \
        __asm__ volatile("push %[f]\n\tpopfq\n\t" #op #sfx " %[a]\n\tpushfq\n\tpop %[f]"      \
                         : [a] "+r"(a), [f] "+r"(f)                                           \
                         :                                                                    \
                         : "cc");                                                             \
        *fl = f;                                                                              \
        return (uint64_t)a;                                                                   \
    }
#define SH(op, sfx, T)                                                                        \
    static uint64_t op##_##sfx(uint64_t a64, uint64_t b64, uint64_t *fl) {                    \
        T a = (T)a64;                                                                         \
        uint8_t c = (uint8_t)b64;                                                             \
        uint64_t f = *fl;                                                                     \
        __asm__ volatile("push %[f]\n\tpopfq\n\t" #op #sfx " %%cl, %[a]\n\tpushfq\n\tpop %[f]" \
                         : [a] "+r"(a), [f] "+r"(f)                                           \
                         : "c"(c)                                                             \
                         : "cc");                                                             \
        *fl = f;                                                                              \
        return (uint64_t)a;                                                                   \
    }
#define SH1(op, sfx, T)                                                                       \
    static uint64_t op##1_##sfx(uint64_t a64, uint64_t b64, uint64_t *fl) {                   \
        T a = (T)a64;                                                                         \
        (void)b64;                                                                            \
        uint64_t f = *fl;                                                                     \
        __asm__ volatile("push %[f]\n\tpopfq\n\t" #op #sfx " $1, %[a]\n\tpushfq\n\tpop %[f]"  \
                         : [a] "+r"(a), [f] "+r"(f)                                           \
                         :                                                                    \
                         : "cc");                                                             \
        *fl = f;                                                                              \
        return (uint64_t)a;                                                                   \
    }
/* shld/shrd: a = dest, b = source; count from the table's third column via a global */
static uint8_t g_count;
#define DSH(op, sfx, T)                                                                       \
    static uint64_t op##_##sfx(uint64_t a64, uint64_t b64, uint64_t *fl) {                    \
        T a = (T)a64, b = (T)b64;                                                             \
        uint64_t f = *fl;                                                                     \
        __asm__ volatile("push %[f]\n\tpopfq\n\t" #op #sfx " %%cl, %[b], %[a]\n\t"            \
                         "pushfq\n\tpop %[f]"                                                 \
                         : [a] "+r"(a), [f] "+r"(f)                                           \
                         : [b] "r"(b), "c"(g_count)                                           \
                         : "cc");                                                             \
        *fl = f;                                                                              \
        return (uint64_t)a;                                                                   \
    }

#define SIZES(M, op) M(op, b, uint8_t) M(op, w, uint16_t) M(op, l, uint32_t) M(op, q, uint64_t)
#define SIZES_WLQ(M, op) M(op, w, uint16_t) M(op, l, uint32_t) M(op, q, uint64_t)
SIZES(BIN, add) SIZES(BIN, adc) SIZES(BIN, sub) SIZES(BIN, sbb) SIZES(BIN, and) SIZES(BIN, or)
SIZES(BIN, xor) SIZES(BIN, cmp) SIZES(BIN, test)
SIZES(UN, neg) SIZES(UN, not) SIZES(UN, inc) SIZES(UN, dec)
SIZES(SH, shl) SIZES(SH, shr) SIZES(SH, sar) SIZES(SH, rol) SIZES(SH, ror) SIZES(SH, rcl)
SIZES(SH, rcr)
SIZES(SH1, shl) SIZES(SH1, shr) SIZES(SH1, sar) SIZES(SH1, rol) SIZES(SH1, ror) SIZES(SH1, rcl)
SIZES(SH1, rcr)
SIZES_WLQ(DSH, shld) SIZES_WLQ(DSH, shrd)
SIZES_WLQ(BIN, bsf) SIZES_WLQ(BIN, bsr) SIZES_WLQ(BIN, imul)
SIZES_WLQ(BIN, bt) SIZES_WLQ(BIN, bts) SIZES_WLQ(BIN, btr) SIZES_WLQ(BIN, btc)
SIZES_WLQ(BIN, cmovz) SIZES_WLQ(BIN, cmovnc)

static uint64_t bswap_l(uint64_t a64, uint64_t b, uint64_t *fl) {
    uint32_t a = (uint32_t)a64;
    (void)b, (void)fl;
    __asm__("bswap %0" : "+r"(a));
    return a;
}
static uint64_t bswap_q(uint64_t a, uint64_t b, uint64_t *fl) {
    (void)b, (void)fl;
    __asm__("bswap %0" : "+r"(a));
    return a;
}

static const uint64_t values[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, 0x123456789abcdef0ull,
    0xfedcba9876543210ull, 0x5555555555555555ull, 0x00000000aaaa5555ull, 0x0000000100000001ull,
};
#define NV (sizeof values / sizeof values[0])
static const uint8_t counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255};
#define NC (sizeof counts / sizeof counts[0])

static unsigned width(char s) { return s == 'b' ? 8 : s == 'w' ? 16 : s == 'l' ? 32 : 64; }
static uint64_t trunc_to(uint64_t v, unsigned w) { return w == 64 ? v : v & ((1ull << w) - 1); }

enum kind { K_ALU, K_LOGIC, K_INCDEC, K_NOFLAGS, K_SHIFT, K_ROT, K_RC, K_DSH, K_BS, K_IMUL, K_BT };

struct op {
    const char *name;
    char sfx;
    binfn fn;
    enum kind kind;
};

#define E(op, k) {#op "b", 'b', op##_b, k}, {#op "w", 'w', op##_w, k}, {#op "l", 'l', op##_l, k}, \
                 {#op "q", 'q', op##_q, k}
#define E3(op, k) {#op "w", 'w', op##_w, k}, {#op "l", 'l', op##_l, k}, {#op "q", 'q', op##_q, k}
static const struct op binops[] = {
    E(add, K_ALU), E(adc, K_ALU), E(sub, K_ALU), E(sbb, K_ALU), E(cmp, K_ALU),
    E(and, K_LOGIC), E(or, K_LOGIC), E(xor, K_LOGIC), E(test, K_LOGIC),
    E3(imul, K_IMUL), E3(bsf, K_BS), E3(bsr, K_BS), E3(cmovz, K_NOFLAGS), E3(cmovnc, K_NOFLAGS),
};
static const struct op unops[] = {
    E(neg, K_ALU), E(not, K_NOFLAGS), E(inc, K_INCDEC), E(dec, K_INCDEC),
    {"bswapl", 'l', bswap_l, K_NOFLAGS}, {"bswapq", 'q', bswap_q, K_NOFLAGS},
    E(shl1, K_SHIFT), E(shr1, K_SHIFT), E(sar1, K_SHIFT), E(rol1, K_ROT), E(ror1, K_ROT),
    E(rcl1, K_RC), E(rcr1, K_RC),
};
static const struct op shops[] = {
    E(shl, K_SHIFT), E(shr, K_SHIFT), E(sar, K_SHIFT), E(rol, K_ROT), E(ror, K_ROT), E(rcl, K_RC),
    E(rcr, K_RC), E3(bt, K_BT), E3(bts, K_BT), E3(btr, K_BT), E3(btc, K_BT),
};
static const struct op dshops[] = {E3(shld, K_DSH), E3(shrd, K_DSH)};

/* The flags the SDM defines after the operation (unaffected flags count as defined). */
static uint64_t defined_mask(enum kind k, unsigned w, unsigned count, int is_shift_insn) {
    unsigned mc = count & (w == 64 ? 63 : 31);
    switch (k) {
    case K_ALU: return ARITH;
    case K_LOGIC: return ARITH & ~AF;
    case K_INCDEC: return ARITH;
    case K_NOFLAGS: return ARITH;
    case K_IMUL: return CF | OF;
    case K_BS: return ZF;
    case K_BT: return CF;
    case K_SHIFT:
        if (!is_shift_insn) mc = 1;
        if (mc == 0) return ARITH;
        if (mc >= w) return PF | ZF | SF | (mc == 1 ? OF : 0); /* CF undefined past the width */
        return CF | PF | ZF | SF | (mc == 1 ? OF : 0);
    case K_ROT:
        if (!is_shift_insn) mc = 1;
        if (mc == 0) return ARITH;
        return (ARITH & ~(CF | OF)) | CF | (mc == 1 ? OF : 0);
    case K_RC:
        if (!is_shift_insn) mc = 1;
        if (mc == 0) return ARITH;
        return (ARITH & ~OF) | (mc == 1 ? OF : 0);
    case K_DSH:
        if (mc == 0) return ARITH;
        if (mc > w) return 0;
        return CF | PF | ZF | SF | (mc == 1 ? OF : 0);
    }
    return 0;
}

static const uint64_t flag_inputs[] = {0x202, 0x202 | ARITH};

static void print_result(const char *name, uint64_t a, uint64_t b, uint64_t fin, uint64_t r,
                         uint64_t fout, uint64_t mask) {
    printf("%s %llx %llx f%03llx -> %llx f%03llx\n", name, (unsigned long long)a,
           (unsigned long long)b, (unsigned long long)(fin & ARITH), (unsigned long long)r,
           (unsigned long long)(fout & mask));
}

int main(void) {
    for (unsigned i = 0; i < sizeof binops / sizeof binops[0]; i++) {
        const struct op *o = &binops[i];
        unsigned w = width(o->sfx);
        for (unsigned x = 0; x < NV; x++)
            for (unsigned y = 0; y < NV; y++)
                for (unsigned fi = 0; fi < 2; fi++) {
                    uint64_t a = trunc_to(values[x], w), b = trunc_to(values[y], w);
                    if (o->kind == K_BS && b == 0) continue; /* destination undefined */
                    if (fi && o->kind != K_ALU && o->kind != K_NOFLAGS) continue;
                    uint64_t f = flag_inputs[fi];
                    uint64_t r = o->fn(a, b, &f);
                    print_result(o->name, a, b, flag_inputs[fi], trunc_to(r, w), f,
                                 defined_mask(o->kind, w, 0, 0));
                }
    }
    for (unsigned i = 0; i < sizeof unops / sizeof unops[0]; i++) {
        const struct op *o = &unops[i];
        unsigned w = width(o->sfx);
        for (unsigned x = 0; x < NV; x++)
            for (unsigned fi = 0; fi < 2; fi++) {
                uint64_t a = trunc_to(values[x], w);
                uint64_t f = flag_inputs[fi];
                uint64_t r = o->fn(a, 0, &f);
                print_result(o->name, a, 0, flag_inputs[fi], trunc_to(r, w), f,
                             defined_mask(o->kind, w, 1, 0));
            }
    }
    for (unsigned i = 0; i < sizeof shops / sizeof shops[0]; i++) {
        const struct op *o = &shops[i];
        unsigned w = width(o->sfx);
        for (unsigned x = 0; x < NV; x++)
            for (unsigned c = 0; c < NC; c++)
                for (unsigned fi = 0; fi < 2; fi++) {
                    uint64_t a = trunc_to(values[x], w);
                    uint64_t f = flag_inputs[fi];
                    uint64_t r = o->fn(a, counts[c], &f);
                    print_result(o->name, a, counts[c], flag_inputs[fi], trunc_to(r, w), f,
                                 defined_mask(o->kind, w, counts[c], 1));
                }
    }
    for (unsigned i = 0; i < sizeof dshops / sizeof dshops[0]; i++) {
        const struct op *o = &dshops[i];
        unsigned w = width(o->sfx);
        for (unsigned x = 0; x < NV; x += 2)
            for (unsigned y = 1; y < NV; y += 3)
                for (unsigned c = 0; c < NC; c++) {
                    unsigned mc = counts[c] & (w == 64 ? 63 : 31);
                    if (mc > w) continue; /* result undefined */
                    uint64_t a = trunc_to(values[x], w), b = trunc_to(values[y], w);
                    uint64_t f = flag_inputs[0];
                    g_count = counts[c];
                    uint64_t r = o->fn(a, b, &f);
                    printf("c%u ", counts[c]);
                    print_result(o->name, a, b, flag_inputs[0], trunc_to(r, w), f,
                                 defined_mask(o->kind, w, counts[c], 1));
                }
    }
    /* one-operand mul/imul and div/idiv in every size */
    for (unsigned x = 0; x < NV; x++)
        for (unsigned y = 0; y < NV; y++) {
            uint64_t a = values[x], b = values[y], lo, hi, f;
            __asm__("mulq %[b]\n\tpushfq\n\tpop %[f]" : "=a"(lo), "=d"(hi), [f] "=r"(f)
                    : "a"(a), [b] "r"(b) : "cc");
            printf("mulq %llx %llx -> %llx:%llx f%03llx\n", (unsigned long long)a,
                   (unsigned long long)b, (unsigned long long)hi, (unsigned long long)lo,
                   (unsigned long long)(f & (CF | OF)));
            __asm__("imulq %[b]\n\tpushfq\n\tpop %[f]" : "=a"(lo), "=d"(hi), [f] "=r"(f)
                    : "a"(a), [b] "r"(b) : "cc");
            printf("imulq %llx %llx -> %llx:%llx f%03llx\n", (unsigned long long)a,
                   (unsigned long long)b, (unsigned long long)hi, (unsigned long long)lo,
                   (unsigned long long)(f & (CF | OF)));
            uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b, l32, h32;
            __asm__("mull %[b]\n\tpushfq\n\tpop %[f]" : "=a"(l32), "=d"(h32), [f] "=r"(f)
                    : "a"(a32), [b] "r"(b32) : "cc");
            printf("mull %x %x -> %x:%x f%03llx\n", a32, b32, h32, l32,
                   (unsigned long long)(f & (CF | OF)));
            __asm__("imull %[b]\n\tpushfq\n\tpop %[f]" : "=a"(l32), "=d"(h32), [f] "=r"(f)
                    : "a"(a32), [b] "r"(b32) : "cc");
            printf("imull %x %x -> %x:%x f%03llx\n", a32, b32, h32, l32,
                   (unsigned long long)(f & (CF | OF)));
            uint16_t a16 = (uint16_t)a, b16 = (uint16_t)b, l16, h16;
            __asm__("mulw %[b]\n\tpushfq\n\tpop %[f]" : "=a"(l16), "=d"(h16), [f] "=r"(f)
                    : "a"(a16), [b] "r"(b16) : "cc");
            printf("mulw %x %x -> %x:%x f%03llx\n", a16, b16, h16, l16,
                   (unsigned long long)(f & (CF | OF)));
            uint16_t ax = (uint8_t)a;
            uint8_t b8 = (uint8_t)b;
            __asm__("mulb %[b]\n\tpushfq\n\tpop %[f]" : "+a"(ax), [f] "=r"(f) : [b] "q"(b8)
                    : "cc");
            printf("mulb %x %x -> %x f%03llx\n", (uint8_t)a, b8, ax,
                   (unsigned long long)(f & (CF | OF)));
            ax = (uint8_t)a;
            __asm__("imulb %[b]\n\tpushfq\n\tpop %[f]" : "+a"(ax), [f] "=r"(f) : [b] "q"(b8)
                    : "cc");
            printf("imulb %x %x -> %x f%03llx\n", (uint8_t)a, b8, ax,
                   (unsigned long long)(f & (CF | OF)));
            if (b == 0) continue;
            /* unsigned division: a high half below the divisor cannot overflow */
            uint64_t q, r, hin = values[(x + y) % NV] % b;
            __asm__("divq %[b]" : "=a"(q), "=d"(r) : "a"(a), "d"(hin), [b] "r"(b) : "cc");
            printf("divq %llx:%llx %llx -> %llx r %llx\n", (unsigned long long)hin,
                   (unsigned long long)a, (unsigned long long)b, (unsigned long long)q,
                   (unsigned long long)r);
            if (b32) {
                uint32_t h = (uint32_t)hin % b32, q32, r32;
                __asm__("divl %[b]" : "=a"(q32), "=d"(r32) : "a"(a32), "d"(h), [b] "r"(b32)
                        : "cc");
                printf("divl %x:%x %x -> %x r %x\n", h, a32, b32, q32, r32);
                int32_t sa = (int32_t)a32, sb = (int32_t)b32, sq, sr;
                if (!(sb == -1 && sa == INT32_MIN)) {
                    __asm__("cltd\n\tidivl %[b]" : "=a"(sq), "=d"(sr) : "a"(sa), [b] "r"(sb)
                            : "cc");
                    printf("idivl %x %x -> %x r %x\n", sa, sb, sq, sr);
                }
            }
            if (b16) {
                uint16_t h = (uint16_t)hin % b16, q16, r16;
                __asm__("divw %[b]" : "=a"(q16), "=d"(r16) : "a"(a16), "d"(h), [b] "r"(b16)
                        : "cc");
                printf("divw %x:%x %x -> %x r %x\n", h, a16, b16, q16, r16);
                int16_t sa = (int16_t)a16, sb = (int16_t)b16, sq, sr;
                if (!(sb == -1 && sa == INT16_MIN)) {
                    __asm__("cwtd\n\tidivw %[b]" : "=a"(sq), "=d"(sr) : "a"(sa), [b] "r"(sb)
                            : "cc");
                    printf("idivw %x %x -> %x r %x\n", (uint16_t)sa, (uint16_t)sb, (uint16_t)sq,
                           (uint16_t)sr);
                }
            }
            if (b8) {
                uint16_t ax2 = (uint16_t)((((uint8_t)hin % b8) << 8) | (uint8_t)a);
                uint16_t res = ax2;
                __asm__("divb %[b]" : "+a"(res) : [b] "q"(b8) : "cc");
                printf("divb %x %x -> %x\n", ax2, b8, res);
                int8_t sb = (int8_t)b8;
                if (sb != -1 && sb != 1) {
                    uint16_t sres = (uint8_t)a;
                    __asm__("cbtw\n\tidivb %[b]" : "+a"(sres) : [b] "q"(b8) : "cc");
                    printf("idivb %x %x -> %x\n", (uint8_t)a, b8, sres);
                }
            }
            int64_t sa = (int64_t)a, sb = (int64_t)b, sq, sr;
            if (!(sb == -1 && sa == INT64_MIN)) {
                __asm__("cqto\n\tidivq %[b]" : "=a"(sq), "=d"(sr) : "a"(sa), [b] "r"(sb) : "cc");
                printf("idivq %llx %llx -> %llx r %llx\n", (unsigned long long)sa,
                       (unsigned long long)sb, (unsigned long long)sq, (unsigned long long)sr);
            }
        }
    return 0;
}
