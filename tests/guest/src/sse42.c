/* guest-test: variants=static,pie cflags=-msse4.2 requires=sse4_2
 * SSE4.2: pcmpestri/pcmpestrm/pcmpistri/pcmpistrm in many modes with their flags, crc32 in every
 * size, pcmpgtq. */
#include "vec_common.h"
#include <nmmintrin.h>

#define STR(mode)                                                                             \
    do {                                                                                      \
        printf("mode %02x istri %d istrm ", mode, _mm_cmpistri(a, b, mode));                  \
        p128("", _mm_cmpistrm(a, b, mode));                                                   \
        printf("  istr flags a%d c%d o%d s%d z%d estri %d estrm ", _mm_cmpistra(a, b, mode),  \
               _mm_cmpistrc(a, b, mode), _mm_cmpistro(a, b, mode), _mm_cmpistrs(a, b, mode),  \
               _mm_cmpistrz(a, b, mode), _mm_cmpestri(a, la, b, lb, mode));                   \
        p128("", _mm_cmpestrm(a, la, b, lb, mode));                                           \
        printf("  estr flags a%d c%d o%d s%d z%d\n", _mm_cmpestra(a, la, b, lb, mode),        \
               _mm_cmpestrc(a, la, b, lb, mode), _mm_cmpestro(a, la, b, lb, mode),            \
               _mm_cmpestrs(a, la, b, lb, mode), _mm_cmpestrz(a, la, b, lb, mode));           \
    } while (0)

int main(void) {
    static const char *texts[][2] = {
        {"hello", "say hello world!"}, {"az", "Hello, World 123"}, {"0909AZaz", "a1B2c3_Z!"},
        {"needle", "haystack needl"}, {"", "abc"}, {"abcdefghijklmnop", "abcdefghijklmnop"},
        {"\x80\xff", "\x7f\x80\xff"},
    };
    for (unsigned t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        char ba[16] = {0}, bb[16] = {0};
        memcpy(ba, texts[t][0], strnlen(texts[t][0], 16));
        memcpy(bb, texts[t][1], strnlen(texts[t][1], 16));
        __m128i a = _mm_loadu_si128((const __m128i *)ba), b = _mm_loadu_si128((const __m128i *)bb);
        int la = (int)strnlen(texts[t][0], 16), lb = (int)strnlen(texts[t][1], 16);
        printf("text %u\n", t);
        STR(0x00); STR(0x04); STR(0x08); STR(0x0c); STR(0x10); STR(0x14); STR(0x18); STR(0x1c);
        STR(0x30); STR(0x34); STR(0x38); STR(0x3c); STR(0x40); STR(0x44); STR(0x48); STR(0x4c);
        STR(0x01); STR(0x05); STR(0x09); STR(0x0d); STR(0x41); STR(0x45); STR(0x49); STR(0x4d);
        STR(0x02); STR(0x03); STR(0x0a); STR(0x0b); STR(0x42); STR(0x43); STR(0x4a); STR(0x4b);
        STR(0x70); STR(0x7c); STR(0x1b); STR(0x5a);
    }
    /* explicit lengths out of range and negative */
    __m128i a = vi(1), b = vi(2);
    int la = -3, lb = 40;
    STR(0x00); STR(0x0c); STR(0x41);
    la = 17, lb = -20;
    STR(0x08); STR(0x19); STR(0x4d);
    uint32_t c32 = 0xffffffff;
    uint64_t c64 = 0;
    for (int i = 0; i < 64; i++) {
        c32 = _mm_crc32_u8(c32, (uint8_t)(i * 37));
        c32 = _mm_crc32_u16(c32, (uint16_t)(i * 4099));
        c32 = _mm_crc32_u32(c32, (uint32_t)i * 0x9e3779b9u);
        c64 = _mm_crc32_u64(c64 ^ c32, (uint64_t)i * 0x9e3779b97f4a7c15ull);
    }
    printf("crc32 %08x %016llx\n", c32, (unsigned long long)c64);
    for (int i = 0; i < 8; i++) p128("pcmpgtq", _mm_cmpgt_epi64(vi(i), vi(i + 3)));
    return 0;
}
