/* guest-test: variants=static,pie
 * Asynchronous signals: raise/kill, blocked signals and sigpending, sigsuspend, real-time
 * signals queued with sigqueue (values and delivery order), standard signals not queued,
 * sa_mask and SA_NODEFER during a handler, SA_RESETHAND, sigaltstack (the handler runs on it;
 * SS_ONSTACK seen inside), SA_RESTART vs EINTR for a blocking read, alarm, SIGCHLD, sigwaitinfo,
 * signalfd, a timer (setitimer). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int order[64], norder;
static volatile int values[64];
static volatile int on_alt, alt_flags, mask_has_usr2, nested;
static char *alt_base;
static size_t alt_size;

static void rt_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (norder < 64) {
        values[norder] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -si->si_code;
        order[norder++] = sig;
    }
}

static void alt_handler(int sig) {
    char local;
    stack_t ss;
    (void)sig;
    on_alt = (&local >= alt_base && &local < alt_base + alt_size);
    sigaltstack(NULL, &ss);
    alt_flags = ss.ss_flags;
}

static void usr1_checks_mask(int sig) {
    sigset_t s;
    (void)sig;
    sigprocmask(SIG_BLOCK, NULL, &s);
    mask_has_usr2 = sigismember(&s, SIGUSR2) * 10 + sigismember(&s, SIGUSR1);
}

static void nest_handler(int sig) {
    if (sig == SIGUSR1) {
        nested = nested * 10 + 1;
        raise(SIGUSR2); /* not blocked: runs now, nested */
        nested = nested * 10 + 3;
    } else {
        nested = nested * 10 + 2;
    }
}

static volatile int alarms;
static void count_handler(int sig) {
    (void)sig;
    alarms++;
}

static void print_pending(const char *when) {
    sigset_t p;
    sigpending(&p);
    printf("%s pending:", when);
    for (int s = 1; s < SIGRTMAX; s++)
        if (sigismember(&p, s)) printf(" %d", s);
    printf("\n");
}

/* Waits until process pid sleeps in a pipe read (its wchan; or, where the kernel hides
   wchan, its state), so a signal sent then interrupts that read. */
static void wait_blocked_in_read(pid_t pid) {
    char path[64], buf[128];
    for (int i = 0; i < 3000; i++) {
        snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f) fclose(f);
        buf[n] = 0;
        if (strstr(buf, "pipe_read")) return;
        if (n == 0 || strcmp(buf, "0") == 0) { /* no wchan: the state field of stat */
            snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
            f = fopen(path, "r");
            n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
            if (f) fclose(f);
            buf[n] = 0;
            char *paren = strrchr(buf, ')');
            if (i > 20 && paren && paren[1] == ' ' && paren[2] == 'S') return;
        }
        usleep(10000);
    }
}

static void restart_test(int restart) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_handler;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    int fds[2];
    if (pipe(fds)) exit(1);
    alarms = 0;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) { /* signal the parent while it waits in read, then write */
        wait_blocked_in_read(parent);
        kill(parent, SIGALRM);
        usleep(100000);
        if (write(fds[1], "x", 1) != 1) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    int e = errno;
    printf("SA_RESTART=%d: read returned %zd (%s) char '%c' handler ran %d\n", restart, n,
           n < 0 ? strerror(e) : "ok", n > 0 ? c : '-', alarms);
    waitpid(child, NULL, 0);
    close(fds[0]);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rt_handler;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    for (int s = SIGRTMIN; s <= SIGRTMIN + 4; s++) sigaction(s, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    /* raise and kill deliver at once */
    raise(SIGUSR1);
    kill(getpid(), SIGUSR2);
    printf("immediate: %d %d (n=%d)\n", order[0], order[1], norder);
    norder = 0;

    /* blocked: real-time signals queue (all values, lowest number first); standard ones
       collapse to one */
    sigset_t block, old;
    sigfillset(&block);
    sigprocmask(SIG_BLOCK, &block, &old);
    for (int i = 0; i < 3; i++) {
        sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = 30 + i});
        sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = 10 + i});
        kill(getpid(), SIGUSR1);
    }
    sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 20});
    print_pending("blocked");
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("delivered %d:", norder);
    for (int i = 0; i < norder; i++)
        printf(" %s%d(%d)", order[i] >= SIGRTMIN ? "RTMIN+" : "sig", order[i] >= SIGRTMIN ?
               order[i] - SIGRTMIN : order[i], values[i]);
    printf("\n");
    print_pending("after unblock");

    /* sigwaitinfo picks a blocked signal synchronously */
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 4);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigqueue(getpid(), SIGRTMIN + 4, (union sigval){.sival_int = 444});
    siginfo_t si;
    int got = sigwaitinfo(&block, &si);
    printf("sigwaitinfo RTMIN+%d value %d code %d pid ok %d\n", got - SIGRTMIN,
           si.si_value.sival_int, si.si_code, si.si_pid == getpid());

    /* signalfd */
    int sfd = signalfd(-1, &block, 0);
    sigqueue(getpid(), SIGRTMIN + 4, (union sigval){.sival_int = 555});
    struct signalfd_siginfo fdsi;
    ssize_t n = read(sfd, &fdsi, sizeof fdsi);
    printf("signalfd read %zd RTMIN+%d value %d\n", n, (int)fdsi.ssi_signo - SIGRTMIN,
           fdsi.ssi_int);
    close(sfd);
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    /* sa_mask blocks USR2 inside the USR1 handler, and USR1 itself is blocked (no NODEFER) */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = usr1_checks_mask;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("inside handler: usr2 blocked %d, usr1 blocked %d\n", mask_has_usr2 / 10,
           mask_has_usr2 % 10);
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("with SA_NODEFER: usr1 blocked %d\n", mask_has_usr2 % 10);

    /* nested delivery */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = nest_handler;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR1);
    printf("nested order %d\n", nested);

    /* SA_RESETHAND: the second one takes the default action (ignored for SIGWINCH... use
       SIGURG whose default is ignore) */
    sa.sa_handler = count_handler;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGURG, &sa, NULL);
    alarms = 0;
    raise(SIGURG);
    raise(SIGURG);
    struct sigaction cur;
    sigaction(SIGURG, NULL, &cur);
    printf("SA_RESETHAND: handled %d, now default %d\n", alarms, cur.sa_handler == SIG_DFL);

    /* sigaltstack */
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = alt_handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    stack_t now;
    sigaltstack(NULL, &now);
    printf("sigaltstack: handler on it %d, flags inside %d, flags outside %d\n", on_alt,
           alt_flags, now.ss_flags);
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("without SA_ONSTACK: on it %d\n", on_alt);

    /* sigsuspend waits for a blocked signal */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_handler;
    sigaction(SIGALRM, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alarms = 0;
    alarm(1);
    sigset_t waitmask;
    sigemptyset(&waitmask);
    int r = sigsuspend(&waitmask);
    printf("sigsuspend returned %d errno EINTR %d alarms %d\n", r, errno == EINTR, alarms);
    sigprocmask(SIG_SETMASK, &old, NULL);

    restart_test(1);
    restart_test(0);

    /* SIGCHLD on child exit */
    sa.sa_handler = count_handler;
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    alarms = 0;
    pid_t c = fork();
    if (c == 0) _exit(3);
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    printf("SIGCHLD handled %d, child status %d\n", alarms, WEXITSTATUS(st));

    /* an interval timer firing several times */
    alarms = 0;
    struct itimerval it = {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 5) pause();
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    printf("itimer fired at least 5 times\n");
    /* ignored signals are discarded, even when blocked then unblocked */
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    print_pending("after ignored");
    return 0;
}
