/* The guest's view of /proc/self: exe, maps, auxv, cmdline. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv) {
  (void)argc;
  char buf[65536];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  printf("exe ends with program %d\n", n > 0 && strstr(buf, base) != 0);
  int fd = open("/proc/self/maps", O_RDONLY);
  n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(fd);
  printf("maps has program %d stack %d emulator %d\n", strstr(buf, base) != 0,
         strstr(buf, "[stack]") != 0, strstr(buf, "qemu") != 0);
  fd = open("/proc/self/auxv", O_RDONLY);
  unsigned long aux[512];
  n = read(fd, aux, sizeof aux);
  close(fd);
  unsigned long pagesz = 0;
  for (int i = 0; i + 1 < n / 8; i += 2)
    if (aux[i] == AT_PAGESZ) pagesz = aux[i + 1];
  printf("auxv pagesz %lu\n", pagesz);
  fd = open("/proc/self/cmdline", O_RDONLY);
  n = read(fd, buf, sizeof buf);
  close(fd);
  printf("cmdline args:");
  for (char *p = buf; p < buf + n; p += strlen(p) + 1)
    if (p != buf) printf(" %s", p);
  printf("\n");
  return 0;
}
