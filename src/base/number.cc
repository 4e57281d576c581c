#include "base/number.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace qemu {
namespace {

// Applies QEMU's end-of-number rule: with no end pointer, anything left over is an error.
int finish(const std::string &buf, const char *ep, int err, size_t *end) {
  if (ep == buf.c_str()) {
    if (end) *end = 0;
    return -EINVAL;
  }
  if (end) {
    *end = static_cast<size_t>(ep - buf.c_str());
  } else if (*ep) {
    return -EINVAL;
  }
  return err;
}

}  // namespace

int parse_u64(std::string_view s, int base, uint64_t *out, size_t *end) {
  std::string buf(s);
  char *ep = nullptr;
  errno = 0;
  unsigned long long v = strtoull(buf.c_str(), &ep, base);
  int err = finish(buf, ep, errno == ERANGE ? -ERANGE : 0, end);
  if (err == 0 || err == -ERANGE) *out = err ? UINT64_MAX : v;
  return err;
}

int parse_i64(std::string_view s, int base, int64_t *out, size_t *end) {
  std::string buf(s);
  char *ep = nullptr;
  errno = 0;
  long long v = strtoll(buf.c_str(), &ep, base);
  int err = finish(buf, ep, errno == ERANGE ? -ERANGE : 0, end);
  if (err == 0 || err == -ERANGE) *out = v;
  return err;
}

int parse_double(std::string_view s, double *out, size_t *end) {
  std::string buf(s);
  char *ep = nullptr;
  errno = 0;
  double v = strtod(buf.c_str(), &ep);
  int err = finish(buf, ep, errno == ERANGE ? -ERANGE : 0, end);
  if (err == 0 && !std::isfinite(v)) err = -EINVAL;
  if (err == 0) *out = v;
  return err;
}

}  // namespace qemu
