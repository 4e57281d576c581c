// qemu-img create [--object objectdef] [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u]
//                 [-o options] filename [size]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/opts.h"
#include "base/size.h"
#include "block/create_opts.h"
#include "block/image.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

// qemu-img's size arguments: QEMU's suffixes, and its two-line error.
bool image_size_arg(const char *name, const char *value, int64_t *out) {
  uint64_t v;
  int r = parse_size(value, &v);
  if (r < 0 && r != -ERANGE) {
    error_report("Invalid {} specified. You may use k, M, G, T, P or E suffixes for", name);
    error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
    return false;
  }
  if (r == -ERANGE || v > static_cast<uint64_t>(INT64_MAX)) {
    error_report("Invalid {} specified. Must be between 0 and {}.", name, INT64_MAX);
    return false;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

bool options_want_help(const std::string &options) {
  for (const OptPair &p : split_opts(options, {}))
    if (p.is_flag && is_help_option(p.raw_name)) return true;
  return false;
}

int print_create_help(const std::string &fmt, const char *filename) {
  if (!block::format_create_opts(fmt)) {
    error_report("Unknown file format '{}'", fmt);
    return 1;
  }
  if (filename) {
    printf("Supported options:\n");
    print_opts_help(block::merged_create_opts(fmt), false);
  } else {
    printf("Supported %s options:\n", fmt.c_str());
    print_opts_help(*block::format_create_opts(fmt), false);
    printf(
        "\nThe protocol level may support further options.\n"
        "Specify the target filename to include those options.\n");
  }
  return 0;
}

}  // namespace

int img_create(int argc, char **argv) {
  std::string fmt = "raw";
  std::string options;
  const char *backing = nullptr;
  bool quiet = false;
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, 'O' + 256},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":F:b:f:ho:qu", long_options, nullptr)) != -1) {
    switch (c) {
      case 'F':
        break;
      case 'b':
        backing = optarg;
        break;
      case 'f':
        fmt = optarg;
        break;
      case 'o':
        if (!options.empty()) options += ',';
        options += optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case 'u':
        break;
      case 'O' + 256:
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }

  const char *filename = optind < argc ? argv[optind] : nullptr;
  if (!options.empty() && options_want_help(options)) return print_create_help(fmt, filename);
  if (!filename) error_exit("Expecting image file name");
  optind++;

  int64_t img_size = -1;
  if (optind < argc) {
    if (!image_size_arg("image size", argv[optind++], &img_size)) return 1;
  }
  if (optind != argc) error_exit(fmt::format("Unexpected argument: {}", argv[optind]));

  LocationScope loc(Location{Location::Kind::kNone, {}, {}, 0});
  auto fail = [&](const Error &e) {
    error_report("{}: {}", filename, e.msg);
    if (!e.hint.empty()) fputs(e.hint.c_str(), stderr);
    return 1;
  };
  if (!block::format_create_opts(fmt)) return fail(Error::make("Unknown file format '{}'", fmt));

  OptsGroup group(block::merged_create_opts(fmt));
  Error err;
  Opts *opts = group.create("", false, &err);
  for (const OptPair &p : split_opts(options, {})) {
    if (!opts->set(p.name, p.value, &err)) return fail(err);
  }
  if (img_size >= 0) {
    if (opts->find("size")) return fail(Error::make("The image size must be specified only once"));
    opts->set("size", std::to_string(img_size), &err);
  }
  if (backing) {
    return fail(Error::make("Backing file not supported for file format '{}'", fmt));
  }
  if (!opts->find("size")) return fail(Error::make("Image creation needs a size parameter"));

  if (!quiet) {
    printf("Formatting '%s', fmt=%s %s\n", filename, fmt.c_str(),
           block::print_create_opts(*opts).c_str());
    fflush(stdout);
  }
  int r = block::create_image(filename, fmt, *opts, &err);
  if (r == -EFBIG) {
    // QEMU's wording: better than the file system's for an image that cannot be that large.
    return fail(Error::make("The image size is too large for file format '{}'", fmt));
  }
  if (r < 0) return fail(err);
  return 0;
}

}  // namespace qemu::img
