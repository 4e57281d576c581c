// qemu-img check for qcow2: count every reference the metadata makes to host clusters, compare
// with the stored refcounts, check the COPIED flags, and repair on request. Reports and repairs
// follow QEMU's rules and wording: leaks are adjusted in place; a stored refcount of 0 under a
// live reference (or a broken refcount table) rebuilds the refcount structures from the
// computed counts, after which the old structures are released as leaks.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {

class Checker {
 public:
  Checker(Qcow2Node *n, CheckResult *res) : n_(n), res_(res) {}

  int run(unsigned fix);

 private:
  // The in-memory refcount table (counts computed from the metadata).
  void inc(uint64_t offset, uint64_t size);
  int calculate(bool *rebuild);
  int check_l1(uint64_t l1_offset, uint32_t l1_size, bool active);
  int check_l2(uint64_t l2_offset, bool active);
  int check_bitmaps();
  int check_refblocks(bool *rebuild);
  int compare(unsigned fix, bool *rebuild, int64_t *highest);
  int check_copied(unsigned fix);
  int rebuild_structures();
  int write_refblocks(uint64_t first, uint64_t end, std::vector<uint64_t> *reftable, bool *grown);
  uint64_t alloc_in_memory(uint64_t count, uint64_t *first_free);

  // References per cluster: dense over the file, sparse beyond it (a hostile image may point
  // anywhere; that must not cost memory in proportion to the offset).
  uint32_t &ref(uint64_t c) { return c < refs_.size() ? refs_[c] : beyond_[c]; }
  uint64_t ref_at(uint64_t c) const {
    if (c < refs_.size()) return refs_[c];
    auto it = beyond_.find(c);
    return it == beyond_.end() ? 0 : it->second;
  }
  uint64_t ref_end() const {
    return beyond_.empty() ? refs_.size()
                           : std::max<uint64_t>(refs_.size(), beyond_.rbegin()->first + 1);
  }

  Qcow2Node *n_;
  CheckResult *res_;
  unsigned fix_ = 0;
  std::vector<uint32_t> refs_;
  std::map<uint64_t, uint32_t> beyond_;
  uint64_t nb_clusters_ = 0;
  uint64_t file_len_ = 0;  // the image file's length, in 512-byte sectors as QEMU counts it
  uint64_t next_contiguous_ = 0;
};

void Checker::inc(uint64_t offset, uint64_t size) {
  if (size == 0) return;
  // As QEMU: the last cluster may lie partly past the end of the file, anything further is
  // an error and not counted (which also bounds the work garbage tables can cause).
  if (offset + size < offset ||
      (offset + size > file_len_ && offset + size - file_len_ >= n_->cluster_size_)) {
    fprintf(stderr,
            "ERROR: counting reference for region exceeding the end of the file by one cluster "
            "or more: offset %#llx size %#llx\n",
            static_cast<unsigned long long>(offset), static_cast<unsigned long long>(size));
    res_->corruptions++;
    return;
  }
  uint64_t first = offset >> n_->cluster_bits_;
  uint64_t last = (offset + size - 1) >> n_->cluster_bits_;
  if (last < first || last - first > (uint64_t{1} << 24)) {
    fprintf(stderr, "ERROR: invalid reference offset=%#llx size=%#llx\n",
            static_cast<unsigned long long>(offset), static_cast<unsigned long long>(size));
    res_->corruptions++;
    return;
  }
  for (uint64_t c = first; c <= last; c++) {
    uint32_t &r = ref(c);
    if (++r == 0 || r > n_->refcounts_->max_refcount()) {
      fprintf(stderr, "ERROR: overflow cluster offset=%#llx\n",
              static_cast<unsigned long long>(c << n_->cluster_bits_));
      res_->corruptions++;
    }
  }
}

