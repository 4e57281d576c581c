// Writes: in place where a cluster is ours alone (COPIED), otherwise into newly allocated
// clusters with copy-on-write of the untouched head and tail; compressed cluster writes;
// zeroes and discard through L2 entry flags; and resizing.
//
// Crash ordering: data and copy-on-write first; refcounts of new clusters reach the disk
// before the L2 entries that use them (the L2 cache depends on the refcount cache); clusters an
// L2 update replaced are released only after that L2 table is written.
#include <cerrno>
#include <cstring>

#include "block/qcow2/compress.h"
#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {
namespace {

uint64_t bits_for_range(uint64_t start_sc, uint64_t end_sc) {  // [start, end) of 0..32
  uint64_t hi = end_sc >= 32 ? 0xffffffffull : ((uint64_t{1} << end_sc) - 1);
  uint64_t lo = (uint64_t{1} << start_sc) - 1;
  return hi & ~lo;
}

}  // namespace

int Qcow2Node::free_entry_clusters(const L2Entry &e, DiscardType why) {
  if (data_file_) return 0;  // data file clusters are not refcounted
  if (is_compressed(e.entry)) {
    uint64_t off = compressed_offset(e.entry, geo_);
    uint64_t sectors = ((e.entry >> geo_.csize_shift) & geo_.csize_mask) + 1;
    return refcounts_->update(off & ~uint64_t{511}, sectors * 512, -1, why);
  }
  uint64_t host = host_offset(e.entry);
  if (!host) return 0;
  return refcounts_->free_clusters(host, cluster_size_, why);
}

int Qcow2Node::process_discards() {
  auto ranges = refcounts_->take_discards();
  if (ranges.empty()) return 0;
  // The refcounts and L2 tables that freed these clusters must be on disk first.
  int r = l2_cache_->write_back();
  if (r < 0) return r;
  r = refcounts_->cache().write_back();
  if (r < 0) return r;
  for (const auto &[off, len] : ranges) file_->discard(off, len);
  return 0;
}

int Qcow2Node::pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) {
  if (!writable_) return -EACCES;
  if (offset > size_ || bytes > size_ - offset) return -EINVAL;
  bitmaps_mark_dirty(offset, bytes);  // dirty bitmaps (qcow2_bitmap.cc)
  std::lock_guard<std::mutex> g(lock_);
  flags = with_write_through(flags);
  int r = write_locked(offset, static_cast<const uint8_t *>(buf), bytes, flags);
  if (r == 0 && (flags & kWriteFua)) r = flush_all();
  return r;
}

int Qcow2Node::write_locked(uint64_t offset, const uint8_t *buf, uint64_t bytes, unsigned) {
  int r = mark_dirty();
  if (r < 0) return r;
  while (bytes) {
    uint64_t done = 0;
    r = write_in_l2(offset, buf, bytes, &done);
    if (r < 0) return r;
    offset += done;
    buf += done;
    bytes -= done;
  }
  return 0;
}

