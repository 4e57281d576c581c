#include "block/qcow2/refcount.h"

#include <cerrno>

#include "block/qcow2/format.h"

namespace qemu::block::qcow2 {
namespace {

constexpr int kEAgain = -EAGAIN;

uint64_t div_round_up(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

uint64_t refcount_metadata_size(uint64_t clusters, uint64_t cluster_size, int refcount_order,
                                bool generous, uint64_t *refblock_count) {
  // Every host cluster is counted, the refcount structures included: iterate to the fixed
  // point where the blocks and table clusters needed no longer change.
  const uint64_t per_table_cluster = cluster_size / 8;
  const uint64_t per_block = cluster_size * 8 / (uint64_t{1} << refcount_order);
  uint64_t blocks = 0, table = 0, total = 0, previous;
  do {
    previous = total;
    blocks = div_round_up(clusters + blocks + table, per_block);
    table = div_round_up(blocks, per_table_cluster);
    total = clusters + blocks + table;
    if (total == previous && generous) {
      clusters += div_round_up(table, 2);
      generous = false;
      total = 0;  // go round again
    }
  } while (total != previous);
  if (refblock_count) *refblock_count = blocks;
  return (blocks + table) * cluster_size;
}

uint64_t refcount_entry_get(const uint8_t *block, uint64_t index, int order) {
  switch (order) {
    case 0:
      return (block[index / 8] >> (index % 8)) & 1;
    case 1:
      return (block[index / 4] >> (2 * (index % 4))) & 3;
    case 2:
      return (block[index / 2] >> (4 * (index % 2))) & 15;
    case 3:
      return block[index];
    case 4:
      return be16(block + 2 * index);
    case 5:
      return be32(block + 4 * index);
    default:
      return be64(block + 8 * index);
  }
}

void refcount_entry_set(uint8_t *block, uint64_t index, int order, uint64_t value) {
  auto set_bits = [&](uint64_t per_byte, unsigned width) {
    uint8_t &b = block[index / per_byte];
    unsigned shift = width * (index % per_byte);
    uint8_t mask = static_cast<uint8_t>(((1u << width) - 1) << shift);
    b = static_cast<uint8_t>((b & ~mask) | ((value << shift) & mask));
  };
  switch (order) {
    case 0:
      set_bits(8, 1);
      break;
    case 1:
      set_bits(4, 2);
      break;
    case 2:
      set_bits(2, 4);
      break;
    case 3:
      block[index] = static_cast<uint8_t>(value);
      break;
    case 4:
      put16(block + 2 * index, static_cast<uint16_t>(value));
      break;
    case 5:
      put32(block + 4 * index, static_cast<uint32_t>(value));
      break;
    default:
      put64(block + 8 * index, value);
      break;
  }
}

Refcounts::Refcounts(Node *file, int cluster_bits, int refcount_order, size_t cache_tables,
                     std::function<int(uint64_t, uint32_t)> write_reftable_location)
    : file_(file),
      cluster_bits_(cluster_bits),
      cluster_size_(uint64_t{1} << cluster_bits),
      refcount_order_(refcount_order),
      entries_per_block_((uint64_t{1} << cluster_bits) * 8 >> refcount_order),
      max_refcount_(refcount_order == 6 ? UINT64_MAX : (uint64_t{1} << (1u << refcount_order)) - 1),
      cache_(file, size_t{1} << cluster_bits, cache_tables),
      write_reftable_location_(std::move(write_reftable_location)) {}

int Refcounts::load_table(uint64_t offset, uint32_t clusters) {
  table_offset_ = offset;
  table_clusters_ = clusters;
  uint64_t entries = (uint64_t{clusters} << cluster_bits_) / 8;
  std::vector<uint8_t> raw(entries * 8);
  if (entries) {
    int r = file_->pread(offset, raw.data(), raw.size());
    if (r < 0) return r;
  }
  table_.resize(entries);
  for (uint64_t i = 0; i < entries; i++) table_[i] = be64(&raw[i * 8]);
  return 0;
}

int Refcounts::block_for(uint64_t cluster_index, TableCache::Ref *ref, bool allocate) {
  uint64_t ti = cluster_index / entries_per_block_;
  if (ti < table_.size() && (table_[ti] & kOffsetMask)) {
    return cache_.get(table_[ti] & kOffsetMask, ref);
  }
  if (!allocate) return -ENOENT;
  return allocate_block(cluster_index, ref);
}

int Refcounts::get(uint64_t cluster_index, uint64_t *refcount) {
  TableCache::Ref ref;
  int r = block_for(cluster_index, &ref, false);
  if (r == -ENOENT) {
    *refcount = 0;
    return 0;
  }
  if (r < 0) return r;
  *refcount = refcount_entry_get(ref.data(), cluster_index % entries_per_block_, refcount_order_);
  return 0;
}

int64_t Refcounts::find_free(uint64_t nb_clusters) {
  // First fit from the hint; the hint ends up after the run found. In a consistent image every
  // cluster past the end of the file is free, so a search that runs far beyond it means the
  // refcounts are corrupt: stop instead of scanning (and then writing) terabytes away.
  int64_t flen = file_->length();
  if (flen < 0) return flen;
  uint64_t limit = (static_cast<uint64_t>(flen) >> cluster_bits_) + nb_clusters + (1u << 22);
  uint64_t run = 0;
  while (run < nb_clusters) {
    uint64_t idx = free_cluster_index_++;
    if ((idx + 1) << cluster_bits_ > (uint64_t{1} << 56) || idx > limit) return -EFBIG;
    uint64_t rc;
    int r = get(idx, &rc);
    if (r < 0) return r;
    run = rc == 0 ? run + 1 : 0;
  }
  return static_cast<int64_t>((free_cluster_index_ - nb_clusters) << cluster_bits_);
}

int Refcounts::allocate_block(uint64_t cluster_index, TableCache::Ref *ref) {
  // A new refcount block for cluster_index, at the first free cluster.
  int64_t new_block = find_free(1);
  if (new_block < 0) return static_cast<int>(new_block);
  if (new_block == 0) return -EIO;  // would overwrite the header: the image is broken
  uint64_t new_index = static_cast<uint64_t>(new_block) >> cluster_bits_;
  uint64_t ti = cluster_index / entries_per_block_;
  bool self_describing = new_index / entries_per_block_ == ti;

  int r;
  if (self_describing) {
    r = cache_.get_empty(new_block, ref);
    if (r < 0) return r;
    refcount_entry_set(ref->data(), new_index % entries_per_block_, refcount_order_, 1);
  } else {
    // Counted by another block (which may itself need allocating: this recurses at most
    // until a block describes itself).
    r = update(new_block, cluster_size_, 1);
    if (r < 0) return r;  // including -EAGAIN: yet another block was placed first
    r = cache_.get_empty(new_block, ref);
    if (r < 0) return r;
  }
  ref->mark_dirty();
  r = cache_.flush();
  if (r < 0) return r;

  if (ti < table_.size()) {
    uint8_t be[8];
    put64(be, static_cast<uint64_t>(new_block));
    r = file_->pwrite(table_offset_ + ti * 8, be, 8, 0);
    if (r < 0) return r;
    r = file_->flush();
    if (r < 0) return r;
    table_[ti] = static_cast<uint64_t>(new_block);
    // The block may sit where the caller meant to put its data: it must search again.
    return kEAgain;
  }
  ref->release();

  // The table is too small: build a larger one (and blocks covering it) after everything
  // counted so far, so the new structures describe themselves.
  uint64_t blocks_used =
      div_round_up(std::max(cluster_index + 1, new_index + 1), entries_per_block_);
  int64_t end = refcount_area(blocks_used * entries_per_block_, 0, false, ti,
                              static_cast<uint64_t>(new_block));
  if (end < 0) return static_cast<int>(end);
  return kEAgain;
}

int Refcounts::alloc_clusters_at(uint64_t offset, uint64_t n) {
  for (;;) {
    int r = update(offset, n << cluster_bits_, 1);
    if (r != kEAgain) return r;
  }
}

int64_t Refcounts::refcount_area(uint64_t start_cluster, uint64_t additional_clusters, bool exact,
                                 uint64_t new_block_index, uint64_t new_block_offset) {
  uint64_t total_blocks;
  refcount_metadata_size(start_cluster + additional_clusters, cluster_size_, refcount_order_,
                         !exact, &total_blocks);
  uint64_t per_table_cluster = cluster_size_ / 8;
  uint64_t table_entries = exact ? total_blocks : total_blocks + div_round_up(total_blocks, 2);
  table_entries = div_round_up(table_entries, per_table_cluster) * per_table_cluster;
  uint64_t new_table_clusters = table_entries / per_table_cluster;
  if (table_entries * 8 > kMaxRefcountTableBytes) return -EFBIG;

  std::vector<uint64_t> t(table_entries, 0);
  std::copy(table_.begin(), table_.begin() + std::min<size_t>(table_.size(), t.size()), t.begin());
  if (new_block_offset) t[new_block_index] = new_block_offset;

  uint64_t area_first = start_cluster / entries_per_block_;
  uint64_t missing = 0;
  for (uint64_t i = area_first; i < total_blocks; i++)
    if (!t[i]) missing++;
  uint64_t start = start_cluster << cluster_bits_;
  uint64_t new_table_offset = start + missing * cluster_size_;
  uint64_t end = new_table_offset + new_table_clusters * cluster_size_;

  // Create the missing blocks and count the new structures (blocks and table) in them.
  uint64_t next_block = start;
  for (uint64_t i = area_first; i < total_blocks; i++) {
    TableCache::Ref ref;
    int r;
    if (t[i]) {
      r = cache_.get(t[i], &ref);
    } else {
      r = cache_.get_empty(next_block, &ref);
      t[i] = next_block;
      next_block += cluster_size_;
    }
    if (r < 0) return r;
    uint64_t first = (i * entries_per_block_) << cluster_bits_;
    if (first < end) {
      uint64_t j = first < start ? (start - first) >> cluster_bits_ : 0;
      uint64_t stop = std::min<uint64_t>((end - first) >> cluster_bits_, entries_per_block_);
      for (; j < stop; j++) refcount_entry_set(ref.data(), j, refcount_order_, 1);
    }
    ref.mark_dirty();
  }
  int r = cache_.flush();
  if (r < 0) return r;

  std::vector<uint8_t> raw(table_entries * 8);
  for (uint64_t i = 0; i < table_entries; i++) put64(&raw[i * 8], t[i]);
  r = file_->pwrite(new_table_offset, raw.data(), raw.size(), 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  r = write_reftable_location_(new_table_offset, static_cast<uint32_t>(new_table_clusters));
  if (r < 0) return r;

  uint64_t old_offset = table_offset_;
  uint64_t old_bytes = uint64_t{table_clusters_} << cluster_bits_;
  table_ = std::move(t);
  table_offset_ = new_table_offset;
  table_clusters_ = static_cast<uint32_t>(new_table_clusters);
  if (old_offset) {
    r = update(old_offset, old_bytes, -1);
    if (r < 0 && r != kEAgain) return r;
  }
  return static_cast<int64_t>(end);
}

int Refcounts::update(uint64_t offset, uint64_t length, int64_t addend, DiscardType why) {
  if (length == 0) return 0;
  uint64_t first = offset >> cluster_bits_;
  uint64_t last = (offset + length - 1) >> cluster_bits_;
  // Check the whole range first so that a failure changes nothing.
  if (addend < 0) {
    for (uint64_t c = first; c <= last; c++) {
      uint64_t rc;
      int r = get(c, &rc);
      if (r < 0) return r;
      if (rc < static_cast<uint64_t>(-addend)) return -EINVAL;
    }
  }
  for (uint64_t c = first; c <= last; c++) {
    TableCache::Ref ref;
    int r = block_for(c, &ref, addend > 0);
    if (r == kEAgain) {
      // A new block was placed: undo what this call did so far and let the caller retry,
      // searching again from this range (its clusters may well still be free).
      if (c > first) update(first << cluster_bits_, (c - first) << cluster_bits_, -addend);
      free_cluster_index_ = std::min(free_cluster_index_, first);
      return kEAgain;
    }
    if (r < 0) return r;
    uint64_t idx = c % entries_per_block_;
    uint64_t rc = refcount_entry_get(ref.data(), idx, refcount_order_);
    uint64_t nv = rc + static_cast<uint64_t>(addend);
    if (addend > 0 && (nv < rc || nv > max_refcount_)) {
      ref.release();
      if (c > first) update(first << cluster_bits_, (c - first) << cluster_bits_, -addend);
      return -ERANGE;
    }
    refcount_entry_set(ref.data(), idx, refcount_order_, nv);
    ref.mark_dirty();
    if (nv == 0 && c < free_cluster_index_) free_cluster_index_ = c;
    if (nv == 0 && pass_[static_cast<int>(why)]) {
      uint64_t off = c << cluster_bits_;
      if (!discards_.empty() && discards_.back().first + discards_.back().second == off) {
        discards_.back().second += cluster_size_;
      } else {
        discards_.emplace_back(off, cluster_size_);
      }
    }
  }
  return 0;
}

int64_t Refcounts::alloc_clusters(uint64_t bytes) {
  uint64_t n = div_round_up(bytes, cluster_size_);
  for (;;) {
    int64_t off = find_free(n);
    if (off < 0) return off;
    int r = update(static_cast<uint64_t>(off), n << cluster_bits_, 1);
    if (r == kEAgain) continue;
    if (r < 0) return r;
    return off;
  }
}

int64_t Refcounts::alloc_bytes(uint64_t bytes) {
  // Compressed data is packed: continue in the current cluster if it fits, or spill into the
  // next cluster when that one is free and follows directly.
  for (;;) {
    uint64_t offset = free_byte_offset_;
    uint64_t free_in_cluster = 0;
    if (offset) {
      free_in_cluster = cluster_size_ - (offset & (cluster_size_ - 1));
      if (free_in_cluster == cluster_size_) free_in_cluster = 0;
      if (free_in_cluster == 0) offset = 0;
    }
    if (!offset || free_in_cluster < bytes) {
      int64_t nc = find_free(1);
      if (nc < 0) return nc;
      uint64_t next = static_cast<uint64_t>(nc);
      if (!offset || ((offset + cluster_size_ - 1) & ~(cluster_size_ - 1)) != next) {
        offset = next;
        free_in_cluster = cluster_size_;
      } else {
        free_in_cluster += cluster_size_;
      }
    }
    int r = update(offset, bytes, 1);
    if (r == kEAgain) {
      free_byte_offset_ = 0;
      continue;
    }
    if (r < 0) return r;
    free_byte_offset_ = offset + bytes;
    if ((free_byte_offset_ & (cluster_size_ - 1)) == 0) free_byte_offset_ = 0;
    return static_cast<int64_t>(offset);
  }
}

int64_t Refcounts::end_cluster() {
  for (uint64_t ti = table_.size(); ti-- > 0;) {
    if (!(table_[ti] & kOffsetMask)) continue;
    TableCache::Ref ref;
    int r = cache_.get(table_[ti] & kOffsetMask, &ref);
    if (r < 0) return r;
    for (uint64_t j = entries_per_block_; j-- > 0;) {
      if (refcount_entry_get(ref.data(), j, refcount_order_))
        return static_cast<int64_t>(ti * entries_per_block_ + j + 1);
    }
  }
  return 0;
}

}  // namespace qemu::block::qcow2

namespace qemu::block::qcow2 {

int Refcounts::drop_unused_blocks() {
  std::vector<uint64_t> next = table_;
  std::vector<uint64_t> dropped;
  for (uint64_t i = 0; i < table_.size(); i++) {
    uint64_t off = table_[i] & kOffsetMask;
    if (!off) continue;
    TableCache::Ref ref;
    int r = cache_.get(off, &ref);
    if (r < 0) return r;
    uint64_t self = off >> cluster_bits_;
    bool unused = true;
    for (uint64_t k = 0; k < entries_per_block_ && unused; k++) {
      if (i * entries_per_block_ + k == self) continue;  // its own reference
      unused = refcount_entry_get(ref.data(), k, refcount_order_) == 0;
    }
    if (unused) {
      next[i] = 0;
      dropped.push_back(off);
    }
  }
  // As QEMU, the whole table is rewritten (every cluster of it), dropped entries or not.
  int r = cache_.flush();
  if (r < 0) return r;
  std::vector<uint8_t> raw(
      std::max<size_t>(next.size() * 8, uint64_t{table_clusters_} << cluster_bits_));
  for (size_t i = 0; i < next.size(); i++) put64(&raw[i * 8], next[i]);
  r = file_->pwrite(table_offset_, raw.data(), raw.size(), 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  table_ = std::move(next);
  for (uint64_t off : dropped) {
    cache_.discard(off);
    file_->discard(off, cluster_size_);
  }
  return 0;
}

}  // namespace qemu::block::qcow2
