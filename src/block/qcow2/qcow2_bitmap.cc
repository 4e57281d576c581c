// Persistent dirty bitmaps of qcow2 nodes, as QEMU 7.2 keeps them:
//   open    the directory is read and validated, every bitmap loaded; a writer then flags
//           the loaded bitmaps "in use" on disk (directory rewritten in place, the autoclear
//           bit dropped around the rewrite);
//   writes  enabled bitmaps mark the granules each write, zero write or discard touches;
//   close   every bitmap is stored anew: data clusters (only those with a dirty bit), then
//           its table, for each bitmap in directory order; then a new directory, the header,
//           and only then are the old directory, tables and data freed;
//   remove  takes the bitmap out of the directory at once (new directory, then frees).
// Allocation goes through the node's Refcounts in exactly this order so the files we write
// are byte-identical to QEMU's.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {
namespace {

// Hostile images may describe far more bitmap data than any real image: refuse to load more
// than this (QEMU would try, and abort when the allocation fails).
constexpr uint64_t kLoadTableEntriesBudget = uint64_t{1} << 27;
constexpr uint64_t kLoadMemoryBudget = uint64_t{1} << 30;

const char *kInconsistentHint = "Try block-dirty-bitmap-remove to delete this bitmap from disk\n";

Error inconsistent_error(const std::string &name) {
  Error e = Error::make("Bitmap '{}' is inconsistent and cannot be used", name);
  e.hint = kInconsistentHint;
  return e;
}

int ctz32(uint32_t v) {
  return v ? __builtin_ctz(v) : 32;
}

}  // namespace

// The node's bitmap operations that touch the image (a friend of Qcow2Node). Callers hold the
// node's lock_.
class BitmapStore {
 public:
  explicit BitmapStore(Qcow2Node &n) : n_(n) {}

  // Reads and checks a bitmap table.
  int read_table(const BitmapDirEntry &e, std::vector<uint64_t> *t) {
    t->assign(e.table_size, 0);
    std::vector<uint8_t> raw(uint64_t{e.table_size} * 8);
    int r = read_file(e.table_offset, raw.data(), raw.size());
    if (r < 0) return r;
    for (uint32_t i = 0; i < e.table_size; i++) {
      (*t)[i] = be64(&raw[uint64_t{i} * 8]);
      if (!bitmap_table_entry_valid((*t)[i], n_.cluster_size_)) return -EINVAL;
    }
    return 0;
  }

  // Loads a bitmap's data from its table (load_bitmap_data). other_memory: what the bitmaps
  // loaded before this one hold (the budget is shared).
  int load_data(const std::vector<uint64_t> &t, DirtyBitmap *bm, uint64_t other_memory) {
    const uint64_t cs = n_.cluster_size_;
    if (t.size() != bitmap_table_entries(bm->size(), bm->granularity_bits(), cs) ||
        t.size() > kBitmapMaxTableSize)
      return -EINVAL;
    const uint64_t bits_per_cluster = cs * 8;
    std::vector<uint8_t> buf(cs);
    for (uint64_t i = 0; i < t.size(); i++) {
      uint64_t first = i * bits_per_cluster;
      if (first >= bm->nbits()) break;
      uint64_t count = std::min(bits_per_cluster, bm->nbits() - first);
      uint64_t off = t[i] & kBitmapTableOffsetMask;
      if (!off) {
        if (t[i] & kBitmapTableAllOnes) bm->set_bits(first, count);
        continue;
      }
      if (zero_clusters_.count(off)) continue;
      int r = read_file(off, buf.data(), cs);
      if (r < 0) return r;
      if (std::all_of(buf.begin(), buf.end(), [](uint8_t b) { return b == 0; })) {
        zero_clusters_.insert(off);
        continue;
      }
      bm->deserialize(first, count, buf.data());
      if (other_memory + bm->memory_bytes() > kLoadMemoryBudget) return -ENOMEM;
    }
    return 0;
  }

