/* Guest signal handling: handlers with siginfo, faults turned into SIGSEGV, masks, sigaltstack,
   SA_RESETHAND, alarm + pause, sigsuspend, rt_sigtimedwait. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int got, count;
static volatile void *fault_addr;
static volatile int fault_code;
static char altstack[65536];

static void h(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got = sig;
  count++;
  if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP) {
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(jb, 1);
  }
}

static void on_alt(int sig) {
  char x;
  got = sig;
  count = (&x >= altstack && &x < altstack + sizeof altstack);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = h;
  sa.sa_flags = SA_SIGINFO;
  int sigs[] = {SIGUSR1, SIGUSR2, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM, SIGCHLD};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, 0);

  raise(SIGUSR1);
  printf("raise: got %d\n", got);

  if (!sigsetjmp(jb, 1)) *(volatile int *)16 = 1;
  printf("null write: sig %d addr %p code %d\n", got, fault_addr, fault_code);

  char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!sigsetjmp(jb, 1)) ro[5] = 1;
  printf("read-only write: sig %d offset %ld code %d\n", got, (char *)fault_addr - ro, fault_code);
  munmap(ro, 4096);
  if (!sigsetjmp(jb, 1)) (void)*(volatile char *)(ro + 7);
  printf("unmapped read: sig %d offset %ld code %d\n", got, (char *)fault_addr - ro, fault_code);

  volatile int zero = 0;
  if (!sigsetjmp(jb, 1)) printf("%d\n", 5 / zero);
  printf("divide: sig %d code %d\n", got, fault_code);
  if (!sigsetjmp(jb, 1)) __asm__ volatile("ud2");
  printf("ud2: sig %d code %d\n", got, fault_code);
  if (!sigsetjmp(jb, 1)) __asm__ volatile("int3");
  printf("int3: sig %d\n", got);

  /* Blocked signals wait. */
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &old);
  got = 0;
  raise(SIGUSR2);
  printf("blocked: got %d\n", got);
  sigset_t pend;
  sigpending(&pend);
  printf("pending USR2 %d\n", sigismember(&pend, SIGUSR2));
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("unblocked: got %d\n", got);

  /* sigtimedwait takes a blocked signal without running the handler. */
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR2);
  siginfo_t si;
  got = 0;
  int s = sigtimedwait(&set, &si, &(struct timespec){1, 0});
  printf("sigtimedwait %d handler %d\n", s, got);
  sigprocmask(SIG_SETMASK, &old, 0);

  /* alarm + pause, sigsuspend. */
  alarm(1);
  pause();
  printf("pause: got %d\n", got);
  sigprocmask(SIG_BLOCK, &set, &old);
  kill(getpid(), SIGUSR2);
  sigset_t none;
  sigemptyset(&none);
  got = 0;
  sigsuspend(&none);
  printf("sigsuspend: got %d\n", got);
  sigprocmask(SIG_SETMASK, &old, 0);

  /* sigaltstack. */
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, 0);
  struct sigaction alt;
  memset(&alt, 0, sizeof alt);
  alt.sa_handler = on_alt;
  alt.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigaction(SIGUSR1, &alt, 0);
  raise(SIGUSR1);
  printf("altstack: got %d on alt %d\n", got, count);
  struct sigaction cur;
  sigaction(SIGUSR1, 0, &cur);
  printf("resethand: default %d\n", cur.sa_handler == SIG_DFL);

  /* SIG_IGN. */
  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  printf("ignored ok\n");
  return 0;
}
