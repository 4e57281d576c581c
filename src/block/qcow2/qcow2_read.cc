// Reads and block status: guest ranges are mapped run by run (uniform type, contiguous host
// offsets), then read from the data file, the backing chain, or decompressed.
#include <cerrno>
#include <cstring>

#include "block/qcow2/compress.h"
#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {

int Qcow2Node::map_range(uint64_t offset, uint64_t bytes, Mapping *m) {
  uint64_t l2_end = (offset / l2_coverage() + 1) * l2_coverage();
  uint64_t limit = std::min(offset + bytes, l2_end);
  TableCache::Ref ref;
  uint64_t index;
  int r = get_l2(offset, false, &ref, &index);
  if (r == -ENOENT) {
    m->type = SubclusterType::kUnallocatedPlain;
    m->bytes = limit - offset;
    return 0;
  }
  if (r < 0) return r;

  const uint64_t sc_size = geo_.subcluster_size();
  const int sc_bits = cluster_bits_ - (geo_.extended ? 5 : 0);
  uint64_t pos = offset;
  bool first = true;
  uint64_t expect_host = 0;
  while (pos < limit) {
    uint64_t ci = (pos >> cluster_bits_) & (geo_.l2_entries() - 1);
    L2Entry e = load_l2(ref.data(), ci, geo_);
    int sc = static_cast<int>((pos & (cluster_size_ - 1)) >> sc_bits);
    SubclusterType t = subcluster_type(e, sc, geo_);
    uint64_t in_cluster = pos & (cluster_size_ - 1);
    uint64_t host = 0;
    if (t == SubclusterType::kNormal || t == SubclusterType::kZeroAlloc ||
        t == SubclusterType::kUnallocatedAlloc) {
      uint64_t base = host_offset(e.entry);
      if (base & (cluster_size_ - 1)) {
        return mark_corrupt(fmt::format(
            "Cluster allocation offset {:#x} unaligned (L2 offset: {:#x}, L2 index: {:#x})", base,
            ref.offset(), ci));
      }
      if (!geo_.extended && (e.entry & kL2ReservedMask & ~kOflagZero)) {
        return mark_corrupt(fmt::format("L2 entry with reserved bits set: {:#x}", e.entry));
      }
      host = data_file_raw() ? (pos & ~(cluster_size_ - 1)) + in_cluster : base + in_cluster;
    }
    if (first) {
      m->type = t;
      m->host = host;
      m->entry = e.entry;
      first = false;
    } else if (t != m->type || t == SubclusterType::kCompressed ||
               (t == SubclusterType::kNormal && host != expect_host)) {
      break;
    }
    if (t == SubclusterType::kInvalid) {
      return mark_corrupt(fmt::format("Invalid L2 entry {:#x} (bitmap {:#x})", e.entry, e.bitmap));
    }
    uint64_t step = t == SubclusterType::kCompressed ? cluster_size_ - in_cluster
                                                     : sc_size - (pos & (sc_size - 1));
    step = std::min(step, limit - pos);
    pos += step;
    expect_host = host + step;
    if (t == SubclusterType::kCompressed) break;
  }
  m->bytes = pos - offset;
  return 0;
}

int Qcow2Node::read_compressed_cluster(uint64_t entry, uint8_t *cluster_buf) {
  uint64_t off = compressed_offset(entry, geo_);
  uint64_t len = compressed_bytes(entry, geo_);
  if (len > 2 * cluster_size_ + 512) return -EIO;
  std::vector<uint8_t> in(len);
  int r = data()->pread(off, in.data(), len);
  if (r < 0) return r;
  r = decompress_cluster(header_.compression_type, cluster_buf, cluster_size_, in.data(), len);
  if (r < 0) {
    error_report("qcow2: Could not decompress cluster at offset {:#x}", off);
    return -EIO;
  }
  return 0;
}

int Qcow2Node::read_backing(uint64_t offset, uint8_t *buf, uint64_t bytes) {
  uint64_t avail = 0;
  if (backing_) {
    int64_t blen = backing_->length();
    if (blen < 0) return static_cast<int>(blen);
    if (offset < static_cast<uint64_t>(blen))
      avail = std::min<uint64_t>(bytes, static_cast<uint64_t>(blen) - offset);
  }
  if (avail) {
    int r = backing_->pread(offset, buf, avail);
    if (r < 0) return r;
  }
  memset(buf + avail, 0, bytes - avail);
  return 0;
}

