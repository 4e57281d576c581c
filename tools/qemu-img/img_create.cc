// qemu-img create [--object objectdef] [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u]
//                 [-o options] filename [size]
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/opts.h"
#include "block/create_opts.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

int print_create_help(const std::string &fmt, const char *filename) {
  OptsList merged;
  bool known = false;
  if (!create_opts_for(fmt, &merged, &known)) {
    if (!known) {
      error_report("Unknown file format '{}'", fmt);
    } else {
      error_report("Format driver '{}' does not support image creation", fmt);
    }
    return 1;
  }
  if (filename) {
    printf("Supported options:\n");
    print_opts_help(merged, false);
  } else {
    const OptsList *fmt_opts =
        fmt == "file" ? &block::file_create_opts() : block::find_format(fmt)->create_opts();
    printf("Supported %s options:\n", fmt.c_str());
    print_opts_help(*fmt_opts, false);
    printf(
        "\nThe protocol level may support further options.\n"
        "Specify the target filename to include those options.\n");
  }
  return 0;
}

// The full name of a backing file: relative names are relative to the image's directory.
std::string full_backing_name(const std::string &image, const std::string &backing) {
  if (backing.empty() || backing[0] == '/') return backing;
  size_t colon = backing.find(':'), slash = backing.find('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) return backing;
  size_t s = image.rfind('/');
  return s == std::string::npos ? backing : image.substr(0, s + 1) + backing;
}

}  // namespace

int img_create(int argc, char **argv) {
  std::string fmt = "raw";
  std::string options;
  const char *base_filename = nullptr, *base_fmt = nullptr;
  bool quiet = false, no_backing = false;
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, 'O' + 256},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":F:b:f:ho:qu", long_options, nullptr)) != -1) {
    switch (c) {
      case 'F':
        base_fmt = optarg;
        break;
      case 'b':
        base_filename = optarg;
        break;
      case 'f':
        fmt = optarg;
        break;
      case 'o':
        if (!accumulate_options(&options, optarg)) return 1;
        break;
      case 'q':
        quiet = true;
        break;
      case 'u':
        no_backing = true;
        break;
      case 'O' + 256:
        user_creatable_add(optarg);
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }

  const char *filename = optind < argc ? argv[optind] : nullptr;
  if (!options.empty() && has_help_option(options)) return print_create_help(fmt, filename);
  if (!filename) error_exit("Expecting image file name");
  optind++;

  int64_t img_size = -1;
  if (optind < argc) {
    img_size = cvtnum("image size", argv[optind++]);
    if (img_size < 0) return 1;
  }
  if (optind != argc) error_exit(fmt::format("Unexpected argument: {}", argv[optind]));

  auto fail = [&](const Error &e) {
    error_report("{}: {}", filename, e.msg);
    if (!e.hint.empty()) fputs(e.hint.c_str(), stderr);
    return 1;
  };

  OptsList list;
  bool known = false;
  if (!create_opts_for(fmt, &list, &known)) {
    if (!known) return fail(Error::make("Unknown file format '{}'", fmt));
    return fail(Error::make("Format driver '{}' does not support image creation", fmt));
  }
  OptsGroup group(list);
  Error err;
  Opts *opts = group.create("", false, &err);
  for (const OptPair &p : split_opts(options, {})) {
    if (!opts->set(p.name, p.value, &err)) return fail(err);
  }
  if (!opts->find("size")) {
    if (img_size >= 0) opts->set("size", std::to_string(img_size), &err);
  } else if (img_size != -1) {
    return fail(Error::make("The image size must be specified only once"));
  }
  if (base_filename && !opts->set("backing_file", base_filename, nullptr)) {
    return fail(Error::make("Backing file not supported for file format '{}'", fmt));
  }
  if (base_fmt && !opts->set("backing_fmt", base_fmt, nullptr)) {
    return fail(Error::make("Backing file format not supported for file format '{}'", fmt));
  }

  std::optional<std::string> backing_file = opts->get("backing_file");
  if (backing_file) {
    if (*backing_file == filename) {
      return fail(
          Error::make("Error: Trying to create an image with the same filename as the backing "
                      "file"));
    }
    if (backing_file->empty()) {
      return fail(Error::make("Expected backing file name, got empty string"));
    }
  }
  std::optional<std::string> backing_fmt = opts->get("backing_fmt");

  int64_t size = opts->find("size") ? static_cast<int64_t>(opts->get_size("size", 0)) : img_size;
  if (backing_file && !no_backing) {
    // The backing file must open (without I/O, shared), and gives the size if none was given.
    block::OpenFlags flags;
    flags.force_share = true;
    flags.no_backing = true;
    Error berr;
    auto bs = open_node(full_backing_name(filename, *backing_file), backing_fmt.value_or(""), {},
                        flags, &berr);
    if (!bs) {
      berr.with_hint("Could not open backing image.\n");
      return fail(berr);
    }
    if (!backing_fmt) {
      Error e = Error::make("Backing file specified without backing format");
      e.with_hint(fmt::format("Detected format of {}.", bs->driver_name()));
      return fail(e);
    }
    if (size == -1) {
      size = bs->length();
      if (size < 0) {
        return fail(Error::make("Could not get size of '{}': {}", *backing_file,
                                strerror(static_cast<int>(-size))));
      }
      opts->set("size", std::to_string(size), &err);
    }
  } else if (backing_file && !backing_fmt) {
    return fail(Error::make("Backing file specified without backing format"));
  }
  if (size == -1) return fail(Error::make("Image creation needs a size parameter"));

  if (!quiet) {
    printf("Formatting '%s', fmt=%s %s\n", filename, fmt.c_str(),
           block::print_create_opts(*opts).c_str());
    fflush(stdout);
  }
  int r = create_with_driver(filename, fmt, *opts, &err);
  if (r == -EFBIG) {
    // QEMU's wording: better than the file system's for an image that cannot be that large.
    const char *hint =
        opts->get_size("cluster_size", 0) ? " (try using a larger cluster size)" : "";
    return fail(Error::make("The image size is too large for file format '{}'{}", fmt, hint));
  }
  if (r < 0) return fail(err);
  return 0;
}

}  // namespace qemu::img