  // Stores a bitmap: its dirty data clusters, then its table (store_bitmap).
  int store_bitmap(BitmapDirEntry *e, const MemBitmap &bm, Error *err) {
    const uint64_t cs = n_.cluster_size_;
    const DirtyBitmap &bits = bm.bits;
    uint64_t tb_size = bitmap_table_entries(bits.size(), bits.granularity_bits(), cs);
    if (tb_size > kBitmapMaxTableSize || tb_size * cs > kBitmapMaxPhysSize) {
      *err = Error::make("Bitmap '{}' is too big", bm.name);
      return -EINVAL;
    }
    std::vector<uint64_t> tb(tb_size, 0);
    auto fail = [&](int r) {
      for (uint64_t x : tb)
        if (x) n_.refcounts_->free_clusters(x, cs, DiscardType::kAlways);
      return r;
    };
    const uint64_t bits_per_cluster = cs * 8;
    std::vector<uint8_t> buf(cs);
    for (uint64_t pos = bits.next_set(0); pos < bits.nbits();) {
      uint64_t ci = pos / bits_per_cluster;
      uint64_t first = ci * bits_per_cluster;
      uint64_t count = std::min(bits_per_cluster, bits.nbits() - first);
      int64_t off = n_.refcounts_->alloc_clusters(cs);
      if (off < 0) {
        *err = Error::make("Failed to allocate clusters for bitmap '{}': {}", bm.name,
                           strerror(static_cast<int>(-off)));
        return fail(static_cast<int>(off));
      }
      tb[ci] = static_cast<uint64_t>(off);
      memset(buf.data(), 0, cs);
      bits.serialize(first, count, buf.data());
      int r = write_checked(static_cast<uint64_t>(off), buf.data(), cs);
      if (r < 0) {
        *err = r == -EIO
                   ? Error::make("Qcow2 overlap check failed: {}", strerror(-r))
                   : Error::make("Failed to write bitmap '{}' to file: {}", bm.name, strerror(-r));
        return fail(r);
      }
      pos = bits.next_set(first + count);
    }
    int64_t tb_off = n_.refcounts_->alloc_clusters(tb_size * 8);
    if (tb_off < 0) {
      *err = Error::make("Failed to allocate clusters for bitmap '{}': {}", bm.name,
                         strerror(static_cast<int>(-tb_off)));
      return fail(static_cast<int>(tb_off));
    }
    std::vector<uint8_t> raw(tb_size * 8);
    for (uint64_t i = 0; i < tb_size; i++) put64(&raw[i * 8], tb[i]);
    int r = write_checked(static_cast<uint64_t>(tb_off), raw.data(), raw.size());
    if (r < 0) {
      *err = Error::make("Failed to write bitmap '{}' to file: {}", bm.name, strerror(-r));
      n_.refcounts_->free_clusters(static_cast<uint64_t>(tb_off), tb_size * 8, DiscardType::kOther);
      return fail(r);
    }
    e->table_offset = static_cast<uint64_t>(tb_off);
    e->table_size = static_cast<uint32_t>(tb_size);
    return 0;
  }

  // Frees a bitmap's data clusters and table (free_bitmap_clusters); a table that cannot be
  // read leaks, as in QEMU.
  void free_bitmap(uint64_t table_offset, uint32_t table_size) {
    if (!table_offset || !table_size) return;
    BitmapDirEntry e;
    e.table_offset = table_offset;
    e.table_size = table_size;
    std::vector<uint64_t> t;
    if (read_table(e, &t) < 0) return;
    for (uint64_t x : t) {
      uint64_t off = x & kBitmapTableOffsetMask;
      if (off) n_.refcounts_->free_clusters(off, n_.cluster_size_, DiscardType::kAlways);
    }
    n_.refcounts_->free_clusters(table_offset, uint64_t{table_size} * 8, DiscardType::kOther);
  }

