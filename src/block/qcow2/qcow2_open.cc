// Opening a qcow2 image: header validation (QEMU's messages), tables, caches, the external
// data file and the backing chain; and closing it cleanly.
#include <cerrno>
#include <cstring>

#include "base/size.h"
#include "block/file.h"
#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {
namespace {

constexpr uint64_t kDefaultL2CacheMax = 32u << 20;
constexpr uint64_t kMinRefcountCacheClusters = 4;

bool validate_table(uint64_t offset, uint64_t entries, uint64_t entry_len, uint64_t max_bytes,
                    uint64_t cluster_size, const char *name, Error *err) {
  if (entries > max_bytes / entry_len) {
    *err = Error::make("{} too large", name);
    return false;
  }
  uint64_t size = entries * entry_len;
  if (static_cast<uint64_t>(INT64_MAX) - size < offset || (offset & (cluster_size - 1))) {
    *err = Error::make("{} offset invalid", name);
    return false;
  }
  return true;
}

// Size-valued options take QEMU's size syntax (suffixes, fractions, hex) and its errors.
bool parse_size_option(const OptionMap &opts, const char *key, uint64_t *out, Error *err,
                       bool *set = nullptr) {
  auto it = opts.find(key);
  if (it == opts.end()) return true;
  uint64_t v = 0;
  int r = it->second.empty() || it->second[0] == '-' ? -EINVAL : parse_size(it->second, &v);
  if (r == -ERANGE) {
    *err = Error::make("Value '{}' is out of range for parameter '{}'", it->second, key);
    return false;
  }
  if (r < 0) {
    *err = Error::make("Parameter '{}' expects a non-negative number below 2^64", key);
    err->hint =
        "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
        "and exabytes, respectively.\n";
    return false;
  }
  *out = v;
  if (set) *set = true;
  return true;
}

}  // namespace

std::unique_ptr<Node> Qcow2Node::open(std::unique_ptr<Node> file, const OptionMap &opts,
                                      const OpenFlags &flags, Error *err) {
  auto node = std::unique_ptr<Qcow2Node>(new Qcow2Node);
  node->filename_ = file->filename();
  node->file_ = std::move(file);
  if (!node->do_open(opts, flags, err)) {
    node->writable_ = false;  // nothing to write back on the way out
    return nullptr;
  }
  return node;
}

