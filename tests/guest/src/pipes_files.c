/* guest-test: variants=static,pie
 * Pipes and file I/O: pipe/pipe2, dup/dup2/dup3, large writes through a pipe to a child,
 * O_CLOEXEC, poll/select on pipes, open/read/write/lseek (SEEK_SET/CUR/END, holes),
 * pread/pwrite, readv/writev, ftruncate, fstat/stat/lstat fields, symlinks and readlink,
 * rename/unlink/link counts, mkdir/rmdir, directory listing (sorted), fcntl flags, access,
 * errno values of failing calls, stdio buffering, openat/fstatat, O_APPEND, O_EXCL. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* a call's result and then errno, in that order */
static long ret_;
static int errno_;
#define CALL(x) (errno = 0, ret_ = (long)(x), errno_ = errno, ret_)

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);
    /* a megabyte through a pipe to a child that checksums it */
    int p[2];
    if (pipe(p)) return 1;
    pid_t c = fork();
    if (c == 0) {
        close(p[1]);
        unsigned long sum = 0, n = 0;
        char buf[4096];
        ssize_t r;
        while ((r = read(p[0], buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < r; i++) sum = sum * 31 + (unsigned char)buf[i], n++;
        printf("child read %lu bytes sum %lx\n", n, sum);
        _exit(0);
    }
    close(p[0]);
    char *big = malloc(1 << 20);
    for (int i = 0; i < 1 << 20; i++) big[i] = (char)(i * 7 + (i >> 12));
    ssize_t w = write(p[1], big, 1 << 20);
    close(p[1]);
    waitpid(c, NULL, 0);
    printf("parent wrote %zd\n", w);
    /* pipe2 flags, poll, select, EAGAIN, EPIPE */
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC)) return 1;
    printf("pipe2 flags: nonblock %d cloexec %d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(p[0], F_GETFD) & FD_CLOEXEC) != 0);
    char ch;
    errno = 0;
    CALL(read(p[0], &ch, 1));
    printf("empty nonblocking read %ld EAGAIN %d\n", ret_, errno_ == EAGAIN);
    struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    printf("poll: %d in %x out %x\n", poll(pf, 2, 0), pf[0].revents, pf[1].revents);
    if (write(p[1], "z", 1) != 1) return 1;
    pf[0].revents = pf[1].revents = 0;
    printf("poll after write: %d in %x\n", poll(pf, 2, 100), pf[0].revents);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    struct timeval tv = {0, 1000};
    printf("select: %d isset %d\n", select(p[0] + 1, &rs, NULL, NULL, &tv), FD_ISSET(p[0], &rs));
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    CALL(write(p[1], "x", 1));
    printf("write to a closed pipe: %ld EPIPE %d\n", ret_, errno_ == EPIPE);
    close(p[1]);
    /* dup */
    int fd = open("f.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int d2 = dup(fd), d3 = dup2(fd, 100), d4 = dup3(fd, 101, O_CLOEXEC);
    printf("dup %d dup2 %d dup3 %d cloexec %d\n", d2 > fd, d3, d4, fcntl(101, F_GETFD));
    if (write(d3, "hello ", 6) != 6 || write(fd, "world\n", 6) != 6) return 1;
    printf("shared offset %ld\n", (long)lseek(d2, 0, SEEK_CUR));
    close(d2), close(d3), close(d4);
    /* seek, holes, pread/pwrite, vectors */
    printf("lseek end %ld set %ld cur %ld\n", (long)lseek(fd, 0, SEEK_END),
           (long)lseek(fd, 100000, SEEK_SET), (long)lseek(fd, -99990, SEEK_CUR));
    if (pwrite(fd, "HOLE", 4, 1 << 20) != 4) return 1;
    char buf[64] = {0};
    printf("pread %zd '%.5s'\n", pread(fd, buf, 5, 6), buf);
    struct iovec iov[3] = {{"ab", 2}, {"cde", 3}, {"f\n", 2}};
    lseek(fd, 12, SEEK_SET);
    printf("writev %zd\n", writev(fd, iov, 3));
    char x1[4] = {0}, x2[8] = {0};
    struct iovec riov[2] = {{x1, 3}, {x2, 7}};
    lseek(fd, 0, SEEK_SET);
    printf("readv %zd '%s' '%s'\n", readv(fd, riov, 2), x1, x2);
    struct stat st;
    fstat(fd, &st);
    printf("size %lld mode %o nlink %ld regular %d blocks-sparse %d\n", (long long)st.st_size,
           st.st_mode & 07777, (long)st.st_nlink, S_ISREG(st.st_mode),
           st.st_blocks * 512 < st.st_size);
    printf("SEEK_DATA %ld SEEK_HOLE %ld\n", (long)lseek(fd, 0, SEEK_DATA),
           (long)lseek(fd, 0, SEEK_HOLE));
    ftruncate(fd, 10);
    fstat(fd, &st);
    printf("truncated size %lld\n", (long long)st.st_size);
    close(fd);
    /* links, renames, directories */
    link("f.txt", "hard.txt");
    symlink("f.txt", "sym.txt");
    stat("f.txt", &st);
    printf("nlink after link %ld\n", (long)st.st_nlink);
    lstat("sym.txt", &st);
    char target[64] = {0};
    printf("symlink %d readlink %zd '%s'\n", S_ISLNK(st.st_mode),
           readlink("sym.txt", target, sizeof target - 1), target);
    rename("hard.txt", "moved.txt");
    mkdir("dir", 0755);
    mkdir("dir/sub", 0700);
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "dir/file%02d", (i * 7) % 20);
        close(open(name, O_CREAT | O_WRONLY, 0600));
    }
    DIR *dir = opendir("dir");
    char *names[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) names[n++] = strdup(de->d_name);
    closedir(dir);
    qsort(names, n, sizeof names[0], cmp);
    printf("dir has %d entries:", n);
    for (int i = 0; i < n; i++) printf(" %s", names[i]);
    printf("\n");
    int dfd = open("dir", O_RDONLY | O_DIRECTORY);
    printf("fstatat sub: %d mode %o\n", fstatat(dfd, "sub", &st, 0), st.st_mode & 07777);
    int afd = openat(dfd, "file03", O_WRONLY | O_APPEND);
    if (write(afd, "a", 1) != 1 || write(afd, "b", 1) != 1) return 1;
    close(afd);
    stat("dir/file03", &st);
    printf("append size %lld\n", (long long)st.st_size);
    errno = 0;
    CALL(openat(dfd, "file03", O_CREAT | O_EXCL, 0600));
    printf("O_EXCL on existing: %ld EEXIST %d\n", ret_, errno_ == EEXIST);
    close(dfd);
    errno = 0;
    CALL(rmdir("dir"));
    printf("rmdir non-empty: %ld ENOTEMPTY %d\n", ret_, errno_ == ENOTEMPTY);
    errno = 0;
    CALL(open("missing/x", O_RDONLY));
    printf("open missing: %ld ENOENT %d\n", ret_, errno_ == ENOENT);
    errno = 0;
    int dirfd2 = open("dir", O_RDONLY);
    CALL(read(dirfd2, buf, 1));
    printf("read from a directory: %ld EISDIR %d\n", ret_, errno_ == EISDIR);
    printf("access: %d %d\n", access("f.txt", R_OK | W_OK), access("nope", F_OK));
    errno = 0;
    CALL(write(12345, "x", 1));
    printf("bad fd: %ld EBADF %d\n", ret_, errno_ == EBADF);
    /* stdio */
    FILE *f = fopen("stdio.txt", "w+");
    for (int i = 0; i < 1000; i++) fprintf(f, "line %d %x %s\n", i, i * i, i % 3 ? "abc" : "");
    rewind(f);
    long lines = 0, total = 0;
    char line[128];
    while (fgets(line, sizeof line, f)) lines++, total += (long)strlen(line);
    printf("stdio: %ld lines %ld bytes, ftell %ld\n", lines, total, ftell(f));
    fclose(f);
    unlink("stdio.txt");
    return 0;
}
