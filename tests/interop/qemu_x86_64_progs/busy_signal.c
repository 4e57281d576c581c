/* Asynchronous signals reach a thread spinning in translated code: a handler that ends the
   loop, then the default action of SIGALRM (terminate) with no handler. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile int flag;
static void h(int s) {
  flag = s;
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    alarm(1);
    for (;;) {
    }
  }
  signal(SIGALRM, h);
  alarm(1);
  long n = 0;
  while (!flag) n++;
  printf("flag %d\n", flag);
  fflush(stdout);
  return 0;
}
