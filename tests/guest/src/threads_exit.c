/* guest-test: variants=static,pie ldflags=-pthread cflags=-pthread
 * Ends of multithreaded processes: fork from a process with running threads (the child has one
 * thread and can use malloc and stdio), the main thread leaving with pthread_exit while others
 * run on, exit_group from a non-main thread while the others are blocked, execve from a
 * non-main thread (the other threads vanish; the new image starts with one), and the exit
 * status each leaves. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *self;

static void *spin(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static void *late_exit(void *arg) {
    usleep(100000);
    printf("last thread exits with %ld\n", (long)arg);
    fflush(stdout);
    exit((int)(long)arg);
}

static void *exec_from_thread(void *arg) {
    (void)arg;
    usleep(50000);
    char *argv[] = {(char *)self, "after-exec", NULL};
    execv(self, argv);
    _exit(99);
}

static int run_child(int mode) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        pthread_t t[3];
        for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, spin, NULL);
        if (mode == 0) { /* fork with threads running */
            pid_t g = fork();
            if (g == 0) {
                char *m = malloc(1000);
                snprintf(m, 1000, "grandchild forked from a threaded process runs");
                printf("%s\n", m);
                fflush(stdout);
                _exit(11);
            }
            int st;
            waitpid(g, &st, 0);
            printf("grandchild status %d\n", WEXITSTATUS(st));
            fflush(stdout);
            exit(12);
        }
        if (mode == 1) { /* main thread leaves, another ends the process later */
            pthread_t l;
            pthread_create(&l, NULL, late_exit, (void *)13L);
            pthread_exit(NULL);
        }
        if (mode == 2) { /* exit_group from a non-main thread while main waits in join */
            pthread_t l;
            pthread_create(&l, NULL, late_exit, (void *)14L);
            pthread_join(t[0], NULL);
        }
        if (mode == 3) { /* execve from a non-main thread */
            pthread_t l;
            pthread_create(&l, NULL, exec_from_thread, NULL);
            pthread_join(t[0], NULL);
        }
        _exit(98);
    }
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

int main(int argc, char **argv) {
    self = argv[0];
    if (argc > 1 && strcmp(argv[1], "after-exec") == 0) {
        printf("exec'd image runs with one thread\n");
        return 15;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int mode = 0; mode < 4; mode++) printf("mode %d: status %d\n", mode, run_child(mode));
    return 0;
}
