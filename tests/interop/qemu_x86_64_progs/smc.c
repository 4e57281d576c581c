/* Self-modifying code: code written, run, rewritten and run again on the same page. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static unsigned char page[8192] __attribute__((aligned(4096)));

int main(void) {
  unsigned char *p =
      mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int total = 0;
  for (int i = 0; i < 5; i++) {
    unsigned char code[] = {0xb8, (unsigned char)i, 0, 0, 0, 0xc3}; /* mov eax, i; ret */
    memcpy(p, code, sizeof code);
    total += ((int (*)(void))p)();
  }
  /* Code and data on one page (the data written after the code ran). */
  unsigned char *q = page;
  mprotect(q, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
  unsigned char code[] = {0xb8, 40, 0, 0, 0, 0xc3};
  memcpy(q, code, sizeof code);
  total += ((int (*)(void))q)();
  for (int i = 0; i < 100; i++) q[100 + i] = (unsigned char)i;
  total += ((int (*)(void))q)() + q[150];
  printf("total %d\n", total);
  return 0;
}
