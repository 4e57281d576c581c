// The "file" protocol driver: a host file or block device accessed with pread/pwrite, sparse
// aware (SEEK_DATA/SEEK_HOLE for block status, fallocate for zeroes and preallocation).
#pragma once

#include <memory>
#include <string>

#include "block/node.h"

namespace qemu::block {

struct FileOpenOptions {
  bool writable = false;
  bool create = false;  // O_CREAT|O_TRUNC
  bool direct = false;  // O_DIRECT (cache=none, directsync)
};

class FileNode : public Node {
 public:
  static std::unique_ptr<FileNode> open(const std::string &path, const FileOpenOptions &o,
                                        Error *err);
  ~FileNode() override;

  const char *driver_name() const override { return "file"; }
  int fd() const { return fd_; }

  int64_t length() override;
  int pread(uint64_t offset, void *buf, size_t bytes) override;
  int pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) override;
  int pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) override;
  int discard(uint64_t offset, uint64_t bytes) override;
  int flush() override;
  int truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err) override;
  int block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) override;
  int64_t allocated_file_size() override;

 private:
  int fd_ = -1;
};

}  // namespace qemu::block
