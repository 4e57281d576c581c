// The qcow2 format node. Its operations are spread over files by concern:
//   qcow2_open.cc      open, validation, caches, close
//   qcow2_metadata.cc  header rewrites, L1/L2 table access and allocation
//   qcow2_read.cc      reads and block status
//   qcow2_write.cc     writes (copy-on-write, compressed), zeroes, discard, truncate
//   qcow2_snapshot.cc  internal snapshots
//   qcow2_check.cc     consistency check and repair
//   qcow2_bitmap.cc    persistent dirty bitmaps
// One mutex guards all metadata; data reads run outside it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "block/driver.h"
#include "block/qcow2/entry.h"
#include "block/qcow2/format.h"
#include "block/qcow2/qcow2_bitmap.h"
#include "block/qcow2/refcount.h"
#include "block/qcow2/table_cache.h"

namespace qemu::block::qcow2 {

struct Snapshot {
  uint64_t l1_table_offset = 0;
  uint32_t l1_size = 0;
  std::string id;
  std::string name;
  uint32_t date_sec = 0;
  uint32_t date_nsec = 0;
  uint64_t vm_clock_nsec = 0;
  uint32_t vm_state_size = 0;
  // Extra data (all that the image had is preserved).
  uint64_t vm_state_size_large = 0;
  uint64_t disk_size = 0;
  bool has_disk_size = false;
  bool incomplete = false;  // v3 entry without the mandatory extra data (check reports it)
  bool has_icount = false;
  uint64_t icount = 0;
  std::string extra_unknown;  // extra data past the fields we know
};

struct Qcow2Options {
  uint64_t l2_cache_bytes = 0;        // 0: default
  uint64_t refcount_cache_bytes = 0;  // 0: default
  bool lazy_refcounts_override = false;
  bool lazy_refcounts = false;
};

class Qcow2Node : public Node {
 public:
  static std::unique_ptr<Node> open(std::unique_ptr<Node> file, const OptionMap &opts,
                                    const OpenFlags &flags, Error *err);
  ~Qcow2Node() override;

  const char *driver_name() const override { return "qcow2"; }
  Node *file_child() override { return file_.get(); }
  Node *backing() override { return backing_.get(); }
  int64_t cluster_size() override { return static_cast<int64_t>(cluster_size_); }

