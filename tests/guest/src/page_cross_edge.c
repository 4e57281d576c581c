/* guest-test: variants=static
 * page_cross.c plus: a 16-byte store straddling into an inaccessible page faults without
 * writing its first part; write(2) from a buffer running into an unreadable page writes what
 * is readable; nanosleep with a bad pointer fails with EFAULT. */
#define PAGE_EDGE
#include "page_cross.c"
