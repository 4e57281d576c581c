// qemu-img bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)...
//                 [-b source_file [-F source_fmt]] [-g granularity] [--object objectdef]
//                 [--image-opts | -f fmt] filename bitmap
//
// The block layer has no persistent dirty bitmap interface yet: the options and every error
// path work as in QEMU; changing bitmaps fails with "Operation not supported".
#include <cerrno>
#include <cstdio>
#include <random>
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

// The persistent bitmaps an image reports in its format-specific information.
std::vector<std::string> bitmap_names(block::Node *node, bool *supported) {
  std::vector<std::string> names;
  *supported = false;
  block::ImageInfo info;
  if (node->get_info(&info) < 0 || !info.format_specific.is_object()) return names;
  auto data = info.format_specific.find("data");
  if (data == info.format_specific.end() || !data->is_object()) return names;
  // qcow2 v3 stores bitmaps; v2 cannot.
  auto compat = data->find("compat");
  *supported = info.format == "qcow2" && compat != data->end() && *compat != "0.10";
  auto b = data->find("bitmaps");
  if (b == data->end() || !b->is_array()) return names;
  for (const Json &e : *b) {
    if (e.is_object() && e.contains("name") && e["name"].is_string())
      names.push_back(e["name"].get<std::string>());
  }
  return names;
}

// QEMU names anonymous nodes "#block<counter><two random digits>".
std::string anonymous_node_name() {
  std::random_device rd;
  return fmt::format("#block1{:02}", static_cast<int>(rd() % 99));
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

  // The bitmaps live in this image: no backing chain needed. QEMU opens it for writing; as
  // nothing can be changed here yet, it is opened read-only (a writer that does not maintain
  // the bitmaps would have to mark them inconsistent), with QEMU's warning for probed raw.
  ImgOpenOptions o;
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.no_backing = true;
  auto node = img_open(filename, o);
  if (!node) return 1;
  if (fmt.empty() && !image_opts && std::string_view(node->driver_name()) == "raw") {
    fprintf(stderr,
            "WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
            "         Automatically detecting the format is dangerous for raw images, write "
            "operations on block 0 will be restricted.\n"
            "         Specify the 'raw' format explicitly to remove the restrictions.\n",
            filename.c_str());
  }
  std::unique_ptr<block::Node> src;
  if (has_src) {
    ImgOpenOptions so;
    so.fmt = src_fmt;
    so.no_backing = true;
    src = img_open(src_filename, so);
    if (!src) return 1;
  }

  bool supported = false, src_supported = false;
  std::vector<std::string> names = bitmap_names(node.get(), &supported);
  std::vector<std::string> src_names = src ? bitmap_names(src.get(), &src_supported) : names;
  auto exists = [](const std::vector<std::string> &list, const std::string &n) {
    return std::find(list.begin(), list.end(), n) != list.end();
  };

  for (const Action &a : actions) {
    std::string msg;
    switch (a.act) {
      case Act::kAdd:
        if (exists(names, bitmap)) {
          msg = fmt::format("Bitmap already exists: {}", bitmap);
        } else if (!supported) {
          msg = fmt::format("Can't store persistent bitmaps to {}: Operation not supported",
                            anonymous_node_name());
        } else {
          msg = "Operation not supported";
        }
        break;
      case Act::kMerge:
        if (!exists(names, bitmap)) {
          msg = fmt::format("Dirty bitmap '{}' not found", bitmap);
        } else if (!exists(src_names, a.src)) {
          msg = fmt::format("Dirty bitmap '{}' not found", a.src);
        } else {
          msg = "Operation not supported";
        }
        break;
      default:
        msg = exists(names, bitmap) ? std::string("Operation not supported")
                                    : fmt::format("Dirty bitmap '{}' not found", bitmap);
        break;
    }
    error_report("Operation {} on bitmap {} failed: {}", op_name(a.act), bitmap, msg);
    return 1;
  }
  return 0;
}

}  // namespace qemu::img
