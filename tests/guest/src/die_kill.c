/* guest-test: variants=static,pie
 * Death by a signal sent with kill (SIGTERM, default action), from a second thread-free
 * process path: and an exit code 0..255 path is covered by exit_code. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("terminating\n");
    fflush(stdout);
    kill(getpid(), SIGTERM);
    pause();
    return 0;
}