int Checker::check_l2(uint64_t l2_offset, bool active) {
  const L2Geometry &g = n_->geo_;
  next_contiguous_ = 0;  // QEMU counts fragmentation within each L2 table
  std::vector<uint8_t> table(n_->cluster_size_);
  int r = n_->file_->pread(l2_offset, table.data(), table.size());
  if (r < 0) {
    fprintf(stderr, "ERROR: I/O error in check_refcounts_l2\n");
    res_->check_errors++;
    return r;
  }
  for (uint64_t i = 0; i < g.l2_entries(); i++) {
    L2Entry e = load_l2(table.data(), i, g);
    if (!is_compressed(e.entry) && (e.entry & kL2ReservedMask)) {
      fprintf(stderr, "ERROR found l2 entry with reserved bits set: %llx\n",
              static_cast<unsigned long long>(e.entry));
      res_->corruptions++;
    }
    if (is_compressed(e.entry)) {
      if (e.entry & kOflagCopied) {
        fprintf(stderr,
                "ERROR: coffset=0x%llx: copied flag must never be set for compressed clusters\n",
                static_cast<unsigned long long>(compressed_offset(e.entry, g)));
        e.entry &= ~kOflagCopied;
        res_->corruptions++;
      }
      if (n_->data_file_) {
        fprintf(stderr, "ERROR compressed cluster %d with data file, entry=0x%llx\n",
                static_cast<int>(i), static_cast<unsigned long long>(e.entry));
        res_->corruptions++;
        continue;
      }
      if (e.bitmap) {
        fprintf(stderr,
                "ERROR compressed cluster %d with non-zero subcluster allocation bitmap, "
                "entry=0x%llx\n",
                static_cast<int>(i), static_cast<unsigned long long>(e.entry));
        res_->corruptions++;
        continue;
      }
      inc(compressed_offset(e.entry, g), compressed_bytes(e.entry, g));
      if (active) {
        res_->allocated_clusters++;
        res_->compressed_clusters++;
        res_->fragmented_clusters++;
      }
      continue;
    }
    bool zero_flag = !g.extended && (e.entry & kOflagZero);
    if (entry_has_host(e.entry, g)) {
      uint64_t off = host_offset(e.entry);
      if ((e.bitmap >> 32) & e.bitmap) {
        res_->corruptions++;
        fprintf(stderr,
                "ERROR offset=%llx: Allocated cluster has corrupted subcluster allocation "
                "bitmap\n",
                static_cast<unsigned long long>(off));
      }
      if (off & (n_->cluster_size_ - 1)) {
        res_->corruptions++;
        bool has_data = g.extended ? (e.bitmap & 0xffffffffull) : !zero_flag;
        fprintf(stderr,
                "ERROR offset=%llx: %s cluster is not properly aligned; L2 entry "
                "corrupted.\n",
                static_cast<unsigned long long>(off), has_data ? "Data" : "Preallocated");
      }
      if (active) {
        res_->allocated_clusters++;
        if (next_contiguous_ && off != next_contiguous_) res_->fragmented_clusters++;
        next_contiguous_ = off + n_->cluster_size_;
      }
      if (!n_->data_file_) inc(off, n_->cluster_size_);
    } else if (!zero_flag && (e.bitmap & 0xffffffffull)) {
      res_->corruptions++;
      fprintf(stderr, "ERROR: Unallocated cluster has non-zero subcluster allocation map\n");
    }
  }
  return 0;
}

int Checker::check_l1(uint64_t l1_offset, uint32_t l1_size, bool active) {
  inc(l1_offset, uint64_t{l1_size} * 8);
  std::vector<uint8_t> raw(uint64_t{l1_size} * 8);
  if (!raw.empty()) {
    int r = n_->file_->pread(l1_offset, raw.data(), raw.size());
    if (r < 0) {
      fprintf(stderr, "ERROR: I/O error in check_refcounts_l1\n");
      res_->check_errors++;
      return r;
    }
  }
  for (uint32_t i = 0; i < l1_size; i++) {
    uint64_t e = be64(&raw[i * 8]);
    if (!e) continue;
    if (e & kL1ReservedMask & ~kOflagCopied) {
      fprintf(stderr, "ERROR found L1 entry with reserved bits set: %llx\n",
              static_cast<unsigned long long>(e));
      res_->corruptions++;
    }
    uint64_t l2 = e & kOffsetMask;
    inc(l2, n_->cluster_size_);
    if (l2 & (n_->cluster_size_ - 1)) {
      fprintf(stderr, "ERROR l2_offset=%llx: Table is not cluster aligned; L1 entry corrupted\n",
              static_cast<unsigned long long>(l2));
      res_->corruptions++;
    }
    int r = check_l2(l2, active);
    if (r < 0) return r;
  }
  return 0;
}

