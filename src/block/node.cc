#include "block/node.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace qemu::block {

bool parse_prealloc(std::string_view s, Prealloc *out) {
  if (s == "off")
    *out = Prealloc::kOff;
  else if (s == "metadata")
    *out = Prealloc::kMetadata;
  else if (s == "falloc")
    *out = Prealloc::kFalloc;
  else if (s == "full")
    *out = Prealloc::kFull;
  else
    return false;
  return true;
}

const char *prealloc_name(Prealloc p) {
  switch (p) {
    case Prealloc::kOff:
      return "off";
    case Prealloc::kMetadata:
      return "metadata";
    case Prealloc::kFalloc:
      return "falloc";
    case Prealloc::kFull:
      return "full";
  }
  return "off";
}

int Node::pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) {
  if (flags & kWriteNoFallback) return -ENOTSUP;
  constexpr size_t kChunk = 1 << 20;
  std::vector<char> zeroes(std::min<uint64_t>(bytes, kChunk), 0);
  while (bytes) {
    size_t n = std::min<uint64_t>(bytes, kChunk);
    int r = pwrite(offset, zeroes.data(), n, flags & kWriteFua);
    if (r < 0) return r;
    offset += n;
    bytes -= n;
  }
  return 0;
}

int Node::pwrite_compressed(uint64_t, const void *, size_t) {
  return -ENOTSUP;
}

int Node::compress_for_write(uint64_t, const void *, size_t, Compressed *out) {
  out->prepared = false;
  return 0;
}

int Node::pwrite_precompressed(uint64_t offset, const void *buf, size_t bytes, const Compressed &) {
  return pwrite_compressed(offset, buf, bytes);
}

int Node::discard(uint64_t, uint64_t) {
  return 0;
}
int Node::flush() {
  return 0;
}

int Node::truncate(uint64_t, bool, Prealloc, Error *err) {
  *err = Error::make("Image format driver does not support resize");
  return -ENOTSUP;
}

int Node::block_status(uint64_t, uint64_t bytes, BlockStatus *st) {
  *st = BlockStatus{};
  st->bytes = bytes;
  st->data = true;
  st->allocated = true;
  return 0;
}

int Node::get_info(ImageInfo *info) {
  info->format = driver_name();
  int64_t len = length();
  if (len < 0) return static_cast<int>(len);
  info->virtual_size = len;
  return 0;
}

int Node::check(CheckResult *, unsigned) {
  return -ENOTSUP;
}
int Node::snapshot_list(std::vector<SnapshotInfo> *) {
  return -ENOTSUP;
}
int Node::snapshot_create(const SnapshotInfo &, Error *err) {
  *err = Error::make("Device '{}' does not support internal snapshots", driver_name());
  return -ENOTSUP;
}
int Node::snapshot_goto(const std::string &, Error *err) {
  *err = Error::make("Device '{}' does not support internal snapshots", driver_name());
  return -ENOTSUP;
}
int Node::snapshot_delete(const std::string &, const std::string &, Error *err) {
  *err = Error::make("Device '{}' does not support internal snapshots", driver_name());
  return -ENOTSUP;
}
int Node::change_backing_file(const std::string &, const std::string &, Error *err) {
  *err = Error::make("Operation not supported");
  return -ENOTSUP;
}
int Node::make_empty(Error *err) {
  *err = Error::make("Operation not supported");
  return -ENOTSUP;
}

// Dirty bitmaps: formats without them have none (qcow2 overrides all of these).
bool Node::check_bitmap_add_args(const std::string &name, const BitmapAddOptions &opts,
                                 Error *err) {
  if (name.empty()) {
    *err = Error::make("Bitmap name cannot be empty");
    return false;
  }
  if (opts.granularity) {
    uint32_t g = *opts.granularity;
    if (g < 512 || (g & (g - 1))) {
      *err = Error::make("Granularity must be power of 2 and at least 512");
      return false;
    }
  }
  return true;
}
int Node::bitmap_list(std::vector<BitmapInfo> *out) {
  out->clear();
  return 0;
}
int Node::bitmap_add(const std::string &name, const BitmapAddOptions &opts, Error *err) {
  if (!check_bitmap_add_args(name, opts, err)) return -EINVAL;
  if (opts.persistent) {
    *err = Error::make("Can't store persistent bitmaps to {}: {}", node_name_, strerror(ENOTSUP));
  } else {
    *err = Error::make("Operation not supported");
  }
  return -ENOTSUP;
}
static int bitmap_not_found(const std::string &name, Error *err) {
  *err = Error::make("Dirty bitmap '{}' not found", name);
  return -ENOENT;
}
int Node::bitmap_remove(const std::string &name, Error *err) {
  return bitmap_not_found(name, err);
}
int Node::bitmap_clear(const std::string &name, Error *err) {
  return bitmap_not_found(name, err);
}
int Node::bitmap_enable(const std::string &name, bool, Error *err) {
  return bitmap_not_found(name, err);
}
int Node::bitmap_merge(const std::string &name, Node *, const std::string &, Error *err) {
  return bitmap_not_found(name, err);
}
int Node::bitmap_dirty_ranges(const std::string &name, std::vector<std::pair<uint64_t, uint64_t>> *,
                              Error *err) {
  return bitmap_not_found(name, err);
}
int Node::bitmap_set_dirty(const std::string &name, uint64_t, uint64_t, Error *err) {
  return bitmap_not_found(name, err);
}

int64_t Node::allocated_file_size() {
  Node *f = file_child();
  return f ? f->allocated_file_size() : -ENOTSUP;
}

}  // namespace qemu::block
