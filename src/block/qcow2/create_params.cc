#include "block/qcow2/create_params.h"

namespace qemu::block::qcow2 {

bool parse_create_params(const Opts &o, CreateParams *p, Error *err) {
  p->size = o.get_size("size", 0);
  if (auto c = o.get("compat")) {
    if (*c == "0.10" || *c == "v2") {
      p->version = 2;
    } else if (*c == "1.1" || *c == "v3") {
      p->version = 3;
    } else {
      *err = Error::make("Parameter 'version' does not accept value '{}'", *c);
      return false;
    }
  }
  if (o.get("encryption") && o.get_bool("encryption", false)) {
    *err = Error::make("Encrypted qcow2 images are not supported yet");
    return false;
  }
  if (o.get("encrypt.format")) {
    *err = Error::make("Encrypted qcow2 images are not supported yet");
    return false;
  }
  uint64_t cs = o.get_size("cluster_size", 65536);
  if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1))) {
    *err = Error::make("Cluster size must be a power of two between 512 and 2048k");
    return false;
  }
  p->cluster_bits = __builtin_ctzll(cs);
  if (auto pa = o.get("preallocation")) {
    if (!parse_prealloc(*pa, &p->prealloc)) {
      *err = Error::make("Parameter 'preallocation' does not accept value '{}'", *pa);
      return false;
    }
  }
  if (auto ct = o.get("compression_type")) {
    if (*ct == "zlib") {
      p->compression = kCompressionZlib;
    } else if (*ct == "zstd") {
      p->compression = kCompressionZstd;
    } else {
      *err = Error::make("Parameter 'compression-type' does not accept value '{}'", *ct);
      return false;
    }
  }
  p->backing_file = o.get("backing_file").value_or("");
  p->backing_fmt = o.get("backing_fmt").value_or("");
  p->data_file = o.get("data_file").value_or("");
  p->data_file_raw = o.get_bool("data_file_raw", false);
  p->lazy_refcounts = o.get_bool("lazy_refcounts", false);
  p->extended_l2 = o.get_bool("extended_l2", false);
  uint64_t rb = o.get_number("refcount_bits", 16);
  if (rb > 64 || rb == 0 || (rb & (rb - 1))) {
    *err = Error::make("Refcount width must be a power of two and may not exceed 64 bits");
    return false;
  }
  p->refcount_order = __builtin_ctzll(rb);

  if (p->version < 3 && p->lazy_refcounts) {
    *err = Error::make(
        "Lazy refcounts only supported with compatibility level 1.1 and above "
        "(use version=v3 or greater)");
    return false;
  }
  if (p->version < 3 && p->refcount_order != 4) {
    *err = Error::make(
        "Different refcount widths than 16 bits require compatibility level 1.1 "
        "or above (use version=v3 or greater)");
    return false;
  }
  if (p->version < 3 && p->compression != kCompressionZlib) {
    *err = Error::make(
        "Non-zlib compression type is only supported with compatibility level "
        "1.1 and above (use version=v3 or greater)");
    return false;
  }
  if (p->extended_l2) {
    if (p->version < 3) {
      *err = Error::make(
          "Extended L2 entries are only supported with compatibility level 1.1 "
          "and above (use version=v3 or greater)");
      return false;
    }
    if (p->cluster_bits < 14) {
      *err = Error::make(
          "Extended L2 entries are only supported with cluster sizes of at least "
          "16384 bytes");
      return false;
    }
  }
  if (!p->data_file.empty() && p->version < 3) {
    *err = Error::make(
        "External data files are only supported with compatibility level 1.1 "
        "and above (use version=v3 or greater)");
    return false;
  }
  if (p->data_file_raw && p->data_file.empty()) {
    *err = Error::make("Parameter 'data-file-raw' requires 'data-file'");
    return false;
  }
  if (p->data_file_raw && !p->backing_file.empty()) {
    *err = Error::make("Backing file and data-file-raw cannot be used at the same time");
    return false;
  }
  if (!p->backing_fmt.empty() && p->backing_file.empty()) {
    *err = Error::make("Backing format cannot be used without backing file");
    return false;
  }
  if (!p->backing_file.empty() && p->prealloc != Prealloc::kOff) {
    *err = Error::make(
        "Backing file and preallocation can only be used at the same time if "
        "extended_l2 is on");
    if (!p->extended_l2) return false;
  }
  return true;
}

}  // namespace qemu::block::qcow2
