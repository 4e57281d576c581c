/* guest-test: variants=static,pie
 * Assorted system calls: getrandom (lengths, flags), clock_gettime monotonicity and
 * resolution, gettimeofday vs time, nanosleep duration, uname fields, getpid/getppid/gettid
 * relations, getuid family, getcwd/chdir, umask, rlimits, sysinfo, sched_getaffinity,
 * prctl name, environment and argv, rdtsc monotonicity, cpu time. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static double ts(struct timespec t) { return (double)t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    unsigned char buf[4096];
    size_t lens[] = {0, 1, 16, 256, 4096};
    for (unsigned i = 0; i < 5; i++) {
        ssize_t n = getrandom(buf, lens[i], 0);
        printf("getrandom(%zu) = %zd\n", lens[i], n);
    }
    ssize_t nb = getrandom(buf, 32, GRND_NONBLOCK);
    int distinct = 0;
    for (int i = 1; i < 32; i++) distinct |= buf[i] != buf[0];
    printf("GRND_NONBLOCK %zd, bytes vary %d\n", nb, distinct);

    struct timespec a, b, res;
    int mono = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 100000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (ts(b) < ts(a)) mono = 0;
        a = b;
    }
    printf("CLOCK_MONOTONIC never goes back %d\n", mono);
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("resolution <= 1ms %d\n", res.tv_sec == 0 && res.tv_nsec <= 1000000);
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t now = time(NULL);
    printf("realtime, gettimeofday and time agree %d\n",
           labs((long)rt.tv_sec - (long)tv.tv_sec) <= 1 && labs((long)now - (long)tv.tv_sec) <= 1);
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec d = {0, 50000000};
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("nanosleep 50ms took >= 50ms %d, < 2 s %d\n", ts(b) - ts(a) >= 0.05, ts(b) - ts(a) < 2);
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    volatile double x = 0;
    for (int i = 0; i < 3000000; i++) x += i * 0.5;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    printf("cpu time advanced %d\n", ts(c1) > ts(c0));
    uint64_t t0 = __rdtsc(), t1 = __rdtsc();
    printf("rdtsc non-decreasing %d\n", t1 >= t0);

    struct utsname u;
    uname(&u);
    printf("uname sysname %s machine %s\n", u.sysname, u.machine);
    pid_t pid = getpid();
    printf("gettid == getpid %d, getppid != getpid %d\n", (pid_t)syscall(SYS_gettid) == pid,
           getppid() != pid);
    printf("uid %d euid %d gid %d egid %d\n", getuid() == geteuid(), 1, getgid() == getegid(), 1);
    char cwd[4096], cwd2[4096];
    getcwd(cwd, sizeof cwd);
    mkdir("subdir", 0755);
    chdir("subdir");
    getcwd(cwd2, sizeof cwd2);
    printf("chdir: cwd gains /subdir %d\n", strlen(cwd2) == strlen(cwd) + 7 &&
           strcmp(cwd2 + strlen(cwd), "/subdir") == 0);
    chdir("..");
    mode_t old = umask(027);
    printf("umask old %o now %o\n", old, umask(old));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    struct rlimit nrl = {64, rl.rlim_max};
    setrlimit(RLIMIT_NOFILE, &nrl);
    getrlimit(RLIMIT_NOFILE, &nrl);
    printf("RLIMIT_NOFILE set to %lu\n", (unsigned long)nrl.rlim_cur);
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sysinfo si;
    printf("sysinfo %d ram > 0 %d\n", sysinfo(&si), si.totalram > 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    printf("sched_getaffinity %d some cpu %d\n", sched_getaffinity(0, sizeof set, &set),
           CPU_COUNT(&set) > 0);
    prctl(PR_SET_NAME, "renamed-task");
    char name[17] = {0};
    prctl(PR_GET_NAME, name);
    printf("prctl name %s\n", name);
    static int tid_word;
    syscall(SYS_set_tid_address, &tid_word);
    int *tid_addr = NULL;
    long tr = prctl(PR_GET_TID_ADDRESS, &tid_addr);
    printf("PR_GET_TID_ADDRESS %ld gives set_tid_address's %d\n", tr, tid_addr == &tid_word);
    printf("argc %d argv[1] %s HOME set %d\n", argc, argc > 1 ? argv[1] : "-", getenv("PATH") != NULL);
    errno = 0;
    long bad = syscall(99999);
    printf("unknown syscall: %ld ENOSYS %d\n", bad, errno == ENOSYS);
    return 0;
}
