/* guest-test: variants=static,pie
 * Less common integer instructions and encodings: enter/leave with nesting levels, xlat,
 * loop/loope/loopne/jrcxz, sign extensions (cbw..cqo, movsx/movzx), three-operand imul, lea
 * with every addressing form and 32-bit address size, push/pop of immediates and memory,
 * ret imm16, indirect jumps through a table and calls through memory, multi-byte nops and
 * redundant prefixes, movabs to/from absolute addresses (static variant), %fs-relative loads of the thread
 * pointer, xchg forms, cmc/sahf chains, bswap and rotates for 16-bit byte swaps. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

uint64_t absolute_cell = 0x1122334455667788ull;

/* rbp is pointed at the stack first: enter with a nesting level copies frame pointers from
   below it. Returns (old rsp - new rbp) * 1000 + (old rsp - rsp inside the frame). */
#define ENTER(frame, level)                                                                    \
    __asm__ volatile("push %%rbp\n\tmov %%rsp, %%rbp\n\tmov %%rsp, %%r8\n\t"                \
                     "enter $" #frame ", $" #level "\n\t"                                      \
                     "mov %%r8, %%r10\n\tsub %%rbp, %%r10\n\tmov %%r8, %%r11\n\tsub %%rsp, %%r11\n\t" \
                     "leave\n\tpop %%rbp\n\tmov %%r10, %0\n\tmov %%r11, %1"                    \
                     : "=r"(rbp_delta), "=r"(rsp_delta) : : "r8", "r10", "r11", "memory")
static uint64_t enter_leave(int level) {
    uint64_t rbp_delta, rsp_delta;
    if (level == 0) ENTER(32, 0);
    else if (level == 1) ENTER(16, 1);
    else ENTER(8, 3);
    return rbp_delta * 1000 + rsp_delta;
}

static int64_t callee_sum(void) { return 5; }
static int64_t (*volatile fptr)(void) = callee_sum;

