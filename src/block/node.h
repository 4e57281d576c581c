// A node of the block graph: a format driver (raw, qcow2) over a protocol driver (file), with
// one synchronous I/O interface used by qemu-img, qemu-nbd, qemu-io and the device models.
// Every call returns 0 (or a count) on success and a negative errno on failure. Nodes are safe
// to call from several threads at once; callers get parallelism by issuing requests from a pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"

namespace qemu::block {

enum class Prealloc { kOff, kMetadata, kFalloc, kFull };
bool parse_prealloc(std::string_view s, Prealloc *out);
const char *prealloc_name(Prealloc p);

// Flags of write requests.
enum WriteFlags : unsigned {
  kWriteFua = 1u << 0,        // durable before completion
  kWriteMayUnmap = 1u << 1,   // write_zeroes may deallocate
  kWriteNoFallback = 1u << 2  // write_zeroes must be efficient or fail with -ENOTSUP
};

// What a range of a node holds: whether it is data (allocated at this layer or below) and
// whether it reads as zeroes; offset is the position in `file` when the data maps to one.
struct BlockStatus {
  uint64_t bytes = 0;      // length of the uniform range starting at the queried offset
  bool data = false;       // allocated (reads from this node or its file)
  bool zero = false;       // reads as zeroes
  bool allocated = false;  // defined at this layer (not from a backing file)
  bool has_offset = false;
  uint64_t offset = 0;  // host offset in `file`
  class Node *file = nullptr;
};

class Node {
 public:
  virtual ~Node() = default;

  virtual const char *driver_name() const = 0;
  const std::string &filename() const { return filename_; }
  bool read_only() const { return read_only_; }

  // The virtual size in bytes, or a negative errno.
  virtual int64_t length() = 0;
  virtual int pread(uint64_t offset, void *buf, size_t bytes) = 0;
  virtual int pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) = 0;
  virtual int pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags);
  virtual int discard(uint64_t offset, uint64_t bytes);
  virtual int flush();
  virtual int truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err);
  virtual int block_status(uint64_t offset, uint64_t bytes, BlockStatus *st);
  // Bytes the image occupies on the host (the sum over its files), or a negative errno.
  virtual int64_t allocated_file_size();

  // The protocol child (the file a format reads), if any.
  virtual Node *file_child() { return nullptr; }

 protected:
  std::string filename_;
  bool read_only_ = true;
};

}  // namespace qemu::block
