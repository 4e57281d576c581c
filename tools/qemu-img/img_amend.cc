// qemu-img amend [--object objectdef] [--image-opts] [-p] [-q] [-f fmt] [-t cache] [--force]
//                -o options filename
#include <cerrno>
#include <cstdio>
#include <string>

#include "base/opts.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

int print_amend_option_help(const std::string &format) {
  const block::FormatDriver *drv = block::find_format(format);
  if (!drv && format != "file") {
    error_report("Unknown file format '{}'", format);
    return 1;
  }
  if (!drv || !drv->amend_opts()) {
    error_report("Format driver '{}' does not support option amendment", format);
    return 1;
  }
  printf("Amend options for '%s':\n", format.c_str());
  print_opts_help(*drv->amend_opts(), false);
  return 0;
}

}  // namespace

int img_amend(int argc, char **argv) {
  enum { kOptObject = 256, kOptImageOpts, kOptForce };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force", no_argument, nullptr, kOptForce},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt, options;
  const char *cache = "writeback";
  bool progress = false, quiet = false, image_opts = false, force = false;
  int c;
  while ((c = getopt_long(argc, argv, ":ho:f:t:pq", long_options, nullptr)) != -1) {
    switch (c) {
      case 'o':
        if (!accumulate_options(&options, optarg)) return 1;
        break;
      case 'f':
        fmt = optarg;
        break;
      case 't':
        cache = optarg;
        break;
      case 'p':
        progress = true;
        break;
      case 'q':
        quiet = true;
        break;
      case kOptForce:
        force = true;
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
  if (options.empty()) error_exit("Must specify options (-o)");
  if (quiet) progress = false;
  progress_init(progress, 1.0);
  auto out = [&](int ret) {
    progress_end();
    return ret ? 1 : 0;
  };

  const char *filename = optind == argc - 1 ? argv[argc - 1] : nullptr;
  if (!fmt.empty() && has_help_option(options)) return out(print_amend_option_help(fmt));
  if (optind != argc - 1) {
    error_report("Expecting one image file name");
    return out(1);
  }

  ImgOpenOptions o;
  if (!parse_cache(cache, &o.cache)) {
    error_report("Invalid cache option: {}", cache);
    return out(1);
  }
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = true;
  auto node = img_open(filename, o);
  if (!node) return out(1);

  std::string format = node->driver_name();
  if (has_help_option(options)) return out(print_amend_option_help(format));
  const block::FormatDriver *drv = block::find_format(format);
  if (!drv || !drv->amend_opts()) {
    error_report("Format driver '{}' does not support option amendment", format);
    return out(1);
  }

  OptsGroup group(*drv->amend_opts());
  Error err;
  Opts *opts = group.create("", false, &err);
  for (const OptPair &p : split_opts(options, {})) {
    if (opts->set(p.name, p.value, &err)) continue;
    // Creation-only options get a hint.
    if (const OptsList *create = drv->create_opts()) {
      OptsList both = *drv->amend_opts();
      for (const OptDesc &d : create->desc) {
        if (!both.find_desc(d.name)) both.desc.push_back(d);
      }
      OptsGroup cgroup(both);
      Error cerr;
      Opts *copts = cgroup.create("", false, &cerr);
      bool parses = true;
      for (const OptPair &q : split_opts(options, {})) {
        if (!copts->set(q.name, q.value, nullptr)) {
          parses = false;
          break;
        }
      }
      if (parses) err.with_hint("This option is only supported for image creation\n");
    }
    error_report_err(err);
    return out(1);
  }

  // In case the driver does not report progress itself.
  progress_print(0.f, 0);
  int ret = node->amend(
      *opts, force,
      [](int64_t done, int64_t total) {
        progress_print(total ? static_cast<float>(done) * 100.f / static_cast<float>(total) : 0, 0);
      },
      &err);
  progress_print(100.f, 0);
  if (ret < 0) {
    error_report_err(err);
    return out(1);
  }
  return out(0);
}

}  // namespace qemu::img
