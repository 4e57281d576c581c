#include "base/size.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "base/number.h"

namespace qemu {

uint64_t size_suffix_multiplier(char c, unsigned unit) {
  int exp;
  switch (c) {
    case 'B':
    case 'b':
      exp = 0;
      break;
    case 'K':
    case 'k':
      exp = 1;
      break;
    case 'M':
    case 'm':
      exp = 2;
      break;
    case 'G':
    case 'g':
      exp = 3;
      break;
    case 'T':
    case 't':
      exp = 4;
      break;
    case 'P':
    case 'p':
      exp = 5;
      break;
    case 'E':
    case 'e':
      exp = 6;
      break;
    default:
      return 0;
  }
  uint64_t mul = 1;
  while (exp--) mul *= unit;
  return mul;
}

int parse_size(std::string_view s, uint64_t *out, char default_suffix, unsigned unit, size_t *end) {
  size_t pos = 0;
  uint64_t val = 0;
  uint64_t frac = 0;  // the fraction as a 0.64 fixed-point number
  bool hex = false;
  int err = parse_u64(s, 10, &val, &pos);
  auto fail = [&](int e) {
    if (end) *end = 0;
    return e;
  };
  if (err) return fail(err);
  if (s.substr(0, pos).find('-') != std::string_view::npos) return fail(-EINVAL);
  if (val == 0 && pos < s.size() && (s[pos] == 'x' || s[pos] == 'X')) {
    err = parse_u64(s, 16, &val, &pos);
    if (err) return fail(err);
    if (pos < s.size() && s[pos] == '.') return fail(-EINVAL);
    hex = true;
  } else if (pos < s.size() && s[pos] == '.') {
    // A fraction; "1.k" is allowed without digits, an exponent makes the whole thing invalid.
    double fraction = 0;
    size_t flen = 0;
    std::string_view f = s.substr(pos);
    if (parse_double(f, &fraction, &flen) != 0) {
      pos++;
    } else {
      std::string_view used = f.substr(0, flen);
      if (used.find_first_of("eE") != std::string_view::npos) return fail(-EINVAL);
      frac = static_cast<uint64_t>(fraction * 0x1p64);
      pos += flen;
    }
  }
  uint64_t mul = pos < s.size() ? size_suffix_multiplier(s[pos], unit) : 0;
  if (mul) {
    if (hex) warn_report("Using a multiplier suffix on hex numbers is deprecated: {}", s);
    pos++;
  } else {
    mul = size_suffix_multiplier(default_suffix, unit);
  }
  if (mul == 1) {
    if (frac) return fail(-EINVAL);  // a fraction needs a scale
  } else {
    // Exact 64.64 x 64 multiplication, rounding half up, overflow past 64 bits is -ERANGE.
    unsigned __int128 whole = static_cast<unsigned __int128>(val) * mul;
    unsigned __int128 part = static_cast<unsigned __int128>(frac) * mul;
    whole += part >> 64;
    whole += static_cast<uint64_t>(part) >> 63;
    if (whole >> 64) {
      if (end) *end = pos;
      return -ERANGE;
    }
    val = static_cast<uint64_t>(whole);
  }
  if (end) {
    *end = pos;
  } else if (pos != s.size()) {
    return -EINVAL;
  }
  *out = val;
  return 0;
}

std::string size_to_str(uint64_t bytes) {
  static const char *const kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  // Pick the largest unit in which the value is at least 1000/1024 so that 3 significant
  // digits never show four integer digits.
  int exp;
  frexp(static_cast<double>(bytes) / (1000.0 / 1024.0), &exp);
  int i = (exp - 1) / 10;
  if (i < 0) i = 0;
  if (i > 6) i = 6;
  double div = static_cast<double>(uint64_t{1} << (i * 10));
  return fmt::format("{} {}B", fmt::format("{:.3g}", static_cast<double>(bytes) / div),
                     kSuffixes[i]);
}

}  // namespace qemu
