// A node of the block graph: a format driver (raw, qcow2) over a protocol driver (file), with
// one synchronous I/O interface used by qemu-img, qemu-nbd, qemu-io and the device models.
// Every call returns 0 (or a count) on success and a negative errno on failure. Nodes are safe
// to call from several threads at once; callers get parallelism by issuing requests from a pool.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/opts.h"
#include "base/qjson.h"

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

struct SnapshotInfo {
  std::string id;
  std::string name;
  uint64_t vm_state_size = 0;
  uint32_t date_sec = 0;
  uint32_t date_nsec = 0;
  uint64_t vm_clock_nsec = 0;
  bool has_icount = false;
  uint64_t icount = 0;
};

// What qemu-img info shows about one image (one layer of a chain).
struct ImageInfo {
  std::string filename;
  std::string format;
  bool dirty_flag = false;
  int64_t actual_size = -1;  // -1: unknown
  int64_t virtual_size = 0;
  int64_t cluster_size = 0;  // 0: the format has none
  bool encrypted = false;
  std::string backing_filename;       // as stored in the image
  std::string full_backing_filename;  // resolved against the image's directory
  std::string backing_format;
  std::vector<SnapshotInfo> snapshots;
  Json format_specific;  // {"type": ..., "data": {...}} in QAPI field order, or null
};

// The result of a consistency check (qemu-img check).
struct CheckResult {
  int corruptions = 0;
  int leaks = 0;
  int check_errors = 0;
  int corruptions_fixed = 0;
  int leaks_fixed = 0;
  int64_t image_end_offset = 0;
  int64_t total_clusters = 0;
  int64_t allocated_clusters = 0;
  int64_t fragmented_clusters = 0;
  int64_t compressed_clusters = 0;
  bool has_cluster_stats = false;  // the format reports the *_clusters fields
};

enum CheckFix : unsigned { kFixLeaks = 1, kFixErrors = 2 };

// A dirty bitmap of a node (QEMU's BdrvDirtyBitmap): which granules were written since it
// was created or cleared. Persistent ones live in the image (qcow2 v3) and are saved on close.
struct BitmapInfo {
  std::string name;
  uint32_t granularity = 0;  // bytes per bit, a power of 2
  bool in_use = false;       // "in-use" on disk when opened: not saved cleanly, contents lost
                             // (QEMU's "inconsistent"; only remove works on it)
  bool enabled = false;      // records writes ("auto" in the image)
  bool persistent = true;
  bool readonly = false;  // the image is open read-only: can be read and merged from only
};

