/* Prints the first line of a file (for -L path remapping). */
#include <stdio.h>

int main(int argc, char **argv) {
  char line[256];
  FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
  if (!f) return 1;
  if (fgets(line, sizeof line, f)) fputs(line, stdout);
  return 0;
}
