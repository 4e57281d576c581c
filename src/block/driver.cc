#include "block/driver.h"

#include <cerrno>

#include "block/qcow2/qcow2_node.h"
#include "block/raw_driver.h"

namespace qemu::block {

bool parse_cache_mode(std::string_view s, CacheMode *out) {
  if (s == "writeback")
    *out = CacheMode::kWriteback;
  else if (s == "none" || s == "off")
    *out = CacheMode::kNone;
  else if (s == "writethrough")
    *out = CacheMode::kWritethrough;
  else if (s == "directsync")
    *out = CacheMode::kDirectsync;
  else if (s == "unsafe")
    *out = CacheMode::kUnsafe;
  else
    return false;
  return true;
}

int FormatDriver::create(const std::string &, const Opts &, Error *err) const {
  *err = Error::make("Driver '{}' does not support image creation", name());
  return -ENOTSUP;
}

int FormatDriver::measure(const Opts &, Node *, uint64_t, MeasureResult *, Error *err) const {
  *err = Error::make("Format driver '{}' does not support measure", name());
  return -ENOTSUP;
}

const std::vector<const FormatDriver *> &format_drivers() {
  static const std::vector<const FormatDriver *> drivers = {raw_format_driver(),
                                                            qcow2::qcow2_format_driver()};
  return drivers;
}

const FormatDriver *find_format(std::string_view name) {
  for (const FormatDriver *d : format_drivers())
    if (name == d->name()) return d;
  return nullptr;
}

}  // namespace qemu::block
