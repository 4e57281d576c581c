/* guest-test: variants=static,pie
 * setjmp/longjmp and sigsetjmp/siglongjmp (with and without saving the signal mask), across
 * nested calls, with values restored as the C standard says. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf jb;
static sigjmp_buf sjb;
static int depth;

static void deep(int n) {
    char pad[256];
    pad[n % 256] = (char)n;
    depth++;
    if (n == 0) longjmp(jb, 42 + pad[0]);
    deep(n - 1);
}

static int blocked(int sig) {
    sigset_t s;
    sigprocmask(SIG_BLOCK, NULL, &s);
    return sigismember(&s, sig);
}

int main(void) {
    volatile int counter = 0;
    int r = setjmp(jb);
    printf("setjmp returned %d counter %d\n", r, counter);
    if (counter++ < 3) {
        depth = 0;
        deep(50 + counter);
    }
    printf("depth %d\n", depth);
    if (setjmp(jb) == 0) longjmp(jb, 0); /* longjmp(0) returns 1 */
    else printf("longjmp 0 -> 1\n");

    for (int save = 0; save < 2; save++) {
        sigset_t s;
        sigemptyset(&s);
        sigprocmask(SIG_SETMASK, &s, NULL);
        if (sigsetjmp(sjb, save) == 0) {
            sigaddset(&s, SIGUSR1);
            sigprocmask(SIG_BLOCK, &s, NULL);
            printf("savemask=%d before jump: usr1 blocked %d\n", save, blocked(SIGUSR1));
            siglongjmp(sjb, 7);
        }
        printf("savemask=%d after jump: usr1 blocked %d\n", save, blocked(SIGUSR1));
    }
    return 0;
}
