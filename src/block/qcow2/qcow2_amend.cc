// qemu-img amend for qcow2: compatibility level (upgrade, and downgrade with zero clusters
// expanded), lazy refcounts, refcount width, size. Order and messages as QEMU's.
#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {

const OptsList &qcow2_amend_options() {
  static const OptsList list{
      "qcow2-amend-opts",
      "",
      false,
      {
          {"backing_file", OptType::kString, "File name of a base image", ""},
          {"backing_fmt", OptType::kString, "Image format of the base image", ""},
          {"compat", OptType::kString, "Compatibility level (v2 [0.10] or v3 [1.1])", ""},
          {"data_file", OptType::kString, "File name of an external data file", ""},
          {"data_file_raw", OptType::kBool, "The external data file must stay valid as a raw image",
           ""},
          {"encrypt.iter-time", OptType::kNumber, "Time to spend in PBKDF in milliseconds", ""},
          {"encrypt.keyslot", OptType::kNumber, "Select a single keyslot to modify explicitly", ""},
          {"encrypt.new-secret", OptType::kString,
           "New secret to set in the matching keyslots. Empty string to erase", ""},
          {"encrypt.old-secret", OptType::kString, "Select all keyslots that match this password",
           ""},
          {"encrypt.state", OptType::kString,
           "Select new state of affected keyslots (active/inactive)", ""},
          {"lazy_refcounts", OptType::kBool, "Postpone refcount updates", ""},
          {"refcount_bits", OptType::kNumber, "Width of a reference count entry in bits", ""},
          {"size", OptType::kSize, "Virtual disk size", ""},
      }};
  return list;
}

int Qcow2Node::expand_zero_clusters(Error *err) {
  // v2 has no zero clusters: deallocate them (no backing file) or make them real zeroes.
  std::vector<std::pair<uint64_t, uint32_t>> tables = {
      {header_.l1_table_offset, static_cast<uint32_t>(l1_.size())}};
  for (const Snapshot &s : snapshots_) {
    if (!validate_snapshot_l1(s, err)) return -EFBIG;
    tables.push_back({s.l1_table_offset, s.l1_size});
  }
  std::vector<uint8_t> zeroes(cluster_size_, 0);
  for (const auto &[l1_off, l1_size] : tables) {
    bool active = l1_off == header_.l1_table_offset;
    for (uint32_t i = 0; i < l1_size; i++) {
      uint64_t l1e = active ? l1_[i] : 0;
      if (!active) {
        uint8_t b[8];
        int r = file_->pread(l1_off + uint64_t{i} * 8, b, 8);
        if (r < 0) return r;
        l1e = be64(b);
      }
      uint64_t l2_off = l1e & kOffsetMask;
      if (!l2_off) continue;
      TableCache::Ref l2;
      int r = l2_cache_->get(l2_off, &l2);
      if (r < 0) return r;
      bool changed = false;
      for (uint64_t j = 0; j < geo_.l2_entries(); j++) {
        L2Entry e = load_l2(l2.data(), j, geo_);
        if (!(e.entry & kOflagZero) || is_compressed(e.entry)) continue;
        uint64_t host = host_offset(e.entry);
        if (!host && !backing_) {
          e.entry = 0;  // reads as zeroes anyway
        } else {
          if (!host) {
            l2.release();
            int64_t a = refcounts_->alloc_clusters(cluster_size_);
            if (a < 0) return static_cast<int>(a);
            host = static_cast<uint64_t>(a);
            r = l2_cache_->get(l2_off, &l2);
            if (r < 0) return r;
          }
          r = file_->pwrite_zeroes(host, cluster_size_, 0);
          if (r < 0) return r;
          uint64_t rc = 0;
          r = refcounts_->get(host >> cluster_bits_, &rc);
          if (r < 0) return r;
          e.entry = host | (rc == 1 ? kOflagCopied : 0);
        }
        store_l2(l2.data(), j, geo_, e);
        changed = true;
      }
      if (changed) l2.mark_dirty();
    }
  }
  int r = flush_metadata();
  if (r < 0) *err = Error::make("Failed to expand zero clusters: {}", strerror(-r));
  return r;
}

