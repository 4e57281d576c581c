/* guest-test: variants=static,pie args=alpha beta
 * Exit status from main's return value, with output left in stdio buffers (flushed at exit)
 * and an atexit handler. */
#include <stdio.h>
#include <stdlib.h>

static void handler(void) { printf("atexit ran\n"); }

int main(int argc, char **argv) {
    atexit(handler);
    printf("args:");
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    return 201;
}