  // Writes a new directory for `list` and points the header at it, then frees the old one
  // (update_ext_header_and_dir). An empty list drops the extension and the autoclear bit.
  int update_directory(const std::vector<BitmapDirEntry> &list) {
    Header &h = n_.header_;
    Header saved = h;
    uint64_t old_offset = h.has_bitmaps_ext ? h.bitmaps.directory_offset : 0;
    uint64_t old_size = h.has_bitmaps_ext ? h.bitmaps.directory_size : 0;
    int64_t new_offset = 0;
    if (!list.empty()) {
      if (list.size() > kMaxBitmaps) return -EINVAL;
      std::vector<uint8_t> dir = serialize_bitmap_directory(list);
      if (dir.empty() || dir.size() > kMaxBitmapDirectorySize) return -EINVAL;
      for (const auto &e : list)
        if (!bitmap_dir_entry_valid(e, n_.size_, n_.cluster_size_)) return -EINVAL;
      new_offset = n_.refcounts_->alloc_clusters(dir.size());
      if (new_offset < 0) return static_cast<int>(new_offset);
      int r = write_checked(static_cast<uint64_t>(new_offset), dir.data(), dir.size());
      if (r == 0) r = n_.flush_metadata();
      if (r < 0) {
        n_.refcounts_->free_clusters(static_cast<uint64_t>(new_offset), dir.size(),
                                     DiscardType::kOther);
        return r;
      }
      h.autoclear_features |= kAutoclearBitmaps;
      h.has_bitmaps_ext = true;
      h.bitmaps.nb_bitmaps = static_cast<uint32_t>(list.size());
      h.bitmaps.directory_size = dir.size();
      h.bitmaps.directory_offset = static_cast<uint64_t>(new_offset);
      h.bitmaps.reserved = 0;
    } else {
      h.autoclear_features &= ~uint64_t{kAutoclearBitmaps};
      h.has_bitmaps_ext = false;
      h.bitmaps = BitmapsExtension{};
    }
    int r = write_header_sync();
    if (r < 0) {
      if (new_offset > 0)
        n_.refcounts_->free_clusters(static_cast<uint64_t>(new_offset), h.bitmaps.directory_size,
                                     DiscardType::kOther);
      h.autoclear_features = saved.autoclear_features;
      h.has_bitmaps_ext = saved.has_bitmaps_ext;
      h.bitmaps = saved.bitmaps;
      return r;
    }
    if (old_size > 0) n_.refcounts_->free_clusters(old_offset, old_size, DiscardType::kOther);
    n_.bitmaps_.disk = list;
    return 0;
  }

  // Rewrites the directory where it is (only flags change), with the autoclear bit dropped
  // while it is being written (update_ext_header_and_dir_in_place).
  int update_directory_in_place(const std::vector<BitmapDirEntry> &list) {
    Header &h = n_.header_;
    if (!(h.autoclear_features & kAutoclearBitmaps) || list.empty() ||
        list.size() != h.bitmaps.nb_bitmaps)
      return -EINVAL;
    h.autoclear_features &= ~uint64_t{kAutoclearBitmaps};
    int r = write_header_sync();
    if (r < 0) return r;
    std::vector<uint8_t> dir = serialize_bitmap_directory(list);
    if (dir.size() != h.bitmaps.directory_size || h.bitmaps.directory_offset == 0) return -EINVAL;
    for (const auto &e : list)
      if (!bitmap_dir_entry_valid(e, n_.size_, n_.cluster_size_)) return -EINVAL;
    r = n_.file_->pwrite(h.bitmaps.directory_offset, dir.data(), dir.size(), 0);
    if (r < 0) return r;
    h.autoclear_features |= kAutoclearBitmaps;
    n_.bitmaps_.disk = list;
    return write_header_sync();
  }

 private:
  int write_header_sync() {
    int r = n_.write_header();
    return r < 0 ? r : n_.file_->flush();
  }

  // Reads from the image file; what lies past its end reads as zeroes without any I/O.
  int read_file(uint64_t offset, uint8_t *buf, uint64_t len) {
    int64_t flen = n_.file_->length();
    if (flen < 0) return static_cast<int>(flen);
    uint64_t end = static_cast<uint64_t>(flen);
    uint64_t n = offset >= end ? 0 : std::min(len, end - offset);
    if (n < len) memset(buf + n, 0, len - n);
    return n ? n_.file_->pread(offset, buf, n) : 0;
  }

  // Writes newly allocated metadata, refusing to overwrite other metadata (as QEMU's overlap
  // check, which marks the image corrupt).
  int write_checked(uint64_t offset, const uint8_t *buf, uint64_t len) {
    if (n_.overlaps_metadata(offset, len))
      return n_.mark_corrupt(fmt::format(
          "Preventing invalid write on metadata (overlaps with bitmap data) at {:#x}", offset));
    return n_.file_->pwrite(offset, buf, len, 0);
  }

  Qcow2Node &n_;
  std::unordered_set<uint64_t> zero_clusters_;
};

// ---- open and close ----

