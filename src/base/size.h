// Sizes with QEMU's suffixes: B, k/K, M, G, T, P, E (powers of 1024, or of 1000 for metric),
// decimal fractions with a suffix ("1.5G"), hexadecimal ("0x1000"), and QEMU's errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qemu {

// Parses a size. default_suffix applies when the string has none: 'B' for plain byte counts
// (qemu-img), 'M' for -m. unit is 1024 or 1000. Returns 0, -EINVAL or -ERANGE (above 2^64-1).
// If end is null, trailing characters are an error; otherwise *end is the consumed length.
int parse_size(std::string_view s, uint64_t *out, char default_suffix = 'B', unsigned unit = 1024,
               size_t *end = nullptr);

// The multiplier of a suffix character, or 0 if it is not one.
uint64_t size_suffix_multiplier(char c, unsigned unit = 1024);

// "64 MiB", "1.5 GiB", "512 B": three significant digits, as qemu-img info prints sizes.
std::string size_to_str(uint64_t bytes);

}  // namespace qemu
