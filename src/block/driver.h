// Format drivers (raw, qcow2, ...): each is a FormatDriver registered by name, which opens a
// node over a protocol node, creates images, and declares its creation options once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/opts.h"
#include "block/node.h"

namespace qemu::block {

// Open options as QEMU's flat option dictionary with dotted keys: "driver",
// "file.filename", "backing.file.filename", "l2-cache-size", "cache.direct", ...
using OptionMap = std::map<std::string, std::string, std::less<>>;

enum class CacheMode { kWriteback, kNone, kWritethrough, kDirectsync, kUnsafe };
bool parse_cache_mode(std::string_view s, CacheMode *out);

struct OpenFlags {
  bool writable = false;
  bool force_share = false;  // -U: do not take (or check) the image locks
  bool no_share = false;     // let nobody write or resize the chain (convert's sources)
  bool resize = false;       // the image will be resized (qemu-img resize takes that lock too)
  bool no_backing = false;   // do not open the backing chain (qemu-img -u paths)
  bool check = false;        // opened for qemu-img check: damage is reported, not refused
  bool no_io = false;        // metadata only (qemu-img info): no data will be read or written
  CacheMode cache = CacheMode::kWriteback;
};

// Opens a backing image named by a format node (relative names are resolved against the
// overlay's directory by the caller of this hook). Provided by block/image.cc.
std::unique_ptr<Node> open_backing(const std::string &overlay_filename,
                                   const std::string &backing_filename,
                                   const std::string &backing_format, const OpenFlags &flags,
                                   Error *err);

struct MeasureResult {
  uint64_t required = 0;
  uint64_t fully_allocated = 0;
  bool has_bitmaps = false;  // the format reports bitmaps (qcow2 v3)
  uint64_t bitmaps = 0;
};

class FormatDriver {
 public:
  virtual ~FormatDriver() = default;
  virtual const char *name() const = 0;
  // How sure the driver is that these first bytes are its format (0: not at all, 100: sure).
  virtual int probe(const uint8_t *, size_t, const std::string &) const { return 0; }
  // Opens the format over its protocol node. opts holds the options addressed to this node.
  virtual std::unique_ptr<Node> open(std::unique_ptr<Node> file, const OptionMap &opts,
                                     const OpenFlags &flags, Error *err) const = 0;
  // The -o options of qemu-img create (format options only; the protocol adds its own).
  virtual const OptsList *create_opts() const { return nullptr; }
  // Creates an image at filename (the driver creates the protocol file too). Returns 0 or a
  // negative errno with err set.
  virtual int create(const std::string &filename, const Opts &opts, Error *err) const;
  virtual bool supports_backing() const { return false; }
  // qemu-img amend: the options an existing image's metadata accepts (null: no amendment).
  virtual const OptsList *amend_opts() const { return nullptr; }
  // qemu-img measure: the file size an image with these creation options needs, empty
  // (required) and with all of src's data (fully_allocated). src may be null (--size).
  // -ENOTSUP where the format cannot tell.
  virtual int measure(const Opts &opts, Node *src, uint64_t size, MeasureResult *out,
                      Error *err) const;
};

// The registered format drivers, and lookup by name (null if unknown).
const std::vector<const FormatDriver *> &format_drivers();
const FormatDriver *find_format(std::string_view name);

}  // namespace qemu::block
