/* guest-test: variants=static,pie
 * mmap/mprotect/munmap/mremap/madvise: anonymous zero-filled memory, MAP_FIXED over an existing
 * mapping, PROT_NONE and read-only faults, partial munmap, mremap growing and moving,
 * MADV_DONTNEED dropping anonymous contents, shared and private file mappings (writes visible
 * through read(2) or not), MAP_SHARED|MAP_ANONYMOUS across fork, hint addresses, mmap errors
 * (EINVAL, ENOMEM for huge sizes), msync, mincore, large sparse reservations.
 * (mmap_edge.c adds MAP_FIXED_NOREPLACE.) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf env;
static void segv(int sig) { siglongjmp(env, sig); }

static const char *probe(volatile char *p, int write) {
    int s = sigsetjmp(env, 1);
    if (s) return s == SIGSEGV ? "SEGV" : "BUS";
    if (write) *p = 1;
    else (void)*p;
    return "ok";
}

int main(void) {
    signal(SIGSEGV, segv);
    signal(SIGBUS, segv);
    long pg = sysconf(_SC_PAGESIZE);
    printf("page size %ld\n", pg);
    char *a = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zero = 1;
    for (long i = 0; i < 16 * pg; i++) zero &= a[i] == 0;
    printf("anonymous zero-filled %d aligned %d\n", zero, ((uintptr_t)a % pg) == 0);
    memset(a, 0x5a, 16 * pg);
    mprotect(a + 2 * pg, pg, PROT_NONE);
    mprotect(a + 3 * pg, pg, PROT_READ);
    printf("none: read %s write %s; ro: read %s write %s; rw: %s\n", probe(a + 2 * pg, 0),
           probe(a + 2 * pg + 5, 1), probe(a + 3 * pg, 0), probe(a + 3 * pg + 9, 1),
           probe(a + 4 * pg, 1));
    mprotect(a + 2 * pg, 2 * pg, PROT_READ | PROT_WRITE);
    printf("restored: %s, content kept %d\n", probe(a + 2 * pg, 1), a[3 * pg + 1] == 0x5a);
    munmap(a + 5 * pg, 2 * pg);
    printf("after partial munmap: %s %s %s\n", probe(a + 4 * pg, 0), probe(a + 5 * pg, 0),
           probe(a + 7 * pg, 0));
    char *fx = mmap(a + 5 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED into the hole at the requested address %d, zero %d\n", fx == a + 5 * pg,
           fx[10] == 0);
    char *fx2 = mmap(a + 8 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED over a mapping replaces it: %d zero %d\n", fx2 == a + 8 * pg, fx2[0] == 0);
#ifdef MMAP_EDGE
    errno = 0;
    void *nr = mmap(a + 9 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int e = errno;
    printf("MAP_FIXED_NOREPLACE over a mapping: failed %d EEXIST %d\n", nr == MAP_FAILED, e == EEXIST);
#endif
    /* madvise */
    madvise(a + 10 * pg, pg, MADV_DONTNEED);
    printf("MADV_DONTNEED zeroes: %d, neighbour kept %d\n", a[10 * pg + 7] == 0, a[11 * pg] == 0x5a);
    unsigned char vec[4];
    printf("mincore %d\n", mincore(a + 11 * pg, 2 * pg, vec));
    /* mremap */
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(m, "remap me");
    strcpy(m + pg, "second page");
    char *m2 = mremap(m, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
    printf("mremap grow: '%s' '%s' new tail zero %d\n", m2, m2 + pg, m2[63 * pg] == 0);
    char *m3 = mremap(m2, 64 * pg, pg, 0);
    printf("mremap shrink in place %d: tail %s\n", m3 == m2, probe(m2 + 2 * pg, 0));
    /* file mappings */
    int fd = open("map.bin", O_CREAT | O_RDWR | O_TRUNC, 0600);
    ftruncate(fd, 3 * pg);
    char *sh = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *pr = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    strcpy(sh + pg, "shared write");
    msync(sh, 3 * pg, MS_SYNC);
    char buf[32] = {0};
    pread(fd, buf, 12, pg);
    printf("shared mapping write seen by read: '%s'; private sees '%s'\n", buf, pr + pg);
    strcpy(pr + 2 * pg, "private write");
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 13, 2 * pg);
    printf("private write not in the file: '%s' (len %zu)\n", buf, strlen(buf));
    pwrite(fd, "via write", 9, 0);
    printf("write(2) seen by both: '%.9s' '%.9s'\n", sh, pr);
    char *off = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
    printf("offset mapping: '%s'\n", off);
    errno = 0;
    int failed = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 7) == MAP_FAILED;
    printf("unaligned offset: %d EINVAL %d\n", failed, errno == EINVAL);
    close(fd);
    unlink("map.bin");
    printf("mapping survives close and unlink: '%s'\n", sh + pg);
    /* shared anonymous memory across fork */
    int *shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pid_t c = fork();
    if (c == 0) {
        *shared = 1234;
        *priv = 5678;
        _exit(0);
    }
    waitpid(c, NULL, 0);
    printf("after fork: shared %d private %d\n", *shared, *priv);
    /* errors */
    errno = 0;
    failed = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED;
    printf("zero length: %d EINVAL %d\n", failed, errno == EINVAL);
    errno = 0;
    void *huge = mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("2^62 bytes: failed %d ENOMEM %d\n", huge == MAP_FAILED, errno == ENOMEM);
    errno = 0;
    failed = munmap(a + 1, pg);
    printf("munmap unaligned: %d EINVAL %d\n", failed, errno == EINVAL);
    /* a large sparse reservation, touched here and there */
    size_t big = (size_t)8 << 30;
    char *r = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) {
        printf("8 GiB reservation failed\n");
    } else {
        for (size_t o = 0; o < big; o += big / 16) r[o] = (char)(o >> 28);
        long s = 0;
        for (size_t o = 0; o < big; o += big / 16) s += r[o];
        printf("8 GiB sparse reservation: sum %ld\n", s);
        munmap(r, big);
    }
    /* PROT_EXEC|PROT_READ mapping of code; hint address honoured when free */
    void *hint = (void *)0x200000000000ull;
    void *h = mmap(hint, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hint honoured %d\n", h == hint);
    return 0;
}
