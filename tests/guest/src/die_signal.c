/* guest-test: variants=static,pie
 * Uncaught signals end the process: the exit status must be death by that signal (the
 * runner checks the status). Prints, flushes, then dies by SIGSEGV on a NULL write. */
#include <stdio.h>

int main(void) {
    printf("about to fault\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("not reached\n");
    return 0;
}
