// The "file" protocol driver: a host file or block device accessed with pread/pwrite, sparse
// aware (SEEK_DATA/SEEK_HOLE for block status, fallocate for zeroes and preallocation).
// Opened with O_DIRECT (cache=none, directsync), requests whose buffer, offset or length are
// not aligned go through an aligned bounce buffer (writes read-modify-write the blocks they
// touch, serialized against other writes; the file keeps the size a buffered write gives).
// Files are locked as QEMU locks them (file_lock.h) unless locking is off.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "block/file_lock.h"
#include "block/node.h"

namespace qemu::block {

struct FileOpenOptions {
  bool writable = false;
  bool create = false;  // O_CREAT, then truncated to 0 once locked (QEMU's file creation)
  bool direct = false;  // O_DIRECT (cache=none, directsync)
  Locking locking = Locking::kAuto;
  // The permissions locked (see image_lock_perms). Unset: those of a format's data file
  // (consistent read unless no_io, write and resize when writable; resize unshared unless
  // force_share), or for create QEMU's creation locks (write and resize, resize unshared).
  std::optional<LockPerms> perms;
  bool force_share = false;
  bool no_io = false;
};

class FileNode : public Node {
 public:
  static std::unique_ptr<FileNode> open(const std::string &path, const FileOpenOptions &o,
                                        Error *err);
  ~FileNode() override;

  const char *driver_name() const override { return "file"; }
  int fd() const { return fd_; }
  // Changes the permissions locked (no-op when locking is off).
  int set_lock_perms(LockPerms p, Error *err);

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
  // O_DIRECT: whether a request can go to the kernel as it is.
  bool aligned(uint64_t offset, const void *buf, size_t bytes) const;
  int pread_fd(uint64_t offset, void *buf, size_t bytes);
  int pwrite_fd(uint64_t offset, const void *buf, size_t bytes);
  int pread_bounce(uint64_t offset, void *buf, size_t bytes);
  int pwrite_bounce(uint64_t offset, const void *buf, size_t bytes);

  int fd_ = -1;
  bool locking_ = false;
  FileLock lock_;
  bool direct_ = false;
  size_t align_ = 1;            // offset, length and memory alignment of O_DIRECT requests
  std::shared_mutex rmw_lock_;  // unaligned writes (exclusive) against aligned ones (shared)
};

}  // namespace qemu::block
