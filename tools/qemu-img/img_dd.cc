// qemu-img dd [--image-opts] [-U] [-f fmt] [-O output_fmt] [bs=block_size] [count=blocks]
//             [skip=blocks] if=input of=output
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/opts.h"
#include "base/size.h"
#include "block/create_opts.h"
#include "block/image.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

bool dd_number(const char *name, std::string_view value, int64_t min, int64_t max, int64_t *out) {
  uint64_t v;
  int r = parse_size(value, &v);
  if (r < 0 && r != -ERANGE) {
    error_report("Invalid {} specified. You may use k, M, G, T, P or E suffixes for", name);
    error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
    return false;
  }
  if (r == -ERANGE || v > static_cast<uint64_t>(max) || static_cast<int64_t>(v) < min) {
    error_report("Invalid {} specified. Must be between {} and {}.", name, min, max);
    return false;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

int img_dd(int argc, char **argv) {
  std::string fmt, out_fmt = "raw";
  bool image_opts = false, force_share = false;
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, 256},
      {"image-opts", no_argument, nullptr, 257},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":hf:O:U", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 'O':
        out_fmt = optarg;
        break;
      case 'U':
        force_share = true;
        break;
      case 257:
        image_opts = true;
        break;
      case 256:
        user_creatable_add(optarg);
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }

  int64_t bs = 512, count = -1, skip = -1;
  std::string in_name, out_name;
  for (int i = optind; i < argc; i++) {
    std::string_view arg(argv[i]);
    size_t eq = arg.find('=');
    if (eq == std::string_view::npos) {
      error_report("unrecognized operand {}", arg);
      return 1;
    }
    std::string_view key = arg.substr(0, eq), val = arg.substr(eq + 1);
    if (key == "bs") {
      if (!dd_number("bs", val, 1, INT32_MAX, &bs)) return 1;
    } else if (key == "count") {
      if (!dd_number("count", val, 0, INT64_MAX, &count)) return 1;
    } else if (key == "skip") {
      if (!dd_number("skip", val, 0, INT64_MAX, &skip)) return 1;
    } else if (key == "if") {
      in_name = std::string(val);
    } else if (key == "of") {
      out_name = std::string(val);
    } else {
      error_report("unrecognized operand {}", key);
      return 1;
    }
  }
  if (in_name.empty() || out_name.empty()) {
    error_report("Must specify both input and output files");
    return 1;
  }

  Error err;
  ImgOpenOptions in_opts;
  in_opts.image_opts = image_opts;
  in_opts.fmt = fmt;
  in_opts.force_share = force_share;
  auto in = img_open(in_name, in_opts);
  if (!in) return 1;
  int64_t size = in->length();
  if (size < 0) {
    error_report("Failed to get size for '{}'", in_name);
    return 1;
  }
  // As QEMU does, count limits the input from its start, before skip is applied.
  if (count >= 0 && count <= INT64_MAX / bs && count * bs < size) size = count * bs;
  int64_t in_pos = 0;
  if (skip >= 0) {
    if (skip > INT64_MAX / bs || size < bs * skip) {
      error_report("{}: cannot skip to specified offset", in_name);
      in_pos = size;
    } else {
      in_pos = skip * bs;
    }
  }

  OptsList create_list;
  bool known = false;
  if (!create_opts_for(out_fmt, &create_list, &known)) {
    if (!known) {
      error_report("Unknown file format '{}'", out_fmt);
    } else {
      error_report("Format driver '{}' does not support image creation", out_fmt);
    }
    return 1;
  }
  OptsGroup group(create_list);
  Opts *copts = group.create("", false, &err);
  copts->set("size", std::to_string(size - in_pos), &err);
  if (create_with_driver(out_name, out_fmt, *copts, &err) < 0) {
    error_report("{}: error while creating output image: {}", out_name, err.msg);
    return 1;
  }
  ImgOpenOptions out_opts;
  out_opts.fmt = out_fmt;
  out_opts.writable = true;
  auto out = img_open(out_name, out_opts);
  if (!out) return 1;

  std::vector<char> buf(static_cast<size_t>(bs));
  int64_t out_pos = 0;
  for (; in_pos < size; in_pos += bs, out_pos += bs) {
    size_t n = static_cast<size_t>(std::min<int64_t>(bs, size - in_pos));
    int r = in->pread(in_pos, buf.data(), n);
    if (r < 0) {
      error_report("error while reading from input image file: {}", strerror(-r));
      return 1;
    }
    r = out->pwrite(out_pos, buf.data(), n, 0);
    if (r < 0) {
      error_report("error while writing to output image file: {}", strerror(-r));
      return 1;
    }
  }
  return 0;
}

}  // namespace qemu::img