int Qcow2Node::write_in_l2(uint64_t offset, const uint8_t *buf, uint64_t bytes, uint64_t *done) {
  TableCache::Ref l2;
  uint64_t index;
  int r = get_l2(offset, true, &l2, &index);
  if (r < 0) return r;
  uint64_t l2_end = (offset / l2_coverage() + 1) * l2_coverage();
  uint64_t end = std::min(offset + bytes, l2_end);
  const uint64_t cmask = cluster_size_ - 1;
  const int sc_bits = cluster_bits_ - (geo_.extended ? 5 : 0);

  L2Entry first = load_l2(l2.data(), index, geo_);
  bool first_copied = (first.entry & kOflagCopied) && entry_has_host(first.entry, geo_);

  if (first_copied && !geo_.extended && !(first.entry & kOflagZero)) {
    // In place: a run of our own clusters with contiguous host offsets.
    uint64_t host0 = host_offset(first.entry);
    uint64_t pos = (offset & ~cmask) + cluster_size_;
    uint64_t i = index + 1;
    while (pos < end) {
      L2Entry e = load_l2(l2.data(), i, geo_);
      if (!(e.entry & kOflagCopied) || is_compressed(e.entry) || (e.entry & kOflagZero) ||
          host_offset(e.entry) != host0 + (pos - (offset & ~cmask)))
        break;
      pos += cluster_size_;
      i++;
    }
    uint64_t n = std::min(end, pos) - offset;
    uint64_t host = data_file_raw() ? offset : host0 + (offset & cmask);
    if (!data_file_ && overlaps_metadata(host, n))
      return mark_corrupt(
          fmt::format("Preventing invalid write on metadata (overlaps with "
                      "active L1/L2/refcount structures) at {:#x}",
                      host));
    r = data()->pwrite(host, buf, n, 0);
    if (r < 0) return r;
    *done = n;
    return 0;
  }

  if (first_copied && geo_.extended) {
    // Our own cluster with subclusters: fill partially written subclusters that do not hold
    // data yet, write, and mark the written subclusters allocated.
    uint64_t cluster_guest = offset & ~cmask;
    uint64_t n = std::min(end, cluster_guest + cluster_size_) - offset;
    uint64_t in = offset & cmask;
    uint64_t sc_first = in >> sc_bits, sc_end = (in + n + geo_.subcluster_size() - 1) >> sc_bits;
    uint64_t span_start = sc_first << sc_bits, span_end = sc_end << sc_bits;
    std::vector<uint8_t> span(span_end - span_start);
    if (in > span_start) {
      r = read_old_content(first, cluster_guest, span_start, span.data(), in - span_start);
      if (r < 0) return r;
    }
    memcpy(span.data() + (in - span_start), buf, n);
    if (in + n < span_end) {
      r = read_old_content(first, cluster_guest, in + n, span.data() + (in + n - span_start),
                           span_end - (in + n));
      if (r < 0) return r;
    }
    uint64_t host = host_offset(first.entry) + span_start;
    r = data()->pwrite(data_file_raw() ? cluster_guest + span_start : host, span.data(),
                       span.size(), 0);
    if (r < 0) return r;
    uint64_t bits = bits_for_range(sc_first, sc_end);
    L2Entry ne = first;
    ne.bitmap = (ne.bitmap | bits) & ~(bits << 32);
    if (ne.bitmap != first.bitmap) {
      store_l2(l2.data(), index, geo_, ne);
      l2.mark_dirty();
    }
    *done = n;
    return 0;
  }

  // New clusters: every cluster of the run that is not ours alone.
  uint64_t run_start = offset & ~cmask;
  uint64_t pos = run_start + cluster_size_;
  uint64_t i = index + 1;
  while (pos < end) {
    L2Entry e = load_l2(l2.data(), i, geo_);
    bool ours = (e.entry & kOflagCopied) && entry_has_host(e.entry, geo_);
    if (ours) break;
    pos += cluster_size_;
    i++;
  }
  uint64_t run_end = std::min(pos, (end + cmask) & ~cmask);
  uint64_t nclusters = (run_end - run_start) >> cluster_bits_;
  uint64_t write_end = std::min(end, run_end);

  // Zero-flagged clusters of ours keep their host cluster (one at a time).
  uint64_t new_host;
  bool reuse = first_copied && (first.entry & kOflagZero);
  if (reuse) {
    nclusters = 1;
    run_end = run_start + cluster_size_;
    write_end = std::min(end, run_end);
    new_host = host_offset(first.entry);
  } else if (data_file_) {
    new_host = run_start;  // data files map guest offsets 1:1
  } else {
    int64_t a = refcounts_->alloc_clusters(nclusters << cluster_bits_);
    if (a < 0) return static_cast<int>(a);
    new_host = static_cast<uint64_t>(a);
    if (overlaps_metadata(new_host, nclusters << cluster_bits_))
      return mark_corrupt(fmt::format("Preventing invalid allocation of data at {:#x}", new_host));
  }

  L2Entry last = load_l2(l2.data(), index + nclusters - 1, geo_);
  // The copy-on-write span. Without subclusters: whole clusters. With them, a cluster with
  // host data is copied from its first to its last allocated subcluster (at least the
  // written ones); one without is copied only up to the written subclusters' edges.
  const uint64_t sc_size = geo_.subcluster_size();
  const uint64_t last_guest = run_end - cluster_size_;
  uint64_t rel_start = offset - run_start;
  uint64_t rel_end = write_end - last_guest;  // in the last cluster, 1..cluster_size
  int sc0 = static_cast<int>(rel_start >> sc_bits);
  int sc1 = static_cast<int>((rel_end - 1) >> sc_bits);
  SubclusterType t0 = subcluster_type(first, sc0, geo_);
  SubclusterType t1 = subcluster_type(last, sc1, geo_);
  auto has_host_type = [](SubclusterType t) {
    return t == SubclusterType::kNormal || t == SubclusterType::kZeroAlloc ||
           t == SubclusterType::kUnallocatedAlloc;
  };
  uint64_t cow_from;
  if (t0 == SubclusterType::kCompressed) {
    cow_from = 0;
  } else if (has_host_type(t0)) {
    uint32_t alloc = static_cast<uint32_t>(first.bitmap);
    int lead = alloc ? __builtin_ctz(alloc) : 32;
    cow_from = geo_.extended ? static_cast<uint64_t>(std::min(sc0, lead)) << sc_bits : 0;
  } else {
    cow_from = static_cast<uint64_t>(sc0) << sc_bits;
  }
  uint64_t cow_to;
  if (t1 == SubclusterType::kCompressed) {
    cow_to = cluster_size_;
  } else if (has_host_type(t1)) {
    uint32_t alloc = static_cast<uint32_t>(last.bitmap);
    int trail = alloc ? __builtin_clz(alloc) : 32;
    cow_to = cluster_size_;
    if (geo_.extended) cow_to -= static_cast<uint64_t>(std::min(31 - sc1, trail)) << sc_bits;
  } else {
    cow_to = (rel_end + sc_size - 1) & ~(sc_size - 1);
  }
  uint64_t buf_start = run_start + cow_from;
  uint64_t buf_end = last_guest + cow_to;
  uint64_t head = offset - run_start;
  uint64_t cow_head = offset - buf_start;
  uint64_t cow_tail = buf_end - write_end;

  if (cow_head == 0 && cow_tail == 0) {
    // Whole clusters (the common case of sequential writes): no copy-on-write buffer.
    r = data()->pwrite(new_host + (buf_start - run_start), buf, write_end - offset, 0);
  } else {
    // Uninitialised: every byte is filled from the old content or the new data.
    std::unique_ptr<uint8_t[]> cow(new uint8_t[buf_end - buf_start]);
    if (cow_head) {
      r = read_old_content(first, run_start, head - cow_head, cow.get(), cow_head);
      if (r < 0) return r;
    }
    memcpy(cow.get() + cow_head, buf, write_end - offset);
    if (cow_tail) {
      r = read_old_content(last, last_guest, rel_end, cow.get() + cow_head + (write_end - offset),
                           cow_tail);
      if (r < 0) return r;
    }
    r = data()->pwrite(new_host + (buf_start - run_start), cow.get(), buf_end - buf_start, 0);
  }
  if (r < 0) return r;

  // Point the L2 entries at the new clusters; remember what they replaced.
  std::vector<L2Entry> replaced;
  for (uint64_t c = 0; c < nclusters; c++) {
    L2Entry old = load_l2(l2.data(), index + c, geo_);
    L2Entry ne;
    ne.entry = (new_host + (c << cluster_bits_)) | kOflagCopied;
    if (geo_.extended) {
      // The copied and written subclusters become allocated (and not zero).
      uint64_t cguest = run_start + (c << cluster_bits_);
      uint64_t ws = std::max(buf_start, cguest) - cguest;
      uint64_t we = std::min(buf_end, cguest + cluster_size_) - cguest;
      uint64_t bits = bits_for_range(ws >> sc_bits, ((we - 1) >> sc_bits) + 1);
      ne.bitmap = (old.bitmap | bits) & ~(bits << 32);
    }
    store_l2(l2.data(), index + c, geo_, ne);
    if (!reuse && !data_file_ && (is_compressed(old.entry) || host_offset(old.entry)))
      replaced.push_back(old);
  }
  l2.mark_dirty();
  if (!replaced.empty()) {
    l2.release();
    r = l2_cache_->write_back();
    if (r < 0) return r;
    for (const L2Entry &old : replaced) {
      r = free_entry_clusters(old);
      if (r < 0) return r;
    }
  }
  *done = write_end - offset;
  return 0;
}

