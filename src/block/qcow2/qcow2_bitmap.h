// Persistent dirty bitmaps in qcow2 images (the "bitmaps" header extension, autoclear bit 0):
//   - DirtyBitmap: an in-memory bitmap, sparse (chunks of bits allocated on first use, all-ones
//     chunks stored as a flag) so that hostile images cannot make us allocate terabytes;
//   - the bitmap directory's on-disk encoding and QEMU 7.2's validation of it;
//   - BitmapSet: the bitmaps of an open node (QEMU's BdrvDirtyBitmap list) and what is known
//     of the directory on disk.
// The node's operations on them (open, close, qemu-img bitmap, dirty tracking) are in
// qcow2_bitmap.cc. See docs/interop/qcow2.txt ("Bitmaps") for the format.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/qjson.h"
#include "block/node.h"

namespace qemu::block::qcow2 {

// QEMU 7.2's limits.
constexpr uint32_t kMaxBitmaps = 65535;
constexpr uint64_t kMaxBitmapDirectorySize = 1024 * uint64_t{kMaxBitmaps};
constexpr uint32_t kBitmapMaxTableSize = 0x8000000;  // entries
constexpr uint64_t kBitmapMaxPhysSize = 0x20000000;  // bytes of bitmap data clusters
constexpr int kBitmapMinGranularityBits = 9;
constexpr int kBitmapMaxGranularityBits = 31;
constexpr uint32_t kBitmapMaxNameSize = 1023;
constexpr uint32_t kBitmapFlagInUse = 1u << 0;
constexpr uint32_t kBitmapFlagAuto = 1u << 1;
constexpr uint32_t kBitmapReservedFlags = ~(kBitmapFlagInUse | kBitmapFlagAuto);
constexpr uint8_t kBitmapTypeDirtyTracking = 1;
constexpr uint64_t kBitmapTableOffsetMask = 0x00fffffffffffe00ull;
constexpr uint64_t kBitmapTableReservedMask = 0xff000000000001feull;
constexpr uint64_t kBitmapTableAllOnes = 1;

// A bitmap of nbits bits; bit i stands for bytes [i << granularity_bits, (i+1) << ...).
class DirtyBitmap {
 public:
  static constexpr int kChunkBits = 18;  // 2^18 bits (32 KiB) per chunk
  static constexpr uint64_t kChunkWords = (uint64_t{1} << kChunkBits) / 64;

  DirtyBitmap(uint64_t size_bytes, int granularity_bits);

  uint64_t size() const { return size_; }  // bytes covered (the image's virtual size)
  int granularity_bits() const { return gbits_; }
  uint64_t nbits() const { return nbits_; }

  // Marks the granules touching [offset, offset + bytes) (clipped to the size).
  void set_bytes(uint64_t offset, uint64_t bytes);
  // Bits [first, first + count) (clipped to nbits).
  void set_bits(uint64_t first, uint64_t count);
  void clear();
  bool get(uint64_t bit) const;
  // The first set (clear) bit at or after `from`, or nbits() if none.
  uint64_t next_set(uint64_t from) const;
  uint64_t next_clear(uint64_t from) const;
  uint64_t count() const;
  bool empty() const { return chunks_.empty(); }
  // Changes the size; bits past the new end are dropped, new bits are clear.
  void resize(uint64_t size_bytes);
  // The dirty byte ranges (offset, length), merged and clipped to the size.
  std::vector<std::pair<uint64_t, uint64_t>> ranges() const;

  // QEMU's serialization: bit i of the range is bit (i % 8) of byte i / 8 (little-endian
  // 64-bit words). first is a multiple of 64; bits past nbits read as zero.
  void serialize(uint64_t first, uint64_t count, uint8_t *out) const;
  // The inverse: sets the bits of [first, first + count) that are set in `in` (bits past
  // nbits are ignored). Bits of the range not set in `in` are left as they are.
  void deserialize(uint64_t first, uint64_t count, const uint8_t *in);
  // Memory held by partially set chunks (full and empty ones cost nothing).
  uint64_t memory_bytes() const { return partial_chunks_ * kChunkWords * 8; }

