/* Code runs only from executable pages: a jump into a read-write page and to an unmapped
   address both give SIGSEGV with the kernel's si_code and si_addr. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf jb;
static volatile int code;
static void *volatile addr;

static void h(int s, siginfo_t *si, void *u) {
  (void)s;
  (void)u;
  code = si->si_code;
  addr = si->si_addr;
  siglongjmp(jb, 1);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = h;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  unsigned char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  p[0] = 0xc3; /* ret */
  if (!sigsetjmp(jb, 1)) ((void (*)(void))p)();
  printf("rw page: code %d at its start %d\n", code, addr == p);
  mprotect(p, 4096, PROT_READ | PROT_EXEC);
  code = 0;
  if (!sigsetjmp(jb, 1)) ((void (*)(void))p)();
  printf("after mprotect exec: code %d\n", code);
  if (!sigsetjmp(jb, 1)) ((void (*)(void))0x1234)();
  printf("unmapped: code %d addr %p\n", code, addr);
  return 0;
}