int Qcow2Node::compress_for_write(uint64_t offset, const void *vbuf, size_t bytes,
                                  Compressed *out) {
  out->prepared = false;
  if (data_file_) return -ENOTSUP;
  if ((offset & (cluster_size_ - 1)) || bytes > cluster_size_ ||
      (bytes != cluster_size_ && offset + bytes != size_))
    return -EINVAL;
  const uint8_t *buf = static_cast<const uint8_t *>(vbuf);
  std::vector<uint8_t> padded;
  if (bytes != cluster_size_) {  // the last cluster of the image: pad with zeroes
    padded.assign(cluster_size_, 0);
    memcpy(padded.data(), buf, bytes);
    buf = padded.data();
  }
  // No lock: several writers compress on several cores.
  out->data.resize(cluster_size_);
  long len = compress_cluster(header_.compression_type, out->data.data(), cluster_size_ - 1, buf,
                              cluster_size_);
  if (len == -ENOMEM) {  // does not shrink: stored as a normal cluster
    out->data.clear();
    out->raw.assign(buf, buf + bytes);
  } else if (len < 0) {
    return -EIO;
  } else {
    out->data.resize(static_cast<size_t>(len));
  }
  out->prepared = true;
  return 0;
}

int Qcow2Node::pwrite_precompressed(uint64_t offset, const void *buf, size_t bytes,
                                    const Compressed &c) {
  int r = write_precompressed(offset, buf, bytes, c);
  if (r == 0 && write_through_) {
    std::lock_guard<std::mutex> g(lock_);
    r = flush_all();
  }
  return r;
}

