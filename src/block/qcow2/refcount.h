// Reference counts of host clusters: the refcount table (in memory, written through) and the
// refcount blocks (through a TableCache). Allocation follows QEMU's placement rules so that
// images we write have the layout QEMU's would: first fit from a moving hint, new refcount
// blocks at the first free cluster (describing themselves when they can), and a grown table
// placed after the area the refcount blocks cover.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "block/qcow2/table_cache.h"

namespace qemu::block::qcow2 {

// The refcount metadata (blocks + table) needed to count `clusters` clusters and itself.
// generous adds room to grow (as QEMU does when it must grow the table). Returns bytes.
uint64_t refcount_metadata_size(uint64_t clusters, uint64_t cluster_size, int refcount_order,
                                bool generous, uint64_t *refblock_count);

// Reads/writes one entry of a refcount block.
uint64_t refcount_entry_get(const uint8_t *block, uint64_t index, int refcount_order);
void refcount_entry_set(uint8_t *block, uint64_t index, int refcount_order, uint64_t value);

// Why clusters are freed; decides whether their space is handed back to the file system
// (QEMU's pass-discard-* options).
enum class DiscardType { kNever, kRequest, kSnapshot, kOther, kAlways };

class Refcounts {
 public:
  // write_reftable_location(offset, clusters) makes the header point at a new table.
  Refcounts(Node *file, int cluster_bits, int refcount_order, size_t cache_tables,
            std::function<int(uint64_t, uint32_t)> write_reftable_location);

  // Loads the table (entries are validated by the caller's check, not here).
  int load_table(uint64_t offset, uint32_t clusters);
  const std::vector<uint64_t> &table() const { return table_; }
  uint64_t table_offset() const { return table_offset_; }
  uint32_t table_clusters() const { return table_clusters_; }

  int get(uint64_t cluster_index, uint64_t *refcount);
  // Adds addend to the refcount of every cluster touched by [offset, offset+length).
  // A result below 0 or above the maximum is -EINVAL/-ERANGE (nothing is changed then).
  int update(uint64_t offset, uint64_t length, int64_t addend,
             DiscardType why = DiscardType::kNever);
  // Allocates a run of free clusters for `bytes` and sets their refcount to 1.
  int64_t alloc_clusters(uint64_t bytes);
  // Allocates `bytes` (< one cluster) for compressed data, packing consecutive requests.
  int64_t alloc_bytes(uint64_t bytes);
  int free_clusters(uint64_t offset, uint64_t length, DiscardType why = DiscardType::kNever) {
    return update(offset, length, -1, why);
  }
  // Which reasons for freeing pass through as discards of the freed host clusters.
  void set_discard_passthrough(bool request, bool snapshot, bool other) {
    pass_[static_cast<int>(DiscardType::kRequest)] = request;
    pass_[static_cast<int>(DiscardType::kSnapshot)] = snapshot;
    pass_[static_cast<int>(DiscardType::kOther)] = other;
  }
  // Host ranges freed with passthrough since the last call (merged, in order of freeing).
  std::vector<std::pair<uint64_t, uint64_t>> take_discards() { return std::move(discards_); }

  TableCache &cache() { return cache_; }
  uint64_t max_refcount() const { return max_refcount_; }
  uint64_t entries_per_block() const { return entries_per_block_; }
  int refcount_order() const { return refcount_order_; }
  void reset_free_hint() { free_cluster_index_ = 0; }
  void forget_byte_allocation() { free_byte_offset_ = 0; }
  // Highest cluster index with a non-zero refcount, plus one (0 if none).
  int64_t end_cluster();

  // Builds a new refcount table, and the refcount blocks missing to cover everything up to
  // start_cluster + additional_clusters, in the free area starting at start_cluster (so they
  // describe themselves), switches the header to it and frees the old table. exact: size the
  // table just so (otherwise leave room to grow). Returns the end of the new structures.
  int64_t refcount_area(uint64_t start_cluster, uint64_t additional_clusters, bool exact,
                        uint64_t new_block_index, uint64_t new_block_offset);
  // Drops refcount blocks that count nothing but themselves from the table (after a shrink),
  // and hands their clusters back to the file system.
  int drop_unused_blocks();
  // Takes n clusters at offset (which must be free) with refcount 1.
  int alloc_clusters_at(uint64_t offset, uint64_t n);

 private:
  int block_for(uint64_t cluster_index, TableCache::Ref *ref, bool allocate);
  int allocate_block(uint64_t cluster_index, TableCache::Ref *ref);

  int64_t find_free(uint64_t nb_clusters);

  Node *file_;
  int cluster_bits_;
  uint64_t cluster_size_;
  int refcount_order_;
  uint64_t entries_per_block_;
  uint64_t max_refcount_;
  TableCache cache_;
  std::function<int(uint64_t, uint32_t)> write_reftable_location_;
  std::vector<uint64_t> table_;
  uint64_t table_offset_ = 0;
  uint32_t table_clusters_ = 0;
  uint64_t free_cluster_index_ = 0;
  uint64_t free_byte_offset_ = 0;
  bool pass_[5] = {false, false, true, false, true};
  std::vector<std::pair<uint64_t, uint64_t>> discards_;
};

}  // namespace qemu::block::qcow2
