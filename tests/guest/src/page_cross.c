/* guest-test: variants=static,pie
 * Accesses straddling a page boundary: unaligned loads and stores of 2..16 bytes (integer,
 * SSE, string ops, locked RMW) across two readable pages, then with the second page
 * inaccessible (PROT_NONE) or read-only: the fault is reported (si_addr in the second page),
 * the faulting store leaves the first page unchanged, and the registers are as before the
 * instruction. Also system calls handed bad pointers fail with EFAULT instead of crashing.
 * page_cross_edge.c adds a faulting straddling movdqu store, write(2) from a buffer running
 * into an unreadable page (a short write), and nanosleep's EFAULT. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <emmintrin.h>

static sigjmp_buf env;
static volatile uintptr_t fault_addr;
static void handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(env, sig);
}

static unsigned char *page; /* two pages; the boundary is page + pg */
static long pg;

static uint64_t sum_first(void) {
    uint64_t h = 0;
    for (long i = pg - 64; i < pg; i++) h = h * 131 + page[i];
    return h;
}

#define TRY(name, stmt)                                                                        \
    do {                                                                                       \
        uint64_t before = sum_first();                                                         \
        int s = sigsetjmp(env, 1);                                                             \
        if (s == 0) {                                                                          \
            stmt;                                                                              \
            printf("%-18s ok\n", name);                                                        \
        } else {                                                                               \
            long off = (long)(fault_addr - (uintptr_t)page) - pg;                              \
            printf("%-18s sig %d at boundary%+ld, first page %s\n", name, s, off,              \
                   sum_first() == before ? "unchanged" : "CHANGED");                           \
        }                                                                                      \
    } while (0)

static void accesses(const char *mode) {
    printf("-- second page %s\n", mode);
    for (int k = 1; k < 16; k += 3) {
        unsigned char *p = page + pg - k;
        char name[32];
        snprintf(name, sizeof name, "load16 -%d", k);
        volatile uint16_t v16;
        TRY(name, v16 = *(volatile uint16_t *)p);
        snprintf(name, sizeof name, "load64 -%d", k);
        volatile uint64_t v64;
        TRY(name, v64 = *(volatile uint64_t *)p);
        snprintf(name, sizeof name, "store32 -%d", k);
        TRY(name, *(volatile uint32_t *)p = 0xdeadbeef);
        snprintf(name, sizeof name, "store64 -%d", k);
        TRY(name, *(volatile uint64_t *)p = 0x0123456789abcdefull);
        snprintf(name, sizeof name, "movdqu load -%d", k);
        volatile __m128i vx;
        TRY(name, vx = _mm_loadu_si128((const __m128i *)p));
#ifdef PAGE_EDGE /* QEMU 7.2 writes the first part of a faulting 16-byte store */
        snprintf(name, sizeof name, "movdqu store -%d", k);
        TRY(name, _mm_storeu_si128((__m128i *)p, _mm_set1_epi8(0x5a)));
#endif
        snprintf(name, sizeof name, "lock add -%d", k);
        TRY(name, __asm__ volatile("lock addl $1, (%0)" : : "r"(p) : "memory", "cc"));
        snprintf(name, sizeof name, "rep movsb -%d", k);
        TRY(name, {
            unsigned char *d = p;
            const unsigned char *s2 = page;
            uint64_t c = 32;
            __asm__ volatile("rep movsb" : "+D"(d), "+S"(s2), "+c"(c) : : "memory");
        });
        (void)v16, (void)v64, (void)vx;
    }
    uint64_t h = 0;
    for (long i = pg - 64; i < pg + 64; i++)
        if (strcmp(mode, "inaccessible") != 0 || i < pg) h = h * 131 + page[i];
    printf("bytes around the boundary: %016llx\n", (unsigned long long)h);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    pg = sysconf(_SC_PAGESIZE);
    page = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long i = 0; i < 2 * pg; i++) page[i] = (unsigned char)(i * 7);
    accesses("readable and writable");
    mprotect(page + pg, pg, PROT_READ);
    accesses("read-only");
    mprotect(page + pg, pg, PROT_NONE);
    accesses("inaccessible");

    /* system calls with bad pointers */
    long r;
    int e;
#define SYS(name, call)                                                                        \
    do {                                                                                       \
        errno = 0;                                                                             \
        r = call;                                                                              \
        e = errno;                                                                             \
        printf("%-28s %ld %s\n", name, r, e == EFAULT ? "EFAULT" : e ? strerror(e) : "");      \
    } while (0)
    int fd = open("scratch", O_CREAT | O_RDWR | O_TRUNC, 0600);
    SYS("write from NULL+1", syscall(SYS_write, fd, (void *)1, 10));
    SYS("write from PROT_NONE", syscall(SYS_write, fd, page + pg, 10));
#ifdef PAGE_EDGE /* Linux writes what is readable; QEMU 7.2 fails the whole call */
    SYS("write straddling", syscall(SYS_write, fd, page + pg - 5, 10));
#endif
    if (write(fd, "0123456789abcdef", 16) != 16) return 1;
    lseek(fd, 0, SEEK_SET);
    SYS("read into PROT_NONE", syscall(SYS_read, fd, page + pg, 10));
    mprotect(page + pg, pg, PROT_READ);
    SYS("read into read-only", syscall(SYS_read, fd, page + pg, 10));
    SYS("stat of a bad path", syscall(SYS_stat, (void *)16, (void *)page));
    SYS("stat into read-only", syscall(SYS_stat, "scratch", page + pg));
    SYS("clock_gettime bad", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8));
    SYS("pipe into read-only", syscall(SYS_pipe, page + pg));
    SYS("uname into NULL", syscall(SYS_uname, NULL));
    SYS("getcwd into read-only", syscall(SYS_getcwd, page + pg, 100));
#ifdef PAGE_EDGE /* QEMU 7.2 says EINVAL */
    SYS("nanosleep bad", syscall(SYS_nanosleep, (void *)24, NULL));
#endif
    SYS("open bad path", syscall(SYS_open, (void *)page + pg + 4096 * 1000, O_RDONLY));
    close(fd);
    unlink("scratch");
    return 0;
}
