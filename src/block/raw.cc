#include "block/raw.h"

#include <cerrno>

namespace qemu::block {

namespace {
// QEMU's block layer counts every node's length in 512-byte sectors, rounded up: a file of
// 1000 bytes is a 1024-byte disk whose tail reads as zeroes.
constexpr int64_t kSector = 512;
int64_t round_to_sectors(int64_t len) {
  return len < 0 ? len : (len + kSector - 1) / kSector * kSector;
}
}  // namespace

std::unique_ptr<RawNode> RawNode::open(std::unique_ptr<Node> file, uint64_t offset, bool has_size,
                                       uint64_t size, Error *err) {
  int64_t len = round_to_sectors(file->length());
  if (len < 0) {
    *err = Error::make("Could not get image size: {}", strerror(static_cast<int>(-len)));
    return nullptr;
  }
  if (has_size && size % kSector) {
    *err = Error::make("Specified size is not multiple of {}", kSector);
    return nullptr;
  }
  if (offset > static_cast<uint64_t>(len)) {
    *err = Error::make(
        "The sum of offset ({}) and size (0) has to be smaller or equal to the "
        " actual size of the containing file ({})",
        offset, len);
    return nullptr;
  }
  if (has_size && offset + size > static_cast<uint64_t>(len)) {
    *err = Error::make(
        "The sum of offset ({}) and size ({}) has to be smaller or equal to the "
        " actual size of the containing file ({})",
        offset, size, len);
    return nullptr;
  }
  auto node = std::unique_ptr<RawNode>(new RawNode);
  node->filename_ = file->filename();
  node->read_only_ = file->read_only();
  node->file_ = std::move(file);
  node->offset_ = offset;
  node->has_size_ = has_size;
  node->size_ = size;
  return node;
}

int64_t RawNode::length() {
  if (has_size_) return static_cast<int64_t>(size_);
  int64_t len = round_to_sectors(file_->length());
  return len < 0 ? len : round_to_sectors(len - static_cast<int64_t>(offset_));
}

int RawNode::check(uint64_t offset, uint64_t bytes) {
  if (!has_size_ && offset_ == 0) return 0;
  int64_t len = length();
  if (len < 0) return static_cast<int>(len);
  if (offset > static_cast<uint64_t>(len) || bytes > static_cast<uint64_t>(len) - offset)
    return -EINVAL;
  return 0;
}

int RawNode::pread(uint64_t offset, void *buf, size_t bytes) {
  int r = check(offset, bytes);
  return r ? r : file_->pread(offset + offset_, buf, bytes);
}

int RawNode::pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) {
  int r = check(offset, bytes);
  return r ? r : file_->pwrite(offset + offset_, buf, bytes, with_write_through(flags));
}

int RawNode::pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) {
  int r = check(offset, bytes);
  return r ? r : file_->pwrite_zeroes(offset + offset_, bytes, with_write_through(flags));
}

int RawNode::discard(uint64_t offset, uint64_t bytes) {
  int r = check(offset, bytes);
  return r ? r : file_->discard(offset + offset_, bytes);
}

int RawNode::flush() {
  return file_->flush();
}

int RawNode::truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err) {
  if (has_size_) {
    *err = Error::make("Cannot resize fixed-size raw disks");
    return -ENOTSUP;
  }
  if (prealloc == Prealloc::kMetadata) {  // the file protocol has no metadata to preallocate
    *err = Error::make("Unsupported preallocation mode: metadata");
    return -ENOTSUP;
  }
  return file_->truncate(offset_ + size, exact, prealloc, err);
}

int RawNode::block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) {
  int r = file_->block_status(offset + offset_, bytes, st);
  if (r < 0) return r;
  st->offset = offset + offset_;
  return 0;
}

}  // namespace qemu::block
