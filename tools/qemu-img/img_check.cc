// qemu-img check [--object objectdef] [--image-opts] [-q] [-f fmt] [--output=ofmt]
//                [-r [leaks | all]] [-T src_cache] [-U] filename
//
// Exit status: 0 consistent (or repaired), 1 check not completed, 2 corruptions, 3 leaks only,
// 63 the format has no check.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

struct ImageCheck {
  std::string filename;
  std::string format;
  block::CheckResult r;
};

void dump_human_image_check(const ImageCheck &check, bool quiet) {
  const block::CheckResult &r = check.r;
  if (!(r.corruptions || r.leaks || r.check_errors)) {
    qprintf(quiet, "No errors were found on the image.\n");
  } else {
    if (r.corruptions) {
      qprintf(quiet,
              "\n%d errors were found on the image.\n"
              "Data may be corrupted, or further writes to the image may corrupt it.\n",
              r.corruptions);
    }
    if (r.leaks) {
      qprintf(quiet,
              "\n%d leaked clusters were found on the image.\n"
              "This means waste of disk space, but no harm to data.\n",
              r.leaks);
    }
    if (r.check_errors) {
      qprintf(quiet, "\n%d internal errors have occurred during the check.\n", r.check_errors);
    }
  }
  if (r.total_clusters != 0 && r.allocated_clusters != 0) {
    // Fragmented and compressed are shares of the allocated clusters, as QEMU prints them.
    double total = static_cast<double>(r.total_clusters);
    double allocated = static_cast<double>(r.allocated_clusters);
    qprintf(
        quiet, "%lld/%lld = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% compressed clusters\n",
        static_cast<long long>(r.allocated_clusters), static_cast<long long>(r.total_clusters),
        allocated * 100.0 / total, static_cast<double>(r.fragmented_clusters) * 100.0 / allocated,
        static_cast<double>(r.compressed_clusters) * 100.0 / allocated);
  }
  if (r.image_end_offset) {
    qprintf(quiet, "Image end offset: %lld\n", static_cast<long long>(r.image_end_offset));
  }
}

void dump_json_image_check(const ImageCheck &check, bool quiet) {
  const block::CheckResult &r = check.r;
  Json j = Json::object();
  j["filename"] = check.filename;
  j["format"] = check.format;
  j["check-errors"] = r.check_errors;
  if (r.image_end_offset) j["image-end-offset"] = r.image_end_offset;
  if (r.corruptions) j["corruptions"] = r.corruptions;
  if (r.leaks) j["leaks"] = r.leaks;
  if (r.corruptions_fixed) j["corruptions-fixed"] = r.corruptions_fixed;
  if (r.leaks_fixed) j["leaks-fixed"] = r.leaks_fixed;
  if (r.total_clusters) j["total-clusters"] = r.total_clusters;
  if (r.allocated_clusters) j["allocated-clusters"] = r.allocated_clusters;
  if (r.fragmented_clusters) j["fragmented-clusters"] = r.fragmented_clusters;
  if (r.compressed_clusters) j["compressed-clusters"] = r.compressed_clusters;
  qprintf(quiet, "%s\n", qjson_pretty(j).c_str());
}

int collect_image_check(block::Node *node, ImageCheck *check, const std::string &filename,
                        unsigned fix) {
  block::CheckResult r;
  int ret = node->check(&r, fix);
  if (ret < 0) return ret;
  check->filename = filename;
  check->format = node->driver_name();
  check->r = r;
  return 0;
}

}  // namespace

int img_check(int argc, char **argv) {
  std::string fmt;
  const char *output = nullptr;
  const char *cache = "writeback";
  bool quiet = false, image_opts = false, force_share = false;
  unsigned fix = 0;
  enum { kOptOutput = 256, kOptObject, kOptImageOpts };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"format", required_argument, nullptr, 'f'},
      {"repair", required_argument, nullptr, 'r'},
      {"output", required_argument, nullptr, kOptOutput},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":hf:r:T:qU", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 'r':
        if (strcmp(optarg, "leaks") == 0) {
          fix = block::kFixLeaks;
        } else if (strcmp(optarg, "all") == 0) {
          fix = block::kFixLeaks | block::kFixErrors;
        } else {
          error_exit(
              fmt::format("Unknown option value for -r (expecting 'leaks' or 'all'): {}", optarg));
        }
        break;
      case kOptOutput:
        output = optarg;
        break;
      case 'T':
        cache = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case 'U':
        force_share = true;
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

  ImgOpenOptions o;
  if (!parse_cache(cache, &o.cache)) {
    error_report("Invalid source cache option: {}", cache);
    return 1;
  }
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = fix != 0;
  o.check = true;
  o.force_share = force_share;
  auto node = img_open(filename, o);
  if (!node) return 1;

  ImageCheck check;
  int ret = collect_image_check(node.get(), &check, filename, fix);
  if (ret == -ENOTSUP) {
    error_report("This image format does not support checks");
    return 63;
  }
  if (ret == 0 && (check.r.corruptions_fixed || check.r.leaks_fixed)) {
    int corruptions_fixed = check.r.corruptions_fixed;
    int leaks_fixed = check.r.leaks_fixed;
    if (output_format == OutputFormat::kHuman) {
      qprintf(quiet,
              "The following inconsistencies were found and repaired:\n\n"
              "    %d leaked clusters\n"
              "    %d corruptions\n\n"
              "Double checking the fixed image now...\n",
              leaks_fixed, corruptions_fixed);
    }
    ret = collect_image_check(node.get(), &check, filename, 0);
    check.r.leaks_fixed = leaks_fixed;
    check.r.corruptions_fixed = corruptions_fixed;
  }
  if (ret == 0) {
    if (output_format == OutputFormat::kHuman) {
      dump_human_image_check(check, quiet);
    } else {
      dump_json_image_check(check, quiet);
    }
  }
  if (ret || check.r.check_errors) {
    if (ret) {
      error_report("Check failed: {}", strerror(-ret));
    } else {
      error_report("Check failed");
    }
    return 1;
  }
  if (check.r.corruptions) return 2;
  if (check.r.leaks) return 3;
  return 0;
}

}  // namespace qemu::img