int Checker::check_bitmaps() {
  // Persistent dirty bitmaps: directory, bitmap tables and their data clusters are in use.
  const Header &h = n_->header_;
  if (!h.has_bitmaps_ext || !(h.autoclear_features & kAutoclearBitmaps) ||
      h.bitmaps.nb_bitmaps == 0)
    return 0;
  uint64_t dir_size = h.bitmaps.directory_size;
  if (dir_size > (64u << 20)) return 0;
  inc(h.bitmaps.directory_offset, dir_size);
  std::vector<uint8_t> dir(dir_size);
  if (n_->file_->pread(h.bitmaps.directory_offset, dir.data(), dir.size()) < 0) {
    res_->check_errors++;
    return -EIO;
  }
  uint64_t pos = 0;
  for (uint32_t b = 0; b < h.bitmaps.nb_bitmaps && pos + 24 <= dir.size(); b++) {
    uint64_t table_offset = be64(&dir[pos]);
    uint32_t table_size = be32(&dir[pos + 8]);
    uint16_t name_size = be16(&dir[pos + 18]);
    uint32_t extra = be32(&dir[pos + 20]);
    inc(table_offset, uint64_t{table_size} * 8);
    std::vector<uint8_t> t(uint64_t{table_size} * 8);
    if (table_size && table_size < (1u << 24) &&
        n_->file_->pread(table_offset, t.data(), t.size()) == 0) {
      for (uint32_t k = 0; k < table_size; k++) {
        uint64_t off = be64(&t[k * 8]) & kOffsetMask;
        if (off) inc(off, n_->cluster_size_);
      }
    }
    pos += (24 + uint64_t{extra} + name_size + 7) & ~uint64_t{7};
  }
  return 0;
}

int Checker::check_refblocks(bool *rebuild) {
  const auto &table = n_->refcounts_->table();
  for (uint64_t i = 0; i < table.size(); i++) {
    uint64_t off = table[i] & kReftOffsetMask;
    if (table[i] & kReftableReservedMask) {
      fprintf(stderr, "ERROR refcount table entry %lld has reserved bits set\n",
              static_cast<long long>(i));
      res_->corruptions++;
      *rebuild = true;
      continue;
    }
    if (off & (n_->cluster_size_ - 1)) {
      fprintf(stderr,
              "ERROR refcount block %lld is not cluster aligned; refcount table entry "
              "corrupted\n",
              static_cast<long long>(i));
      res_->corruptions++;
      *rebuild = true;
      continue;
    }
    uint64_t c = off >> n_->cluster_bits_;
    if (c >= nb_clusters_) {
      res_->corruptions++;
      bool repair = fix_ & kFixErrors;
      fprintf(stderr, "%s refcount block %lld is outside image\n", repair ? "Repairing" : "ERROR",
              static_cast<long long>(i));
      if (repair) {
        // As QEMU does: grow the file so that the block is inside it again.
        Error terr;
        int r = n_->file_->truncate(off + n_->cluster_size_, false, Prealloc::kOff, &terr);
        if (r < 0) error_report("{}", terr.msg);
        if (r == 0 && c - nb_clusters_ < (uint64_t{1} << 24)) {
          nb_clusters_ = c + 1;
          file_len_ = std::max(file_len_, off + n_->cluster_size_);
          refs_.resize(nb_clusters_, 0);
          res_->corruptions--;
          res_->corruptions_fixed++;
          inc(off, n_->cluster_size_);
          continue;
        }
        *rebuild = true;
        fprintf(stderr, "ERROR could not resize image: %s\n", strerror(r < 0 ? -r : EFBIG));
      }
      continue;
    }
    if (off) {
      inc(off, n_->cluster_size_);
      if (ref_at(c) != 1) {
        fprintf(stderr, "ERROR refcount block %lld refcount=%llu\n", static_cast<long long>(i),
                static_cast<unsigned long long>(ref_at(c)));
        res_->corruptions++;
        *rebuild = true;
      }
    }
  }
  return 0;
}

