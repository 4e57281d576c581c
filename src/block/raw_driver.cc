#include "block/raw_driver.h"

#include "block/create_opts.h"
#include "block/image.h"
#include "block/raw.h"

namespace qemu::block {
namespace {

class RawDriver : public FormatDriver {
 public:
  const char *name() const override { return "raw"; }
  int probe(const uint8_t *, size_t, const std::string &) const override { return 1; }
  std::unique_ptr<Node> open(std::unique_ptr<Node> file, const OptionMap &opts, const OpenFlags &,
                             Error *err) const override {
    uint64_t offset = 0, size = 0;
    bool has_size = false;
    if (auto it = opts.find("offset"); it != opts.end()) offset = std::stoull(it->second);
    if (auto it = opts.find("size"); it != opts.end()) {
      size = std::stoull(it->second);
      has_size = true;
    }
    return RawNode::open(std::move(file), offset, has_size, size, err);
  }
  const OptsList *create_opts() const override { return format_create_opts("raw"); }
  int create(const std::string &filename, const Opts &opts, Error *err) const override {
    return create_image(filename, "raw", opts, err);
  }
};

}  // namespace

const FormatDriver *raw_format_driver() {
  static const RawDriver driver;
  return &driver;
}

}  // namespace qemu::block
