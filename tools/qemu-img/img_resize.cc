// qemu-img resize [--object objectdef] [--image-opts] [-f fmt] [--preallocation=prealloc] [-q]
//                 [--shrink] filename [+ | -]size
#include <cstdio>
#include <cstring>
#include <string>

#include "base/opts.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {

int img_resize(int argc, char **argv) {
  // The size is taken off argv first so that "-1G" is not scanned as an option.
  if (argc < 3) error_exit("Not enough arguments");
  const char *size = argv[--argc];

  enum { kOptObject = 256, kOptImageOpts, kOptPreallocation, kOptShrink };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"preallocation", required_argument, nullptr, kOptPreallocation},
      {"shrink", no_argument, nullptr, kOptShrink},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt;
  bool quiet = false, image_opts = false, shrink = false;
  block::Prealloc prealloc = block::Prealloc::kOff;
  int c;
  while ((c = getopt_long(argc, argv, ":f:hq", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case kOptPreallocation:
        if (!block::parse_prealloc(optarg, &prealloc)) {
          error_report("Invalid preallocation mode '{}'", optarg);
          return 1;
        }
        break;
      case kOptShrink:
        shrink = true;
        break;
      case kOptImageOpts:
        image_opts = true;
        break;
      case kOptObject:
        user_creatable_add(optarg);
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }
  if (optind != argc - 1) error_exit("Expecting image file name and size");
  std::string filename = argv[optind++];

  int relative = 0;
  if (size[0] == '+') {
    relative = 1;
    size++;
  } else if (size[0] == '-') {
    relative = -1;
    size++;
  }
  OptsList resize_list{
      "resize_options", "", false, {{"size", OptType::kSize, "Virtual disk size", ""}}};
  OptsGroup group(resize_list);
  Error err;
  Opts *param = group.create("", false, &err);
  if (!param->set("size", size, &err)) {
    error_report_err(err);
    return 1;
  }
  int64_t n = static_cast<int64_t>(param->get_size("size", 0));

  ImgOpenOptions o;
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = true;
  o.resize = true;
  auto node = img_open(filename, o);
  if (!node) return 1;

  int64_t current_size = node->length();
  if (current_size < 0) {
    error_report("Failed to inquire current image length: {}",
                 strerror(static_cast<int>(-current_size)));
    return 1;
  }
  int64_t total_size = relative ? current_size + n * relative : n;
  if (total_size <= 0) {
    error_report("New image size must be positive");
    return 1;
  }
  if (total_size <= current_size && prealloc != block::Prealloc::kOff) {
    error_report("Preallocation can only be used for growing images");
    return 1;
  }
  if (total_size < current_size && !shrink) {
    error_report("Use the --shrink option to perform a shrink operation.");
    warn_report(
        "Shrinking an image will delete all data beyond the shrunken image's end. Before "
        "performing such an operation, make sure there is no important data there.");
    return 1;
  }
  int ret = node->truncate(static_cast<uint64_t>(total_size), false, prealloc, &err);
  if (ret < 0) {
    error_report_err(err);
    return 1;
  }
  qprintf(quiet, "Image resized.\n");
  return 0;
}

}  // namespace qemu::img
