/* Code replaced by a system call (read into a page whose code already ran). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
  unsigned char *p =
      mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char c1[] = {0xb8, 1, 0, 0, 0, 0xc3}, c2[] = {0xb8, 2, 0, 0, 0, 0xc3};
  memcpy(p, c1, sizeof c1);
  int a = ((int (*)(void))p)();
  int fds[2];
  if (pipe(fds) != 0) return 1;
  if (write(fds[1], c2, sizeof c2) != (ssize_t)sizeof c2) return 1;
  ssize_t n = read(fds[0], p, sizeof c2);
  int b = ((int (*)(void))p)();
  printf("%d %d read %zd\n", a, b, n);
  return 0;
}