bool Qcow2Node::load_bitmaps(Error *err) {
  Header &h = header_;
  bool update_header = false;
  // An extension without the autoclear bit: a program that does not know bitmaps wrote the
  // image since, so they are all stale. QEMU ignores them (and a writer drops the extension).
  if (h.has_bitmaps_ext && !(h.autoclear_features & kAutoclearBitmaps)) {
    Error w;
    w.msg = h.version < 3
                ? "This qcow2 v2 image contains bitmaps, but they may have been modified by a "
                  "program without persistent bitmap support; so now they must all be "
                  "considered inconsistent"
                : "a program lacking bitmap support modified this file, so all bitmaps are now "
                  "considered inconsistent";
    w.hint = "Some clusters may be leaked, run 'qemu-img check -r' on the image file to fix.";
    warn_report_err(w);
    h.has_bitmaps_ext = false;
    h.bitmaps = BitmapsExtension{};
    update_header = true;
  }
  // Writers clear the autoclear bits they do not know.
  if (h.autoclear_features & ~uint64_t{kAutoclearKnown}) update_header = true;
  update_header = update_header && writable_;
  if (update_header) h.autoclear_features &= kAutoclearKnown;

  bool header_updated = false;
  if (h.has_bitmaps_ext && h.bitmaps.nb_bitmaps) {
    BitmapStore store(*this);
    std::vector<uint8_t> dir;
    if (h.bitmaps.directory_size && h.bitmaps.directory_size <= kMaxBitmapDirectorySize) {
      dir.resize(h.bitmaps.directory_size);
      int64_t flen = file_->length();
      uint64_t off = h.bitmaps.directory_offset;
      uint64_t n = flen < 0 || off >= static_cast<uint64_t>(flen)
                       ? 0
                       : std::min<uint64_t>(dir.size(), static_cast<uint64_t>(flen) - off);
      int r = n ? file_->pread(off, dir.data(), n) : 0;
      if (r < 0) {
        *err = Error::make("Failed to read bitmap directory: {}", strerror(-r));
        return false;
      }
    }
    std::vector<BitmapDirEntry> list;
    if (!parse_bitmap_directory(dir.data(), h.bitmaps.directory_size, h.bitmaps.nb_bitmaps, size_,
                                cluster_size_, &list, err))
      return false;
    const std::vector<BitmapDirEntry> as_read = list;
    bool needs_update = false;
    uint64_t table_entries = 0, memory = 0;
    std::vector<std::unique_ptr<MemBitmap>> loaded;
    auto find_loaded = [&](const std::string &name) {
      for (auto &b : loaded)
        if (b->name == name) return true;
      return false;
    };
    for (BitmapDirEntry &e : list) {
      if ((e.flags & kBitmapFlagInUse) && find_loaded(e.name)) continue;
      if (find_loaded(e.name)) {
        *err = Error::make("Bitmap already exists: {}", e.name);
        return false;
      }
      auto bm = std::make_unique<MemBitmap>(e.name, size_, e.granularity_bits);
      if (e.flags & kBitmapFlagInUse) {
        bm->inconsistent = true;
      } else {
        std::vector<uint64_t> table;
        table_entries += e.table_size;
        int r = table_entries > kLoadTableEntriesBudget ? -ENOMEM : store.read_table(e, &table);
        if (r < 0) {
          *err = Error::make("Could not read bitmap_table table from image for bitmap '{}': {}",
                             e.name, strerror(-r));
          return false;
        }
        r = store.load_data(table, &bm->bits, memory);
        memory += bm->bits.memory_bytes();
        if (r < 0) {
          *err = Error::make("Could not read bitmap '{}' from image: {}", e.name, strerror(-r));
          return false;
        }
        e.flags |= kBitmapFlagInUse;
        needs_update = true;
      }
      bm->enabled = e.flags & kBitmapFlagAuto;
      bm->readonly = !writable_;
      loaded.push_back(std::move(bm));
    }
    if (needs_update && writable_) {
      int r = store.update_directory_in_place(list);
      if (r < 0) {
        *err = Error::make("Can't update bitmap directory: {}", strerror(-r));
        return false;
      }
      header_updated = true;
    } else {
      bitmaps_.disk = as_read;  // nothing written: the directory is as read
    }
    std::lock_guard<std::mutex> g(bitmaps_.mu);
    bitmaps_.list = std::move(loaded);
    bitmaps_.update_tracking();
  }
  if (update_header && !header_updated) {
    int r = write_header();
    if (r < 0) {
      *err = Error::make("Could not update qcow2 header: {}", strerror(-r));
      return false;
    }
  }
  return true;
}

