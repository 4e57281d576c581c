// qemu-img measure [--output=ofmt] [-O output_fmt] [-o options] [--size N | [--object objectdef]
//                  [--image-opts] [-f fmt] [-l snapshot_param] filename]
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/opts.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {

int img_measure(int argc, char **argv) {
  enum { kOptOutput = 256, kOptObject, kOptImageOpts, kOptSize };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"object", required_argument, nullptr, kOptObject},
      {"output", required_argument, nullptr, kOptOutput},
      {"size", required_argument, nullptr, kOptSize},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  OutputFormat output_format = OutputFormat::kHuman;
  std::string fmt, out_fmt = "raw", options;
  bool has_fmt = false, image_opts = false, force_share = false;
  const char *snapshot_name = nullptr;
  bool has_sn_opts = false;
  int64_t img_size = -1;
  int c;
  while ((c = getopt_long(argc, argv, ":hf:O:o:l:U", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        has_fmt = true;
        break;
      case 'O':
        out_fmt = optarg;
        break;
      case 'o':
        if (!accumulate_options(&options, optarg)) return 1;
        break;
      case 'l':
        if (strncmp(optarg, "snapshot.", 9) == 0) {
          for (const OptPair &p : split_opts(optarg, {})) {
            if (p.name != "snapshot.id" && p.name != "snapshot.name") {
              error_report("Invalid parameter '{}'", p.name);
              error_report("Failed in parsing snapshot param '{}'", optarg);
              return 1;
            }
          }
          has_sn_opts = true;
        } else {
          snapshot_name = optarg;
        }
        break;
      case 'U':
        force_share = true;
        break;
      case kOptOutput:
        if (!parse_output_format(optarg, &output_format)) return 1;
        break;
      case kOptSize:
        img_size = cvtnum("image size", optarg);
        if (img_size < 0) return 1;
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

  const char *filename = nullptr;
  if (argc - optind > 1) {
    error_report("At most one filename argument is allowed.");
    return 1;
  } else if (argc - optind == 1) {
    filename = argv[optind];
  }
  if (!filename && (image_opts || has_fmt || snapshot_name || has_sn_opts)) {
    error_report("--image-opts, -f, and -l require a filename argument.");
    return 1;
  }
  if (filename && img_size != -1) {
    error_report("--size N cannot be used together with a filename.");
    return 1;
  }
  if (!filename && img_size == -1) {
    error_report("Either --size N or one filename must be specified.");
    return 1;
  }

  std::unique_ptr<block::Node> in;
  if (filename) {
    ImgOpenOptions o;
    o.image_opts = image_opts;
    o.fmt = fmt;
    o.force_share = force_share;
    in = img_open(filename, o);
    if (!in) return 1;
    if (snapshot_name || has_sn_opts) {
      error_report(
          "Failed to load snapshot: Block format '{}' used by device '' does not support "
          "temporarily loading internal snapshots",
          in->driver_name());
      return 1;
    }
    img_size = in->length();
    if (img_size < 0) {
      error_report("Failed to get size for '{}'", filename);
      return 1;
    }
  }

  const block::FormatDriver *drv = block::find_format(out_fmt);
  OptsList list;
  bool known = false;
  if (out_fmt != "file" && !drv) {
    error_report("Unknown file format '{}'", out_fmt);
    return 1;
  }
  if (!create_opts_for(out_fmt, &list, &known)) {
    error_report("Format driver '{}' does not support image creation", out_fmt);
    return 1;
  }
  OptsGroup group(list);
  Error err;
  Opts *opts = group.create("", false, &err);
  for (const OptPair &p : split_opts(options, {})) {
    if (!opts->set(p.name, p.value, &err)) {
      error_report_err(err);
      error_report("Invalid options for file format '{}'", out_fmt);
      return 1;
    }
  }
  opts->set("size", std::to_string(img_size), &err);

  block::MeasureResult info;
  int r = -ENOTSUP;
  if (drv) r = drv->measure(*opts, in.get(), static_cast<uint64_t>(img_size), &info, &err);
  if (r == -ENOTSUP && out_fmt == "raw") {
    // The raw format: the file is the disk, allocated or not.
    info = block::MeasureResult{};
    info.required = in ? static_cast<uint64_t>(img_size)
                       : (static_cast<uint64_t>(opts->get_size("size", 0)) + 511) & ~uint64_t{511};
    info.fully_allocated = info.required;
    r = 0;
  } else if (r == -ENOTSUP) {
    error_report("Block driver '{}' does not support size measurement", out_fmt);
    return 1;
  }
  if (r < 0) {
    error_report_err(err);
    return 1;
  }

  if (output_format == OutputFormat::kHuman) {
    printf("required size: %" PRIu64 "\n", info.required);
    printf("fully allocated size: %" PRIu64 "\n", info.fully_allocated);
    if (info.has_bitmaps) printf("bitmaps size: %" PRIu64 "\n", info.bitmaps);
  } else {
    Json j = Json::object();
    j["required"] = info.required;
    j["fully-allocated"] = info.fully_allocated;
    if (info.has_bitmaps) j["bitmaps"] = info.bitmaps;
    printf("%s\n", qjson_pretty(j).c_str());
  }
  return 0;
}

}  // namespace qemu::img
