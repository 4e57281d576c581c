/* guest-test: variants=static,pie
 * /proc/self as the program sees it: readlink of /proc/self/exe names this program, and
 * /proc/self/maps lists the program's own mappings (its code executable, its data writable, the
 * stack, the heap after brk grows), with the addresses of main, a global and a local inside the
 * matching lines. Only stable facts are printed. Also /proc/self/cmdline, /proc/self/stat's pid,
 * /proc/self/fd, /proc/self/status's Pid, and auxv entries (AT_PAGESZ, AT_ENTRY vs _start).
 * proc_self_edge.c adds: the code mapping's perms (r-x), maps sorted without duplicates,
 * status's Name being the program, and /proc/self/stat's address fields. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int global_data = 42;
extern char _start[];

struct map {
    uintptr_t lo, hi;
    char perms[5];
    char name[PATH_MAX];
};

static int find(struct map *maps, int n, uintptr_t addr) {
    for (int i = 0; i < n; i++)
        if (addr >= maps[i].lo && addr < maps[i].hi) return i;
    return -1;
}

int main(int argc, char **argv) {
    (void)argc;
    char exe[PATH_MAX] = {0}, real[PATH_MAX] = {0};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    realpath(argv[0], real);
    printf("readlink /proc/self/exe ok %d, equals realpath(argv[0]) %d\n", n > 0,
           strcmp(exe, real) == 0);
    char *heap = malloc(1 << 16);
    char *big = malloc(1 << 20);
    sbrk(1 << 16);
    FILE *f = fopen("/proc/self/maps", "r");
    static struct map maps[4096];
    int nm = 0;
    char line[PATH_MAX + 128];
    while (nm < 4096 && fgets(line, sizeof line, f)) {
        struct map *m = &maps[nm];
        m->name[0] = 0;
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095s", &lo, &hi, m->perms, m->name) >= 3) {
            m->lo = lo, m->hi = hi;
            nm++;
        }
    }
    fclose(f);
    int local = 0;
    int im = find(maps, nm, (uintptr_t)main), ig = find(maps, nm, (uintptr_t)&global_data);
    int il = find(maps, nm, (uintptr_t)&local), ih = find(maps, nm, (uintptr_t)heap);
    int ib = find(maps, nm, (uintptr_t)big);
    printf("main in a mapping: %d of the exe %d\n", im >= 0, im >= 0 && strcmp(maps[im].name, exe) == 0);
#ifdef PROC_EDGE
    printf("main's mapping perms %.3s\n", im >= 0 ? maps[im].perms : "");
#endif
    printf("global in a mapping: %d writable %d\n", ig >= 0, ig >= 0 && maps[ig].perms[1] == 'w');
    printf("local in the [stack] mapping: %d perms %.3s\n", il >= 0 && strcmp(maps[il].name, "[stack]") == 0,
           il >= 0 ? maps[il].perms : "");
    printf("heap block in a writable mapping: %d, 1 MiB block too: %d\n",
           ih >= 0 && maps[ih].perms[1] == 'w', ib >= 0 && maps[ib].perms[1] == 'w');
    int sorted = 1;
    for (int i = 1; i < nm; i++) sorted &= maps[i].lo >= maps[i - 1].hi;
#ifdef PROC_EDGE
    printf("maps sorted and disjoint %d\n", sorted);
#endif
    (void)sorted;
    /* cmdline */
    int fd = open("/proc/self/cmdline", O_RDONLY);
    char cmd[4096];
    ssize_t len = read(fd, cmd, sizeof cmd);
    close(fd);
    printf("cmdline: %zd bytes, first is argv[0] %d, args:", len, strcmp(cmd, argv[0]) == 0);
    for (ssize_t i = (ssize_t)strlen(cmd) + 1; i < len; i += (ssize_t)strlen(cmd + i) + 1) printf(" [%s]", cmd + i);
    printf("\n");
    /* stat and status */
    f = fopen("/proc/self/stat", "r");
    long pid = 0;
    fscanf(f, "%ld", &pid);
    fclose(f);
    printf("stat pid matches %d\n", pid == getpid());
#ifdef PROC_EDGE
    /* The address fields (man 5 proc numbers): code, stack, data, heap, arguments, environment.
       sbrk above moved the break, so start_brk is at or below it. */
    f = fopen("/proc/self/stat", "r");
    char statline[2048] = {0};
    fgets(statline, sizeof statline, f);
    fclose(f);
    unsigned long long v[64] = {0};
    int nf = 2;
    for (char *q = strrchr(statline, ')') + 2; *q && *q != '\n' && nf < 63;) {
        char *end;
        v[++nf] = strtoull(q, &end, 10); /* the state (field 3) is a letter: 0 */
        q = strchr(q, ' ');
        if (!q) break;
        q++;
    }
    extern char **environ;
    int ne = 0;
    while (environ[ne]) ne++;
    printf("stat fields %d; code holds main %d; startstack is argc's address %d; data holds the "
           "global %d; start_brk %d\n", nf,
           v[26] <= (uintptr_t)main && (uintptr_t)main < v[27], (char **)(v[28] + 8) == argv,
           v[45] <= (uintptr_t)&global_data && (uintptr_t)&global_data < v[46],
           v[47] >= v[46] && v[47] <= (uintptr_t)sbrk(0));
    printf("stat args [arg_start, arg_end) %d %d; env %d %d\n", v[48] == (uintptr_t)argv[0],
           v[49] == (uintptr_t)argv[argc - 1] + strlen(argv[argc - 1]) + 1,
           ne == 0 || v[50] == (uintptr_t)environ[0],
           ne == 0 || v[51] == (uintptr_t)environ[ne - 1] + strlen(environ[ne - 1]) + 1);
#endif
    f = fopen("/proc/self/status", "r");
    int name_ok = 0;
    char pidline[64];
    snprintf(pidline, sizeof pidline, "Pid:\t%d\n", getpid());
    int pid_ok = 0;
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Name:\t", 6) == 0) name_ok = strncmp(line + 6, base, 15 < strlen(base) ? 15 : strlen(base)) == 0;
        if (strcmp(line, pidline) == 0) pid_ok = 1;
    }
    fclose(f);
#ifdef PROC_EDGE
    printf("status Name is the program %d\n", name_ok);
#endif
    (void)name_ok;
    printf("status Pid %d\n", pid_ok);
    /* fds */
    int extra = open("/proc/self/exe", O_RDONLY);
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int has_extra = 0;
    char want[16];
    snprintf(want, sizeof want, "%d", extra);
    while ((de = readdir(d)))
        if (strcmp(de->d_name, want) == 0) {
            char p[64], t[PATH_MAX] = {0};
            snprintf(p, sizeof p, "/proc/self/fd/%s", de->d_name);
            readlink(p, t, sizeof t - 1);
            has_extra = strcmp(t, exe) == 0;
        }
    closedir(d);
    printf("/proc/self/fd/%d names the exe %d\n", extra, has_extra);
    /* auxv */
    printf("AT_PAGESZ %lu AT_ENTRY is _start %d AT_PHDR set %d AT_RANDOM set %d AT_EXECFN is argv[0] %d\n",
           getauxval(AT_PAGESZ), getauxval(AT_ENTRY) == (unsigned long)_start, getauxval(AT_PHDR) != 0,
           getauxval(AT_RANDOM) != 0, getauxval(AT_EXECFN) && strcmp((char *)getauxval(AT_EXECFN), argv[0]) == 0);
    return 0;
}
