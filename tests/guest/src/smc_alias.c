/* guest-test: variants=static
 * smc.c plus code rewritten through a second (aliased) mapping of the same file while it runs
 * through the executable one: the emulator must notice writes to the code's physical page
 * made through another virtual address. */
#define SMC_ALIAS
#include "smc.c"