  int64_t length() override;
  int pread(uint64_t offset, void *buf, size_t bytes) override;
  int pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) override;
  int pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) override;
  int pwrite_compressed(uint64_t offset, const void *buf, size_t bytes) override;
  int compress_for_write(uint64_t offset, const void *buf, size_t bytes, Compressed *out) override;
  int pwrite_precompressed(uint64_t offset, const void *buf, size_t bytes,
                           const Compressed &c) override;
  int discard(uint64_t offset, uint64_t bytes) override;
  int flush() override;
  int truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err) override;
  int block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) override;
  int64_t allocated_file_size() override;

  int get_info(ImageInfo *info) override;
  int check(CheckResult *result, unsigned fix) override;
  int snapshot_list(std::vector<SnapshotInfo> *out) override;
  int snapshot_create(const SnapshotInfo &sn, Error *err) override;
  int snapshot_goto(const std::string &id_or_name, Error *err) override;
  int snapshot_delete(const std::string &id, const std::string &name, Error *err) override;
  int change_backing_file(const std::string &file, const std::string &format, Error *err) override;
  int make_empty(Error *err) override;
  int amend(const Opts &opts, bool force,
            const std::function<void(int64_t done, int64_t total)> &status, Error *err) override;

  // Persistent dirty bitmaps (qcow2_bitmap.cc).
  bool supports_persistent_bitmaps() override { return header_.version >= 3; }
  int bitmap_list(std::vector<BitmapInfo> *out) override;
  int bitmap_add(const std::string &name, const BitmapAddOptions &opts, Error *err) override;
  int bitmap_remove(const std::string &name, Error *err) override;
  int bitmap_clear(const std::string &name, Error *err) override;
  int bitmap_enable(const std::string &name, bool enable, Error *err) override;
  int bitmap_merge(const std::string &name, Node *src_node, const std::string &src_name,
                   Error *err) override;
  int bitmap_dirty_ranges(const std::string &name, std::vector<std::pair<uint64_t, uint64_t>> *out,
                          Error *err) override;
  int bitmap_set_dirty(const std::string &name, uint64_t offset, uint64_t bytes,
                       Error *err) override;

  // Used by image creation (qcow2_create.cc) and amend.
  const Header &header() const { return header_; }
  int preallocate(uint64_t offset, uint64_t bytes, Prealloc mode, Error *err);
  int set_lazy_refcounts(bool on, Error *err);
  // Rewrites the first cluster (header, extensions, backing file name).
  int rewrite_header();

 private:
  Qcow2Node() = default;

  // qcow2_open.cc
  bool do_open(const OptionMap &opts, const OpenFlags &flags, Error *err);
  int close_cleanly();

  // qcow2_metadata.cc
  int write_header();  // the whole first cluster
  int write_reftable_location(uint64_t offset, uint32_t clusters);
  int mark_dirty();  // lazy refcounts: set the dirty bit before writes
  int mark_corrupt(const std::string &why);
  int get_l2(uint64_t guest_offset, bool allocate, TableCache::Ref *ref, uint64_t *index);
  int grow_l1(uint64_t min_size);
  int write_l1_entry(uint64_t index);
  int flush_metadata();
  bool overlaps_metadata(uint64_t offset, uint64_t bytes) const;

  // qcow2_read.cc
  struct Mapping {
    SubclusterType type;
    uint64_t bytes;      // length of the uniform run starting at the queried offset
    uint64_t host = 0;   // kNormal, kZeroAlloc, kUnallocatedAlloc: host offset of the start
    uint64_t entry = 0;  // kCompressed: the L2 entry
  };
  // Maps [offset, offset+bytes) to its first uniform run. Called with lock_ held.
  int map_range(uint64_t offset, uint64_t bytes, Mapping *m);
  int read_compressed_cluster(uint64_t entry, uint8_t *cluster_buf);
  int read_backing(uint64_t offset, uint8_t *buf, uint64_t bytes);
  int read_old_content(const L2Entry &e, uint64_t cluster_guest, uint64_t in_cluster, uint8_t *buf,
                       uint64_t bytes);

  // qcow2_write.cc
  int write_locked(uint64_t offset, const uint8_t *buf, uint64_t bytes, unsigned flags);
  int write_in_l2(uint64_t offset, const uint8_t *buf, uint64_t bytes, uint64_t *done);
  int zero_in_l2(uint64_t offset, uint64_t bytes, unsigned flags, uint64_t *done);
  int discard_in_l2(uint64_t offset, uint64_t bytes, bool make_zero, uint64_t *done);
  int free_entry_clusters(const L2Entry &e, DiscardType why = DiscardType::kNever);
  // Hands the space of freed clusters back to the file (after the metadata is written).
  int process_discards();
  int flush_all();  // data file, caches and image file
  int write_precompressed(uint64_t offset, const void *buf, size_t bytes, const Compressed &c);
  // qcow2_make_empty.cc: whether the image can be reset to a fresh layout, and the reset.
  bool can_reset_layout() const;
  int reset_layout();
  int grow_locked(uint64_t new_size, Prealloc prealloc, Error *err);
  int preallocate_data_area(uint64_t old_size, uint64_t new_size, Prealloc mode, Error *err);
  int shrink_locked(uint64_t new_size, Error *err);

  // qcow2_amend.cc
  int expand_zero_clusters(Error *err);
  int change_refcount_order(int new_order, const std::function<void(int64_t, int64_t)> &status,
                            Error *err);

  // qcow2_snapshot.cc
  bool load_snapshots(Error *err);
  // A snapshot table too damaged to load, found when opened for check (which then fails).
  int snapshot_table_errno_ = 0;
  uint64_t snapshots_disk_bytes_ = 0;  // the snapshot table's size in the file
  std::string snapshot_table_error_, snapshot_table_hint_;
  // Whether a snapshot's L1 table is usable (size and offset), with QEMU's messages.
  bool validate_snapshot_l1(const Snapshot &s, Error *err) const;
  int write_snapshot_table(const std::vector<Snapshot> &list);
  int update_refcounts_for_l1(uint64_t l1_offset, uint32_t l1_size, int64_t addend,
                              std::vector<uint64_t> *l1_in_memory);
  int find_snapshot(const std::string &id, const std::string &name) const;

  // qcow2_bitmap.cc: hooks for open, close, writes and resize.
  bool load_bitmaps(Error *err);                             // at open, instead of dropping them
  void store_bitmaps_on_close();                             // lock_ held
  void bitmaps_mark_dirty(uint64_t offset, uint64_t bytes);  // every write, zero, discard
  int bitmaps_check_resize(Error *err);                      // lock_ held
  void bitmaps_resized();                                    // lock_ held, after size_ changed

  friend class Qcow2Driver;
  friend class Checker;
  friend class BitmapStore;

  std::mutex lock_;
  std::unique_ptr<Node> file_;
  std::unique_ptr<Node> data_file_;  // external data file; null: data lives in file_
  std::unique_ptr<Node> backing_;
  Header header_;
  uint64_t cluster_size_ = 0;
  int cluster_bits_ = 0;
  L2Geometry geo_{};
  uint64_t size_ = 0;
  std::vector<uint64_t> l1_;
  std::unique_ptr<Refcounts> refcounts_;
  std::unique_ptr<TableCache> l2_cache_;
  std::vector<Snapshot> snapshots_;
  BitmapSet bitmaps_;
  bool writable_ = false;
  bool lazy_refcounts_ = false;
  bool dirty_marked_ = false;  // the dirty bit is set on disk by us
  bool corrupt_reported_ = false;
  OpenFlags flags_;
  std::string filename_for_backing_;

  Node *data() { return data_file_ ? data_file_.get() : file_.get(); }
  bool data_file_raw() const { return header_.autoclear_features & kAutoclearDataFileRaw; }
  uint64_t l2_coverage() const { return geo_.l2_entries() << cluster_bits_; }
};

// The options qemu-img amend accepts (qcow2_amend.cc).
const OptsList &qcow2_amend_options();

// qemu-img measure (qcow2_measure.cc).
int qcow2_measure(const Opts &opts, Node *src, MeasureResult *out, Error *err);

// The qcow2 FormatDriver (creation options, create, measure, probing).
const FormatDriver *qcow2_format_driver();

}  // namespace qemu::block::qcow2
