/* guest-test: variants=static,pie requires=cx16
 * cmpxchg (success and failure, every size), cmpxchg8b/16b, xadd, xchg with memory and the
 * lock-prefixed read-modify-write instructions, with their flags. */
#include <stdint.h>
#include <stdio.h>

#define ARITH 0x8d5

#define CMPXCHG(sfx, T)                                                                        \
    static void cmpxchg_##sfx(T mem0, T expect, T newv) {                                      \
        T mem = mem0, a = expect;                                                              \
        uint64_t f;                                                                            \
        __asm__ volatile("lock cmpxchg" #sfx " %[n], %[m]\n\tpushfq\n\tpop %[f]"               \
                         : [m] "+m"(mem), "+a"(a), [f] "=r"(f) : [n] "r"(newv) : "cc");        \
        printf("cmpxchg%s mem=%llx exp=%llx new=%llx -> mem=%llx acc=%llx f%03llx\n", #sfx,    \
               (unsigned long long)mem0, (unsigned long long)expect, (unsigned long long)newv, \
               (unsigned long long)mem, (unsigned long long)a, (unsigned long long)(f & ARITH)); \
    }
CMPXCHG(b, uint8_t) CMPXCHG(w, uint16_t) CMPXCHG(l, uint32_t) CMPXCHG(q, uint64_t)

#define XADD(sfx, T)                                                                           \
    static void xadd_##sfx(T mem0, T v0) {                                                     \
        T mem = mem0, v = v0;                                                                  \
        uint64_t f;                                                                            \
        __asm__ volatile("lock xadd" #sfx " %[v], %[m]\n\tpushfq\n\tpop %[f]"                  \
                         : [m] "+m"(mem), [v] "+r"(v), [f] "=r"(f) : : "cc");                  \
        printf("xadd%s %llx %llx -> mem=%llx reg=%llx f%03llx\n", #sfx,                        \
               (unsigned long long)mem0, (unsigned long long)v0, (unsigned long long)mem,      \
               (unsigned long long)v, (unsigned long long)(f & ARITH));                        \
    }
XADD(b, uint8_t) XADD(w, uint16_t) XADD(l, uint32_t) XADD(q, uint64_t)

#define LOCKOP(name, insn, T)                                                                  \
    static void name(T mem0, T v) {                                                            \
        T mem = mem0;                                                                          \
        uint64_t f;                                                                            \
        __asm__ volatile("lock " insn " %[v], %[m]\n\tpushfq\n\tpop %[f]"                      \
                         : [m] "+m"(mem), [f] "=r"(f) : [v] "r"(v) : "cc");                    \
        printf("lock %s %llx %llx -> %llx f%03llx\n", insn, (unsigned long long)mem0,          \
               (unsigned long long)v, (unsigned long long)mem, (unsigned long long)(f & mask));\
    }
static uint64_t mask;
LOCKOP(ladd, "addq", uint64_t) LOCKOP(lsub, "subl", uint32_t) LOCKOP(land, "andw", uint16_t)
LOCKOP(lor, "orb", uint8_t) LOCKOP(lxor, "xorq", uint64_t) LOCKOP(ladc, "adcl", uint32_t)
LOCKOP(lsbb, "sbbq", uint64_t) LOCKOP(lbts, "btsq", uint64_t) LOCKOP(lbtr, "btrl", uint32_t)
LOCKOP(lbtc, "btcw", uint16_t)

static const uint64_t vals[] = {0, 1, 0x7f, 0x80, 0xffff, 0x80000000, 0xffffffffffffffffull,
                                0x123456789abcdef0ull};
#define NV (sizeof vals / sizeof vals[0])

int main(void) {
    for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j++) {
            uint64_t a = vals[i], b = vals[j];
            cmpxchg_b(a, a, b); cmpxchg_b(a, b, 0x5a);
            cmpxchg_w(a, a, b); cmpxchg_w(a, b, 0x5a5a);
            cmpxchg_l(a, a, b); cmpxchg_l(a, b, 0x5a5a5a5a);
            cmpxchg_q(a, a, b); cmpxchg_q(a, b, 0x5a5a5a5a5a5a5a5aull);
            xadd_b(a, b); xadd_w(a, b); xadd_l(a, b); xadd_q(a, b);
            mask = ARITH;
            ladd(a, b); lsub(a, b); lxor(a, b);
            mask = ARITH & ~0x10;
            land(a, b); lor(a, b);
            mask = ARITH;
            ladc(a, b); lsbb(a, b);
            mask = 0x1;
            lbts(a, b & 63); lbtr(a, b & 31); lbtc(a, b & 15);
        }
    /* xchg with memory is implicitly locked */
    uint64_t m = 0x1111, r = 0x2222;
    __asm__ volatile("xchg %0, %1" : "+m"(m), "+r"(r));
    printf("xchg -> %llx %llx\n", (unsigned long long)m, (unsigned long long)r);
    /* lock inc/dec/neg/not */
    uint32_t c = 0xffffffff;
    uint64_t f;
    __asm__ volatile("lock incl %0\n\tpushfq\n\tpop %1" : "+m"(c), "=r"(f) : : "cc");
    printf("lock inc -> %x f%03llx\n", c, (unsigned long long)(f & 0x8d4));
    __asm__ volatile("lock decl %0\n\tpushfq\n\tpop %1" : "+m"(c), "=r"(f) : : "cc");
    printf("lock dec -> %x f%03llx\n", c, (unsigned long long)(f & 0x8d4));
    __asm__ volatile("lock negl %0\n\tpushfq\n\tpop %1" : "+m"(c), "=r"(f) : : "cc");
    printf("lock neg -> %x f%03llx\n", c, (unsigned long long)(f & ARITH));
    __asm__ volatile("lock notl %0" : "+m"(c));
    printf("lock not -> %x\n", c);
    /* cmpxchg8b and cmpxchg16b */
    for (int k = 0; k < 2; k++) {
        uint64_t mem8 = 0x1122334455667788ull;
        uint32_t lo = k ? 0x55667788 : 1, hi = k ? 0x11223344 : 2;
        __asm__ volatile("lock cmpxchg8b %[m]\n\tpushfq\n\tpop %[f]"
                         : [m] "+m"(mem8), "+a"(lo), "+d"(hi), [f] "=r"(f)
                         : "b"(0xaaaaaaaa), "c"(0xbbbbbbbb) : "cc");
        printf("cmpxchg8b k=%d mem=%llx edx:eax=%x:%x zf=%d\n", k, (unsigned long long)mem8, hi,
               lo, (int)((f >> 6) & 1));
        static __attribute__((aligned(16))) uint64_t mem16[2];
        mem16[0] = 0x0102030405060708ull, mem16[1] = 0x1112131415161718ull;
        uint64_t qlo = k ? mem16[0] : 7, qhi = k ? mem16[1] : 9;
        __asm__ volatile("lock cmpxchg16b %[m]\n\tpushfq\n\tpop %[f]"
                         : [m] "+m"(mem16), "+a"(qlo), "+d"(qhi), [f] "=r"(f)
                         : "b"(0xcccccccccccccccc), "c"(0xdddddddddddddddd) : "cc");
        printf("cmpxchg16b k=%d mem=%llx:%llx rdx:rax=%llx:%llx zf=%d\n", k,
               (unsigned long long)mem16[1], (unsigned long long)mem16[0],
               (unsigned long long)qhi, (unsigned long long)qlo, (int)((f >> 6) & 1));
    }
    return 0;
}
