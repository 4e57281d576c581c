// qemu-img info [--object objectdef] [--image-opts] [-f fmt] [--output=ofmt] [--backing-chain]
//               [-U] filename
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {

int img_info(int argc, char **argv) {
  std::string fmt;
  const char *output = nullptr;
  bool chain = false, image_opts = false, force_share = false;
  enum { kOptOutput = 256, kOptBackingChain, kOptObject, kOptImageOpts };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"format", required_argument, nullptr, 'f'},
      {"output", required_argument, nullptr, kOptOutput},
      {"backing-chain", no_argument, nullptr, kOptBackingChain},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":f:hU", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case kOptOutput:
        output = optarg;
        break;
      case 'U':
        force_share = true;
        break;
      case kOptBackingChain:
        chain = true;
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
  if (optind != argc - 1) error_exit("Expecting one image file name");
  std::string filename = argv[optind];
  OutputFormat output_format = OutputFormat::kHuman;
  if (output && !parse_output_format(output, &output_format)) return 1;

  // Each layer is opened on its own (without its backing chain), then the next one by the
  // full backing filename and the backing format the image records.
  std::vector<block::ImageInfo> list;
  std::set<std::string> seen;
  std::string name = filename;
  while (!name.empty()) {
    if (!seen.insert(name).second) {
      error_report("Backing file '{}' creates an infinite loop.", name);
      return 1;
    }
    ImgOpenOptions o;
    o.image_opts = image_opts;
    o.fmt = fmt;
    o.no_backing = true;
    o.no_io = true;
    o.force_share = force_share;
    auto node = img_open(name, o);
    if (!node) return 1;
    block::ImageInfo info;
    Error err;
    bool opts_name = image_opts || name.rfind("json:", 0) == 0;
    if (query_image_info(node.get(), opts_name ? image_display_name(node.get()) : name, &info,
                         &err) < 0) {
      error_report_err(err);
      return 1;
    }
    list.push_back(std::move(info));
    const block::ImageInfo &last = list.back();
    name.clear();
    fmt.clear();
    image_opts = false;
    if (chain) {
      if (!last.full_backing_filename.empty()) {
        name = last.full_backing_filename;
      } else if (!last.backing_filename.empty()) {
        error_report(
            "Could not determine absolute backing filename, but backing filename '{}' present",
            last.backing_filename);
        return 1;
      }
      fmt = last.backing_format;
    }
  }

  if (output_format == OutputFormat::kJson) {
    if (chain) {
      Json arr = Json::array();
      for (const auto &info : list) arr.push_back(image_info_json(info));
      printf("%s\n", qjson_pretty(arr).c_str());
    } else {
      printf("%s\n", qjson_pretty(image_info_json(list.front())).c_str());
    }
  } else {
    bool delim = false;
    for (const auto &info : list) {
      if (delim) printf("\n");
      delim = true;
      dump_human_image_info(info);
    }
  }
  return 0;
}

}  // namespace qemu::img