 private:
  struct Chunk {
    bool full = false;
    std::unique_ptr<uint64_t[]> words;  // null if full
  };
  void set_in_chunk(uint64_t chunk, uint64_t first, uint64_t end);  // bit indices in the chunk
  uint64_t chunk_limit(uint64_t chunk) const;                       // bits of that chunk in use

  uint64_t size_ = 0;
  int gbits_ = 16;
  uint64_t nbits_ = 0;
  uint64_t partial_chunks_ = 0;
  std::map<uint64_t, Chunk> chunks_;
};

// One entry of the bitmap directory.
struct BitmapDirEntry {
  uint64_t table_offset = 0;
  uint32_t table_size = 0;
  uint32_t flags = 0;
  uint8_t type = kBitmapTypeDirtyTracking;
  uint8_t granularity_bits = 16;
  uint32_t extra_data_size = 0;
  std::string name;
};

// Bytes an entry takes in the directory (header, name, extra data, 8-aligned).
inline uint64_t bitmap_dir_entry_size(uint64_t name_size, uint64_t extra_data_size) {
  return (24 + name_size + extra_data_size + 7) & ~uint64_t{7};
}

// Bytes of data clusters a bitmap over `image_size` bytes needs (whole 64-bit words, as QEMU
// serializes), and the number of entries of its bitmap table.
uint64_t bitmap_serialized_bytes(uint64_t image_size, int granularity_bits);
uint64_t bitmap_table_entries(uint64_t image_size, int granularity_bits, uint64_t cluster_size);

// QEMU's check of a directory entry against the image (check_dir_entry): true if valid.
bool bitmap_dir_entry_valid(const BitmapDirEntry &e, uint64_t image_size, uint64_t cluster_size);

// Parses the directory (size bytes at dir) as QEMU does, with its messages.
bool parse_bitmap_directory(const uint8_t *dir, uint64_t size, uint32_t nb_bitmaps,
                            uint64_t image_size, uint64_t cluster_size,
                            std::vector<BitmapDirEntry> *out, Error *err);
// Encodes a directory (entries 8-aligned, no extra data written).
std::vector<uint8_t> serialize_bitmap_directory(const std::vector<BitmapDirEntry> &entries);

// A bitmap table entry as QEMU checks it (reserved bits, alignment, flag with an offset).
bool bitmap_table_entry_valid(uint64_t entry, uint64_t cluster_size);

// A bitmap in memory (QEMU's BdrvDirtyBitmap).
struct MemBitmap {
  std::string name;
  int granularity_bits = 16;
  bool enabled = true;        // records writes ("auto" when stored)
  bool inconsistent = false;  // was in use on disk: its contents are lost
  bool readonly = false;      // loaded from an image opened read-only
  bool persistent = true;     // stored in the image on close
  DirtyBitmap bits;

  MemBitmap(std::string n, uint64_t size, int gbits)
      : name(std::move(n)), granularity_bits(gbits), bits(size, gbits) {}
};

// The bitmaps of an open qcow2 node. The node's lock_ guards the directory state; mu guards
// the in-memory bitmaps (so writes can mark them without the node's lock). Lock order: the
// node's lock_, then mu.
struct BitmapSet {
  std::mutex mu;
  std::vector<std::unique_ptr<MemBitmap>> list;  // in order of creation (QEMU walks newest first)
  std::atomic<bool> tracking{false};             // some bitmap is enabled
  // The directory as it is on disk (what qemu-img info reports).
  std::vector<BitmapDirEntry> disk;

  MemBitmap *find(const std::string &name) {
    for (auto &b : list)
      if (b->name == name) return b.get();
    return nullptr;
  }
  void update_tracking() {
    bool any = false;
    for (auto &b : list) any |= b->enabled && !b->readonly;
    tracking.store(any, std::memory_order_relaxed);
  }
};

// qemu-img info: the "bitmaps" list of the format-specific data, from the directory on disk.
Json bitmap_info_json(const std::vector<BitmapDirEntry> &dir);

// qemu-img measure: the bytes src's persistent bitmaps would take in a qcow2 image with this
// cluster size (each fully allocated, plus tables and directory).
uint64_t bitmaps_measure(Node *src, uint64_t cluster_size);

}  // namespace qemu::block::qcow2