int Qcow2Node::pread(uint64_t offset, void *vbuf, size_t bytes) {
  uint8_t *buf = static_cast<uint8_t *>(vbuf);
  if (offset > size_ || bytes > size_ - offset) return -EINVAL;
  std::vector<uint8_t> cluster;
  while (bytes) {
    Mapping m;
    {
      std::lock_guard<std::mutex> g(lock_);
      int r = map_range(offset, bytes, &m);
      if (r < 0) return r;
    }
    int r = 0;
    switch (m.type) {
      case SubclusterType::kNormal:
        r = data()->pread(m.host, buf, m.bytes);
        break;
      case SubclusterType::kZeroPlain:
      case SubclusterType::kZeroAlloc:
        memset(buf, 0, m.bytes);
        break;
      case SubclusterType::kUnallocatedPlain:
      case SubclusterType::kUnallocatedAlloc:
        r = read_backing(offset, buf, m.bytes);
        break;
      case SubclusterType::kCompressed:
        cluster.resize(cluster_size_);
        r = read_compressed_cluster(m.entry, cluster.data());
        if (r == 0) memcpy(buf, cluster.data() + (offset & (cluster_size_ - 1)), m.bytes);
        break;
      case SubclusterType::kInvalid:
        r = -EIO;
        break;
    }
    if (r < 0) return r;
    offset += m.bytes;
    buf += m.bytes;
    bytes -= m.bytes;
  }
  return 0;
}

int Qcow2Node::read_old_content(const L2Entry &e, uint64_t cluster_guest, uint64_t in_cluster,
                                uint8_t *buf, uint64_t bytes) {
  // What part of a cluster reads as before a write replaces it (for copy-on-write).
  const int sc_bits = cluster_bits_ - (geo_.extended ? 5 : 0);
  const uint64_t sc_size = geo_.subcluster_size();
  if (is_compressed(e.entry)) {
    std::vector<uint8_t> cluster(cluster_size_);
    int r = read_compressed_cluster(e.entry, cluster.data());
    if (r < 0) return r;
    memcpy(buf, cluster.data() + in_cluster, bytes);
    return 0;
  }
  uint64_t done = 0;
  while (done < bytes) {
    uint64_t pos = in_cluster + done;
    int sc = static_cast<int>(pos >> sc_bits);
    uint64_t n = std::min(bytes - done, sc_size - (pos & (sc_size - 1)));
    SubclusterType t = subcluster_type(e, sc, geo_);
    int r = 0;
    switch (t) {
      case SubclusterType::kNormal: {
        uint64_t base = data_file_raw() ? cluster_guest : host_offset(e.entry);
        r = data()->pread(base + pos, buf + done, n);
        break;
      }
      case SubclusterType::kUnallocatedPlain:
      case SubclusterType::kUnallocatedAlloc:
        r = read_backing(cluster_guest + pos, buf + done, n);
        break;
      case SubclusterType::kInvalid:
        r = -EIO;
        break;
      default:
        memset(buf + done, 0, n);
    }
    if (r < 0) return r;
    done += n;
  }
  return 0;
}

int Qcow2Node::block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) {
  *st = BlockStatus{};
  if (offset >= size_) return -EINVAL;
  bytes = std::min<uint64_t>(bytes, size_ - offset);
  Mapping m;
  {
    std::lock_guard<std::mutex> g(lock_);
    int r = map_range(offset, bytes, &m);
    if (r < 0) return r;
  }
  st->bytes = m.bytes;
  switch (m.type) {
    case SubclusterType::kNormal:
      st->data = true;
      st->allocated = true;
      st->has_offset = true;
      st->offset = m.host;
      st->file = data();
      break;
    case SubclusterType::kZeroAlloc:
      st->zero = true;
      st->allocated = true;
      st->has_offset = true;
      st->offset = m.host;
      st->file = data();
      break;
    case SubclusterType::kZeroPlain:
      st->zero = true;
      st->allocated = true;
      break;
    case SubclusterType::kCompressed:
      st->data = true;
      st->allocated = true;
      break;
    case SubclusterType::kUnallocatedAlloc:
      // Unallocated subclusters of an allocated cluster still have a place in the file.
      st->has_offset = true;
      st->offset = m.host;
      st->file = data();
      st->zero = !backing_;
      break;
    case SubclusterType::kUnallocatedPlain:
      st->zero = !backing_;
      break;
    case SubclusterType::kInvalid:
      return -EIO;
  }
  return 0;
}

}  // namespace qemu::block::qcow2