int Checker::calculate(bool *rebuild) {
  refs_.assign(nb_clusters_, 0);
  beyond_.clear();
  next_contiguous_ = 0;
  res_->allocated_clusters = res_->fragmented_clusters = res_->compressed_clusters = 0;
  inc(0, n_->cluster_size_);
  int r = check_l1(n_->header_.l1_table_offset, static_cast<uint32_t>(n_->l1_.size()), true);
  if (r < 0) return r;
  if (n_->data_file_ && !n_->snapshots_.empty()) {
    fprintf(stderr, "ERROR %d snapshots in image with data file\n",
            static_cast<int>(n_->snapshots_.size()));
    res_->corruptions++;
  }
  for (const Snapshot &s : n_->snapshots_) {
    if (s.l1_size > kMaxL1Bytes / 8) {
      fprintf(stderr,
              "ERROR snapshot %s (%s) l1_size=%#x: L1 table is too large; snapshot table entry "
              "corrupted\n",
              s.id.c_str(), s.name.c_str(), s.l1_size);
      res_->corruptions++;
      continue;
    }
    if (s.l1_table_offset & (n_->cluster_size_ - 1)) {
      fprintf(stderr,
              "ERROR snapshot %s (%s) l1_offset=%#llx: L1 table is not cluster aligned; "
              "snapshot table entry corrupted\n",
              s.id.c_str(), s.name.c_str(), static_cast<unsigned long long>(s.l1_table_offset));
      res_->corruptions++;
      continue;
    }
    r = check_l1(s.l1_table_offset, s.l1_size, false);
    if (r < 0) return r;
  }
  inc(n_->header_.snapshots_offset, n_->snapshots_disk_bytes_);
  inc(n_->refcounts_->table_offset(),
      uint64_t{n_->refcounts_->table_clusters()} << n_->cluster_bits_);
  if (n_->header_.has_crypto_ext) inc(n_->header_.crypto_offset, n_->header_.crypto_length);
  r = check_bitmaps();
  if (r < 0) return r;
  return check_refblocks(rebuild);
}

int Checker::compare(unsigned fix, bool *rebuild, int64_t *highest) {
  // Every cluster of the file, and the referenced ones beyond it.
  std::vector<uint64_t> extra;
  for (const auto &kv : beyond_) extra.push_back(kv.first);
  size_t next_extra = 0;
  for (uint64_t i = 0;; i++) {
    if (i >= refs_.size()) {
      if (next_extra >= extra.size()) break;
      i = std::max(i, extra[next_extra++]);
    }
    uint64_t disk = 0;
    int r = n_->refcounts_->get(i, &disk);
    if (r < 0) {
      fprintf(stderr, "Can't get refcount for cluster %lld: %s\n", static_cast<long long>(i),
              strerror(-r));
      res_->check_errors++;
      continue;
    }
    uint64_t want = ref_at(i);
    if (disk > 0 || want > 0) *highest = static_cast<int64_t>(i);
    if (disk == want) continue;
    int *fixed = nullptr;
    if (disk == 0) {
      *rebuild = true;
    } else if (disk > want && (fix & kFixLeaks)) {
      fixed = &res_->leaks_fixed;
    } else if (disk < want && (fix & kFixErrors)) {
      fixed = &res_->corruptions_fixed;
    }
    fprintf(stderr, "%s cluster %lld refcount=%llu reference=%llu\n",
            fixed         ? "Repairing"
            : disk < want ? "ERROR"
                          : "Leaked",
            static_cast<long long>(i), static_cast<unsigned long long>(disk),
            static_cast<unsigned long long>(want));
    if (fixed) {
      int64_t addend =
          disk > want ? -static_cast<int64_t>(disk - want) : static_cast<int64_t>(want - disk);
      r = n_->refcounts_->update(i << n_->cluster_bits_, n_->cluster_size_, addend,
                                 DiscardType::kAlways);
      if (r >= 0) {
        (*fixed)++;
        continue;
      }
    }
    if (disk < want) {
      res_->corruptions++;
    } else {
      res_->leaks++;
    }
  }
  return 0;
}

