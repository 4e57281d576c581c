/* guest-test: variants=static
 * mmap.c plus MAP_FIXED_NOREPLACE over an existing mapping (EEXIST). */
#define MMAP_EDGE
#include "mmap.c"
