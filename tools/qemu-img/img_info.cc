// qemu-img info [--object objectdef] [--image-opts] [-f fmt] [--output=ofmt] [--backing-chain]
//               [-U] filename
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "base/size.h"
#include "block/image.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {

int img_info(int argc, char **argv) {
  std::string fmt;
  OutputFormat output = OutputFormat::kHuman;
  enum { kOptOutput = 256, kOptBackingChain, kOptObject, kOptImageOpts, kOptForceShare };
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
        output = parse_output_format(optarg);
        break;
      case 'U':
      case kOptBackingChain:
      case kOptObject:
      case kOptImageOpts:
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }
  if (optind != argc - 1) error_exit("Expecting one image file name");
  std::string filename = argv[optind];

  Error err;
  block::OpenOptions oo;
  oo.format = fmt;
  auto node = block::open_image(filename, oo, &err);
  if (!node) {
    error_report_err(err);
    return 1;
  }
  int64_t vsize = node->length();
  if (vsize < 0) {
    error_report("Could not get image size: {}", strerror(static_cast<int>(-vsize)));
    return 1;
  }
  int64_t actual = node->allocated_file_size();

  if (output == OutputFormat::kJson) {
    nlohmann::ordered_json j;
    j["virtual-size"] = vsize;
    j["filename"] = filename;
    j["format"] = node->driver_name();
    if (actual >= 0) j["actual-size"] = actual;
    j["dirty-flag"] = false;
    printf("%s\n", j.dump(4).c_str());
  } else {
    printf("image: %s\n", filename.c_str());
    printf("file format: %s\n", node->driver_name());
    printf("virtual size: %s (%lld bytes)\n", size_to_str(vsize).c_str(),
           static_cast<long long>(vsize));
    if (actual >= 0) {
      printf("disk size: %s\n", size_to_str(actual).c_str());
    } else {
      printf("disk size: unavailable\n");
    }
  }
  return 0;
}

}  // namespace qemu::img
