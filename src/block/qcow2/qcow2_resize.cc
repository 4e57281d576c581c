// Growing (with preallocation) and shrinking a qcow2 image.
#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {

int Qcow2Node::preallocate(uint64_t offset, uint64_t bytes, Prealloc mode, Error *err) {
  // Allocate clusters (and L2 tables) for every unallocated cluster of the range, in runs per
  // L2 table as writes would, then make the file cover the last one.
  const uint64_t cmask = cluster_size_ - 1;
  uint64_t pos = offset & ~cmask;
  uint64_t end = offset + bytes;
  uint64_t last_end = 0;
  while (pos < end) {
    TableCache::Ref l2;
    uint64_t index;
    int r = get_l2(pos, true, &l2, &index);
    if (r < 0) {
      *err = Error::make("Could not allocate metadata: {}", strerror(-r));
      return r;
    }
    uint64_t l2_end = std::min(end, (pos / l2_coverage() + 1) * l2_coverage());
    while (pos < l2_end) {
      L2Entry e = load_l2(l2.data(), index, geo_);
      if (e.entry || e.bitmap) {
        pos += cluster_size_;
        index++;
        continue;
      }
      uint64_t n = 0;
      while (pos + (n << cluster_bits_) < l2_end) {
        L2Entry x = load_l2(l2.data(), index + n, geo_);
        if (x.entry || x.bitmap) break;
        n++;
      }
      uint64_t host;
      if (data_file_) {
        host = pos;
      } else {
        l2.release();
        int64_t a = refcounts_->alloc_clusters(n << cluster_bits_);
        if (a < 0) {
          *err = Error::make("Could not allocate clusters: {}", strerror(static_cast<int>(-a)));
          return static_cast<int>(a);
        }
        host = static_cast<uint64_t>(a);
        r = get_l2(pos, true, &l2, &index);
        if (r < 0) return r;
      }
      for (uint64_t c = 0; c < n; c++) {
        L2Entry ne;
        ne.entry = (host + (c << cluster_bits_)) | kOflagCopied;
        // Preallocated subclusters stay unallocated: they read as zeroes (or from backing).
        store_l2(l2.data(), index + c, geo_, ne);
      }
      l2.mark_dirty();
      last_end = std::max(last_end, host + (n << cluster_bits_));
      pos += n << cluster_bits_;
      index += n;
    }
  }
  int r = flush_metadata();
  if (r < 0) return r;
  Node *target = data();
  int64_t flen = target->length();
  if (flen < 0) return static_cast<int>(flen);
  if (last_end > static_cast<uint64_t>(flen)) {
    Prealloc fmode = mode == Prealloc::kMetadata ? Prealloc::kOff : mode;
    r = target->truncate(last_end, false, fmode, err);
    if (r < 0) return r;
  }
  return 0;
}

int Qcow2Node::preallocate_data_area(uint64_t old_size, uint64_t new_size, Prealloc mode,
                                     Error *err) {
  // As QEMU lays it out: fresh refcount structures after the last used cluster, sized for all
  // new data (and L2 tables), then the data clusters in one contiguous run right after them,
  // made real in the file at once; the L2 tables go wherever allocation finds room.
  const uint64_t cmask = cluster_size_ - 1;
  int r = flush_metadata();
  if (r < 0) return r;
  int64_t last = refcounts_->end_cluster();
  if (last < 0) return static_cast<int>(last);
  uint64_t first_guest = old_size & ~cmask;
  uint64_t nb_data = (((new_size + cmask) & ~cmask) - first_guest) >> cluster_bits_;
  uint64_t nb_l2 = (nb_data + geo_.l2_entries() - 1) / geo_.l2_entries() + 1;
  int64_t start =
      refcounts_->refcount_area(static_cast<uint64_t>(last), nb_data + nb_l2, true, 0, 0);
  if (start < 0) {
    *err =
        Error::make("Failed to resize refcount structures: {}", strerror(static_cast<int>(-start)));
    return static_cast<int>(start);
  }
  header_.refcount_table_offset = refcounts_->table_offset();
  header_.refcount_table_clusters = refcounts_->table_clusters();
  r = refcounts_->alloc_clusters_at(static_cast<uint64_t>(start), nb_data);
  if (r < 0) {
    *err = Error::make("Failed to allocate data clusters: {}", strerror(-r));
    return r;
  }
  r = refcounts_->cache().flush();
  if (r < 0) return r;
  Error terr;
  r = file_->truncate(static_cast<uint64_t>(start) + (nb_data << cluster_bits_), false, mode,
                      &terr);
  if (r < 0) {
    *err = Error::make("Failed to resize underlying file: {}", terr.msg);
    return r;
  }
  uint64_t host = static_cast<uint64_t>(start);
  uint64_t guest = first_guest;
  while (nb_data) {
    TableCache::Ref l2;
    uint64_t index;
    r = get_l2(guest, true, &l2, &index);
    if (r < 0) return r;
    uint64_t n = std::min(nb_data, geo_.l2_entries() - index);
    for (uint64_t c = 0; c < n; c++) {
      L2Entry ne;
      ne.entry = (host + (c << cluster_bits_)) | kOflagCopied;
      if (geo_.extended) ne.bitmap = 0xffffffffull;
      store_l2(l2.data(), index + c, geo_, ne);
    }
    l2.mark_dirty();
    guest += n << cluster_bits_;
    host += n << cluster_bits_;
    nb_data -= n;
  }
  return flush_metadata();
}

