// Strict string-to-number conversions with QEMU's rules: the whole string must be a number
// unless the caller takes the end position; errors are -EINVAL or -ERANGE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qemu {

// strtoull semantics (leading blanks and a sign allowed, negative values wrap), base 0/8/10/16.
// If end is null, trailing characters are an error; otherwise *end is the number of characters
// consumed (0 on error).
int parse_u64(std::string_view s, int base, uint64_t *out, size_t *end = nullptr);
int parse_i64(std::string_view s, int base, int64_t *out, size_t *end = nullptr);
// A finite double (strtod syntax).
int parse_double(std::string_view s, double *out, size_t *end = nullptr);

}  // namespace qemu
