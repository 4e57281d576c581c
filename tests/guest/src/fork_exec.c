/* guest-test: variants=static,pie
 * fork/wait: exit codes, death by signal, copy-on-write memory after fork, waitpid options,
 * vfork, execve of another program (this one again in another mode, and /bin/sh), argv and
 * environment passing through exec, exit from a thread-free child with atexit handlers, and
 * system()/popen(). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void bye(void) { printf("atexit handler in pid-role %s\n", getenv("ROLE") ? getenv("ROLE") : "?"); }

int main(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc > 1 && strcmp(argv[1], "child-mode") == 0) {
        printf("exec'd: argc %d", argc);
        for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
        printf(" FOO=%s\n", getenv("FOO") ? getenv("FOO") : "(unset)");
        return 17;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int code = 0; code < 256; code += 51) {
        pid_t p = fork();
        if (p == 0) _exit(code);
        int st;
        waitpid(p, &st, 0);
        printf("child exit %d -> exited %d status %d\n", code, WIFEXITED(st), WEXITSTATUS(st));
    }
    int sigs[] = {SIGTERM, SIGKILL, SIGSEGV, SIGABRT, SIGUSR1};
    for (unsigned i = 0; i < 5; i++) {
        pid_t p = fork();
        if (p == 0) {
            if (sigs[i] == SIGSEGV) *(volatile int *)8 = 1;
            if (sigs[i] == SIGABRT) abort();
            raise(sigs[i]);
            _exit(99);
        }
        int st;
        waitpid(p, &st, 0);
        printf("child signal %d -> signaled %d termsig %d\n", sigs[i], WIFSIGNALED(st),
               WTERMSIG(st));
    }
    /* copy-on-write */
    static int shared_value = 5;
    pid_t p = fork();
    if (p == 0) {
        shared_value = 6;
        _exit(shared_value);
    }
    int st;
    waitpid(p, &st, 0);
    printf("after fork: parent sees %d, child had %d\n", shared_value, WEXITSTATUS(st));
    /* WNOHANG and ECHILD */
    int fds[2];
    if (pipe(fds)) return 1;
    p = fork();
    if (p == 0) {
        char c;
        close(fds[1]);
        if (read(fds[0], &c, 1) != 1) _exit(1);
        _exit(c);
    }
    close(fds[0]);
    printf("WNOHANG while running: %d\n", waitpid(p, &st, WNOHANG));
    if (write(fds[1], "\x09", 1) != 1) return 1;
    waitpid(p, &st, 0);
    printf("then exit %d; ", WEXITSTATUS(st));
    int again = waitpid(p, &st, 0);
    printf("waitpid again: %d errno ECHILD %d\n", again, errno == ECHILD);
    /* vfork + exec */
    p = vfork();
    if (p == 0) {
        char *args[] = {argv[0], "child-mode", "one", "two words", NULL};
        char *env[] = {"FOO=bar", NULL};
        execve(argv[0], args, env);
        _exit(127);
    }
    waitpid(p, &st, 0);
    printf("vfork+execve child exit %d\n", WEXITSTATUS(st));
    /* exec of a shell */
    p = fork();
    if (p == 0) {
        execl("/bin/sh", "sh", "-c", "echo from sh $((6*7)); exit 5", (char *)NULL);
        _exit(127);
    }
    waitpid(p, &st, 0);
    printf("sh exit %d\n", WEXITSTATUS(st));
    /* execve failure */
    errno = 0;
    char *none[] = {"nonexistent", NULL};
    execve("/nonexistent/program", none, none);
    printf("execve of a missing file: errno ENOENT %d\n", errno == ENOENT);
    /* system and popen */
    printf("system -> %d\n", WEXITSTATUS(system("exit 3")));
    FILE *f = popen("echo popen works; echo second line", "r");
    char line[100];
    while (fgets(line, sizeof line, f)) printf("popen: %s", line);
    printf("pclose %d\n", pclose(f));
    /* a child running atexit handlers via exit() */
    p = fork();
    if (p == 0) {
        setenv("ROLE", "child", 1);
        atexit(bye);
        exit(4);
    }
    waitpid(p, &st, 0);
    printf("child with atexit exit %d\n", WEXITSTATUS(st));
    /* finally replace ourselves */
    char *args[] = {argv[0], "child-mode", "last", NULL};
    char *env[] = {"FOO=final", NULL};
    execve(argv[0], args, env);
    return 1;
}