bool Qcow2Node::do_open(const OptionMap &opts, const OpenFlags &flags, Error *err) {
  flags_ = flags;
  writable_ = flags.writable;
  read_only_ = !flags.writable;
  int64_t file_len = file_->length();
  if (file_len < 0) {
    *err = Error::make("Could not read qcow2 header: {}", strerror(static_cast<int>(-file_len)));
    return false;
  }
  // The header and its extensions live in the first cluster (at most 2 MiB). A short file
  // reads as if padded with zeroes, as QEMU's block layer reads it.
  std::vector<uint8_t> first(std::max<uint64_t>(
      std::min<uint64_t>(static_cast<uint64_t>(file_len), uint64_t{1} << kMaxClusterBits), 512));
  int r = file_->pread(0, first.data(), first.size());
  if (r < 0) {
    *err = Error::make("Could not read qcow2 header: {}", strerror(-r));
    return false;
  }
  if (!parse_header(first.data(), first.size(), static_cast<uint64_t>(file_len), &header_, err))
    return false;
  Header &h = header_;
  cluster_bits_ = static_cast<int>(h.cluster_bits);
  cluster_size_ = h.cluster_size();

  if (h.incompatible_features & ~uint64_t{kIncompatKnown}) {
    *err = Error::make("Unsupported qcow2 feature(s): {}", unknown_incompatible_features(h));
    return false;
  }
  if ((h.incompatible_features & kIncompatCorrupt) && writable_ && !flags.check) {
    *err = Error::make("qcow2: Image is corrupt; cannot be opened read/write");
    return false;
  }
  if (h.refcount_order > 6) {
    *err = Error::make("Reference count entry width too large; may not exceed 64 bits");
    return false;
  }
  if (h.version == 3) {
    bool has_type = h.incompatible_features & kIncompatCompression;
    if (h.compression_type > kCompressionZstd) {
      *err = Error::make("qcow2: unknown compression type: {}", h.compression_type);
      return false;
    }
    if (h.compression_type != kCompressionZlib && !has_type) {
      *err = Error::make("qcow2: Compression type incompatible feature bit must be set");
      return false;
    }
    if (h.compression_type == kCompressionZlib && has_type) {
      *err = Error::make("qcow2: Compression type incompatible feature bit must not be set");
      return false;
    }
  }
  if (h.crypt_method > 2) {
    *err = Error::make("Unsupported encryption method {}", h.crypt_method);
    return false;
  }
  if (h.crypt_method != 0) {
    *err = Error::make("Encrypted qcow2 images are not supported yet");
    return false;
  }
  if (h.extended_l2() && cluster_bits_ < 14) {
    *err = Error::make(
        "The cluster size must be at least 16 KiB for images with extended L2 "
        "entries");
    return false;
  }
  geo_ = L2Geometry::make(cluster_bits_, h.extended_l2());
  geo_.data_file = h.incompatible_features & kIncompatDataFile;
  size_ = h.size;
  // The L1 index of the end of the image must fit an int (and the size an int64).
  if (size_ > static_cast<uint64_t>(INT64_MAX) ||
      size_ / l2_coverage() + (size_ % l2_coverage() != 0) > static_cast<uint64_t>(INT32_MAX)) {
    *err = Error::make("Image is too big");
    return false;
  }

  // Tables.
  uint64_t l1_needed = (size_ + l2_coverage() - 1) / l2_coverage();
  if (!validate_table(h.l1_table_offset, h.l1_size, 8, kMaxL1Bytes, cluster_size_,
                      "Active L1 table", err))
    return false;
  if (h.l1_size < l1_needed) {
    *err = Error::make("L1 table is too small");
    return false;
  }
  if (!validate_table(h.refcount_table_offset,
                      uint64_t{h.refcount_table_clusters} << (cluster_bits_ - 3), 8,
                      kMaxRefcountTableBytes, cluster_size_, "Reference count table", err))
    return false;
  if (h.refcount_table_clusters == 0 && !flags.check) {
    *err = Error::make("Image does not contain a reference count table");
    return false;
  }
  // A bad snapshot table refuses the open, except for check, which reports it and fails.
  {
    Error serr;
    if (h.nb_snapshots > kMaxSnapshots) {
      serr = Error::make("Snapshot table too large");
      snapshot_table_errno_ = EFBIG;
      snapshot_table_hint_ = fmt::format(
          "You can force-remove all {} overhanging snapshots with qemu-img check -r all",
          h.nb_snapshots - kMaxSnapshots);
    } else if (!validate_table(h.snapshots_offset, h.nb_snapshots, 40, kMaxSnapshotTableBytes,
                               cluster_size_, "Snapshot table", &serr)) {
      snapshot_table_errno_ = serr.msg.find("too large") != std::string::npos ? EFBIG : EINVAL;
    }
    if (snapshot_table_errno_) {
      if (!flags.check) {
        *err = std::move(serr);
        return false;
      }
      snapshot_table_error_ = serr.msg;  // "ERROR snapshot table ..." in check's report
      snapshot_table_error_[0] = 's';    // nothing of it is loaded; check fails with the error
    }
  }

  l1_.assign(h.l1_size, 0);
  if (h.l1_size) {
    std::vector<uint8_t> raw(uint64_t{h.l1_size} * 8);
    r = file_->pread(h.l1_table_offset, raw.data(), raw.size());
    // As QEMU's block layer, requests beyond its maximum length (2^63 - 1 GiB) fail.
    if (h.l1_table_offset + raw.size() > kMaxRequestEnd) r = -EIO;
    if (r < 0) {
      *err = Error::make("Could not read L1 table: {}", strerror(-r));
      return false;
    }
    for (uint32_t i = 0; i < h.l1_size; i++) l1_[i] = be64(&raw[i * 8]);
  }

  uint64_t l2_cache = 0, rc_cache = 0, combined = 0, entry_size = 0;
  bool l2_set = false, rc_set = false, combined_set = false;
  if (!parse_size_option(opts, "l2-cache-size", &l2_cache, err, &l2_set) ||
      !parse_size_option(opts, "refcount-cache-size", &rc_cache, err, &rc_set) ||
      !parse_size_option(opts, "cache-size", &combined, err, &combined_set) ||
      !parse_size_option(opts, "l2-cache-entry-size", &entry_size, err))
    return false;
  if (auto it = opts.find("cache-clean-interval"); it != opts.end()) {
    // A number (negative values wrap, as QEMU's parser does), in seconds up to UINT_MAX.
    const std::string &v = it->second;
    errno = 0;
    char *end = nullptr;
    unsigned long long secs = v.empty() ? 0 : strtoull(v.c_str(), &end, 0);
    if (v.empty() || errno || *end) {
      *err = Error::make("Parameter 'cache-clean-interval' expects a number");
      return false;
    }
    if (secs > UINT32_MAX) {
      *err = Error::make("Cache clean interval too big");
      return false;
    }
  }
  if (combined_set) {
    if (l2_set && rc_set) {
      *err = Error::make(
          "cache-size, l2-cache-size and refcount-cache-size may not be set at the same time");
      return false;
    }
    if (l2_set && l2_cache > combined) {
      *err = Error::make("l2-cache-size may not exceed cache-size");
      return false;
    }
    if (rc_cache > combined) {
      *err = Error::make("refcount-cache-size may not exceed cache-size");
      return false;
    }
  }
  if (opts.count("l2-cache-entry-size") &&
      (entry_size < 512 || entry_size > cluster_size_ || (entry_size & (entry_size - 1)))) {
    *err = Error::make(
        "L2 cache entry size must be a power of two between 512 and the cluster size ({})",
        cluster_size_);
    return false;
  }
  uint64_t l2_needed = (size_ + cluster_size_ - 1) / cluster_size_ * geo_.entry_bytes();
  {
    // What QEMU gives the refcount cache out of cache-size alone, and its bound.
    uint64_t max_l2 = std::max(l2_needed, 2 * cluster_size_);
    uint64_t min_rc = kMinRefcountCacheClusters * cluster_size_;
    uint64_t rc = rc_cache;
    if (combined_set && !l2_set && !rc_set && combined >= max_l2 + min_rc) rc = combined - max_l2;
    if (rc / cluster_size_ > INT32_MAX) {
      *err = Error::make("Refcount cache size too big");
      return false;
    }
  }
  // No more cache than the whole L2 (QEMU's cap), and a sane bound on the refcount cache.
  l2_cache = std::min(l2_cache, std::max(l2_needed, 2 * cluster_size_));
  combined = std::min<uint64_t>(combined, std::max(l2_needed, 2 * cluster_size_) + (1ull << 28));
  rc_cache = std::min<uint64_t>(rc_cache, 1ull << 28);
  if (combined && !l2_cache) l2_cache = combined - std::min(combined, rc_cache);
  if (!l2_cache) l2_cache = std::min(std::max(l2_needed, 2 * cluster_size_), kDefaultL2CacheMax);
  if (!rc_cache) rc_cache = kMinRefcountCacheClusters * cluster_size_;
  size_t l2_tables = std::max<uint64_t>(2, l2_cache / cluster_size_);
  size_t rc_tables = std::max<uint64_t>(kMinRefcountCacheClusters, rc_cache / cluster_size_);
  l2_cache_ = std::make_unique<TableCache>(file_.get(), cluster_size_, l2_tables);
  refcounts_ = std::make_unique<Refcounts>(
      file_.get(), cluster_bits_, static_cast<int>(h.refcount_order), rc_tables,
      [this](uint64_t off, uint32_t clusters) { return write_reftable_location(off, clusters); });
  r = refcounts_->load_table(h.refcount_table_offset, h.refcount_table_clusters);
  if (r < 0) {
    *err = Error::make("Could not read refcount table: {}", strerror(-r));
    return false;
  }

  auto opt_bool = [&](const char *key, bool def) {
    auto it = opts.find(key);
    if (it == opts.end()) return def;
    return it->second == "on" || it->second == "true" || it->second == "yes" ||
           it->second == "unmap";
  };
  bool unmap = opt_bool("discard", false);
  refcounts_->set_discard_passthrough(opt_bool("pass-discard-request", unmap),
                                      opt_bool("pass-discard-snapshot", true),
                                      opt_bool("pass-discard-other", false));

  lazy_refcounts_ = h.compatible_features & kCompatLazyRefcounts;
  if (auto it = opts.find("lazy-refcounts"); it != opts.end()) {
    lazy_refcounts_ = it->second == "on" || it->second == "true";
  }
  // Refcount blocks are written before the L2 tables that use the clusters they count,
  // unless lazy refcounts trade that for a repair after a crash.
  if (!lazy_refcounts_) l2_cache_->set_dependency(&refcounts_->cache());

  if (!load_snapshots(err)) return false;

  // The external data file.
  if (h.incompatible_features & kIncompatDataFile) {
    std::string name = h.data_file;
    if (auto it = opts.find("data-file"); it != opts.end()) name = it->second;
    if (name.empty() && !flags.no_io) {
      *err = Error::make("'data-file' is required for this image");
      return false;
    }
  }
  // qemu-img info opens without I/O: a data file without a name does not matter then.
  if ((h.incompatible_features & kIncompatDataFile) &&
      !(h.data_file.empty() && flags.no_io && !opts.count("data-file"))) {
    std::string name = h.data_file;
    if (auto it = opts.find("data-file"); it != opts.end()) name = it->second;
    if (name[0] != '/') {
      size_t slash = filename_.rfind('/');
      if (slash != std::string::npos) name = filename_.substr(0, slash + 1) + name;
    }
    FileOpenOptions fo;
    fo.writable = writable_;
    fo.force_share = flags.force_share;
    fo.no_io = flags.no_io;
    Error ferr;
    data_file_ = FileNode::open(name, fo, &ferr);
    if (!data_file_ && !ferr.hint.empty()) {  // locked by another user
      *err = std::move(ferr);
      return false;
    }
    if (!data_file_) {
      *err =
          Error::make("Could not open '{}': {}", name, ferr.msg.substr(ferr.msg.rfind(": ") + 2));
      return false;
    }
  } else if (h.autoclear_features & kAutoclearDataFileRaw) {
    *err = Error::make("data-file-raw requires a data file");
    return false;
  }

  // The backing chain.
  if (!h.backing_file.empty() && !flags.no_backing) {
    if (data_file_raw()) {
      *err = Error::make("Backing file and data-file-raw cannot be used at the same time");
      return false;
    }
    OpenFlags bflags = flags;
    bflags.writable = false;
    Error berr;
    backing_ = open_backing(filename_, h.backing_file, h.backing_format, bflags, &berr);
    if (!backing_) {
      *err = Error::make("Could not open backing file: {}", berr.msg);
      err->hint = berr.hint;
      return false;
    }
  }

  // Persistent dirty bitmaps (qcow2_bitmap.cc); a writer also clears unknown autoclear bits.
  if (!load_bitmaps(err)) return false;

  if (writable_) {
    if (h.incompatible_features & kIncompatDirty) {
      // Refcounts may be stale after a crash with lazy refcounts: rebuild them.
      CheckResult res;
      r = check(&res, kFixLeaks | kFixErrors);
      if (r < 0 || res.check_errors) {
        *err = Error::make("Could not repair dirty image: {}", strerror(r < 0 ? -r : EIO));
        return false;
      }
      h.incompatible_features &= ~uint64_t{kIncompatDirty};
      r = write_header();
      if (r < 0) {
        *err = Error::make("Could not update qcow2 header: {}", strerror(-r));
        return false;
      }
    }
  }
  return true;
}

int Qcow2Node::close_cleanly() {
  if (!writable_) return 0;
  std::lock_guard<std::mutex> g(lock_);
  store_bitmaps_on_close();  // persistent dirty bitmaps (qcow2_bitmap.cc)
  int r = flush_metadata();
  if (r < 0) return r;
  if (dirty_marked_) {
    header_.incompatible_features &= ~uint64_t{kIncompatDirty};
    r = write_header();
    if (r < 0) return r;
    r = file_->flush();
    dirty_marked_ = false;
  }
  return r;
}

Qcow2Node::~Qcow2Node() {
  close_cleanly();
}

int64_t Qcow2Node::length() {
  return static_cast<int64_t>(size_);
}

int64_t Qcow2Node::allocated_file_size() {
  return file_->allocated_file_size();  // as QEMU 7.2: the image file only, not a data file
}

}  // namespace qemu::block::qcow2
