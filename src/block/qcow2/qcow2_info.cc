// What qemu-img info reports for a qcow2 image, and header-only changes (backing file,
// lazy refcounts).
#include <cerrno>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {

int Qcow2Node::get_info(ImageInfo *info) {
  std::lock_guard<std::mutex> g(lock_);
  info->format = "qcow2";
  info->virtual_size = static_cast<int64_t>(size_);
  info->cluster_size = static_cast<int64_t>(cluster_size_);
  info->dirty_flag = header_.incompatible_features & kIncompatDirty;
  info->encrypted = header_.crypt_method != 0;
  info->backing_filename = header_.backing_file;
  if (!header_.backing_file.empty()) {
    const std::string &b = header_.backing_file;
    size_t slash = filename_.rfind('/');
    bool absolute = b[0] == '/' || b.find(':') != std::string::npos;
    info->full_backing_filename =
        absolute || slash == std::string::npos ? b : filename_.substr(0, slash + 1) + b;
  }
  info->backing_format = header_.backing_format;
  for (const Snapshot &s : snapshots_) {
    SnapshotInfo i;
    i.id = s.id;
    i.name = s.name;
    i.vm_state_size = s.vm_state_size_large ? s.vm_state_size_large : s.vm_state_size;
    i.date_sec = s.date_sec;
    i.date_nsec = s.date_nsec;
    i.vm_clock_nsec = s.vm_clock_nsec;
    i.has_icount = s.has_icount;
    i.icount = s.icount;
    info->snapshots.push_back(std::move(i));
  }
  Json data;
  data["compat"] = header_.version == 2 ? "0.10" : "1.1";
  if (header_.version >= 3) {
    if (header_.incompatible_features & kIncompatDataFile) {
      if (!header_.data_file.empty()) data["data-file"] = header_.data_file;
      data["data-file-raw"] = data_file_raw();
    }
    data["extended-l2"] = header_.extended_l2();
    data["lazy-refcounts"] = static_cast<bool>(header_.compatible_features & kCompatLazyRefcounts);
    data["corrupt"] = static_cast<bool>(header_.incompatible_features & kIncompatCorrupt);
  }
  data["refcount-bits"] = uint64_t{1} << header_.refcount_order;
  if (!bitmaps_.disk.empty()) data["bitmaps"] = bitmap_info_json(bitmaps_.disk);  // on disk
  data["compression-type"] = header_.compression_type == kCompressionZstd ? "zstd" : "zlib";
  info->format_specific = Json::object();
  info->format_specific["type"] = "qcow2";
  info->format_specific["data"] = std::move(data);
  return 0;
}

int Qcow2Node::change_backing_file(const std::string &file, const std::string &format, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  if (!writable_) {
    *err = Error::make("Image is read-only");
    return -EACCES;
  }
  if (data_file_raw() && !file.empty()) {
    *err = Error::make("Cannot use a backing file with data-file-raw");
    return -EINVAL;
  }
  Header saved = header_;
  header_.backing_file = file;
  header_.backing_format = file.empty() ? "" : format;
  std::vector<uint8_t> probe;
  Header copy = header_;
  if (!serialize_header(&copy, &probe, err)) {
    header_ = saved;
    return -ENOSPC;
  }
  int r = write_header();
  if (r < 0) {
    header_ = saved;
    *err = Error::make("Could not write the image header: {}", strerror(-r));
    return r;
  }
  return file_->flush();
}

int Qcow2Node::rewrite_header() {
  std::lock_guard<std::mutex> g(lock_);
  int r = write_header();
  return r < 0 ? r : file_->flush();
}

int Qcow2Node::set_lazy_refcounts(bool on, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  if (on && header_.version < 3) {
    *err = Error::make(
        "Lazy refcounts only supported with compatibility level 1.1 and above "
        "(use version=v3 or greater)");
    return -EINVAL;
  }
  int r = flush_metadata();
  if (r < 0) return r;
  if (on) {
    header_.compatible_features |= kCompatLazyRefcounts;
  } else {
    header_.compatible_features &= ~uint64_t{kCompatLazyRefcounts};
    if (dirty_marked_) header_.incompatible_features &= ~uint64_t{kIncompatDirty};
    dirty_marked_ = false;
  }
  lazy_refcounts_ = on;
  l2_cache_->set_dependency(on ? nullptr : &refcounts_->cache());
  r = write_header();
  if (r < 0) return r;
  return file_->flush();
}

}  // namespace qemu::block::qcow2
