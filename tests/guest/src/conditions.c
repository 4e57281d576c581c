/* guest-test: variants=static,pie
 * setcc, cmovcc and jcc for every condition code over every combination of CF, PF, ZF, SF and
 * OF (loaded with popf), plus lahf/sahf, pushf/popf of DF and the carry instructions
 * (stc/clc/cmc). */
#include <stdint.h>
#include <stdio.h>

static const uint64_t bits[5] = {0x001, 0x004, 0x040, 0x080, 0x800}; /* CF PF ZF SF OF */

#define COND(cc)                                                                               \
    static void test_##cc(void) {                                                              \
        char set[33], mov[33], jmp[33];                                                        \
        for (unsigned m = 0; m < 32; m++) {                                                    \
            uint64_t f = 0x202;                                                                \
            for (int i = 0; i < 5; i++)                                                        \
                if (m & (1u << i)) f |= bits[i];                                               \
            uint8_t s;                                                                         \
            uint64_t c = 111, one = 222, j = 0;                                                \
            __asm__ volatile("push %[f]\n\tpopfq\n\tset" #cc " %[s]\n\tcmov" #cc " %[one], %[c]\n\t" \
                             "j" #cc " 1f\n\tmov $0, %[j]\n\tjmp 2f\n1:\tmov $1, %[j]\n2:"     \
                             : [s] "=&q"(s), [c] "+r"(c), [j] "+r"(j)                          \
                             : [f] "r"(f), [one] "r"(one)                                      \
                             : "cc");                                                          \
            set[m] = '0' + s;                                                                  \
            mov[m] = c == 222 ? '1' : '0';                                                     \
            jmp[m] = '0' + (char)j;                                                            \
        }                                                                                      \
        set[32] = mov[32] = jmp[32] = 0;                                                       \
        printf("%-3s set %s cmov %s j %s\n", #cc, set, mov, jmp);                              \
    }
COND(o) COND(no) COND(b) COND(ae) COND(e) COND(ne) COND(be) COND(a) COND(s) COND(ns) COND(p)
COND(np) COND(l) COND(ge) COND(le) COND(g)

int main(void) {
    test_o(); test_no(); test_b(); test_ae(); test_e(); test_ne(); test_be(); test_a();
    test_s(); test_ns(); test_p(); test_np(); test_l(); test_ge(); test_le(); test_g();
    /* 32-bit cmov with a false condition still zero-extends the destination */
    uint64_t d = 0xffffffffffffffffull;
    uint32_t s32 = 5;
    __asm__ volatile("xor %%eax, %%eax\n\tcmovnz %k[s], %k[d]" : [d] "+r"(d) : [s] "r"(s32)
                     : "rax", "cc");
    printf("cmovnz32 false -> %llx\n", (unsigned long long)d);
    /* lahf/sahf */
    for (unsigned v = 0; v < 256; v += 17) {
        uint64_t out;
        uint8_t ah;
        __asm__ volatile("mov %[v], %%ah\n\tsahf\n\tpushfq\n\tpop %[o]\n\tlahf\n\tmov %%ah, %[ah]"
                         : [o] "=r"(out), [ah] "=r"(ah) : [v] "r"((uint8_t)v) : "rax", "cc");
        printf("sahf %02x -> flags %03llx lahf %02x\n", v, (unsigned long long)(out & 0xd5), ah);
    }
    uint64_t f1, f2, f3;
    __asm__ volatile("stc\n\tpushfq\n\tpop %0\n\tcmc\n\tpushfq\n\tpop %1\n\tstd\n\tpushfq\n\t"
                     "pop %2\n\tcld" : "=r"(f1), "=r"(f2), "=r"(f3) : : "cc");
    printf("stc %llx cmc %llx std %llx\n", (unsigned long long)(f1 & 0x401),
           (unsigned long long)(f2 & 0x401), (unsigned long long)(f3 & 0x401));
    return 0;
}