struct BitmapAddOptions {
  std::optional<uint32_t> granularity;  // unset: the format's default (qcow2: cluster size
                                        // clamped to 4 KiB..64 KiB)
  bool disabled = false;
  bool persistent = true;
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
  // Writes whole clusters compressed (qemu-img convert -c). offset and bytes are multiples of
  // cluster_size() except for the end of the image. -ENOTSUP where the format cannot.
  virtual int pwrite_compressed(uint64_t offset, const void *buf, size_t bytes);
  // pwrite_compressed in two steps, so that callers can compress in parallel and still write
  // in order: compress_for_write does the (CPU-heavy, thread-safe) compression into out;
  // pwrite_precompressed then writes it. A format that compresses nothing leaves out empty
  // and pwrite_precompressed falls back to pwrite_compressed.
  struct Compressed {
    std::vector<uint8_t> data;  // compressed bytes; empty: store `raw` uncompressed
    std::vector<uint8_t> raw;   // the cluster as given (only kept when it did not compress)
    bool prepared = false;
  };
  virtual int compress_for_write(uint64_t offset, const void *buf, size_t bytes, Compressed *out);
  virtual int pwrite_precompressed(uint64_t offset, const void *buf, size_t bytes,
                                   const Compressed &c);
  // The format's allocation unit (0 if it has none): convert aligns its requests to it.
  virtual int64_t cluster_size() { return 0; }
  virtual int discard(uint64_t offset, uint64_t bytes);
  virtual int flush();
  virtual int truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err);
  virtual int block_status(uint64_t offset, uint64_t bytes, BlockStatus *st);
  // Bytes the image occupies on the host (the sum over its files), or a negative errno.
  virtual int64_t allocated_file_size();

  // The protocol child (the file a format reads), if any.
  virtual Node *file_child() { return nullptr; }
  // The backing node (reads of unallocated ranges go there), if any.
  virtual Node *backing() { return nullptr; }

  // Fills the format's part of qemu-img info (format, sizes, backing, snapshots,
  // format_specific); the caller fills filename and actual_size.
  virtual int get_info(ImageInfo *info);
  // Checks (and with fix, repairs) the image's metadata. -ENOTSUP if the format has no check.
  virtual int check(CheckResult *result, unsigned fix);

  // Internal snapshots. -ENOTSUP where the format has none.
  virtual int snapshot_list(std::vector<SnapshotInfo> *out);
  virtual int snapshot_create(const SnapshotInfo &sn, Error *err);
  virtual int snapshot_goto(const std::string &id_or_name, Error *err);
  virtual int snapshot_delete(const std::string &id, const std::string &name, Error *err);

  // Rewrites the backing file name and format stored in the image (qemu-img rebase -u).
  virtual int change_backing_file(const std::string &file, const std::string &format, Error *err);
  // Drops all data of this layer so that it reads through to its backing (qemu-img commit).
  virtual int make_empty(Error *err);
  // qemu-img amend: applies options of the driver's amend_opts() to the image. status, if
  // set, is told the progress (done, total) of long operations. force allows unsafe changes.
  virtual int amend(const Opts &opts, bool force,
                    const std::function<void(int64_t done, int64_t total)> &status, Error *err) {
    (void)opts, (void)force, (void)status;
    *err = Error::make("Operation not supported");
    return -ENOTSUP;
  }

  // Dirty bitmaps (qemu-img bitmap, convert --bitmaps, measure, info; block/qcow2/qcow2_bitmap.cc).
  // Errors carry QEMU's messages (the caller adds "Operation add on bitmap b failed: " etc.).
  // Enabled bitmaps of a node open for writing mark every write, zero write and discard made
  // through it; persistent ones are saved when the node is destroyed. Lookups of unknown names
  // fail with "Dirty bitmap 'x' not found". Formats without bitmaps have none and refuse add.
  //
  // Whether the format can store persistent bitmaps (qcow2 v3).
  virtual bool supports_persistent_bitmaps() { return false; }
  // The node's bitmaps, in the order QEMU walks them (FOR_EACH_DIRTY_BITMAP: the most recently
  // created or loaded first; loaded ones come in reverse directory order).
  virtual int bitmap_list(std::vector<BitmapInfo> *out);
  virtual int bitmap_add(const std::string &name, const BitmapAddOptions &opts, Error *err);
  virtual int bitmap_remove(const std::string &name, Error *err);
  virtual int bitmap_clear(const std::string &name, Error *err);
  virtual int bitmap_enable(const std::string &name, bool enable, Error *err);
  // Sets in `name` every granule dirty in `src_name` of src_node (this node or another of the
  // same size; granularities may differ).
  virtual int bitmap_merge(const std::string &name, Node *src_node, const std::string &src_name,
                           Error *err);
  // The dirty byte ranges (offset, length) of a bitmap, merged, in order, within the node.
  virtual int bitmap_dirty_ranges(const std::string &name,
                                  std::vector<std::pair<uint64_t, uint64_t>> *out, Error *err);
  // Marks the granules touching [offset, offset + bytes) dirty in one bitmap.
  virtual int bitmap_set_dirty(const std::string &name, uint64_t offset, uint64_t bytes,
                               Error *err);

  // The name QEMU shows for the node in messages ("#block123" for qemu-img's anonymous
  // nodes, the drive id under -drive); set by whoever opens it.
  const std::string &node_name() const { return node_name_; }
  void set_node_name(std::string name) { node_name_ = std::move(name); }

  // Write-through (cache=writethrough and directsync): every write made through this node is
  // durable when it completes, data and metadata (QEMU's disabled write cache at the top).
  void set_write_through(bool on) { write_through_ = on; }

 protected:
  unsigned with_write_through(unsigned flags) const {
    return write_through_ ? flags | kWriteFua : flags;
  }
  bool write_through_ = false;

  // Checks of block-dirty-bitmap-add common to all formats (empty name, granularity).
  static bool check_bitmap_add_args(const std::string &name, const BitmapAddOptions &opts,
                                    Error *err);

  std::string filename_;
  std::string node_name_;
  bool read_only_ = true;
};

}  // namespace qemu::block
