// Persistent dirty bitmaps, the pure parts: the in-memory bitmap (DirtyBitmap) and the bitmap
// directory's encoding and validation. See qcow2_bitmap.h.
#include <cstring>

#include "block/qcow2/format.h"
#include "block/qcow2/qcow2_bitmap.h"

namespace qemu::block::qcow2 {
namespace {

constexpr uint64_t kChunkSize = uint64_t{1} << DirtyBitmap::kChunkBits;

uint64_t bits_for(uint64_t size, int gbits) {
  return size ? ((size - 1) >> gbits) + 1 : 0;
}

// Word w of a little-endian byte buffer of len bytes (missing bytes read as zero).
uint64_t load_le64(const uint8_t *p, uint64_t avail) {
  uint64_t v = 0;
  for (uint64_t i = 0; i < 8 && i < avail; i++) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

void store_le64(uint8_t *p, uint64_t avail, uint64_t v) {
  for (uint64_t i = 0; i < 8 && i < avail; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Mask of bits [a, b) of a 64-bit word (0 <= a <= b <= 64).
uint64_t word_mask(uint64_t a, uint64_t b) {
  uint64_t hi = b >= 64 ? ~uint64_t{0} : (uint64_t{1} << b) - 1;
  uint64_t lo = (uint64_t{1} << a) - 1;
  return hi & ~lo;
}

}  // namespace

DirtyBitmap::DirtyBitmap(uint64_t size_bytes, int granularity_bits)
    : size_(size_bytes), gbits_(granularity_bits), nbits_(bits_for(size_bytes, granularity_bits)) {}

uint64_t DirtyBitmap::chunk_limit(uint64_t chunk) const {
  uint64_t base = chunk << kChunkBits;
  return base >= nbits_ ? 0 : std::min(kChunkSize, nbits_ - base);
}

void DirtyBitmap::set_in_chunk(uint64_t chunk, uint64_t first, uint64_t end) {
  auto it = chunks_.find(chunk);
  if (it != chunks_.end() && it->second.full) return;
  if (first == 0 && end >= chunk_limit(chunk)) {
    if (it != chunks_.end()) {
      it->second.words.reset();
      partial_chunks_--;
      it->second.full = true;
    } else {
      chunks_[chunk].full = true;
    }
    return;
  }
  if (it == chunks_.end()) {
    it = chunks_.emplace(chunk, Chunk{}).first;
    it->second.words = std::make_unique<uint64_t[]>(kChunkWords);  // zeroed
    partial_chunks_++;
  }
  uint64_t *w = it->second.words.get();
  for (uint64_t i = first; i < end;) {
    uint64_t wi = i / 64, a = i % 64;
    uint64_t b = std::min<uint64_t>(64, a + (end - i));
    w[wi] |= word_mask(a, b);
    i += b - a;
  }
}

void DirtyBitmap::set_bits(uint64_t first, uint64_t count) {
  if (first >= nbits_ || count == 0) return;
  uint64_t end = count > nbits_ - first ? nbits_ : first + count;
  for (uint64_t c = first >> kChunkBits; c <= (end - 1) >> kChunkBits; c++) {
    uint64_t base = c << kChunkBits;
    uint64_t a = std::max(first, base) - base;
    uint64_t b = std::min(end, base + kChunkSize) - base;
    set_in_chunk(c, a, b);
  }
}

void DirtyBitmap::set_bytes(uint64_t offset, uint64_t bytes) {
  if (bytes == 0 || offset >= size_) return;
  uint64_t last = offset + std::min(bytes, size_ - offset) - 1;
  uint64_t first_bit = offset >> gbits_;
  set_bits(first_bit, (last >> gbits_) - first_bit + 1);
}

void DirtyBitmap::clear() {
  chunks_.clear();
  partial_chunks_ = 0;
}

bool DirtyBitmap::get(uint64_t bit) const {
  if (bit >= nbits_) return false;
  auto it = chunks_.find(bit >> kChunkBits);
  if (it == chunks_.end()) return false;
  if (it->second.full) return true;
  uint64_t i = bit & (kChunkSize - 1);
  return (it->second.words[i / 64] >> (i % 64)) & 1;
}

uint64_t DirtyBitmap::next_set(uint64_t from) const {
  if (from >= nbits_) return nbits_;
  for (auto it = chunks_.lower_bound(from >> kChunkBits); it != chunks_.end(); ++it) {
    uint64_t base = it->first << kChunkBits;
    uint64_t lim = chunk_limit(it->first);
    uint64_t start = from > base ? from - base : 0;
    if (start >= lim) continue;
    if (it->second.full) return base + start;
    const uint64_t *w = it->second.words.get();
    for (uint64_t wi = start / 64; wi * 64 < lim; wi++) {
      uint64_t v = w[wi];
      if (wi == start / 64) v &= ~((uint64_t{1} << (start % 64)) - 1);
      if (v) {
        uint64_t bit = wi * 64 + static_cast<uint64_t>(__builtin_ctzll(v));
        if (bit < lim) return base + bit;
        break;
      }
    }
  }
  return nbits_;
}

uint64_t DirtyBitmap::next_clear(uint64_t from) const {
  uint64_t pos = from;
  while (pos < nbits_) {
    uint64_t c = pos >> kChunkBits;
    auto it = chunks_.find(c);
    if (it == chunks_.end()) return pos;
    uint64_t base = c << kChunkBits;
    uint64_t lim = chunk_limit(c);
    if (!it->second.full) {
      const uint64_t *w = it->second.words.get();
      uint64_t start = pos - base;
      for (uint64_t wi = start / 64; wi * 64 < lim; wi++) {
        uint64_t v = ~w[wi];
        if (wi == start / 64) v &= ~((uint64_t{1} << (start % 64)) - 1);
        if (v) {
          uint64_t bit = wi * 64 + static_cast<uint64_t>(__builtin_ctzll(v));
          return std::min(base + bit, nbits_);
        }
      }
    }
    pos = base + lim;
  }
  return nbits_;
}

uint64_t DirtyBitmap::count() const {
  uint64_t n = 0;
  for (const auto &[c, ch] : chunks_) {
    if (ch.full) {
      n += chunk_limit(c);
      continue;
    }
    for (uint64_t i = 0; i < kChunkWords; i++)
      n += static_cast<uint64_t>(__builtin_popcountll(ch.words[i]));
  }
  return n;
}

void DirtyBitmap::resize(uint64_t size_bytes) {
  uint64_t nb = bits_for(size_bytes, gbits_);
  if (nb < nbits_) {
    uint64_t keep_chunks = (nb + kChunkSize - 1) >> kChunkBits;
    for (auto it = chunks_.lower_bound(keep_chunks); it != chunks_.end();) {
      if (!it->second.full) partial_chunks_--;
      it = chunks_.erase(it);
    }
    // The new last chunk: drop the bits past the end.
    if (nb % kChunkSize) {
      auto it = chunks_.find(nb >> kChunkBits);
      if (it != chunks_.end() && !it->second.full) {
        uint64_t *w = it->second.words.get();
        uint64_t lim = nb % kChunkSize;
        w[lim / 64] &= word_mask(0, lim % 64);
        for (uint64_t i = lim / 64 + 1; i < kChunkWords; i++) w[i] = 0;
        if (lim % 64 == 0) w[lim / 64] = 0;
      }
    }
  } else if (nb > nbits_ && nbits_ % kChunkSize) {
    // A full last chunk covers only the old bits: make it partial.
    auto it = chunks_.find(nbits_ >> kChunkBits);
    if (it != chunks_.end() && it->second.full) {
      uint64_t lim = nbits_ % kChunkSize;
      it->second.full = false;
      it->second.words = std::make_unique<uint64_t[]>(kChunkWords);
      partial_chunks_++;
      uint64_t *w = it->second.words.get();
      for (uint64_t i = 0; i < lim / 64; i++) w[i] = ~uint64_t{0};
      if (lim % 64) w[lim / 64] = word_mask(0, lim % 64);
    }
  }
  size_ = size_bytes;
  nbits_ = nb;
}

std::vector<std::pair<uint64_t, uint64_t>> DirtyBitmap::ranges() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t pos = next_set(0); pos < nbits_;) {
    uint64_t end = next_clear(pos);
    uint64_t start_b = pos << gbits_;
    uint64_t end_b = end >= nbits_ ? size_ : std::min(size_, end << gbits_);
    out.emplace_back(start_b, end_b - start_b);
    pos = next_set(end);
  }
  return out;
}

void DirtyBitmap::serialize(uint64_t first, uint64_t count, uint8_t *out) const {
  uint64_t out_bytes = (count + 7) / 8;
  memset(out, 0, out_bytes);
  if (first >= nbits_ || count == 0) return;
  uint64_t end = std::min(nbits_, count > nbits_ - first ? nbits_ : first + count);
  for (auto it = chunks_.lower_bound(first >> kChunkBits); it != chunks_.end(); ++it) {
    uint64_t base = it->first << kChunkBits;
    if (base >= end) break;
    uint64_t lim = chunk_limit(it->first);
    uint64_t a = std::max(first, base), b = std::min(end, base + lim);
    // Whole words from a (a is 64-aligned: both first and chunk bases are).
    for (uint64_t bit = a; bit < b; bit += 64) {
      uint64_t n = std::min<uint64_t>(64, b - bit);
      uint64_t v =
          it->second.full ? word_mask(0, n) : it->second.words[(bit - base) / 64] & word_mask(0, n);
      uint64_t byte = (bit - first) / 8;
      store_le64(out + byte, out_bytes - byte, v);
    }
  }
}

void DirtyBitmap::deserialize(uint64_t first, uint64_t count, const uint8_t *in) {
  if (first >= nbits_ || count == 0) return;
  uint64_t in_bytes = (count + 7) / 8;
  uint64_t end = count > nbits_ - first ? nbits_ : first + count;
  for (uint64_t c = first >> kChunkBits; c <= (end - 1) >> kChunkBits; c++) {
    uint64_t base = c << kChunkBits;
    uint64_t a = std::max(first, base), b = std::min(end, base + chunk_limit(c));
    // Classify the slice: all zeroes, all ones, or mixed.
    bool zero = true, ones = true;
    for (uint64_t bit = a; bit < b && (zero || ones); bit += 64) {
      uint64_t n = std::min<uint64_t>(64, b - bit);
      uint64_t byte = (bit - first) / 8;
      uint64_t v = load_le64(in + byte, in_bytes - byte) & word_mask(0, n);
      zero &= v == 0;
      ones &= v == word_mask(0, n);
    }
    if (zero) continue;
    if (ones) {
      set_in_chunk(c, a - base, b - base);
      continue;
    }
    auto it = chunks_.find(c);
    if (it != chunks_.end() && it->second.full) continue;
    if (it == chunks_.end()) {
      it = chunks_.emplace(c, Chunk{}).first;
      it->second.words = std::make_unique<uint64_t[]>(kChunkWords);
      partial_chunks_++;
    }
    uint64_t *w = it->second.words.get();
    for (uint64_t bit = a; bit < b; bit += 64) {
      uint64_t n = std::min<uint64_t>(64, b - bit);
      uint64_t byte = (bit - first) / 8;
      w[(bit - base) / 64] |= load_le64(in + byte, in_bytes - byte) & word_mask(0, n);
    }
  }
}

uint64_t bitmap_serialized_bytes(uint64_t image_size, int granularity_bits) {
  uint64_t bits = bits_for(image_size, granularity_bits);
  return (bits + 63) / 64 * 8;
}

uint64_t bitmap_table_entries(uint64_t image_size, int granularity_bits, uint64_t cluster_size) {
  uint64_t bytes = bitmap_serialized_bytes(image_size, granularity_bits);
  return (bytes + cluster_size - 1) / cluster_size;
}

bool bitmap_dir_entry_valid(const BitmapDirEntry &e, uint64_t image_size, uint64_t cluster_size) {
  if (e.table_size == 0 || e.table_offset == 0 || (e.table_offset % cluster_size) ||
      e.table_size > kBitmapMaxTableSize || e.granularity_bits > kBitmapMaxGranularityBits ||
      e.granularity_bits < kBitmapMinGranularityBits || (e.flags & kBitmapReservedFlags) ||
      e.name.size() > kBitmapMaxNameSize || e.type != kBitmapTypeDirtyTracking)
    return false;
  uint64_t phys = uint64_t{e.table_size} * cluster_size;
  if (phys > kBitmapMaxPhysSize) return false;
  // A bitmap saved cleanly must have a table large enough for the image.
  if (!(e.flags & kBitmapFlagInUse) && image_size > ((phys * 8) << e.granularity_bits))
    return false;
  return true;
}

bool parse_bitmap_directory(const uint8_t *dir, uint64_t size, uint32_t nb_bitmaps,
                            uint64_t image_size, uint64_t cluster_size,
                            std::vector<BitmapDirEntry> *out, Error *err) {
  out->clear();
  if (size == 0) {
    *err = Error::make("Requested bitmap directory size is zero");
    return false;
  }
  if (size > kMaxBitmapDirectorySize) {
    *err = Error::make("Requested bitmap directory size is too big");
    return false;
  }
  uint64_t pos = 0;
  uint32_t count = 0;
  while (pos < size) {
    if (size - pos < 24) {
      *err = Error::make("Broken bitmap directory");
      return false;
    }
    if (++count > nb_bitmaps) {
      *err = Error::make("More bitmaps found than specified in header extension");
      return false;
    }
    const uint8_t *p = dir + pos;
    BitmapDirEntry e;
    e.table_offset = be64(p);
    e.table_size = be32(p + 8);
    e.flags = be32(p + 12);
    e.type = p[16];
    e.granularity_bits = p[17];
    uint16_t name_size = be16(p + 18);
    e.extra_data_size = be32(p + 20);
    uint64_t esize = bitmap_dir_entry_size(name_size, e.extra_data_size);
    if (esize > size - pos) {
      *err = Error::make("Broken bitmap directory");
      return false;
    }
    if (e.extra_data_size != 0) {
      *err = Error::make("Bitmap extra data is not supported");
      return false;
    }
    e.name.assign(reinterpret_cast<const char *>(p + 24), name_size);
    if (!bitmap_dir_entry_valid(e, image_size, cluster_size)) {
      *err = Error::make("Bitmap '{}' doesn't satisfy the constraints",
                         std::string(e.name.c_str(), strnlen(e.name.c_str(), e.name.size())));
      return false;
    }
    out->push_back(std::move(e));
    pos += esize;
  }
  if (count != nb_bitmaps) {
    *err = Error::make("Less bitmaps found than specified in header extension");
    return false;
  }
  return true;
}

std::vector<uint8_t> serialize_bitmap_directory(const std::vector<BitmapDirEntry> &entries) {
  uint64_t size = 0;
  for (const auto &e : entries) size += bitmap_dir_entry_size(e.name.size(), 0);
  std::vector<uint8_t> out(size, 0);
  uint64_t pos = 0;
  for (const auto &e : entries) {
    uint8_t *p = out.data() + pos;
    put64(p, e.table_offset);
    put32(p + 8, e.table_size);
    put32(p + 12, e.flags);
    p[16] = e.type;
    p[17] = e.granularity_bits;
    put16(p + 18, static_cast<uint16_t>(e.name.size()));
    put32(p + 20, 0);
    memcpy(p + 24, e.name.data(), e.name.size());
    pos += bitmap_dir_entry_size(e.name.size(), 0);
  }
  return out;
}

bool bitmap_table_entry_valid(uint64_t entry, uint64_t cluster_size) {
  if (entry & kBitmapTableReservedMask) return false;
  uint64_t offset = entry & kBitmapTableOffsetMask;
  if (offset && ((entry & kBitmapTableAllOnes) || (offset % cluster_size))) return false;
  return true;
}

}  // namespace qemu::block::qcow2
