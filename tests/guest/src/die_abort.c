/* guest-test: variants=static,pie
 * abort(): death by SIGABRT, with stdout flushed first. Also a SIGTERM sent to itself while
 * blocked, unblocked only after abort is set up... kept simple: abort. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("aborting\n");
    fflush(stdout);
    abort();
}