int Qcow2Node::write_precompressed(uint64_t offset, const void *buf, size_t bytes,
                                   const Compressed &c) {
  if (!writable_) return -EACCES;
  if (!c.prepared) return pwrite_compressed(offset, buf, bytes);
  bitmaps_mark_dirty(offset, bytes);  // dirty bitmaps (qcow2_bitmap.cc)
  std::lock_guard<std::mutex> g(lock_);
  if (c.data.empty()) return write_locked(offset, c.raw.data(), c.raw.size(), 0);
  int r = mark_dirty();
  if (r < 0) return r;
  TableCache::Ref l2;
  uint64_t index;
  r = get_l2(offset, true, &l2, &index);
  if (r < 0) return r;
  L2Entry e = load_l2(l2.data(), index, geo_);
  if (e.entry || e.bitmap) return -EIO;  // compression cannot overwrite anything
  l2.release();
  int64_t host = refcounts_->alloc_bytes(c.data.size());
  if (host < 0) return static_cast<int>(host);
  if (overlaps_metadata(static_cast<uint64_t>(host), c.data.size()))
    return mark_corrupt(fmt::format("Preventing invalid compressed write at {:#x}", host));
  r = file_->pwrite(static_cast<uint64_t>(host), c.data.data(), c.data.size(), 0);
  if (r < 0) return r;
  r = get_l2(offset, true, &l2, &index);
  if (r < 0) return r;
  L2Entry ne;
  ne.entry = make_compressed_entry(static_cast<uint64_t>(host), c.data.size(), geo_);
  store_l2(l2.data(), index, geo_, ne);
  l2.mark_dirty();
  return 0;
}

int Qcow2Node::pwrite_compressed(uint64_t offset, const void *buf, size_t bytes) {
  if (!writable_) return -EACCES;
  Compressed c;
  int r = compress_for_write(offset, buf, bytes, &c);
  if (r < 0) return r;
  return pwrite_precompressed(offset, buf, bytes, c);
}

