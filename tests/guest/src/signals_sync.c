/* guest-test: variants=static,pie
 * Synchronous signals: SIGSEGV (unmapped and write-protected, si_addr and si_code), SIGBUS
 * (mapped file past its end), SIGFPE (divide by zero and overflow, si_addr at the
 * instruction), SIGILL (ud2), SIGTRAP (int3, rip after it), recovered both by siglongjmp and by
 * editing the saved rip in the ucontext; register values seen by the handler. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int mode; /* 0: siglongjmp, 1: skip the instruction by editing rip */
static volatile uintptr_t resume_at;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip, got_rax, got_rbx;
static volatile uintptr_t base;

static void handler(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    got_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    got_rax = (uintptr_t)uc->uc_mcontext.gregs[REG_RAX];
    got_rbx = (uintptr_t)uc->uc_mcontext.gregs[REG_RBX];
    if (mode == 0) siglongjmp(env, 1);
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume_at;
    uc->uc_mcontext.gregs[REG_RAX] = 0x1234;
}

static void report(const char *what, uintptr_t insn) {
    printf("%-22s sig %d code %d", what, got_sig, got_code);
    if (got_sig == SIGSEGV || got_sig == SIGBUS)
        printf(" addr %s+%#lx", base ? "base" : "", (unsigned long)(got_addr - base));
    if (insn) {
        printf(" rip insn%+ld", (long)(got_rip - insn));
        if (got_sig == SIGFPE || got_sig == SIGILL) printf(" addr insn%+ld", (long)(got_addr - insn));
    }
    if (insn) printf(" rax %#lx rbx %#lx", (unsigned long)got_rax, (unsigned long)got_rbx);
    printf("\n");
    got_sig = got_code = 0;
}

extern char ud2_at[], int3_at[], div_at[], idiv_at[], segv_at[], after_segv[], after_div[],
    after_idiv[], after_ud2[], after_int3[];

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);

    /* SIGSEGV on an unmapped page, then on a read-only page */
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + pg, pg);
    mprotect(p + 2 * pg, pg, PROT_READ);
    base = (uintptr_t)p;
    mode = 0;
    if (sigsetjmp(env, 1) == 0) {
        volatile char *q = p + pg + 123;
        *q = 1;
    }
    report("segv unmapped", 0);
    if (sigsetjmp(env, 1) == 0) {
        volatile char *q = p + 2 * pg + 77;
        (void)*q; /* reading is allowed */
        *q = 1;
    }
    report("segv read-only write", 0);
    if (sigsetjmp(env, 1) == 0) {
        volatile char *q = p + 2 * pg + 4000;
        __asm__ volatile("lock incl (%0)" : : "r"(q) : "memory");
    }
    report("segv locked rmw", 0);
    /* rip-exact fault at a known instruction, skipped by editing rip */
    mode = 1;
    resume_at = (uintptr_t)after_segv;
    __asm__ volatile("mov $0x77, %%rbx\n\t.globl segv_at\nsegv_at: movb %%al, (%%rdx)\n\t"
                     ".globl after_segv\nafter_segv:" : : "d"(p + pg + 8), "a"(5) : "rbx", "memory");
    report("segv at insn", (uintptr_t)segv_at);
    base = 0;
    /* SIGBUS: a file mapping past the end of the file */
    char path[] = "sigbus-XXXXXX";
    int fd = mkstemp(path);
    if (write(fd, "abc", 3) != 3) return 1;
    char *f = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
    base = (uintptr_t)f;
    mode = 0;
    if (sigsetjmp(env, 1) == 0) {
        volatile char c = f[pg + 5];
        (void)c;
    }
    report("sigbus past eof", 0);
    printf("in-file bytes %c%c%c then %d\n", f[0], f[1], f[2], f[100]);
    unlink(path);
    base = 0;
    /* SIGFPE */
    for (mode = 0; mode < 2; mode++) {
        resume_at = (uintptr_t)after_div;
        if (mode == 0 && sigsetjmp(env, 1) != 0) {
            report("fpe div by zero", (uintptr_t)div_at);
            continue;
        }
        __asm__ volatile("mov $0x55, %%rbx\n\txor %%edx, %%edx\n\tmov $100, %%eax\n\t.globl div_at\n"
                         "div_at: div %%ecx\n.globl after_div\nafter_div:" : : "c"(0) : "rax", "rdx", "rbx");
        report("fpe div by zero (skip)", (uintptr_t)div_at);
    }
    mode = 1;
    resume_at = (uintptr_t)after_idiv;
    __asm__ volatile("mov $0x44, %%ebx\n\tmov $0x8000000000000000, %%rax\n\tcqo\n\t.globl idiv_at\nidiv_at: idiv %%rcx\n"
                     ".globl after_idiv\nafter_idiv:"
                     : : "c"(-1L) : "rax", "rdx", "rbx");
    report("fpe idiv overflow", (uintptr_t)idiv_at);
    /* SIGILL */
    resume_at = (uintptr_t)after_ud2;
    __asm__ volatile("mov $0x66, %%rbx\n\tmov $0x21, %%eax\n\t.globl ud2_at\nud2_at: ud2\n.globl after_ud2\nafter_ud2:" : : : "rbx", "rax");
    report("ill ud2", (uintptr_t)ud2_at);
    mode = 0;
    if (sigsetjmp(env, 1) == 0) __asm__ volatile("ud2");
    report("ill ud2 (longjmp)", 0);
    /* SIGTRAP: int3 reports rip after the instruction */
    mode = 1;
    resume_at = (uintptr_t)after_int3;
    __asm__ volatile("mov $0x99, %%rbx\n\tmov $0x22, %%eax\n\t.globl int3_at\nint3_at: int3\n.globl after_int3\nafter_int3:" : : : "rbx", "rax");
    report("trap int3", (uintptr_t)int3_at);
    /* a handler returning from SIG_IGN-able signal, and default-ignored SIGCHLD/SIGURG */
    signal(SIGURG, SIG_DFL);
    raise(SIGURG);
    printf("survived SIGURG\n");
    return 0;
}
