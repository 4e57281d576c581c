// Decoding L2 entries (standard and extended) into what a guest range reads as.
#pragma once

#include <cstdint>

#include "block/qcow2/format.h"

namespace qemu::block::qcow2 {

// What one cluster (or subcluster, with extended L2) is.
enum class SubclusterType {
  kUnallocatedPlain,  // reads from the backing file (or zeroes)
  kUnallocatedAlloc,  // same, but the host cluster is reserved (extended L2)
  kZeroPlain,         // reads as zeroes, no host cluster
  kZeroAlloc,         // reads as zeroes, host cluster reserved
  kNormal,            // data at the host offset
  kCompressed,        // compressed data
  kInvalid,           // an inconsistent entry
};

struct L2Geometry {
  int cluster_bits;
  bool extended;
  bool data_file = false;  // external data file: offset 0 with COPIED is allocated
  int l2_bits;             // log2(entries per L2 table)
  int csize_shift;         // compressed descriptor: where the sector count starts
  uint64_t csize_mask;
  uint64_t offset_mask_compressed;

  static L2Geometry make(int cluster_bits, bool extended) {
    L2Geometry g;
    g.cluster_bits = cluster_bits;
    g.extended = extended;
    g.l2_bits = cluster_bits - (extended ? 4 : 3);
    g.csize_shift = 62 - (cluster_bits - 8);
    g.csize_mask = (uint64_t{1} << (cluster_bits - 8)) - 1;
    g.offset_mask_compressed = (uint64_t{1} << g.csize_shift) - 1;
    return g;
  }
  uint64_t l2_entries() const { return uint64_t{1} << l2_bits; }
  size_t entry_bytes() const { return extended ? 16 : 8; }
  uint64_t subcluster_size() const {
    return extended ? (uint64_t{1} << cluster_bits) / 32 : uint64_t{1} << cluster_bits;
  }
  int subclusters() const { return extended ? 32 : 1; }
};

inline bool entry_has_host(uint64_t entry, const L2Geometry &g) {
  if (entry & kOflagCompressed) return false;
  return (entry & kOffsetMask) || (g.data_file && (entry & kOflagCopied));
}

struct L2Entry {
  uint64_t entry = 0;
  uint64_t bitmap = 0;  // extended L2 only
};

inline L2Entry load_l2(const uint8_t *table, uint64_t index, const L2Geometry &g) {
  L2Entry e;
  e.entry = be64(table + index * g.entry_bytes());
  if (g.extended) e.bitmap = be64(table + index * 16 + 8);
  return e;
}

inline void store_l2(uint8_t *table, uint64_t index, const L2Geometry &g, const L2Entry &e) {
  put64(table + index * g.entry_bytes(), e.entry);
  if (g.extended) put64(table + index * 16 + 8, e.bitmap);
}

inline bool is_compressed(uint64_t entry) {
  return entry & kOflagCompressed;
}

inline uint64_t host_offset(uint64_t entry) {
  return entry & kOffsetMask;
}

// Whether a (non-compressed) entry maps to a host cluster. Offset 0 normally means none, but
// with an external data file guest cluster 0 lives at offset 0, marked by COPIED.
inline bool entry_has_host(uint64_t entry, const struct L2Geometry &g);

// Compressed descriptor: host byte offset and the number of bytes to read.
inline uint64_t compressed_offset(uint64_t entry, const L2Geometry &g) {
  return entry & g.offset_mask_compressed;
}
inline uint64_t compressed_bytes(uint64_t entry, const L2Geometry &g) {
  uint64_t sectors = ((entry >> g.csize_shift) & g.csize_mask) + 1;
  return sectors * 512 - (compressed_offset(entry, g) & 511);
}
inline uint64_t make_compressed_entry(uint64_t offset, uint64_t bytes, const L2Geometry &g) {
  uint64_t sectors = ((offset + bytes - 1) >> 9) - (offset >> 9);  // additional sectors
  return kOflagCompressed | (sectors << g.csize_shift) | offset;
}

// The type of subcluster `sc` (0 for standard L2) of an entry.
inline SubclusterType subcluster_type(const L2Entry &e, int sc, const L2Geometry &g) {
  if (is_compressed(e.entry)) {
    return g.extended && e.bitmap ? SubclusterType::kInvalid : SubclusterType::kCompressed;
  }
  bool off = entry_has_host(e.entry, g);
  if (!g.extended) {
    if (e.entry & kOflagZero) return off ? SubclusterType::kZeroAlloc : SubclusterType::kZeroPlain;
    return off ? SubclusterType::kNormal : SubclusterType::kUnallocatedPlain;
  }
  bool alloc = e.bitmap & (uint64_t{1} << sc);
  bool zero = e.bitmap & (uint64_t{1} << (sc + 32));
  if (alloc && zero) return SubclusterType::kInvalid;
  if (off) {
    if (zero) return SubclusterType::kZeroAlloc;
    return alloc ? SubclusterType::kNormal : SubclusterType::kUnallocatedAlloc;
  }
  if (alloc) return SubclusterType::kInvalid;
  return zero ? SubclusterType::kZeroPlain : SubclusterType::kUnallocatedPlain;
}

inline bool type_is_zero(SubclusterType t) {
  return t == SubclusterType::kZeroPlain || t == SubclusterType::kZeroAlloc;
}
inline bool type_is_unallocated(SubclusterType t) {
  return t == SubclusterType::kUnallocatedPlain || t == SubclusterType::kUnallocatedAlloc;
}

}  // namespace qemu::block::qcow2
