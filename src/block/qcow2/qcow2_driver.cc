// The qcow2 FormatDriver: creation options (declared once, in QEMU's order), image creation
// with QEMU's initial layout, probing, and opening.
#include <cerrno>
#include <cstring>

#include "block/create_opts.h"
#include "block/file.h"
#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {
namespace {

const OptsList &create_options() {
  static const OptsList list{
      "qcow2-create-opts",
      "",
      false,
      {
          {"encryption", OptType::kBool,
           "Encrypt the image with format 'aes'. (Deprecated in favor of encrypt.format=aes)", ""},
          {"encrypt.format", OptType::kString, "Encrypt the image, format choices: 'aes', 'luks'",
           ""},
          {"encrypt.key-secret", OptType::kString,
           "ID of secret providing qcow AES key or LUKS passphrase", ""},
          {"encrypt.cipher-alg", OptType::kString, "Name of encryption cipher algorithm", ""},
          {"encrypt.cipher-mode", OptType::kString, "Name of encryption cipher mode", ""},
          {"encrypt.ivgen-alg", OptType::kString, "Name of IV generator algorithm", ""},
          {"encrypt.ivgen-hash-alg", OptType::kString, "Name of IV generator hash algorithm", ""},
          {"encrypt.hash-alg", OptType::kString, "Name of encryption hash algorithm", ""},
          {"encrypt.iter-time", OptType::kNumber, "Time to spend in PBKDF in milliseconds", ""},
          {"cluster_size", OptType::kSize, "qcow2 cluster size", "65536"},
          {"extended_l2", OptType::kBool, "Extended L2 tables", "off"},
          {"preallocation", OptType::kString,
           "Preallocation mode (allowed values: off, metadata, falloc, full)", ""},
          {"compression_type", OptType::kString,
           "Compression method used for image cluster compression", "zlib"},
          {"size", OptType::kSize, "Virtual disk size", ""},
          {"compat", OptType::kString, "Compatibility level (v2 [0.10] or v3 [1.1])", ""},
          {"backing_file", OptType::kString, "File name of a base image", ""},
          {"backing_fmt", OptType::kString, "Image format of the base image", ""},
          {"data_file", OptType::kString, "File name of an external data file", ""},
          {"data_file_raw", OptType::kBool, "The external data file must stay valid as a raw image",
           ""},
          {"lazy_refcounts", OptType::kBool, "Postpone refcount updates", "off"},
          {"refcount_bits", OptType::kNumber, "Width of a reference count entry in bits", "16"},
      }};
  return list;
}

struct CreateParams {
  uint64_t size = 0;
  int version = 3;
  int cluster_bits = 16;
  int refcount_order = 4;
  bool lazy_refcounts = false;
  bool extended_l2 = false;
  uint8_t compression = kCompressionZlib;
  Prealloc prealloc = Prealloc::kOff;
  std::string backing_file, backing_fmt, data_file;
  bool data_file_raw = false;
};

bool parse_params(const Opts &o, CreateParams *p, Error *err) {
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
  if (p->size & 511) {
    *err = Error::make("Image size must be a multiple of 512 bytes");
    return false;
  }
  return true;
}

// The first three clusters of a new image: header, refcount table, one refcount block that
// counts those three clusters.
std::vector<uint8_t> initial_clusters(const CreateParams &p, Header *h) {
  uint64_t cs = uint64_t{1} << p.cluster_bits;
  h->version = static_cast<uint32_t>(p.version);
  h->cluster_bits = static_cast<uint32_t>(p.cluster_bits);
  h->refcount_order = static_cast<uint32_t>(p.refcount_order);
  h->refcount_table_offset = cs;
  h->refcount_table_clusters = 1;
  h->compression_type = p.compression;
  if (p.compression != kCompressionZlib) h->incompatible_features |= kIncompatCompression;
  if (p.extended_l2) h->incompatible_features |= kIncompatExtL2;
  if (p.lazy_refcounts) h->compatible_features |= kCompatLazyRefcounts;
  h->header_length = p.version == 2 ? kV2HeaderLength : kV3HeaderLength;
  std::vector<uint8_t> buf(3 * cs, 0);
  std::vector<uint8_t> hdr;
  Error e;
  Header copy = *h;
  serialize_header(&copy, &hdr, &e);
  memcpy(buf.data(), hdr.data(), hdr.size());
  put64(buf.data() + cs, 2 * cs);
  for (int i = 0; i < 3; i++) refcount_entry_set(buf.data() + 2 * cs, i, p.refcount_order, 1);
  return buf;
}

class Qcow2Driver : public FormatDriver {
 public:
  const char *name() const override { return "qcow2"; }
  int probe(const uint8_t *buf, size_t len, const std::string &) const override {
    if (len >= 8 && be32(buf) == kMagic && be32(buf + 4) >= 2) return 100;
    return 0;
  }
  std::unique_ptr<Node> open(std::unique_ptr<Node> file, const OptionMap &opts,
                             const OpenFlags &flags, Error *err) const override {
    return Qcow2Node::open(std::move(file), opts, flags, err);
  }
  const OptsList *create_opts() const override { return &create_options(); }
  bool supports_backing() const override { return true; }

