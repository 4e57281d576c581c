/* guest-test: variants=static,pie
 * Self-modifying code: functions written into an RWX page, run, rewritten (immediates, then
 * whole instructions) and run again, many times in a loop (so a translator caches them);
 * (smc_alias.c adds code modified through a second, aliased mapping of the same file); code
 * in a page made
 * executable with mprotect after writing; a store into the same page as the running code,
 * just ahead of it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn)(long);

/* mov $imm32, %eax ; add %rdi, %rax ; ret */
static void emit_add(unsigned char *p, int32_t imm) {
    p[0] = 0xb8;
    memcpy(p + 1, &imm, 4);
    p[5] = 0x48, p[6] = 0x01, p[7] = 0xf8; /* add %rdi,%rax */
    p[8] = 0xc3;
}
/* mov %rdi,%rax ; imul $imm32,%rax,%rax ; ret */
static void emit_mul(unsigned char *p, int32_t imm) {
    p[0] = 0x48, p[1] = 0x89, p[2] = 0xf8;
    p[3] = 0x48, p[4] = 0x69, p[5] = 0xc0;
    memcpy(p + 6, &imm, 4);
    p[10] = 0xc3;
}

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *code = mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fn f = (fn)code;
    long total = 0;
    for (int i = 0; i < 2000; i++) {
        if (i % 2) emit_mul(code, i);
        else emit_add(code, i * 3);
        long r = 0;
        for (int k = 0; k < 5; k++) r += f(k + i);
        total += r;
        if (i < 4 || i % 500 == 0) printf("round %d -> %ld\n", i, r);
    }
    printf("rewritten 2000 times: total %ld\n", total);

    /* modify a single immediate byte only */
    emit_add(code, 0);
    long s = 0;
    for (int i = 0; i < 256; i++) {
        code[1] = (unsigned char)i;
        s += f(1000);
    }
    printf("byte patch sum %ld\n", s);

    /* a loop that patches its own next instruction: the store must take effect at once.
       mov $1,%eax; movb $2,next+1(%rip); next: mov $0,%ecx (imm patched to 2); add %ecx,%eax; ret */
    static const unsigned char selfpatch[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00,             /* mov $1,%eax */
        0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x02, /* movb $2, 1(%rip) -> imm of next insn */
        0xb9, 0x00, 0x00, 0x00, 0x00,             /* mov $0,%ecx */
        0x01, 0xc8,                               /* add %ecx,%eax */
        0xc3};
    memcpy(code + 64, selfpatch, sizeof selfpatch);
    fn g = (fn)(code + 64);
    printf("patch ahead in the same block: %ld\n", g(0));
    code[64 + 13] = 0; /* reset the immediate, run again */
    printf("again: %ld\n", g(0));

#ifdef SMC_ALIAS
    /* two mappings of one file: write through the RW one, run through the RX one */
    char path[] = "smc-XXXXXX";
    int fd = mkstemp(path);
    ftruncate(fd, pg);
    unsigned char *rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char *rx = mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    unlink(path);
    fn h = (fn)rx;
    {
    long sum = 0;
    for (int i = 0; i < 100; i++) {
        emit_add(rw, i * 1000);
        sum += h(i);
    }
    printf("aliased mapping sum %ld\n", sum);
    }
    {
    /* a memfd run through an RX mapping first; the writable mapping comes later, and then a
       third, read-only one made writable with mprotect; a read() into an alias rewrites too */
    int mfd = memfd_create("jit", 0);
    ftruncate(mfd, 2 * pg);
    unsigned char *x = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, mfd, 0);
    emit_add(x + pg, 5);
    mprotect(x, 2 * pg, PROT_READ | PROT_EXEC);
    fn hx = (fn)(x + pg);
    long sum = 0;
    for (int k = 0; k < 10; k++) sum += hx(k);
    unsigned char *w2 = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, pg);
    for (int i = 0; i < 50; i++) {
        emit_add(w2, i * 7);
        sum += hx(i);
    }
    unsigned char *r3 = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, mfd, 0);
    mprotect(r3, 2 * pg, PROT_READ | PROT_WRITE);
    for (int i = 0; i < 50; i++) {
        emit_mul(r3 + pg, i + 2);
        sum += hx(i);
    }
    int pfd[2];
    pipe(pfd);
    unsigned char buf[16];
    emit_add(buf, 1234);
    write(pfd[1], buf, 9);
    read(pfd[0], w2, 9);
    sum += hx(1);
    printf("memfd aliases sum %ld\n", sum);
    munmap(w2, pg);
    munmap(r3, 2 * pg);
    munmap(x, 2 * pg);
    close(mfd);
    }

#endif
    long sum = 0;
    /* write, then mprotect to RX and run; then back to RW, rewrite, RX again */
    unsigned char *w = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 50; i++) {
        mprotect(w, pg, PROT_READ | PROT_WRITE);
        emit_mul(w, i + 7);
        mprotect(w, pg, PROT_READ | PROT_EXEC);
        sum += ((fn)w)(3);
    }
    printf("mprotect cycle sum %ld\n", sum);
    return 0;
}
