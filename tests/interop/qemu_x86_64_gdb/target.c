/* The program the gdb differential test debugs (built with -g -O1 -static, and -static-pie).
 * argv[1] picks what it does: "main" (calls, globals, a thread), "segv" (a fault), "usr1" (a
 * signal with a handler), "sys" (a system call at a known label). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int counter = 5;
char buf[16] = "hello, gdb!";
volatile int got_usr1;

__attribute__((noinline)) int add(int a, int b) {
  int c = a + b;
  counter += c;
  return c * 2;
}

__attribute__((noinline)) int twice(int x) {
  return add(x, x) + 1;
}

__attribute__((noinline)) void *worker(void *arg) {
  counter += (int)(long)arg;
  return arg;
}

static void on_usr1(int sig) {
  got_usr1 = sig;
}

extern char sys_label[];

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "main";
  if (!strcmp(what, "segv")) {
    *(volatile int *)16 = 1;
    return 1;
  }
  if (!strcmp(what, "usr1")) {
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("usr1 handler saw %d\n", got_usr1);
    return 2;
  }
  if (!strcmp(what, "sys")) {
    long r;
    __asm__ volatile(
        "mov $39, %%eax\n"
        ".globl sys_label\n"
        "sys_label:\n"
        "syscall\n"
        "nop\n"
        "mov %%eax, %%eax\n"
        : "=a"(r)
        :
        : "rcx", "r11", "memory");
    printf("getpid %s\n", r > 0 ? "ok" : "failed");
    return 3;
  }
  int r = add(3, 4);
  r += twice(r);
  printf("r=%d counter=%d buf=%s\n", r, counter, buf);
  pthread_t t;
  pthread_create(&t, 0, worker, (void *)7L);
  pthread_join(t, 0);
  printf("counter=%d\n", counter);
  return r & 0x3f;
}
