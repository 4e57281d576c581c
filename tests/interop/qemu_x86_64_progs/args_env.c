/* Arguments, environment and the auxiliary vector as a program sees them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>

int main(int argc, char **argv) {
  printf("argc %d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d] %s\n", i, argv[i]);
  const char *names[] = {"QT_FOO", "QT_BAR", "QT_GONE"};
  for (int i = 0; i < 3; i++)
    printf("%s=%s\n", names[i], getenv(names[i]) ? getenv(names[i]) : "(unset)");
  printf("pagesz %lu\n", getauxval(AT_PAGESZ));
  printf("platform %s\n", (const char *)getauxval(AT_PLATFORM));
  printf("secure %lu\n", getauxval(AT_SECURE));
  printf("hwcap nonzero %d\n", getauxval(AT_HWCAP) != 0);
  printf("random set %d\n", getauxval(AT_RANDOM) != 0);
  printf("phent %lu\n", getauxval(AT_PHENT));
  printf("entry set %d\n", getauxval(AT_ENTRY) != 0);
  struct utsname u;
  uname(&u);
  printf("machine %s\n", u.machine);
  char *p = malloc(1 << 20);
  memset(p, 1, 1 << 20);
  char *q = malloc(100 << 20);
  memset(q, 2, 100 << 20);
  printf("malloc ok %d\n", p[12345] + q[99 << 20]);
  return 3;
}
