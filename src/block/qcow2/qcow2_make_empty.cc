// Emptying an image (qemu-img commit without -d): every guest cluster is dropped so that
// reads fall through to the backing file again.
//
// When nothing but the active L1 table references clusters (a v3 image without snapshots,
// persistent bitmaps, encryption or an external data file) the image is reset to the layout
// of a freshly created one, as QEMU does: header in cluster 0, a one-cluster refcount table
// in cluster 1, its first refcount block in cluster 2, the zeroed L1 table from cluster 3,
// and the file cut after it. Otherwise every cluster is discarded through the L2 tables (the
// tables stay, their entries are cleared, the freed space is handed back to the file system).
#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {
namespace {

// Header fields rewritten in place while the image is being reset.
constexpr uint64_t kIncompatFeaturesOffset = 72;
constexpr uint64_t kL1TableOffsetOffset = 40;

}  // namespace

bool Qcow2Node::can_reset_layout() const {
  uint64_t l1_clusters = (l1_.size() * 8 + cluster_size_ - 1) >> cluster_bits_;
  bool bitmaps = (header_.has_bitmaps_ext && header_.bitmaps.nb_bitmaps) || !bitmaps_.disk.empty();
  return header_.version >= 3 && snapshots_.empty() && !bitmaps &&
         3 + l1_clusters <= refcounts_->entries_per_block() && header_.crypt_method == 0 &&
         !data_file_ && !header_.has_data_file_ext;
}

int Qcow2Node::reset_layout() {
  const uint64_t cs = cluster_size_;
  const uint64_t l1_bytes = l1_.size() * 8;
  const uint64_t l1_clusters = (l1_bytes + cs - 1) >> cluster_bits_;

  // Whatever the caches hold describes clusters that are about to go.
  l2_cache_->clear();
  refcounts_->cache().clear();
  refcounts_->take_discards();

  // The refcounts stop matching the image from here on: mark it dirty first.
  if (!(header_.incompatible_features & kIncompatDirty)) {
    uint8_t b[8];
    put64(b, header_.incompatible_features | kIncompatDirty);
    int r = file_->pwrite(kIncompatFeaturesOffset, b, sizeof b, 0);
    if (r < 0) return r;
    r = file_->flush();
    if (r < 0) return r;
    header_.incompatible_features |= kIncompatDirty;
  }

  // Zero the old L1 table, then the clusters of the new refcount table, refcount block and
  // L1 table.
  int r = l1_clusters ? file_->pwrite_zeroes(header_.l1_table_offset, l1_clusters * cs, 0) : 0;
  if (r < 0) return r;
  std::fill(l1_.begin(), l1_.end(), 0);
  r = file_->pwrite_zeroes(cs, (2 + l1_clusters) * cs, 0);
  if (r < 0) return r;

  // Point the header at them (L1 table offset, refcount table offset and clusters).
  uint8_t loc[20];
  put64(loc, 3 * cs);
  put64(loc + 8, cs);
  put32(loc + 16, 1);
  r = file_->pwrite(kL1TableOffsetOffset, loc, sizeof loc, 0);
  if (r == 0) r = file_->flush();
  if (r < 0) return r;
  header_.l1_table_offset = 3 * cs;

  // The refcount table's first entry: the block in cluster 2.
  uint8_t entry[8];
  put64(entry, 2 * cs);
  r = file_->pwrite(cs, entry, sizeof entry, 0);
  if (r == 0) r = file_->flush();
  if (r < 0) return r;
  r = refcounts_->load_table(cs, 1);
  if (r < 0) return r;

  // Count the header, the refcount structures and the L1 table.
  refcounts_->reset_free_hint();
  refcounts_->forget_byte_allocation();
  int64_t first = refcounts_->alloc_clusters(3 * cs + l1_bytes);
  if (first < 0) return static_cast<int>(first);
  if (first != 0) return -EIO;

  // Consistent again: mark the image clean and cut the file.
  header_.incompatible_features &= ~uint64_t{kIncompatDirty};
  dirty_marked_ = false;
  r = refcounts_->cache().flush();
  if (r < 0) return r;
  r = write_header();
  if (r < 0) return r;
  Error err;
  return file_->truncate((3 + l1_clusters) * cs, false, Prealloc::kOff, &err);
}

int Qcow2Node::make_empty(Error *err) {
  if (!writable_) {
    *err = Error::make("Image is read-only");
    return -EACCES;
  }
  std::lock_guard<std::mutex> g(lock_);
  int r;
  if (can_reset_layout()) {
    r = reset_layout();
  } else {
    uint64_t offset = 0, bytes = size_;
    r = 0;
    while (bytes && r == 0) {
      uint64_t done = 0;
      r = discard_in_l2(offset, bytes, true, &done);
      offset += done;
      bytes -= done;
    }
    if (r == 0) r = process_discards();
    if (r == 0) r = flush_metadata();
  }
  if (r < 0) *err = Error::make("Failed to empty {}: {}", filename_, strerror(-r));
  return r;
}

}  // namespace qemu::block::qcow2