int Qcow2Node::grow_locked(uint64_t new_size, Prealloc prealloc, Error *err) {
  uint64_t old = size_;
  uint64_t l1_needed = (new_size + l2_coverage() - 1) / l2_coverage();
  int r = grow_l1(l1_needed);
  if (r < 0) {
    *err = Error::make("Failed to grow the L1 table: {}", strerror(-r));
    return r;
  }
  if ((prealloc == Prealloc::kFalloc || prealloc == Prealloc::kFull) && !data_file_) {
    r = preallocate_data_area(old, new_size, prealloc, err);
    if (r < 0) return r;
  } else if (prealloc != Prealloc::kOff) {
    r = preallocate(old, new_size - old, prealloc, err);
    if (r < 0) return r;
  } else if (data_file_) {  // QEMU grows any external data file with the image
    r = data_file_->truncate(new_size, false, Prealloc::kOff, err);
    if (r < 0) return r;
  }
  uint8_t b[8];
  put64(b, new_size);
  r = file_->pwrite(24, b, 8, 0);
  if (r < 0) {
    *err = Error::make("Failed to update the image size: {}", strerror(-r));
    return r;
  }
  size_ = new_size;
  header_.size = new_size;
  return file_->flush();
}

int Qcow2Node::shrink_locked(uint64_t new_size, Error *err) {
  const uint64_t cmask = cluster_size_ - 1;
  uint64_t from = (new_size + cmask) & ~cmask;
  uint64_t pos = from, bytes = size_ > from ? size_ - from : 0;
  while (bytes) {
    uint64_t done = 0;
    int r = discard_in_l2(pos, bytes, true, &done);
    if (r < 0) {
      *err = Error::make("Failed to discard cropped clusters: {}", strerror(-r));
      return r;
    }
    pos += done;
    bytes -= done;
  }
  // The freed clusters are discarded now, as QEMU does: queued, the discards would later punch
  // holes in clusters allocated again in between (bitmaps stored on close, new guest data).
  int r = process_discards();
  if (r < 0) return r;
  // Drop L2 tables wholly past the end.
  uint64_t l1_keep = (new_size + l2_coverage() - 1) / l2_coverage();
  r = flush_metadata();
  if (r < 0) return r;
  for (uint64_t i = l1_keep; i < l1_.size(); i++) {
    uint64_t l2 = l1_[i] & kOffsetMask;
    if (!l2) continue;
    l1_[i] = 0;
    r = write_l1_entry(i);
    if (r < 0) return r;
    l2_cache_->discard(l2);
    r = refcounts_->free_clusters(l2, cluster_size_);
    if (r < 0) return r;
  }
  uint8_t b[8];
  put64(b, new_size);
  r = file_->pwrite(24, b, 8, 0);
  if (r < 0) return r;
  size_ = new_size;
  header_.size = new_size;
  r = flush_metadata();
  if (r < 0) return r;
  // Give the file's unused tail back.
  r = refcounts_->drop_unused_blocks();
  if (r < 0) return r;
  int64_t end = refcounts_->end_cluster();
  if (end > 0) {
    uint64_t end_bytes = static_cast<uint64_t>(end) << cluster_bits_;
    int64_t flen = file_->length();
    if (flen > 0 && end_bytes < static_cast<uint64_t>(flen)) {
      Error terr;
      if (file_->truncate(end_bytes, false, Prealloc::kOff, &terr) < 0)
        warn_report("Failed to truncate the tail of the image: {}", terr.msg);
    }
  }
  if (data_file_raw()) {
    r = data_file_->truncate(new_size, false, Prealloc::kOff, err);
    if (r < 0) return r;
  }
  return 0;
}

int Qcow2Node::truncate(uint64_t size, bool, Prealloc prealloc, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  if (!writable_) {
    *err = Error::make("Image is read-only");
    return -EACCES;
  }
  if (size & 511) {
    *err = Error::make("The new size must be a multiple of 512");
    return -EINVAL;
  }
  if (!snapshots_.empty() && header_.version < 3) {  // v2 snapshots do not record their size
    *err = Error::make("Can't resize a v2 image which has snapshots");
    return -ENOTSUP;
  }
  if (size == size_) return 0;
  if (int r = bitmaps_check_resize(err); r < 0) return r;  // dirty bitmaps (qcow2_bitmap.cc)
  if (size < size_) {
    if (prealloc != Prealloc::kOff) {
      *err = Error::make("Preallocation can't be used for shrinking an image");
      return -EINVAL;
    }
  }
  int r = size < size_ ? shrink_locked(size, err) : grow_locked(size, prealloc, err);
  if (r == 0) bitmaps_resized();  // dirty bitmaps follow the new size
  return r;
}

}  // namespace qemu::block::qcow2