  int create(const std::string &filename, const Opts &opts, Error *err) const override {
    CreateParams p;
    if (!parse_params(opts, &p, err)) return -EINVAL;
    // A raw data file must stay valid as a raw image: map every cluster up front.
    if (p.data_file_raw && p.prealloc == Prealloc::kOff) p.prealloc = Prealloc::kMetadata;
    FileOpenOptions fo;
    fo.writable = true;
    fo.create = true;
    Error ferr;
    auto file = FileNode::open(filename, fo, &ferr);
    if (!file) {
      *err = Error::make("Could not create '{}': {}", filename,
                         ferr.msg.substr(ferr.msg.rfind(": ") + 2));
      return -EIO;
    }
    Header h;
    std::vector<uint8_t> init = initial_clusters(p, &h);
    int r = file->pwrite(0, init.data(), init.size(), 0);
    if (r < 0) {
      *err = Error::make("Could not write qcow2 header: {}", strerror(-r));
      return r;
    }
    if (!p.data_file.empty()) {
      std::string path = p.data_file;
      if (path[0] != '/') {
        size_t slash = filename.rfind('/');
        if (slash != std::string::npos) path = filename.substr(0, slash + 1) + path;
      }
      FileOpenOptions dfo;
      dfo.writable = true;
      dfo.create = true;
      auto df = FileNode::open(path, dfo, &ferr);
      if (!df) {
        *err = Error::make("Could not create '{}': {}", path,
                           ferr.msg.substr(ferr.msg.rfind(": ") + 2));
        return -EIO;
      }
    }
    file.reset();

    // Reopen as qcow2 and finish: extensions, size (L1), backing file, preallocation.
    fo.create = false;
    file = FileNode::open(filename, fo, &ferr);
    if (!file) {
      *err = std::move(ferr);
      return -EIO;
    }
    OptionMap om;
    if (!p.data_file.empty()) om["data-file"] = p.data_file;
    OpenFlags flags;
    flags.writable = true;
    flags.no_backing = true;
    // The data file extension must be in place before the node opens it.
    if (!p.data_file.empty()) {
      Header dh = h;
      dh.incompatible_features |= kIncompatDataFile;
      dh.data_file = p.data_file;
      if (p.data_file_raw) dh.autoclear_features |= kAutoclearDataFileRaw;
      std::vector<uint8_t> hdr;
      if (!serialize_header(&dh, &hdr, err)) return -EINVAL;
      hdr.resize(uint64_t{1} << p.cluster_bits, 0);
      r = file->pwrite(0, hdr.data(), hdr.size(), 0);
      if (r < 0) return r;
    }
    auto node = Qcow2Node::open(std::move(file), om, flags, err);
    if (!node) return -EIO;
    auto *q = static_cast<Qcow2Node *>(node.get());
    {
      r = q->rewrite_header();
      if (r < 0) {
        *err = Error::make("Could not write qcow2 header: {}", strerror(-r));
        return r;
      }
    }
    if (p.size) {
      Prealloc mode = p.prealloc;
      r = q->truncate(p.size, true, mode, err);
      if (r < 0) return r;
    }
    if (!p.backing_file.empty()) {
      r = q->change_backing_file(p.backing_file, p.backing_fmt, err);
      if (r < 0) return r;
    }
    r = q->flush();
    if (r < 0) {
      *err = Error::make("Could not flush the new image: {}", strerror(-r));
      return r;
    }
    return 0;
  }
};

}  // namespace

const FormatDriver *qcow2_format_driver() {
  static const Qcow2Driver driver;
  return &driver;
}

}  // namespace qemu::block::qcow2
