// The qcow2 FormatDriver: creation options (declared once, in QEMU's order), image creation
// with QEMU's initial layout, probing, and opening.
#include <cerrno>
#include <cstring>

#include "block/create_opts.h"
#include "block/file.h"
#include "block/qcow2/create_params.h"
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
  const OptsList *amend_opts() const override { return &qcow2_amend_options(); }
  int measure(const Opts &opts, Node *src, uint64_t, MeasureResult *out,
              Error *err) const override {
    return qcow2_measure(opts, src, out, err);
  }
  bool supports_backing() const override { return true; }

  int create(const std::string &filename, const Opts &opts, Error *err) const override {
    CreateParams p;
    if (!parse_create_params(opts, &p, err)) return -EINVAL;
    if (p.size & 511) {
      *err = Error::make("Image size must be a multiple of 512 bytes");
      return -EINVAL;
    }
    // A raw data file must stay valid as a raw image: map every cluster up front.
    if (p.data_file_raw && p.prealloc == Prealloc::kOff) p.prealloc = Prealloc::kMetadata;
    FileOpenOptions fo;
    fo.writable = true;
    fo.create = true;
    Error ferr;
    auto file = FileNode::open(filename, fo, &ferr);
    if (!file && !ferr.hint.empty()) {  // locked by another user
      *err = std::move(ferr);
      return -EAGAIN;
    }
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
