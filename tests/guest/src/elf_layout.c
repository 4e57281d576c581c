/* guest-test: variants=static,pie,static-pie,nopie
 * What the loader sets up: a large zeroed .bss, initialized .data and .rodata, constructors and
 * destructors in priority order, init_array, TLS in the main thread (.tdata initialised, .tbss
 * zero), argv/envp, the program headers reachable through AT_PHDR/dl_iterate_phdr matching
 * the ELF file's own, and the entry point. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static char big_bss[64 << 20];
static int data_array[1000] = {[0] = 1, [500] = 5, [999] = 9};
static const char rodata[] = "read-only data";
static __thread int tls_init = 1234;
static __thread char tls_zero[4096];
static char order[16];
static int norder;

__attribute__((constructor(101))) static void c101(void) { order[norder++] = 'a'; }
__attribute__((constructor(200))) static void c200(void) { order[norder++] = 'b'; }
__attribute__((constructor)) static void cdef(void) { order[norder++] = 'c'; }
static void from_init_array(void) { order[norder++] = 'i'; }
__attribute__((section(".init_array"), used)) static void (*init_ptr)(void) = from_init_array;
__attribute__((destructor)) static void dtor(void) { printf("destructor ran\n"); }

static int count_phdrs(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    int *n = data;
    if (n[0]++ == 0) {
        n[1] = info->dlpi_phnum;
        int loads = 0;
        for (int i = 0; i < info->dlpi_phnum; i++) loads += info->dlpi_phdr[i].p_type == PT_LOAD;
        n[2] = loads;
    }
    return 0;
}

int main(int argc, char **argv, char **envp) {
    int zero = 1;
    for (size_t i = 0; i < sizeof big_bss; i += 4096) zero &= big_bss[i] == 0;
    memset(big_bss, 1, sizeof big_bss);
    printf("64 MiB bss zero %d, writable\n", zero);
    printf("data %d %d %d %d rodata '%s'\n", data_array[0], data_array[500], data_array[999],
           data_array[1], rodata);
    zero = 1;
    for (size_t i = 0; i < sizeof tls_zero; i++) zero &= tls_zero[i] == 0;
    printf("tls %d zero %d\n", tls_init, zero);
    order[norder] = 0;
    printf("constructor order %s\n", order);
    int n[3] = {0};
    dl_iterate_phdr(count_phdrs, n);
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    int loads = 0;
    for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++) loads += ph[i].p_type == PT_LOAD;
    /* the program's own file */
    FILE *f = fopen("/proc/self/exe", "rb");
    ElfW(Ehdr) eh;
    fread(&eh, sizeof eh, 1, f);
    fclose(f);
    printf("phnum auxv %lu file %u dl_iterate %d; loads auxv %d dl_iterate %d; type %s\n",
           getauxval(AT_PHNUM), eh.e_phnum, n[1], loads, n[2],
           eh.e_type == ET_DYN ? "DYN" : eh.e_type == ET_EXEC ? "EXEC" : "?");
    int envc = 0;
    while (envp[envc]) envc++;
    printf("argc %d argv[argc] NULL %d envp after argv %d\n", argc, argv[argc] == NULL,
           envp == argv + argc + 1);
    return 0;
}
