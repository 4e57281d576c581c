// The "raw" format driver: the guest disk is the file's bytes, optionally a window of them
// (the offset and size options).
#pragma once

#include <memory>

#include "block/node.h"

namespace qemu::block {

class RawNode : public Node {
 public:
  // size 0 with has_size false: up to the end of the file.
  static std::unique_ptr<RawNode> open(std::unique_ptr<Node> file, uint64_t offset, bool has_size,
                                       uint64_t size, Error *err);

  const char *driver_name() const override { return "raw"; }
  Node *file_child() override { return file_.get(); }

  int64_t length() override;
  int pread(uint64_t offset, void *buf, size_t bytes) override;
  int pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) override;
  int pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) override;
  int discard(uint64_t offset, uint64_t bytes) override;
  int flush() override;
  int truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err) override;
  int block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) override;

 private:
  int check(uint64_t offset, uint64_t bytes);

  std::unique_ptr<Node> file_;
  uint64_t offset_ = 0;
  bool has_size_ = false;
  uint64_t size_ = 0;
};

}  // namespace qemu::block
