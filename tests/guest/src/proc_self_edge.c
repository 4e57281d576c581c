/* guest-test: variants=static
 * proc_self.c plus: the mapping holding main is shown r-x, /proc/self/maps is sorted with no
 * duplicate or overlapping lines, and /proc/self/status's Name is the program's name. */
#define PROC_EDGE
#include "proc_self.c"
