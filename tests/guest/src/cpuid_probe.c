/* Not a test: prints the CPU features the processor (or the emulator) advertises through
 * cpuid, one name a line. The guest runner uses it to skip programs needing an extension. */
#include <cpuid.h>
#include <stdio.h>

static void flag(const char *name, unsigned reg, int bit) {
    if (reg & (1u << bit)) printf("%s\n", name);
}

int main(void) {
    unsigned a, b, c, d, max;
    max = __get_cpuid_max(0, 0);
    __cpuid(1, a, b, c, d);
    flag("sse", d, 25); flag("sse2", d, 26); flag("cmov", d, 15); flag("fpu", d, 0);
    flag("sse3", c, 0); flag("pclmulqdq", c, 1); flag("ssse3", c, 9); flag("fma", c, 12);
    flag("cx16", c, 13); flag("sse4_1", c, 19); flag("sse4_2", c, 20); flag("movbe", c, 22);
    flag("popcnt", c, 23); flag("aes", c, 25); flag("xsave", c, 26); flag("avx", c, 28);
    flag("f16c", c, 29); flag("rdrand", c, 30);
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        flag("bmi1", b, 3); flag("avx2", b, 5); flag("bmi2", b, 8); flag("adx", b, 19);
        flag("sha_ni", b, 29);
    }
    if (max >= 0xd) {
        __cpuid_count(0xd, 1, a, b, c, d);
        flag("xsaveopt", a, 0); flag("xsavec", a, 1); flag("xgetbv1", a, 2);
    }
    __cpuid(0x80000000, max, b, c, d);
    if (max >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        flag("lahf_lm", c, 0); flag("abm", c, 5); flag("sse4a", c, 6);
        flag("lm", d, 29); flag("rdtscp", d, 27);
    }
    return 0;
}
