// The qcow2 on-disk format: header and header extensions, and the encodings of L1, L2 and
// refcount entries. Everything on disk is big-endian. See docs/interop/qcow2.txt (the public
// specification) and ../shared/reference/block.md.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"

namespace qemu::block::qcow2 {

constexpr uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
constexpr uint32_t kV2HeaderLength = 72;
constexpr uint32_t kV3HeaderLength = 112;  // with the compression type byte and padding
constexpr int kMinClusterBits = 9;
constexpr int kMaxClusterBits = 21;

enum IncompatibleBit : uint64_t {
  kIncompatDirty = 1u << 0,
  kIncompatCorrupt = 1u << 1,
  kIncompatDataFile = 1u << 2,
  kIncompatCompression = 1u << 3,
  kIncompatExtL2 = 1u << 4,
  kIncompatKnown = 0x1f,
};
enum CompatibleBit : uint64_t { kCompatLazyRefcounts = 1u << 0 };
enum AutoclearBit : uint64_t {
  kAutoclearBitmaps = 1u << 0,
  kAutoclearDataFileRaw = 1u << 1,
  kAutoclearKnown = 0x3,
};

enum ExtensionType : uint32_t {
  kExtEnd = 0,
  kExtBackingFormat = 0xe2792aca,
  kExtFeatureTable = 0x6803f857,
  kExtBitmaps = 0x23852875,
  kExtCrypto = 0x0537be77,
  kExtDataFile = 0x44415441,
};

enum CompressionType : uint8_t { kCompressionZlib = 0, kCompressionZstd = 1 };

// Limits QEMU enforces (exceeding them is refused on open).
constexpr uint64_t kMaxRefcountTableBytes = 8u << 20;
constexpr uint64_t kMaxL1Bytes = 32u << 20;
constexpr uint32_t kMaxSnapshots = 65536;
// The end of the largest request QEMU's block layer accepts (INT64_MAX aligned down to 1 GiB).
constexpr uint64_t kMaxRequestEnd = (uint64_t{INT64_MAX} >> 30) << 30;
constexpr uint64_t kMaxSnapshotTableBytes = 64u << 20;
constexpr uint32_t kMaxSnapshotExtraData = 1024;
constexpr uint32_t kMaxBackingFileNameSize = 1023;

// Entry masks.
constexpr uint64_t kOffsetMask = 0x00fffffffffffe00ull;  // L1/L2/reftable offsets: bits 9..55
constexpr uint64_t kReftOffsetMask = ~uint64_t{0x1ff};   // what check takes as a refblock offset
constexpr uint64_t kOflagCopied = 1ull << 63;
constexpr uint64_t kOflagCompressed = 1ull << 62;
constexpr uint64_t kOflagZero = 1ull << 0;
constexpr uint64_t kL1ReservedMask = 0x7f000000000001ffull;
constexpr uint64_t kL2ReservedMask = 0x3f000000000001feull;  // standard, non-compressed
constexpr uint64_t kReftableReservedMask = 0x1ffull;

inline uint16_t be16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t *p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline uint64_t be64(const uint8_t *p) {
  return uint64_t{be32(p)} << 32 | be32(p + 4);
}
inline void put16(uint8_t *p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t *p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
inline void put64(uint8_t *p, uint64_t v) {
  put32(p, static_cast<uint32_t>(v >> 32));
  put32(p + 4, static_cast<uint32_t>(v));
}

struct FeatureName {
  uint8_t type;  // 0 incompatible, 1 compatible, 2 autoclear
  uint8_t bit;
  std::string name;
};

struct BitmapsExtension {
  uint32_t nb_bitmaps = 0;
  uint32_t reserved = 0;
  uint64_t directory_size = 0;
  uint64_t directory_offset = 0;
};

struct RawExtension {
  uint32_t type;
  std::string data;
};

struct Header {
  uint32_t version = 3;
  uint64_t backing_file_offset = 0;
  uint32_t backing_file_size = 0;
  uint32_t cluster_bits = 16;
  uint64_t size = 0;
  uint32_t crypt_method = 0;
  uint32_t l1_size = 0;
  uint64_t l1_table_offset = 0;
  uint64_t refcount_table_offset = 0;
  uint32_t refcount_table_clusters = 0;
  uint32_t nb_snapshots = 0;
  uint64_t snapshots_offset = 0;
  uint64_t incompatible_features = 0;
  uint64_t compatible_features = 0;
  uint64_t autoclear_features = 0;
  uint32_t refcount_order = 4;
  uint32_t header_length = kV3HeaderLength;
  uint8_t compression_type = kCompressionZlib;

  // From the extensions and the backing file name area.
  std::string backing_file;
  std::string backing_format;
  std::string data_file;
  bool has_data_file_ext = false;
  bool has_bitmaps_ext = false;
  BitmapsExtension bitmaps;
  bool has_crypto_ext = false;
  uint64_t crypto_offset = 0, crypto_length = 0;
  std::vector<FeatureName> feature_names;  // as found in the image
  std::vector<RawExtension> unknown;       // preserved on rewrite

  uint64_t cluster_size() const { return uint64_t{1} << cluster_bits; }
  bool extended_l2() const { return incompatible_features & kIncompatExtL2; }
};

// Parses and validates the header from the first cluster of the image (buf holds at least
// min(file size, cluster size) bytes; len is how many). file_size bounds offsets.
bool parse_header(const uint8_t *buf, size_t len, uint64_t file_size, Header *h, Error *err);

// Serializes the header, its extensions (backing format, encryption, data file, feature name
// table for v3, bitmaps, unknown ones) and the backing file name into one cluster. Fails if
// they do not fit. Sets h->backing_file_offset/size.
bool serialize_header(Header *h, std::vector<uint8_t> *out, Error *err);

// The names of unsupported incompatible feature bits, as QEMU reports them.
std::string unknown_incompatible_features(const Header &h);

// The feature name table QEMU 7.2 writes into v3 images.
const std::vector<FeatureName> &default_feature_names();

}  // namespace qemu::block::qcow2