int main(void) {
    printf("enter/leave: %llu %llu %llu\n", (unsigned long long)enter_leave(0),
           (unsigned long long)enter_leave(1), (unsigned long long)enter_leave(3));
    static const unsigned char table[256] = {[0] = 9, [7] = 77, [200] = 201, [255] = 1};
    uint64_t x = 0xffffffffffffff07ull;
    __asm__("xlatb" : "+a"(x) : "b"(table));
    printf("xlat %llx\n", (unsigned long long)x);
    uint64_t c = 10, n = 0;
    __asm__("1: inc %1\n\tloop 1b" : "+c"(c), "+r"(n));
    printf("loop ran %llu, rcx %llu\n", (unsigned long long)n, (unsigned long long)c);
    c = 10, n = 0;
    __asm__("1: inc %1\n\tcmp $4, %1\n\tloopne 1b" : "+c"(c), "+r"(n) : : "cc");
    printf("loopne stopped at %llu, rcx %llu\n", (unsigned long long)n, (unsigned long long)c);
    c = 10, n = 0;
    __asm__("1: inc %1\n\tcmp $100, %1\n\tloope 1b" : "+c"(c), "+r"(n) : : "cc");
    printf("loope stopped at %llu, rcx %llu\n", (unsigned long long)n, (unsigned long long)c);
    uint64_t z = 0, r1 = 0;
    __asm__("jrcxz 1f\n\tmov $1, %0\n1:" : "+r"(r1) : "c"(z));
    uint32_t r2 = 0;
    __asm__("jecxz 1f\n\tmov $2, %0\n1:" : "+r"(r2) : "c"(0x100000000ull));
    printf("jrcxz taken %d, jecxz on a zero ecx taken %d\n", r1 == 0, r2 == 0);
    uint64_t a = 0x8081828384858687ull, out[6];
    __asm__("cbtw\n\tmov %%rax, %0" : "=m"(out[0]), "+a"(a));
    a = 0x80818283f4858687ull;
    __asm__("cwtl\n\tmov %%rax, %0" : "=m"(out[1]), "+a"(a));
    a = 0x1234567880000000ull;
    __asm__("cltq\n\tmov %%rax, %0" : "=m"(out[2]), "+a"(a));
    uint64_t d;
    a = 0x8000;
    __asm__("cwtd" : "+a"(a), "=d"(d));
    out[3] = d;
    a = 0x80000000;
    __asm__("cltd" : "+a"(a), "=d"(d));
    out[4] = d;
    a = 0x8000000000000000ull;
    __asm__("cqto" : "+a"(a), "=d"(d));
    out[5] = d;
    for (int i = 0; i < 6; i++) printf("ext%d %llx\n", i, (unsigned long long)out[i]);
    int64_t m;
    __asm__("imul $-7, %1, %0" : "=r"(m) : "r"((int64_t)123456789) : "cc");
    int16_t m16;
    __asm__("imulw $300, %1, %0" : "=r"(m16) : "r"((int16_t)-1000) : "cc");
    printf("imul3 %lld %d\n", (long long)m, m16);
    uint64_t b = 0x1000, i = 3, l[6];
    __asm__("lea 8(%1), %0" : "=r"(l[0]) : "r"(b));
    __asm__("lea -8(%1,%2,8), %0" : "=r"(l[1]) : "r"(b), "r"(i));
    __asm__("lea 0x12345678(,%1,4), %0" : "=r"(l[2]) : "r"(i));
    __asm__("lea (%1,%1,2), %0" : "=r"(l[3]) : "r"(0xffffffff00000001ull));
    __asm__("addr32 lea 5(%k1,%k2,2), %k0" : "=r"(l[4]) : "r"(0xfffffff0ull), "r"(i));
    __asm__("leal -1(%1), %k0" : "=r"(l[5]) : "r"(0x100000000ull));
    for (int k = 0; k < 6; k++) printf("lea%d %llx\n", k, (unsigned long long)l[k]);
    uint64_t p1, p2, p3;
    static uint64_t memval = 0xabcdef;
    __asm__("pushq $-5\n\tpopq %0\n\tpushq %3\n\tpopq %1\n\tpushw $0x1234\n\tpopw %w2"
            : "=r"(p1), "=r"(p2), "=r"(p3) : "m"(memval));
    printf("push/pop %llx %llx %llx\n", (unsigned long long)p1, (unsigned long long)p2,
           (unsigned long long)(p3 & 0xffff));
    uint64_t rr;
    __asm__("mov %%rsp, %%r8\n\tpushq $7\n\tpushq $8\n\tcall 1f\n\tjmp 2f\n1: ret $16\n2:\n\t"
            "mov %%r8, %0\n\tsub %%rsp, %0" : "=r"(rr) : : "r8", "memory");
    printf("ret imm16 leaves rsp delta %lld\n", (long long)rr);
    static const void *jt[] = {&&l0, &&l1, &&l2};
    int acc = 0;
    for (int k = 0; k < 6; k++) {
        goto *jt[k % 3];
    l0: acc += 1; continue;
    l1: acc += 10; continue;
    l2: acc += 100; continue;
    }
    int64_t cr;
    __asm__("call *%1" : "=a"(cr) : "m"(fptr) : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
            "r11", "memory", "cc");
    printf("computed goto %d call through memory %lld\n", acc, (long long)cr);
    uint64_t nops = 0;
    __asm__(".byte 0x66, 0x90\n\t.byte 0x0f, 0x1f, 0x00\n\t.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t"
            ".byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00\n\t"
            ".byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00\n\t"
            ".byte 0x2e, 0x48, 0x83, 0xc0, 0x05\n\t" /* cs-prefixed add $5,%rax */
            ".byte 0x40, 0x48, 0xff, 0xc0\n\t"      /* a redundant REX before REX.W inc */
            "rep nop\n\tpause"
            : "+a"(nops) : : "cc");
    printf("nops and prefixes: %llu\n", (unsigned long long)nops);
#ifndef __PIE__ /* a 64-bit absolute address in the instruction */
    uint64_t abs_read;
    __asm__("movabs absolute_cell, %%rax" : "=a"(abs_read));
    __asm__("movabs %%rax, absolute_cell" : : "a"(abs_read + 1) : "memory");
    printf("movabs moffs %llx -> %llx\n", (unsigned long long)abs_read,
           (unsigned long long)absolute_cell);
#endif
    uint64_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    printf("%%fs:0 is pthread_self %d\n", tp == (uint64_t)pthread_self());
    uint64_t xa = 1, xb = 2;
    uint32_t xc = 3;
    uint64_t xd = 0xffffffff00000000ull;
    __asm__("xchg %0, %1\n\txchg %k3, %2" : "+r"(xa), "+r"(xb), "+r"(xc), "+r"(xd));
    printf("xchg %llu %llu %u %llx\n", (unsigned long long)xa, (unsigned long long)xb, xc,
           (unsigned long long)xd);
    uint16_t w = 0x1234;
    __asm__("rolw $8, %0" : "+r"(w) : : "cc");
    uint32_t bs = 0x11223344;
    __asm__("bswap %0" : "+r"(bs));
    printf("rolw8 %x bswap %x\n", w, bs);
    return 0;
}