int Qcow2Node::amend(const Opts &opts, bool, const std::function<void(int64_t, int64_t)> &status,
                     Error *err) {
  int new_version = static_cast<int>(header_.version);
  if (auto c = opts.get("compat")) {
    if (*c == "0.10" || *c == "v2") {
      new_version = 2;
    } else if (*c == "1.1" || *c == "v3") {
      new_version = 3;
    } else {
      *err = Error::make("Unknown compatibility level {}", *c);
      return -EINVAL;
    }
  }
  if (opts.get("backing_file") || opts.get("backing_fmt")) {
    *err = Error::make("Cannot amend the backing file");
    err->with_hint("You can use 'qemu-img rebase' instead.\n");
    return -EINVAL;
  }
  if (opts.get("data_file") && !(header_.incompatible_features & kIncompatDataFile)) {
    *err = Error::make("data-file can only be set for images that use an external data file");
    return -EINVAL;
  }
  if (opts.get("data_file_raw")) {
    *err = Error::make("data-file-raw cannot be set on existing images");
    return -EINVAL;
  }
  for (const char *k : {"encrypt.iter-time", "encrypt.keyslot", "encrypt.new-secret",
                        "encrypt.old-secret", "encrypt.state"}) {
    if (opts.get(k)) {
      *err = Error::make("Can't amend encryption options - encryption not present");
      return -ENOTSUP;
    }
  }
  // Lazy refcounts count as asked only when they change.
  bool lazy = opts.get_bool("lazy_refcounts", lazy_refcounts_);
  bool has_lazy = lazy != lazy_refcounts_;
  int new_order = static_cast<int>(header_.refcount_order);
  if (auto rb = opts.get("refcount_bits")) {
    uint64_t bits = opts.get_number("refcount_bits", 16);
    if (bits == 0 || bits > 64 || (bits & (bits - 1))) {
      *err = Error::make("Refcount width must be a power of two and may not exceed 64 bits");
      return -EINVAL;
    }
    new_order = __builtin_ctzll(bits);
  }
  if (new_version < 3 && has_lazy && lazy) {
    *err = Error::make(
        "Lazy refcounts only supported with compatibility level 1.1 and above "
        "(use compat=1.1 or greater)");
    return -EINVAL;
  }
  if (new_version < 3 && new_order != 4) {
    *err = Error::make(
        "Refcount widths other than 16 bits require compatibility level 1.1 or "
        "above (use compat=1.1 or greater)");
    return -EINVAL;
  }

  int r = 0;
  if (new_version > static_cast<int>(header_.version)) {
    std::lock_guard<std::mutex> g(lock_);
    header_.version = 3;
    header_.header_length = kV3HeaderLength;
    r = write_header();
    if (r < 0) {
      *err = Error::make("Failed to update the image header: {}", strerror(-r));
      return r;
    }
  }
  if (new_order != static_cast<int>(header_.refcount_order)) {
    r = change_refcount_order(new_order, status, err);
    if (r < 0) return r;
  }
  if (has_lazy) {
    r = set_lazy_refcounts(lazy, err);
    if (r < 0) return r;
  }
  if (auto sz = opts.get("size")) {
    r = truncate(opts.get_size("size", size_), false, Prealloc::kOff, err);
    if (r < 0) return r;
  }
  if (new_version < static_cast<int>(header_.version)) {
    std::unique_lock<std::mutex> g(lock_);
    uint64_t blocking =
        header_.incompatible_features & ~uint64_t{kIncompatDirty | kIncompatCompression};
    if (blocking) {
      *err =
          Error::make("Cannot downgrade an image with incompatible features {:#x} set", blocking);
      return -ENOTSUP;
    }
    r = flush_metadata();
    if (r < 0) return r;
    if (header_.incompatible_features & kIncompatDirty) {
      // Stale refcounts (lazy refcounts after a crash) must be right before v2 forgets them.
      g.unlock();
      CheckResult res;
      r = check(&res, kFixLeaks | kFixErrors);
      g.lock();
      if (r < 0) return r;
    }
    header_.compatible_features = 0;
    header_.autoclear_features = 0;
    r = expand_zero_clusters(err);
    if (r < 0) return r;
    if (header_.incompatible_features & kIncompatCompression) {
      bool has_compressed = false;
      for (uint64_t off = 0; off < size_ && !has_compressed;) {
        Mapping m;
        r = map_range(off, size_ - off, &m);
        if (r < 0) return r;
        has_compressed = m.type == SubclusterType::kCompressed;
        off += m.bytes;
      }
      if (has_compressed) {
        *err = Error::make(
            "Cannot downgrade an image with zstd compression type and existing "
            "compressed clusters");
        return -ENOTSUP;
      }
      header_.incompatible_features &= ~uint64_t{kIncompatCompression};
      header_.compression_type = kCompressionZlib;
    }
    header_.incompatible_features &= ~uint64_t{kIncompatDirty};
    dirty_marked_ = false;
    lazy_refcounts_ = false;
    l2_cache_->set_dependency(&refcounts_->cache());
    header_.version = 2;
    header_.header_length = kV2HeaderLength;
    r = write_header();
    if (r < 0) {
      *err = Error::make("Failed to update the image header: {}", strerror(-r));
      return r;
    }
    r = file_->flush();
  }
  if (status) status(1, 1);
  return r < 0 ? r : flush();
}

}  // namespace qemu::block::qcow2