uint64_t Checker::alloc_in_memory(uint64_t count, uint64_t *first_free) {
  // The first run of `count` clusters with no references, possibly past the end.
  uint64_t run = 0, i = *first_free;
  bool first_gap = true;
  for (; run < count; i++) {
    uint64_t v = i < refs_.size() ? refs_[i] : 0;
    if (v == 0) {
      if (first_gap) {
        *first_free = i;
        first_gap = false;
      }
      run++;
    } else {
      run = 0;
    }
  }
  uint64_t start = i - count;
  if (i > refs_.size()) refs_.resize(i, 0);
  for (uint64_t c = start; c < i; c++) refs_[c] = 1;
  return start;
}

int Checker::write_refblocks(uint64_t first, uint64_t end, std::vector<uint64_t> *reftable,
                             bool *grown) {
  const uint64_t per_block = n_->refcounts_->entries_per_block();
  const int order = n_->refcounts_->refcount_order();
  const uint64_t per_table_cluster = n_->cluster_size_ / 8;
  uint64_t first_free = 0;
  *grown = false;
  for (uint64_t c = first; c < end; c++) {
    if (c >= refs_.size() || !refs_[c]) continue;
    uint64_t bi = c / per_block;
    uint64_t bstart = bi * per_block;
    uint64_t off;
    if (bi < reftable->size() && (*reftable)[bi]) {
      off = (*reftable)[bi];
    } else {
      if (first_free < bstart) first_free = bstart;
      uint64_t cl = alloc_in_memory(1, &first_free);
      off = cl << n_->cluster_bits_;
      if (cl >= end) end = cl + 1;
      if (reftable->size() <= bi) {
        reftable->resize((bi + 1 + per_table_cluster - 1) / per_table_cluster * per_table_cluster,
                         0);
        *grown = true;
      }
      (*reftable)[bi] = off;
    }
    std::vector<uint8_t> block(n_->cluster_size_, 0);
    for (uint64_t k = 0; k < per_block; k++) {
      uint64_t idx = bstart + k;
      if (idx < refs_.size() && refs_[idx]) refcount_entry_set(block.data(), k, order, refs_[idx]);
    }
    int r = n_->file_->pwrite(off, block.data(), block.size(), 0);
    if (r < 0) return r;
    c = bstart + per_block - 1;
  }
  return 0;
}

int Checker::rebuild_structures() {
  // A rebuild covers what the file holds; references far beyond it are errors, not data.
  if (!beyond_.empty()) {
    uint64_t end = beyond_.rbegin()->first + 1;
    if (end - refs_.size() > (uint64_t{1} << 24)) return -EFBIG;
    refs_.resize(end, 0);
    for (const auto &kv : beyond_) refs_[kv.first] = kv.second;
    beyond_.clear();
  }
  n_->refcounts_->cache().clear();
  std::vector<uint64_t> reftable;
  bool grown = false;
  int r = write_refblocks(0, refs_.size(), &reftable, &grown);
  if (r < 0) return r;
  uint64_t table_offset = 0, table_clusters = 0;
  for (;;) {
    uint64_t bytes = std::max<uint64_t>(reftable.size() * 8, 8);
    table_clusters = (bytes + n_->cluster_size_ - 1) >> n_->cluster_bits_;
    uint64_t first_free = 0;
    uint64_t start = alloc_in_memory(table_clusters, &first_free);
    table_offset = start << n_->cluster_bits_;
    r = write_refblocks(start, start + table_clusters, &reftable, &grown);
    if (r < 0) return r;
    if (!grown) break;
    for (uint64_t c = start; c < start + table_clusters; c++) refs_[c] = 0;
  }
  reftable.resize(table_clusters << (n_->cluster_bits_ - 3), 0);
  std::vector<uint8_t> raw(reftable.size() * 8);
  for (size_t i = 0; i < reftable.size(); i++) put64(&raw[i * 8], reftable[i]);
  r = n_->file_->pwrite(table_offset, raw.data(), raw.size(), 0);
  if (r < 0) return r;
  r = n_->file_->flush();
  if (r < 0) return r;
  r = n_->write_reftable_location(table_offset, static_cast<uint32_t>(table_clusters));
  if (r < 0) return r;
  r = n_->refcounts_->load_table(table_offset, static_cast<uint32_t>(table_clusters));
  if (r < 0) return r;
  n_->refcounts_->reset_free_hint();
  n_->refcounts_->forget_byte_allocation();
  return 0;
}

