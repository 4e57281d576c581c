// qemu-img bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)...
//                 [-b source_file [-F source_fmt]] [-g granularity] [--object objectdef]
//                 [--image-opts | -f fmt] filename bitmap
//
// The actions run in the order given, each through the node's dirty bitmap interface; the
// first failure stops with "Operation <op> on bitmap <name> failed: <reason>".
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

enum class Act { kAdd, kRemove, kClear, kEnable, kDisable, kMerge };

struct Action {
  Act act;
  std::string src;
};

const char *op_name(Act a) {
  switch (a) {
    case Act::kAdd:
      return "add";
    case Act::kRemove:
      return "remove";
    case Act::kClear:
      return "clear";
    case Act::kEnable:
      return "enable";
    case Act::kDisable:
      return "disable";
    case Act::kMerge:
      return "merge";
  }
  return "";
}

}  // namespace

int img_bitmap(int argc, char **argv) {
  enum {
    kOptObject = 256,
    kOptImageOpts,
    kOptAdd,
    kOptRemove,
    kOptClear,
    kOptEnable,
    kOptDisable,
    kOptMerge,
  };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"add", no_argument, nullptr, kOptAdd},
      {"remove", no_argument, nullptr, kOptRemove},
      {"clear", no_argument, nullptr, kOptClear},
      {"enable", no_argument, nullptr, kOptEnable},
      {"disable", no_argument, nullptr, kOptDisable},
      {"merge", required_argument, nullptr, kOptMerge},
      {"granularity", required_argument, nullptr, 'g'},
      {"source-file", required_argument, nullptr, 'b'},
      {"source-format", required_argument, nullptr, 'F'},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt, src_fmt, src_filename;
  bool has_src_fmt = false, has_src = false, image_opts = false, add = false, merge = false;
  int64_t granularity = 0;
  std::vector<Action> actions;
  int c;
  while ((c = getopt_long(argc, argv, ":b:f:F:g:h", long_options, nullptr)) != -1) {
    switch (c) {
      case 'b':
        src_filename = optarg;
        has_src = true;
        break;
      case 'f':
        fmt = optarg;
        break;
      case 'F':
        src_fmt = optarg;
        has_src_fmt = true;
        break;
      case 'g':
        granularity = cvtnum("granularity", optarg);
        if (granularity < 0) return 1;
        break;
      case kOptAdd:
        actions.push_back({Act::kAdd, {}});
        add = true;
        break;
      case kOptRemove:
        actions.push_back({Act::kRemove, {}});
        break;
      case kOptClear:
        actions.push_back({Act::kClear, {}});
        break;
      case kOptEnable:
        actions.push_back({Act::kEnable, {}});
        break;
      case kOptDisable:
        actions.push_back({Act::kDisable, {}});
        break;
      case kOptMerge:
        actions.push_back({Act::kMerge, optarg});
        merge = true;
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

  if (actions.empty()) {
    error_report("Need at least one of --add, --remove, --clear, --enable, --disable, or --merge");
    return 1;
  }
  if (granularity && !add) {
    error_report("granularity only supported with --add");
    return 1;
  }
  if (has_src_fmt && !has_src) {
    error_report("-F only supported with -b");
    return 1;
  }
  if (has_src && !merge) {
    error_report("Merge bitmap source file only supported with --merge");
    return 1;
  }
  if (optind != argc - 2) {
    error_report("Expecting filename and bitmap name");
    return 1;
  }
  std::string filename = argv[optind];
  std::string bitmap = argv[optind + 1];

  // The bitmaps live in this image: no backing chain needed.
  ImgOpenOptions o;
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = true;
  o.no_backing = true;
  auto node = img_open(filename, o);
  if (!node) return 1;
  std::unique_ptr<block::Node> src;
  if (has_src) {
    ImgOpenOptions so;
    so.fmt = src_fmt;
    so.no_backing = true;
    src = img_open(src_filename, so);
    if (!src) return 1;
  }
  block::Node *src_node = src ? src.get() : node.get();

  for (const Action &a : actions) {
    Error err;
    int r = 0;
    switch (a.act) {
      case Act::kAdd: {
        block::BitmapAddOptions ao;
        // QMP's granularity is 32 bits wide: larger values wrap as in QEMU.
        if (granularity) ao.granularity = static_cast<uint32_t>(granularity);
        r = node->bitmap_add(bitmap, ao, &err);
        break;
      }
      case Act::kRemove:
        r = node->bitmap_remove(bitmap, &err);
        break;
      case Act::kClear:
        r = node->bitmap_clear(bitmap, &err);
        break;
      case Act::kEnable:
        r = node->bitmap_enable(bitmap, true, &err);
        break;
      case Act::kDisable:
        r = node->bitmap_enable(bitmap, false, &err);
        break;
      case Act::kMerge:
        r = node->bitmap_merge(bitmap, src_node, a.src, &err);
        break;
    }
    if (r < 0) {
      error_report("Operation {} on bitmap {} failed: {}", op_name(a.act), bitmap, err.msg);
      if (!err.hint.empty()) fputs(err.hint.c_str(), stderr);
      return 1;
    }
  }
  return 0;
}

}  // namespace qemu::img
