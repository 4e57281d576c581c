/* guest-test: variants=static,pie requires=popcnt,abm,bmi1
 * popcnt, lzcnt and tzcnt (ABM/BMI1) in every size, with their flags. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t values[] = {0, 1, 2, 0x80, 0x8000, 0x80000000, 0x8000000000000000ull,
                                  0xffffffffffffffffull, 0x00f0000000000000ull, 0x1000,
                                  0x123456789abcdef0ull, 0x0000000100000000ull, 0x10000};

#define OP(name, insn, T)                                                                      \
    static void name(uint64_t v64) {                                                           \
        T v = (T)v64, r;                                                                       \
        uint64_t f;                                                                            \
        __asm__(insn " %[v], %[r]\n\tpushfq\n\tpop %[f]" : [r] "=r"(r), [f] "=r"(f)            \
                : [v] "rm"(v) : "cc");                                                         \
        printf(insn " %llx -> %llu f%03llx\n", (unsigned long long)v, (unsigned long long)r,   \
               (unsigned long long)(f & mask));                                                \
    }
static uint64_t mask;
OP(popcntw, "popcntw", uint16_t) OP(popcntl, "popcntl", uint32_t) OP(popcntq, "popcntq", uint64_t)
OP(lzcntw, "lzcntw", uint16_t) OP(lzcntl, "lzcntl", uint32_t) OP(lzcntq, "lzcntq", uint64_t)
OP(tzcntw, "tzcntw", uint16_t) OP(tzcntl, "tzcntl", uint32_t) OP(tzcntq, "tzcntq", uint64_t)

int main(void) {
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint64_t v = values[i];
        mask = 0x8d5;
        popcntw(v); popcntl(v); popcntq(v);
        mask = 0x41; /* CF and ZF */
        lzcntw(v); lzcntl(v); lzcntq(v);
        tzcntw(v); tzcntl(v); tzcntq(v);
    }
    return 0;
}