int Checker::check_copied(unsigned fix) {
  bool repair = (fix & kFixErrors) ||
                ((fix & kFixLeaks) && !res_->check_errors && !res_->corruptions && !res_->leaks);
  const L2Geometry &g = n_->geo_;
  for (size_t i = 0; i < n_->l1_.size(); i++) {
    uint64_t l1e = n_->l1_[i];
    uint64_t l2 = l1e & kOffsetMask;
    if (!l2) continue;
    uint64_t rc = 0;
    if (n_->refcounts_->get(l2 >> n_->cluster_bits_, &rc) < 0) continue;
    if ((rc == 1) != ((l1e & kOflagCopied) != 0)) {
      res_->corruptions++;
      fprintf(stderr, "%s OFLAG_COPIED L2 cluster: l1_index=%d l1_entry=%llx refcount=%llu\n",
              repair ? "Repairing" : "ERROR", static_cast<int>(i),
              static_cast<unsigned long long>(l1e), static_cast<unsigned long long>(rc));
      if (repair) {
        n_->l1_[i] = rc == 1 ? (l1e | kOflagCopied) : (l1e & ~kOflagCopied);
        if (n_->write_l1_entry(i) < 0) {
          res_->check_errors++;
          return -EIO;
        }
        res_->corruptions--;
        res_->corruptions_fixed++;
      }
    }
    n_->l2_cache_->discard(l2);
    std::vector<uint8_t> table(n_->cluster_size_);
    if (n_->file_->pread(l2, table.data(), table.size()) < 0) {
      fprintf(stderr, "ERROR: Could not read L2 table: %s\n", strerror(EIO));
      res_->check_errors++;
      return -EIO;
    }
    int dirty = 0;
    for (uint64_t j = 0; j < g.l2_entries(); j++) {
      L2Entry e = load_l2(table.data(), j, g);
      if (!entry_has_host(e.entry, g)) continue;
      uint64_t drc = 1;
      if (!n_->data_file_ &&
          n_->refcounts_->get(host_offset(e.entry) >> n_->cluster_bits_, &drc) < 0)
        continue;
      if ((drc == 1) != ((e.entry & kOflagCopied) != 0)) {
        res_->corruptions++;
        fprintf(stderr, "%s OFLAG_COPIED data cluster: l2_entry=%llx refcount=%llu\n",
                repair ? "Repairing" : "ERROR", static_cast<unsigned long long>(e.entry),
                static_cast<unsigned long long>(drc));
        if (repair) {
          e.entry = drc == 1 ? (e.entry | kOflagCopied) : (e.entry & ~kOflagCopied);
          store_l2(table.data(), j, g, e);
          dirty++;
        }
      }
    }
    if (dirty) {
      if (n_->file_->pwrite(l2, table.data(), table.size(), 0) < 0) {
        res_->check_errors++;
        return -EIO;
      }
      res_->corruptions -= dirty;
      res_->corruptions_fixed += dirty;
    }
  }
  return 0;
}