namespace {

// check_constraints_on_bitmap: whether a bitmap of this granularity and name can be stored.
bool check_constraints(const std::string &name, uint32_t granularity, uint64_t image_size,
                       uint64_t cluster_size, Error *err) {
  int gbits = ctz32(granularity);
  if (gbits > kBitmapMaxGranularityBits) {
    *err = Error::make("Granularity exceeds maximum ({} bytes)",
                       uint64_t{1} << kBitmapMaxGranularityBits);
    return false;
  }
  if (gbits < kBitmapMinGranularityBits) {
    *err = Error::make("Granularity is under minimum ({} bytes)",
                       uint64_t{1} << kBitmapMinGranularityBits);
    return false;
  }
  uint64_t bits = image_size ? ((image_size - 1) >> gbits) + 1 : 0;
  uint64_t bytes = (bits + 7) / 8;
  if (bytes > kBitmapMaxPhysSize ||
      (bytes + cluster_size - 1) / cluster_size > kBitmapMaxTableSize) {
    *err = Error::make("Too much space will be occupied by the bitmap. Use larger granularity");
    return false;
  }
  if (name.size() > kBitmapMaxNameSize) {
    *err = Error::make("Name length exceeds maximum ({} characters)", kBitmapMaxNameSize);
    return false;
  }
  return true;
}

}  // namespace

// qcow2_store_persistent_dirty_bitmaps: on close.
void Qcow2Node::store_bitmaps_on_close() {
  std::lock_guard<std::mutex> g(bitmaps_.mu);
  std::vector<BitmapDirEntry> list = bitmaps_.disk;
  std::vector<const MemBitmap *> owner(list.size(), nullptr);
  std::vector<std::pair<uint64_t, uint32_t>> drop;
  uint64_t nb = list.size();
  uint64_t dir_size = header_.has_bitmaps_ext ? header_.bitmaps.directory_size : 0;
  bool need_write = false;
  Error err;
  auto find = [&](const std::string &name) -> int64_t {
    for (size_t i = 0; i < list.size(); i++)
      if (list[i].name == name) return static_cast<int64_t>(i);
    return -1;
  };
  bool ok = true;
  // QEMU walks its bitmaps newest first; bitmaps new to the image are appended in that order.
  for (auto it = bitmaps_.list.rbegin(); it != bitmaps_.list.rend() && ok; ++it) {
    const MemBitmap &bm = **it;
    if (!bm.persistent || bm.inconsistent || bm.readonly) continue;
    need_write = true;
    Error cerr;
    if (!check_constraints(bm.name, uint32_t{1} << bm.granularity_bits, size_, cluster_size_,
                           &cerr)) {
      err = Error::make("Bitmap '{}' doesn't satisfy the constraints: {}", bm.name, cerr.msg);
      ok = false;
      break;
    }
    int64_t i = find(bm.name);
    if (i < 0) {
      if (++nb > kMaxBitmaps) {
        err = Error::make("Too many persistent bitmaps");
        ok = false;
        break;
      }
      dir_size += bitmap_dir_entry_size(bm.name.size(), 0);
      if (dir_size > kMaxBitmapDirectorySize) {
        err = Error::make("Bitmap directory is too large");
        ok = false;
        break;
      }
      BitmapDirEntry e;
      e.name = bm.name;
      list.push_back(std::move(e));
      owner.push_back(nullptr);
      i = static_cast<int64_t>(list.size() - 1);
    } else {
      if (!(list[i].flags & kBitmapFlagInUse)) {
        err = Error::make("Bitmap '{}' already exists in the image", bm.name);
        ok = false;
        break;
      }
      drop.emplace_back(list[i].table_offset, list[i].table_size);
      list[i].table_offset = 0;
      list[i].table_size = 0;
    }
    list[i].flags = bm.enabled ? kBitmapFlagAuto : 0;
    list[i].granularity_bits = static_cast<uint8_t>(bm.granularity_bits);
    owner[i] = &bm;
  }
  if (ok && !need_write) return;
  if (ok && !writable_) {
    err = Error::make("No write access");
    ok = false;
  }
  BitmapStore store(*this);
  for (size_t i = 0; ok && i < list.size(); i++) {
    if (owner[i] && store.store_bitmap(&list[i], *owner[i], &err) < 0) ok = false;
  }
  if (ok) {
    int r = store.update_directory(list);
    if (r < 0) {
      err = Error::make("Failed to update bitmap extension: {}", strerror(-r));
      ok = false;
    }
  }
  if (ok) {
    for (const auto &[off, sz] : drop) store.free_bitmap(off, sz);
  } else {
    for (size_t i = 0; i < list.size(); i++)
      if (owner[i] && list[i].table_offset)
        store.free_bitmap(list[i].table_offset, list[i].table_size);
    error_report("Lost persistent bitmaps during inactivation of node '{}': {}", node_name_,
                 err.msg);
  }
  process_discards();
}