namespace qemu::block::qcow2 {

int Qcow2Node::change_refcount_order(int new_order,
                                     const std::function<void(int64_t, int64_t)> &status,
                                     Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  int r = flush_metadata();
  if (r < 0) return r;
  const uint64_t per_block = (cluster_size_ * 8) >> new_order;
  const uint64_t max_value = new_order == 6 ? UINT64_MAX : (uint64_t{1} << (1u << new_order)) - 1;

  // Allocate the new structures through the current refcounts until they cover everything
  // (themselves included).
  std::vector<uint64_t> blocks;
  uint64_t table_offset = 0, table_clusters = 0;
  for (;;) {
    int64_t end = refcounts_->end_cluster();
    if (end < 0) return static_cast<int>(end);
    uint64_t need_blocks = (static_cast<uint64_t>(end) + per_block - 1) / per_block;
    uint64_t need_table = (need_blocks * 8 + cluster_size_ - 1) / cluster_size_;
    if (blocks.size() >= need_blocks && table_clusters >= need_table &&
        (table_offset >> cluster_bits_) + table_clusters <= need_blocks * per_block)
      break;
    while (blocks.size() < need_blocks) {
      int64_t a = refcounts_->alloc_clusters(cluster_size_);
      if (a < 0) return static_cast<int>(a);
      blocks.push_back(static_cast<uint64_t>(a));
    }
    if (table_clusters < need_table) {
      if (table_offset) {
        r = refcounts_->free_clusters(table_offset, table_clusters << cluster_bits_);
        if (r < 0) return r;
      }
      int64_t a = refcounts_->alloc_clusters(need_table << cluster_bits_);
      if (a < 0) return static_cast<int>(a);
      table_offset = static_cast<uint64_t>(a);
      table_clusters = need_table;
    }
  }

  // The old structures count the new ones on disk before anything else changes: a crash from
  // here on leaves a consistent image with some leaked clusters at worst.
  r = refcounts_->cache().flush();
  if (r < 0) return r;

  // Fill the new blocks from the current counts.
  uint64_t total = blocks.size() * per_block;
  std::vector<uint8_t> block(cluster_size_);
  for (size_t b = 0; b < blocks.size(); b++) {
    std::fill(block.begin(), block.end(), 0);
    for (uint64_t k = 0; k < per_block; k++) {
      uint64_t rc;
      r = refcounts_->get(b * per_block + k, &rc);
      if (r < 0) return r;
      if (rc > max_value) {
        *err = Error::make(
            "Cannot decrease refcount entry width to {} bits: Cluster at offset "
            "{:#x} has a refcount of {}",
            1u << new_order, (b * per_block + k) << cluster_bits_, rc);
        return -EINVAL;
      }
      if (rc) refcount_entry_set(block.data(), k, new_order, rc);
    }
    r = file_->pwrite(blocks[b], block.data(), block.size(), 0);
    if (r < 0) return r;
    if (status) status(static_cast<int64_t>(b * per_block), static_cast<int64_t>(total));
  }
  std::vector<uint8_t> table(table_clusters << cluster_bits_, 0);
  for (size_t b = 0; b < blocks.size(); b++) put64(&table[b * 8], blocks[b]);
  r = file_->pwrite(table_offset, table.data(), table.size(), 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;

  // Switch: one header write, then the old structures are free under the new counts.
  std::vector<uint64_t> old_blocks;
  for (uint64_t e : refcounts_->table())
    if (e & kOffsetMask) old_blocks.push_back(e & kOffsetMask);
  uint64_t old_table = refcounts_->table_offset();
  uint64_t old_table_bytes = uint64_t{refcounts_->table_clusters()} << cluster_bits_;
  header_.refcount_order = static_cast<uint32_t>(new_order);
  header_.refcount_table_offset = table_offset;
  header_.refcount_table_clusters = static_cast<uint32_t>(table_clusters);
  auto fresh = std::make_unique<Refcounts>(
      file_.get(), cluster_bits_, new_order, 4,
      [this](uint64_t off, uint32_t clusters) { return write_reftable_location(off, clusters); });
  r = fresh->load_table(table_offset, static_cast<uint32_t>(table_clusters));
  if (r < 0) return r;
  refcounts_ = std::move(fresh);
  l2_cache_->set_dependency(lazy_refcounts_ ? nullptr : &refcounts_->cache());
  r = write_header();
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  r = refcounts_->free_clusters(old_table, old_table_bytes, DiscardType::kOther);
  if (r < 0) return r;
  for (uint64_t b : old_blocks) {
    r = refcounts_->free_clusters(b, cluster_size_, DiscardType::kOther);
    if (r < 0) return r;
  }
  return flush_metadata();
}

}  // namespace qemu::block::qcow2