int Qcow2Node::zero_in_l2(uint64_t offset, uint64_t bytes, unsigned flags, uint64_t *done) {
  // Whole clusters (whole subclusters with extended L2) become zero entries; a partial unit is
  // skipped if it already reads as zeroes, and written as data otherwise.
  const uint64_t cmask = cluster_size_ - 1;
  const uint64_t unit = geo_.extended ? geo_.subcluster_size() : cluster_size_;
  uint64_t l2_end = (offset / l2_coverage() + 1) * l2_coverage();
  uint64_t end = std::min(offset + bytes, l2_end);
  uint64_t as = (offset + unit - 1) & ~(unit - 1);
  uint64_t ae = end & ~(unit - 1);
  if (end == size_) ae = (end + unit - 1) & ~(unit - 1);  // the partial last unit of the image
  if (offset < as || ae <= offset) {
    uint64_t n = (offset < as ? std::min(as, end) : end) - offset;
    Mapping m;
    int r = map_range(offset, n, &m);
    if (r < 0) return r;
    n = std::min(n, m.bytes);
    *done = n;
    if (type_is_zero(m.type) || (type_is_unallocated(m.type) && !backing_)) return 0;
    if (flags & kWriteNoFallback) return -ENOTSUP;
    std::vector<uint8_t> zeroes(n, 0);
    return write_locked(offset, zeroes.data(), n, 0);
  }
  uint64_t aligned_end = std::min(ae, end == size_ ? ae : end);
  if (header_.version < 3) {
    // No zero flag: deallocating reads as zero only without a backing file.
    uint64_t whole_end = (aligned_end == ae && end == size_) ? ae : (aligned_end & ~cmask);
    if (backing_ || whole_end <= offset || (offset & cmask)) {
      if (flags & kWriteNoFallback) return -ENOTSUP;
      uint64_t n = std::min<uint64_t>(std::min(aligned_end, end) - offset, 1 << 20);
      std::vector<uint8_t> zeroes(n, 0);
      *done = n;
      return write_locked(offset, zeroes.data(), n, 0);
    }
    int r = discard_in_l2(offset, whole_end - offset, false, done);
    *done = std::min(*done, whole_end - offset);
    return r;
  }

  TableCache::Ref l2;
  uint64_t index;
  int r = get_l2(offset, true, &l2, &index);
  if (r < 0) return r;
  std::vector<L2Entry> replaced;
  uint64_t pos = offset;
  while (pos < aligned_end) {
    uint64_t ci = (pos >> cluster_bits_) & (geo_.l2_entries() - 1);
    uint64_t cguest = pos & ~cmask;
    uint64_t cend = std::min(cguest + cluster_size_, aligned_end);
    L2Entry old = load_l2(l2.data(), ci, geo_);
    L2Entry ne;
    bool whole = pos == cguest && cend == cguest + cluster_size_;
    bool ours = (old.entry & kOflagCopied) && entry_has_host(old.entry, geo_);
    bool keep = ours && !(flags & kWriteMayUnmap);
    if (!geo_.extended) {
      ne.entry = keep ? (old.entry | kOflagZero) : kOflagZero;
      if (!keep && entry_has_host(old.entry, geo_)) replaced.push_back(old);
      if (!keep && is_compressed(old.entry)) replaced.push_back(old);
    } else if (whole) {
      ne.entry = keep ? old.entry : 0;
      ne.bitmap = uint64_t{0xffffffff} << 32;
      if (!keep && (entry_has_host(old.entry, geo_) || is_compressed(old.entry)))
        replaced.push_back(old);
    } else {
      // Some subclusters of a cluster: only possible in place (or on unallocated clusters).
      if (is_compressed(old.entry) || (entry_has_host(old.entry, geo_) && !ours)) {
        if (flags & kWriteNoFallback) return -ENOTSUP;
        l2.release();
        std::vector<uint8_t> zeroes(cend - pos, 0);
        r = write_locked(pos, zeroes.data(), cend - pos, 0);
        *done = cend - offset;
        return r;
      }
      uint64_t bits = bits_for_range((pos & cmask) >> (cluster_bits_ - 5),
                                     ((cend - 1) & cmask) / geo_.subcluster_size() + 1);
      ne = old;
      ne.bitmap = (old.bitmap & ~bits) | (bits << 32);
    }
    store_l2(l2.data(), ci, geo_, ne);
    pos = cend;
  }
  l2.mark_dirty();
  if (!replaced.empty()) {
    l2.release();
    r = l2_cache_->write_back();
    if (r < 0) return r;
    for (const L2Entry &old : replaced) {
      r = free_entry_clusters(old, DiscardType::kRequest);
      if (r < 0) return r;
    }
  }
  *done = std::min(aligned_end, end) - offset;
  return 0;
}

