// Header rewrites, the dirty and corrupt bits, and access to L1 and L2 tables (allocating and
// copying-on-write L2 tables, growing L1).
#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {

int Qcow2Node::write_header() {
  std::vector<uint8_t> buf;
  Error err;
  Header h = header_;
  h.l1_size = static_cast<uint32_t>(l1_.size());
  h.refcount_table_offset = refcounts_ ? refcounts_->table_offset() : h.refcount_table_offset;
  h.refcount_table_clusters = refcounts_ ? refcounts_->table_clusters() : h.refcount_table_clusters;
  h.nb_snapshots = static_cast<uint32_t>(snapshots_.size());
  if (!serialize_header(&h, &buf, &err)) return -EINVAL;
  header_ = h;
  buf.resize(cluster_size_, 0);
  return file_->pwrite(0, buf.data(), buf.size(), 0);
}

int Qcow2Node::write_reftable_location(uint64_t offset, uint32_t clusters) {
  uint8_t b[12];
  put64(b, offset);
  put32(b + 8, clusters);
  int r = file_->pwrite(48, b, sizeof b, 0);
  if (r < 0) return r;
  header_.refcount_table_offset = offset;
  header_.refcount_table_clusters = clusters;
  return file_->flush();
}

int Qcow2Node::mark_dirty() {
  if (!lazy_refcounts_ || dirty_marked_ || header_.version < 3) return 0;
  uint8_t b[8];
  put64(b, header_.incompatible_features | kIncompatDirty);
  int r = file_->pwrite(72, b, 8, 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  header_.incompatible_features |= kIncompatDirty;
  dirty_marked_ = true;
  return 0;
}

int Qcow2Node::mark_corrupt(const std::string &why) {
  if (!corrupt_reported_) {
    if (writable_) {
      error_report(
          "qcow2: Marking image as corrupt: {}; further corruption events will be "
          "suppressed",
          why);
    } else {
      error_report(
          "qcow2: Image is corrupt: {}; further non-fatal corruption events will be "
          "suppressed",
          why);
    }
    corrupt_reported_ = true;
  }
  if (writable_ && header_.version >= 3 && !(header_.incompatible_features & kIncompatCorrupt)) {
    header_.incompatible_features |= kIncompatCorrupt;
    uint8_t b[8];
    put64(b, header_.incompatible_features);
    file_->pwrite(72, b, 8, 0);
    file_->flush();
    writable_ = false;  // no further writes to a corrupt image
  }
  return -EIO;
}

bool Qcow2Node::overlaps_metadata(uint64_t offset, uint64_t bytes) const {
  auto hit = [&](uint64_t start, uint64_t len) {
    return len && offset < start + len && start < offset + bytes;
  };
  if (hit(0, cluster_size_)) return true;
  if (hit(header_.l1_table_offset, l1_.size() * 8)) return true;
  if (refcounts_) {
    if (hit(refcounts_->table_offset(), uint64_t{refcounts_->table_clusters()} << cluster_bits_))
      return true;
    for (uint64_t e : refcounts_->table())
      if ((e & kOffsetMask) && hit(e & kOffsetMask, cluster_size_)) return true;
  }
  for (uint64_t e : l1_)
    if ((e & kOffsetMask) && hit(e & kOffsetMask, cluster_size_)) return true;
  if (hit(header_.snapshots_offset, 0)) return true;
  for (const Snapshot &s : snapshots_)
    if (hit(s.l1_table_offset, uint64_t{s.l1_size} * 8)) return true;
  return false;
}

int Qcow2Node::write_l1_entry(uint64_t index) {
  // Whole 512-byte sectors of the table, as QEMU writes them.
  uint64_t first = index & ~uint64_t{63};
  uint64_t n = std::min<uint64_t>(64, l1_.size() - first);
  uint8_t buf[512] = {};
  for (uint64_t i = 0; i < n; i++) put64(buf + i * 8, l1_[first + i]);
  return file_->pwrite(header_.l1_table_offset + first * 8, buf, n * 8, 0);
}

int Qcow2Node::grow_l1(uint64_t min_size) {
  if (min_size <= l1_.size()) return 0;
  if (min_size * 8 > kMaxL1Bytes) return -EFBIG;
  uint64_t bytes = min_size * 8;
  int r = refcounts_->cache().flush();
  if (r < 0) return r;
  int64_t new_offset = refcounts_->alloc_clusters(bytes);
  if (new_offset < 0) return static_cast<int>(new_offset);
  r = refcounts_->cache().flush();
  if (r < 0) return r;
  std::vector<uint64_t> table = l1_;
  table.resize(min_size, 0);
  std::vector<uint8_t> raw(bytes);
  for (uint64_t i = 0; i < min_size; i++) put64(&raw[i * 8], table[i]);
  r = file_->pwrite(static_cast<uint64_t>(new_offset), raw.data(), raw.size(), 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  // Switch the header to the new table in one write.
  uint8_t b[12];
  put32(b, static_cast<uint32_t>(min_size));
  put64(b + 4, static_cast<uint64_t>(new_offset));
  r = file_->pwrite(36, b, sizeof b, 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  uint64_t old_offset = header_.l1_table_offset;
  uint64_t old_bytes = l1_.size() * 8;
  l1_ = std::move(table);
  header_.l1_size = static_cast<uint32_t>(min_size);
  header_.l1_table_offset = static_cast<uint64_t>(new_offset);
  if (old_offset && old_bytes) {
    r = refcounts_->free_clusters(old_offset, old_bytes, DiscardType::kOther);
    if (r < 0) return r;
  }
  return 0;
}

int Qcow2Node::get_l2(uint64_t guest_offset, bool allocate, TableCache::Ref *ref, uint64_t *index) {
  uint64_t l1_index = guest_offset / l2_coverage();
  *index = (guest_offset >> cluster_bits_) & (geo_.l2_entries() - 1);
  if (l1_index >= l1_.size()) return allocate ? -EINVAL : -ENOENT;
  uint64_t l1e = l1_[l1_index];
  uint64_t l2_offset = l1e & kOffsetMask;
  if (l1e & kL1ReservedMask & ~kOflagCopied) {
    return mark_corrupt(fmt::format("L1 entry with reserved bits set: {:#x}", l1e));
  }
  if (l2_offset && (l2_offset & (cluster_size_ - 1))) {
    return mark_corrupt(
        fmt::format("L2 table offset {:#x} unaligned (L1 index: {:#x})", l2_offset, l1_index));
  }
  if (l2_offset && l2_offset < cluster_size_) {
    return mark_corrupt(fmt::format("L2 table offset {:#x} overlaps the image header", l2_offset));
  }
  if (!allocate || (l2_offset && (l1e & kOflagCopied))) {
    if (!l2_offset) return -ENOENT;
    return l2_cache_->get(l2_offset, ref);
  }

  // A new L2 table: empty, or a copy of one shared with a snapshot.
  int r = mark_dirty();
  if (r < 0) return r;
  int64_t new_offset = refcounts_->alloc_clusters(cluster_size_);
  if (new_offset < 0) return static_cast<int>(new_offset);
  if (overlaps_metadata(static_cast<uint64_t>(new_offset), cluster_size_)) {
    return mark_corrupt(
        fmt::format("Preventing invalid allocation of L2 table at offset {:#x}", new_offset));
  }
  std::vector<uint8_t> old;
  if (l2_offset) {
    TableCache::Ref old_ref;
    r = l2_cache_->get(l2_offset, &old_ref);
    if (r < 0) return r;
    old.assign(old_ref.data(), old_ref.data() + cluster_size_);
  }
  TableCache::Ref nref;
  r = l2_cache_->get_empty(static_cast<uint64_t>(new_offset), &nref);
  if (r < 0) return r;
  if (!old.empty()) memcpy(nref.data(), old.data(), cluster_size_);
  nref.mark_dirty();
  // The table must be on disk before the L1 entry points to it.
  r = l2_cache_->write_back();
  if (r < 0) return r;
  l1_[l1_index] = static_cast<uint64_t>(new_offset) | kOflagCopied;
  r = write_l1_entry(l1_index);
  if (r < 0) return r;
  if (l2_offset) {
    r = refcounts_->free_clusters(l2_offset, cluster_size_, DiscardType::kOther);
    if (r < 0) return r;
  }
  *ref = std::move(nref);
  return 0;
}

int Qcow2Node::flush_metadata() {
  int r = l2_cache_->write_back();
  if (r < 0) return r;
  r = refcounts_->cache().write_back();
  if (r < 0) return r;
  return file_->flush();
}

}  // namespace qemu::block::qcow2