// ---- dirty tracking and resize ----

void Qcow2Node::bitmaps_mark_dirty(uint64_t offset, uint64_t bytes) {
  if (!bytes || !bitmaps_.tracking.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> g(bitmaps_.mu);
  for (auto &b : bitmaps_.list)
    if (b->enabled && !b->readonly && !b->inconsistent) b->bits.set_bytes(offset, bytes);
}

int Qcow2Node::bitmaps_check_resize(Error *err) {
  // qcow2_truncate_bitmaps_check: every stored bitmap must be in memory and usable.
  std::lock_guard<std::mutex> g(bitmaps_.mu);
  for (const BitmapDirEntry &e : bitmaps_.disk) {
    MemBitmap *bm = bitmaps_.find(e.name);
    if (!bm) {
      *err = Error::make(
          "Cannot resize qcow2 with persistent bitmaps that were not loaded into memory");
      return -ENOTSUP;
    }
    if (bm->readonly) {
      *err = Error::make("Bitmap '{}' is readonly and cannot be modified", bm->name);
      return -ENOTSUP;
    }
    if (bm->inconsistent) {
      *err = inconsistent_error(bm->name);
      return -ENOTSUP;
    }
  }
  return 0;
}

void Qcow2Node::bitmaps_resized() {
  std::lock_guard<std::mutex> g(bitmaps_.mu);
  for (auto &b : bitmaps_.list) b->bits.resize(size_);
}

// ---- the Node interface ----

int Qcow2Node::bitmap_list(std::vector<BitmapInfo> *out) {
  std::lock_guard<std::mutex> g(lock_);
  std::lock_guard<std::mutex> g2(bitmaps_.mu);
  out->clear();
  for (auto it = bitmaps_.list.rbegin(); it != bitmaps_.list.rend(); ++it) {
    BitmapInfo i;
    i.name = (*it)->name;
    i.granularity = uint32_t{1} << (*it)->granularity_bits;
    i.in_use = (*it)->inconsistent;
    i.enabled = (*it)->enabled;
    i.persistent = (*it)->persistent;
    i.readonly = (*it)->readonly;
    out->push_back(std::move(i));
  }
  return 0;
}

int Qcow2Node::bitmap_add(const std::string &name, const BitmapAddOptions &opts, Error *err) {
  if (!check_bitmap_add_args(name, opts, err)) return -EINVAL;
  uint32_t granularity =
      opts.granularity ? *opts.granularity
                       : static_cast<uint32_t>(std::clamp<uint64_t>(cluster_size_, 4096, 65536));
  std::lock_guard<std::mutex> g(lock_);
  std::lock_guard<std::mutex> g2(bitmaps_.mu);
  if (opts.persistent) {
    // bdrv_can_store_new_dirty_bitmap
    if (bitmaps_.find(name)) {
      *err = Error::make("Bitmap already exists: {}", name);
      return -EEXIST;
    }
    std::string prefix =
        fmt::format("Can't make bitmap '{}' persistent in '{}': ", name, node_name_);
    Error cerr;
    if (header_.version < 3) {
      *err = Error::make("{}Cannot store dirty bitmaps in qcow2 v2 files", prefix);
      return -ENOTSUP;
    }
    if (!check_constraints(name, granularity, size_, cluster_size_, &cerr)) {
      *err = Error::make("{}{}", prefix, cerr.msg);
      return -EINVAL;
    }
    uint64_t nb = 1, dir_size = bitmap_dir_entry_size(name.size(), 0);
    for (auto &b : bitmaps_.list) {
      if (!b->persistent) continue;
      nb++;
      dir_size += bitmap_dir_entry_size(b->name.size(), 0);
    }
    if (nb > kMaxBitmaps) {
      *err = Error::make("{}Maximum number of persistent bitmaps is already reached", prefix);
      return -EINVAL;
    }
    if (dir_size > kMaxBitmapDirectorySize) {
      *err = Error::make("{}Not enough space in the bitmap directory", prefix);
      return -EINVAL;
    }
  }
  // bdrv_create_dirty_bitmap
  if (bitmaps_.find(name)) {
    *err = Error::make("Bitmap already exists: {}", name);
    return -EEXIST;
  }
  if (name.size() > kBitmapMaxNameSize) {
    *err = Error::make("Bitmap name too long: {}", name);
    return -EINVAL;
  }
  auto bm = std::make_unique<MemBitmap>(name, size_, ctz32(granularity));
  bm->enabled = !opts.disabled;
  bm->persistent = opts.persistent;
  bitmaps_.list.push_back(std::move(bm));
  bitmaps_.update_tracking();
  return 0;
}

namespace {

int not_found(const std::string &name, Error *err) {
  *err = Error::make("Dirty bitmap '{}' not found", name);
  return -ENOENT;
}

// bdrv_dirty_bitmap_check with BDRV_BITMAP_DEFAULT (readonly, inconsistent) or
// BDRV_BITMAP_ALLOW_RO (inconsistent).
bool usable(const MemBitmap &b, bool allow_ro, Error *err) {
  if (!allow_ro && b.readonly) {
    *err = Error::make("Bitmap '{}' is readonly and cannot be modified", b.name);
    return false;
  }
  if (b.inconsistent) {
    *err = inconsistent_error(b.name);
    return false;
  }
  return true;
}

}  // namespace

int Qcow2Node::bitmap_remove(const std::string &name, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  MemBitmap *bm;
  {
    std::lock_guard<std::mutex> g2(bitmaps_.mu);
    bm = bitmaps_.find(name);
    if (!bm) return not_found(name, err);
    if (bm->readonly) {
      *err = Error::make("Bitmap '{}' is readonly and cannot be modified", name);
      return -EPERM;
    }
  }
  if (bm->persistent && !bitmaps_.disk.empty()) {
    // Out of the image at once (qcow2_co_remove_persistent_dirty_bitmap).
    std::vector<BitmapDirEntry> list = bitmaps_.disk;
    for (size_t i = 0; i < list.size(); i++) {
      if (list[i].name != name) continue;
      BitmapDirEntry gone = list[i];
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      BitmapStore store(*this);
      int r = store.update_directory(list);
      if (r < 0) {
        *err = Error::make("Failed to update bitmap extension: {}", strerror(-r));
        return r;
      }
      store.free_bitmap(gone.table_offset, gone.table_size);
      process_discards();
      break;
    }
  }
  std::lock_guard<std::mutex> g2(bitmaps_.mu);
  for (auto it = bitmaps_.list.begin(); it != bitmaps_.list.end(); ++it) {
    if (it->get() == bm) {
      bitmaps_.list.erase(it);
      break;
    }
  }
  bitmaps_.update_tracking();
  return 0;
}

int Qcow2Node::bitmap_clear(const std::string &name, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  std::lock_guard<std::mutex> g2(bitmaps_.mu);
  MemBitmap *bm = bitmaps_.find(name);
  if (!bm) return not_found(name, err);
  if (!usable(*bm, false, err)) return -EINVAL;
  bm->bits.clear();
  return 0;
}

int Qcow2Node::bitmap_enable(const std::string &name, bool enable, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  std::lock_guard<std::mutex> g2(bitmaps_.mu);
  MemBitmap *bm = bitmaps_.find(name);
  if (!bm) return not_found(name, err);
  if (!usable(*bm, true, err)) return -EINVAL;
  bm->enabled = enable;
  bitmaps_.update_tracking();
  return 0;
}

int Qcow2Node::bitmap_merge(const std::string &name, Node *src_node, const std::string &src_name,
                            Error *err) {
  {
    std::lock_guard<std::mutex> g(lock_);
    std::lock_guard<std::mutex> g2(bitmaps_.mu);
    if (!bitmaps_.find(name)) return not_found(name, err);
  }
  // The source (possibly this node): looked up without holding our locks.
  std::vector<BitmapInfo> src_list;
  int r = src_node->bitmap_list(&src_list);
  if (r < 0) return r;
  const BitmapInfo *src = nullptr;
  for (const BitmapInfo &b : src_list)
    if (b.name == src_name) src = &b;
  if (!src) return not_found(src_name, err);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  Error rerr;
  int rr = src->in_use ? 0 : src_node->bitmap_dirty_ranges(src_name, &ranges, &rerr);
  int64_t src_size = src_node->length();

  std::lock_guard<std::mutex> g(lock_);
  std::lock_guard<std::mutex> g2(bitmaps_.mu);
  MemBitmap *dst = bitmaps_.find(name);
  if (!dst) return not_found(name, err);
  if (!usable(*dst, false, err)) return -EINVAL;
  if (src->in_use) {
    *err = inconsistent_error(src_name);
    return -EINVAL;
  }
  if (src_size < 0) return static_cast<int>(src_size);
  if (static_cast<uint64_t>(src_size) != dst->bits.size()) {
    *err = Error::make(
        "Bitmaps are of different sizes (destination size is {}, source size is {}) and can't "
        "be merged",
        dst->bits.size(), src_size);
    return -EINVAL;
  }
  if (rr < 0) {
    *err = rerr;
    return rr;
  }
  for (const auto &[off, len] : ranges) dst->bits.set_bytes(off, len);
  return 0;
}

int Qcow2Node::bitmap_dirty_ranges(const std::string &name,
                                   std::vector<std::pair<uint64_t, uint64_t>> *out, Error *err) {
  std::lock_guard<std::mutex> g(bitmaps_.mu);
  MemBitmap *bm = bitmaps_.find(name);
  if (!bm) return not_found(name, err);
  if (!usable(*bm, true, err)) return -EINVAL;
  *out = bm->bits.ranges();
  return 0;
}

int Qcow2Node::bitmap_set_dirty(const std::string &name, uint64_t offset, uint64_t bytes,
                                Error *err) {
  std::lock_guard<std::mutex> g(bitmaps_.mu);
  MemBitmap *bm = bitmaps_.find(name);
  if (!bm) return not_found(name, err);
  if (!usable(*bm, false, err)) return -EINVAL;
  if (offset > bm->bits.size() || bytes > bm->bits.size() - offset) {
    *err = Error::make("Offset out of range");
    return -EINVAL;
  }
  bm->bits.set_bytes(offset, bytes);
  return 0;
}

// ---- qemu-img info and measure ----

Json bitmap_info_json(const std::vector<BitmapDirEntry> &dir) {
  Json list = Json::array();
  for (const BitmapDirEntry &e : dir) {
    Json flags = Json::array();
    if (e.flags & kBitmapFlagInUse) flags.push_back("in-use");
    if (e.flags & kBitmapFlagAuto) flags.push_back("auto");
    Json b = Json::object();
    b["name"] = e.name;
    b["granularity"] = uint64_t{1} << e.granularity_bits;
    b["flags"] = std::move(flags);
    list.push_back(std::move(b));
  }
  return list;
}

uint64_t bitmaps_measure(Node *src, uint64_t cluster_size) {
  std::vector<BitmapInfo> list;
  if (src->bitmap_list(&list) < 0) return 0;
  int64_t len = src->length();
  uint64_t size = len < 0 ? 0 : static_cast<uint64_t>(len);
  uint64_t total = 0, dir = 0;
  for (const BitmapInfo &b : list) {
    if (!b.persistent) continue;
    uint64_t bits = (size + b.granularity - 1) / b.granularity;
    uint64_t clusters = ((bits + 7) / 8 + cluster_size - 1) / cluster_size;
    total += clusters * cluster_size;                                          // data
    total += (clusters * 8 + cluster_size - 1) / cluster_size * cluster_size;  // table
    dir += bitmap_dir_entry_size(b.name.size(), 0);
  }
  return total + (dir + cluster_size - 1) / cluster_size * cluster_size;
}

}  // namespace qemu::block::qcow2
