#include "block/qcow2/format.h"

#include <fmt/core.h>

namespace qemu::block::qcow2 {

const std::vector<FeatureName> &default_feature_names() {
  static const std::vector<FeatureName> names = {
      {0, 0, "dirty bit"},        {0, 1, "corrupt bit"},         {0, 2, "external data file"},
      {0, 3, "compression type"}, {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"},
      {2, 0, "bitmaps"},          {2, 1, "raw external data"},
  };
  return names;
}

std::string unknown_incompatible_features(const Header &h) {
  uint64_t mask = h.incompatible_features & ~uint64_t{kIncompatKnown};
  std::string out;
  for (int bit = 0; bit < 64; bit++) {
    if (!(mask & (uint64_t{1} << bit))) continue;
    std::string name;
    for (const FeatureName &f : h.feature_names)
      if (f.type == 0 && f.bit == bit) name = f.name;
    if (!out.empty()) out += ", ";
    out +=
        name.empty() ? fmt::format("Unknown incompatible feature: {:x}", uint64_t{1} << bit) : name;
  }
  return out;
}

bool parse_header(const uint8_t *buf, size_t len, uint64_t file_size, Header *h, Error *err) {
  *h = Header{};
  if (len < kV2HeaderLength || be32(buf) != kMagic) {
    *err = Error::make("Image is not in qcow2 format");
    return false;
  }
  h->version = be32(buf + 4);
  if (h->version < 2 || h->version > 3) {
    *err = Error::make("Unsupported qcow2 version {}", h->version);
    return false;
  }
  h->backing_file_offset = be64(buf + 8);
  h->backing_file_size = be32(buf + 16);
  h->cluster_bits = be32(buf + 20);
  h->size = be64(buf + 24);
  h->crypt_method = be32(buf + 32);
  h->l1_size = be32(buf + 36);
  h->l1_table_offset = be64(buf + 40);
  h->refcount_table_offset = be64(buf + 48);
  h->refcount_table_clusters = be32(buf + 56);
  h->nb_snapshots = be32(buf + 60);
  h->snapshots_offset = be64(buf + 64);

  if (h->cluster_bits < kMinClusterBits || h->cluster_bits > kMaxClusterBits) {
    *err = Error::make("Unsupported cluster size: 2^{}", h->cluster_bits);
    return false;
  }
  uint64_t cluster_size = h->cluster_size();

  if (h->version == 2) {
    h->refcount_order = 4;
    h->header_length = kV2HeaderLength;
  } else {
    if (len < 104) {
      *err = Error::make("qcow2 header too short");
      return false;
    }
    h->incompatible_features = be64(buf + 72);
    h->compatible_features = be64(buf + 80);
    h->autoclear_features = be64(buf + 88);
    h->refcount_order = be32(buf + 96);
    h->header_length = be32(buf + 100);
    if (h->header_length < 104) {
      *err = Error::make("qcow2 header too short");
      return false;
    }
    if (h->header_length > cluster_size || h->header_length > len) {
      *err = Error::make("qcow2 header exceeds cluster size");
      return false;
    }
    if (h->header_length > 104) h->compression_type = buf[104];
  }

  // Extensions follow the header, up to the backing file name (or the cluster end).
  uint64_t ext_end = cluster_size;
  if (h->backing_file_offset) ext_end = std::min<uint64_t>(ext_end, h->backing_file_offset);
  ext_end = std::min<uint64_t>(ext_end, len);
  uint64_t pos = h->header_length;
  while (pos + 8 <= ext_end) {
    uint32_t type = be32(buf + pos);
    uint32_t elen = be32(buf + pos + 4);
    pos += 8;
    if (type == kExtEnd) break;
    if (elen > ext_end - pos) {
      *err = Error::make("Header extension too large");
      return false;
    }
    const uint8_t *d = buf + pos;
    switch (type) {
      case kExtBackingFormat:
        if (elen >= 16) {
          *err = Error::make("ERROR: ext_backing_format: len={} too large (>={})", elen, 16);
          return false;
        }
        h->backing_format.assign(reinterpret_cast<const char *>(d), elen);
        break;
      case kExtFeatureTable:
        for (uint32_t i = 0; i + 48 <= elen; i += 48) {
          const char *name = reinterpret_cast<const char *>(d + i + 2);
          h->feature_names.push_back({d[i], d[i + 1], std::string(name, strnlen(name, 46))});
        }
        break;
      case kExtBitmaps:
        if (elen != 24) {
          *err = Error::make("bitmaps_ext: Invalid extension length");
          return false;
        }
        h->has_bitmaps_ext = true;
        h->bitmaps.nb_bitmaps = be32(d);
        h->bitmaps.reserved = be32(d + 4);
        h->bitmaps.directory_size = be64(d + 8);
        h->bitmaps.directory_offset = be64(d + 16);
        // Validated only when the autoclear bit says they are consistent (see qcow2_bitmap.cc).
        if (h->autoclear_features & kAutoclearBitmaps) {
          if (h->bitmaps.reserved) {
            *err = Error::make("bitmaps_ext: Reserved field is not zero");
            return false;
          }
          if (h->bitmaps.nb_bitmaps > 65535) {
            *err = Error::make(
                "bitmaps_ext: Image has {} bitmaps, exceeding the QEMU supported maximum of 65535",
                h->bitmaps.nb_bitmaps);
            return false;
          }
          if (h->bitmaps.nb_bitmaps == 0) {
            *err = Error::make("found bitmaps extension with zero bitmaps");
            return false;
          }
          if (h->bitmaps.directory_offset & (cluster_size - 1)) {
            *err = Error::make("bitmaps_ext: invalid bitmap directory offset");
            return false;
          }
          if (h->bitmaps.directory_size > 1024 * 65535) {
            *err = Error::make(
                "bitmaps_ext: bitmap directory size ({}) exceeds the maximum supported size ({})",
                h->bitmaps.directory_size, 1024 * 65535);
            return false;
          }
        }
        break;
      case kExtCrypto:
        if (elen != 16) {
          *err = Error::make("Unable to read CRYPTO header extension");
          return false;
        }
        h->has_crypto_ext = true;
        h->crypto_offset = be64(d);
        h->crypto_length = be64(d + 8);
        break;
      case kExtDataFile:
        h->has_data_file_ext = true;
        h->data_file.assign(reinterpret_cast<const char *>(d), elen);
        break;
      default:
        h->unknown.push_back({type, std::string(reinterpret_cast<const char *>(d), elen)});
        break;
    }
    pos += (elen + 7) & ~7u;
  }

  if (h->backing_file_offset > cluster_size) {
    *err = Error::make("Invalid backing file offset");
    return false;
  }
  if (h->backing_file_offset) {
    if (h->backing_file_size > kMaxBackingFileNameSize ||
        h->backing_file_size > cluster_size - h->backing_file_offset) {
      *err = Error::make("Backing file name too long");
      return false;
    }
    if (h->backing_file_offset + h->backing_file_size > len) {
      *err = Error::make("Could not read backing file name");
      return false;
    }
    h->backing_file.assign(reinterpret_cast<const char *>(buf + h->backing_file_offset),
                           h->backing_file_size);
  }
  (void)file_size;
  return true;
}

namespace {

void append_ext(std::vector<uint8_t> &out, uint32_t type, const void *data, size_t len) {
  size_t pos = out.size();
  out.resize(pos + 8 + ((len + 7) & ~size_t{7}), 0);
  put32(out.data() + pos, type);
  put32(out.data() + pos + 4, static_cast<uint32_t>(len));
  if (len) memcpy(out.data() + pos + 8, data, len);
}

}  // namespace

bool serialize_header(Header *h, std::vector<uint8_t> *out, Error *err) {
  uint64_t cluster_size = h->cluster_size();
  uint32_t hdr_len = h->version == 2 ? kV2HeaderLength : h->header_length;
  if (h->version == 3 && hdr_len < kV3HeaderLength) hdr_len = kV3HeaderLength;
  std::vector<uint8_t> b(hdr_len, 0);
  put32(b.data(), kMagic);
  put32(b.data() + 4, h->version);
  put32(b.data() + 20, h->cluster_bits);
  put64(b.data() + 24, h->size);
  put32(b.data() + 32, h->crypt_method);
  put32(b.data() + 36, h->l1_size);
  put64(b.data() + 40, h->l1_table_offset);
  put64(b.data() + 48, h->refcount_table_offset);
  put32(b.data() + 56, h->refcount_table_clusters);
  put32(b.data() + 60, h->nb_snapshots);
  put64(b.data() + 64, h->snapshots_offset);
  if (h->version == 3) {
    put64(b.data() + 72, h->incompatible_features);
    put64(b.data() + 80, h->compatible_features);
    put64(b.data() + 88, h->autoclear_features);
    put32(b.data() + 96, h->refcount_order);
    put32(b.data() + 100, hdr_len);
    b[104] = h->compression_type;
  }
  h->header_length = hdr_len;

  if (!h->backing_format.empty())
    append_ext(b, kExtBackingFormat, h->backing_format.data(), h->backing_format.size());
  if (h->has_crypto_ext) {
    uint8_t d[16];
    put64(d, h->crypto_offset);
    put64(d + 8, h->crypto_length);
    append_ext(b, kExtCrypto, d, sizeof d);
  }
  if (!h->data_file.empty()) append_ext(b, kExtDataFile, h->data_file.data(), h->data_file.size());
  // QEMU writes the feature name table only into clusters of at least 8 KiB.
  if (h->version == 3 && cluster_size >= 8192) {
    const auto &names = default_feature_names();
    std::vector<uint8_t> t(names.size() * 48, 0);
    for (size_t i = 0; i < names.size(); i++) {
      t[i * 48] = names[i].type;
      t[i * 48 + 1] = names[i].bit;
      memcpy(&t[i * 48 + 2], names[i].name.data(), names[i].name.size());
    }
    append_ext(b, kExtFeatureTable, t.data(), t.size());
  }
  if (h->has_bitmaps_ext) {
    uint8_t d[24] = {};
    put32(d, h->bitmaps.nb_bitmaps);
    put64(d + 8, h->bitmaps.directory_size);
    put64(d + 16, h->bitmaps.directory_offset);
    append_ext(b, kExtBitmaps, d, sizeof d);
  }
  for (const RawExtension &e : h->unknown) append_ext(b, e.type, e.data.data(), e.data.size());
  append_ext(b, kExtEnd, nullptr, 0);

  if (!h->backing_file.empty()) {
    h->backing_file_offset = b.size();
    h->backing_file_size = static_cast<uint32_t>(h->backing_file.size());
    b.insert(b.end(), h->backing_file.begin(), h->backing_file.end());
  } else {
    h->backing_file_offset = 0;
    h->backing_file_size = 0;
  }
  put64(b.data() + 8, h->backing_file_offset);
  put32(b.data() + 16, h->backing_file_size);
  if (b.size() > cluster_size) {
    *err = Error::make("Cannot fit the header and its extensions in one cluster");
    return false;
  }
  *out = std::move(b);
  return true;
}

}  // namespace qemu::block::qcow2
