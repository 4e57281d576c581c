/* guest-test: variants=static
 * proc_self.c plus: the mapping holding main is shown r-x, /proc/self/maps is sorted with no
 * duplicate or overlapping lines, /proc/self/status's Name is the program's name, and
 * /proc/self/stat's code/stack/data/heap/argument/environment addresses are the program's. */
#define PROC_EDGE
#include "proc_self.c"