int Qcow2Node::pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) {
  if (!writable_) return -EACCES;
  if (offset > size_ || bytes > size_ - offset) return -EINVAL;
  bitmaps_mark_dirty(offset, bytes);  // dirty bitmaps (qcow2_bitmap.cc)
  std::lock_guard<std::mutex> g(lock_);
  flags = with_write_through(flags);
  int r = mark_dirty();
  if (r < 0) return r;
  while (bytes) {
    uint64_t done = 0;
    r = zero_in_l2(offset, bytes, flags, &done);
    if (r < 0) return r;
    offset += done;
    bytes -= done;
  }
  r = process_discards();
  if (r == 0 && (flags & kWriteFua)) r = flush_all();
  return r;
}

int Qcow2Node::flush_all() {
  // Data (in an external data file too) and metadata durable: FUA and write-through writes.
  if (data_file_) {
    int r = data_file_->flush();
    if (r < 0) return r;
  }
  return flush_metadata();
}

int Qcow2Node::discard_in_l2(uint64_t offset, uint64_t bytes, bool full, uint64_t *done) {
  // Only whole clusters are discarded.
  const uint64_t cmask = cluster_size_ - 1;
  uint64_t start = (offset + cmask) & ~cmask;
  uint64_t l2_end = (offset / l2_coverage() + 1) * l2_coverage();
  uint64_t end = std::min(offset + bytes, l2_end);
  uint64_t aligned_end = end & ~cmask;
  if (end == size_) aligned_end = (end + cmask) & ~cmask;  // the image's partial last cluster
  if (start >= aligned_end) {
    *done = end - offset;
    return 0;
  }
  TableCache::Ref l2;
  uint64_t index;
  // Like QEMU, discarding goes through an L2 table even where there is none yet (it is
  // allocated, zeroed).
  int r = get_l2(start, true, &l2, &index);
  if (r == -ENOENT) {
    *done = end - offset;
    return 0;
  }
  if (r < 0) return r;
  // A table shared with a snapshot must be copied before it changes.
  if (!(l1_[start / l2_coverage()] & kOflagCopied)) {
    l2.release();
    r = get_l2(start, true, &l2, &index);
    if (r < 0) return r;
  }
  std::vector<L2Entry> replaced;
  for (uint64_t pos = start; pos < aligned_end; pos += cluster_size_, index++) {
    L2Entry old = load_l2(l2.data(), index, geo_);
    bool allocated = entry_has_host(old.entry, geo_) || is_compressed(old.entry);
    L2Entry ne;
    if (!full && (backing_ || allocated)) {
      if (geo_.extended) {
        ne.bitmap = uint64_t{0xffffffff} << 32;
      } else {
        ne.entry = header_.version >= 3 ? kOflagZero : 0;
      }
    }
    if (ne.entry == old.entry && ne.bitmap == old.bitmap) continue;
    store_l2(l2.data(), index, geo_, ne);
    l2.mark_dirty();
    if (allocated) replaced.push_back(old);
  }
  l2.release();
  if (!replaced.empty()) {
    r = l2_cache_->write_back();
    if (r < 0) return r;
    for (const L2Entry &old : replaced) {
      r = free_entry_clusters(old, full ? DiscardType::kSnapshot : DiscardType::kRequest);
      if (r < 0) return r;
    }
  }
  *done = end - offset;
  return 0;
}

int Qcow2Node::discard(uint64_t offset, uint64_t bytes) {
  if (!writable_) return -EACCES;
  if (offset > size_ || bytes > size_ - offset) return -EINVAL;
  bitmaps_mark_dirty(offset, bytes);  // dirty bitmaps (qcow2_bitmap.cc)
  std::lock_guard<std::mutex> g(lock_);
  int r = mark_dirty();
  if (r < 0) return r;
  while (bytes) {
    uint64_t done = 0;
    r = discard_in_l2(offset, bytes, false, &done);
    if (r < 0) return r;
    offset += done;
    bytes -= done;
  }
  return process_discards();
}

int Qcow2Node::flush() {
  if (!writable_) return 0;
  std::lock_guard<std::mutex> g(lock_);
  int r = flush_metadata();
  if (r < 0) return r;
  return data_file_ ? data_file_->flush() : 0;
}

}  // namespace qemu::block::qcow2
