/* guest-test: variants=static
 * smc.c plus code rewritten through a second (aliased) mapping of the same file while it runs
 * through the executable one: the emulator must notice writes to the code's physical page
 * made through another virtual address. Also a memfd whose writable mappings come after the
 * code ran (one by mmap, one by mprotect), and a read(2) into an alias. */
#define SMC_ALIAS
#include "smc.c"
