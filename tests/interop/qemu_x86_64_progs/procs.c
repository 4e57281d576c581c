/* Processes: fork, wait, exec of another program (run under the emulator too), vfork,
   posix_spawn, exit statuses by signal. */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void report(const char *what, int st) {
  if (WIFEXITED(st))
    printf("%s: exit %d\n", what, WEXITSTATUS(st));
  else
    printf("%s: signal %d\n", what, WTERMSIG(st));
}

int main(int argc, char **argv) {
  if (argc > 1 && argv[1][0] == 'c') return 40 + argc;
  int st;
  pid_t pid = fork();
  if (pid == 0) exit(7);
  waitpid(pid, &st, 0);
  report("fork", st);
  pid = fork();
  if (pid == 0) {
    execl(argv[0], argv[0], "child", "x", (char *)0);
    _exit(99);
  }
  waitpid(pid, &st, 0);
  report("exec", st);
  pid = vfork();
  if (pid == 0) {
    execl(argv[0], argv[0], "child", (char *)0);
    _exit(98);
  }
  waitpid(pid, &st, 0);
  report("vfork", st);
  char *args[] = {argv[0], "child", "a", "b", 0};
  if (posix_spawn(&pid, argv[0], 0, 0, args, environ) == 0) {
    waitpid(pid, &st, 0);
    report("spawn", st);
  }
  int rc = posix_spawn(&pid, "/nonexistent", 0, 0, args, environ);
  printf("spawn missing: %d\n", rc);
  pid = fork();
  if (pid == 0) abort();
  waitpid(pid, &st, 0);
  report("abort", st);
  pid = fork();
  if (pid == 0) *(volatile int *)0 = 0;
  waitpid(pid, &st, 0);
  report("segv", st);
  pid = fork();
  if (pid == 0) kill(getpid(), SIGTERM);
  waitpid(pid, &st, 0);
  report("term", st);
  return 0;
}