int Checker::run(unsigned fix) {
  fix_ = fix;
  int64_t flen = n_->file_->length();
  if (flen < 0) {
    res_->check_errors++;
    return static_cast<int>(flen);
  }
  nb_clusters_ = (static_cast<uint64_t>(flen) + n_->cluster_size_ - 1) >> n_->cluster_bits_;
  file_len_ = (static_cast<uint64_t>(flen) + 511) & ~uint64_t{511};
  if (nb_clusters_ > (uint64_t{1} << 28)) {  // as QEMU, a bound on what check will hold
    res_->check_errors++;
    return -EFBIG;
  }
  res_->has_cluster_stats = true;
  res_->total_clusters =
      static_cast<int64_t>((n_->size_ + n_->cluster_size_ - 1) >> n_->cluster_bits_);
  int r = n_->flush_metadata();
  if (r < 0 && !fix) r = 0;

  bool rebuild = false;
  r = calculate(&rebuild);
  if (r < 0) return r;
  CheckResult pre = *res_;
  int64_t highest = -1;
  compare(0, &rebuild, &highest);

  if (rebuild && (fix & kFixErrors)) {
    CheckResult old = *res_;
    fprintf(stderr, "Rebuilding refcount structure\n");
    r = rebuild_structures();
    if (r < 0) {
      res_->check_errors++;
      return r;
    }
    res_->corruptions = 0;
    res_->leaks = 0;
    rebuild = false;
    nb_clusters_ = std::max<uint64_t>(nb_clusters_, ref_end());
    if (int64_t grown = n_->file_->length(); grown > 0)  // the new structures may extend it
      file_len_ = std::max(file_len_, (static_cast<uint64_t>(grown) + 511) & ~uint64_t{511});
    file_len_ = std::max(file_len_, nb_clusters_ << n_->cluster_bits_);
    r = calculate(&rebuild);
    if (r < 0) return r;
    int fresh_leaks = 0;
    if (fix & kFixLeaks) {
      CheckResult saved = *res_;
      *res_ = CheckResult{};
      compare(kFixLeaks, &rebuild, &highest);
      if (rebuild) fprintf(stderr, "ERROR rebuilt refcount structure is still broken\n");
      fresh_leaks = res_->leaks;
      *res_ = saved;
    }
    if (res_->corruptions < old.corruptions)
      res_->corruptions_fixed += old.corruptions - res_->corruptions;
    if (res_->leaks < old.leaks) res_->leaks_fixed += old.leaks - res_->leaks;
    res_->leaks += fresh_leaks;
  } else if (fix) {
    if (rebuild) {
      fprintf(stderr, "ERROR need to rebuild refcount structures\n");
      res_->check_errors++;
      return -EIO;
    }
    if (res_->leaks || res_->corruptions) {
      *res_ = pre;
      highest = -1;
      compare(fix, &rebuild, &highest);
    }
  }
  r = check_copied(fix);
  if (r < 0) return r;
  res_->image_end_offset = (highest + 1) << n_->cluster_bits_;
  r = n_->process_discards();
  if (r < 0) return r;
  return n_->flush_metadata();
}

int Qcow2Node::check(CheckResult *result, unsigned fix) {
  std::unique_lock<std::mutex> g(lock_, std::defer_lock);
  // do_open calls check while opening a dirty image; the lock is free then.
  g.lock();
  if (fix && !writable_) return -EACCES;
  if (snapshot_table_errno_) {
    error_report("ERROR {}", snapshot_table_error_);
    if (!snapshot_table_hint_.empty()) fprintf(stderr, "%s\n", snapshot_table_hint_.c_str());
    return -snapshot_table_errno_;
  }
  // Snapshot entries without their v3 extra data (rewriting the table completes them).
  bool rewrite_snapshots = false;
  for (size_t i = 0; i < snapshots_.size(); i++) {
    if (!snapshots_[i].incomplete) continue;
    fprintf(stderr, "%s snapshot table entry %zu is incomplete\n",
            (fix & kFixErrors) ? "Repairing" : "ERROR", i);
    if (fix & kFixErrors) {
      rewrite_snapshots = true;
      snapshots_[i].incomplete = false;
      result->corruptions_fixed++;
    } else {
      result->corruptions++;
    }
  }
  Checker c(this, result);
  int r = c.run(fix);
  if (r < 0) return r;
  if (rewrite_snapshots) {  // after the refcounts are right, as QEMU writes it
    r = write_snapshot_table(snapshots_);
    if (r < 0) return r;
  }
  if (fix && writable_ && result->check_errors == 0 && result->corruptions == 0) {
    bool changed = false;
    if (header_.incompatible_features & (kIncompatDirty | kIncompatCorrupt)) {
      header_.incompatible_features &= ~uint64_t{kIncompatDirty | kIncompatCorrupt};
      changed = true;
      dirty_marked_ = false;
    }
    if (changed) {
      r = write_header();
      if (r < 0) return r;
      r = file_->flush();
    }
  }
  return r;
}

}  // namespace qemu::block::qcow2
