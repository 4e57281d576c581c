// qemu-img map [--object objectdef] [--image-opts] [-f fmt] [--start-offset=offset]
//              [--max-length=len] [--output=ofmt] [-U] filename
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

struct MapEntry {
  int64_t start = 0;
  int64_t length = 0;
  bool data = false;
  bool zero = false;
  bool present = false;
  bool has_offset = false;
  int64_t offset = 0;
  int64_t depth = 0;
  bool has_filename = false;
  std::string filename;
};

// The status of [offset, offset + bytes) from the first layer of the chain that defines it.
int get_block_status(block::Node *node, int64_t offset, int64_t bytes, MapEntry *e) {
  int depth = 0;
  ChainStatus st;
  for (;;) {
    int r = layer_status(node, offset, bytes, &st);
    if (r < 0) return r;
    if (st.bytes == 0) return -EIO;
    bytes = st.bytes;
    if (st.data || st.zero) break;
    block::Node *backing = node->backing();
    if (!backing) break;
    node = backing;
    depth++;
  }
  *e = MapEntry{};
  e->start = offset;
  e->length = static_cast<int64_t>(st.bytes);
  e->data = st.data;
  e->zero = st.zero;
  e->present = st.allocated;
  e->has_offset = st.offset_valid;
  e->offset = e->has_offset ? static_cast<int64_t>(st.offset) : 0;
  e->depth = depth;
  if (st.file && st.offset_valid) {
    e->has_filename = true;
    e->filename = st.file->filename();
  }
  return 0;
}

bool entry_mergeable(const MapEntry &curr, const MapEntry &next) {
  if (curr.length == 0) return false;
  if (curr.zero != next.zero || curr.data != next.data || curr.depth != next.depth ||
      curr.present != next.present)
    return false;
  if (curr.has_filename != next.has_filename) return false;
  if (curr.has_filename && curr.filename != next.filename) return false;
  if (curr.has_offset != next.has_offset) return false;
  if (curr.has_offset && curr.offset + curr.length != next.offset) return false;
  return true;
}

int dump_map_entry(OutputFormat output, const MapEntry &e, MapEntry *next) {
  if (output == OutputFormat::kHuman) {
    if (e.data && !e.has_offset) {
      error_report("File contains external, encrypted or compressed clusters.");
      return -1;
    }
    if (e.data && !e.zero) {
      printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n", static_cast<uint64_t>(e.start),
             static_cast<uint64_t>(e.length), static_cast<uint64_t>(e.has_offset ? e.offset : 0),
             e.has_filename ? e.filename.c_str() : "");
    }
    // The human format does not tell zero from unallocated: merge them.
    if (next && (!next->data || next->zero)) {
      next->data = false;
      next->zero = true;
    }
  } else {
    printf("{ \"start\": %" PRId64 ", \"length\": %" PRId64 ", \"depth\": %" PRId64
           ", \"present\": %s, \"zero\": %s, \"data\": %s",
           e.start, e.length, e.depth, e.present ? "true" : "false", e.zero ? "true" : "false",
           e.data ? "true" : "false");
    if (e.has_offset) printf(", \"offset\": %" PRId64 "", e.offset);
    putchar('}');
    if (next) puts(",");
  }
  return 0;
}

}  // namespace

int img_map(int argc, char **argv) {
  std::string fmt;
  const char *output = nullptr;
  bool image_opts = false, force_share = false;
  int64_t start_offset = 0, max_length = -1;
  enum { kOptOutput = 256, kOptObject, kOptImageOpts, kOptStartOffset, kOptMaxLength };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"format", required_argument, nullptr, 'f'},
      {"output", required_argument, nullptr, kOptOutput},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {"start-offset", required_argument, nullptr, kOptStartOffset},
      {"max-length", required_argument, nullptr, kOptMaxLength},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":f:hU", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 'U':
        force_share = true;
        break;
      case kOptOutput:
        output = optarg;
        break;
      case kOptStartOffset:
        start_offset = cvtnum("start offset", optarg);
        if (start_offset < 0) return 1;
        break;
      case kOptMaxLength:
        max_length = cvtnum("max length", optarg);
        if (max_length < 0) return 1;
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
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.force_share = force_share;
  auto node = img_open(filename, o);
  if (!node) return 1;

  if (output_format == OutputFormat::kHuman) {
    printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
  } else {
    putchar('[');
  }

  int ret = 0;
  int64_t length = node->length();
  if (length < 0) {
    error_report("Failed to get size for '{}'", filename);
    return 1;
  }
  if (max_length != -1) length = std::min(start_offset + max_length, length);

  MapEntry curr, next;
  curr.start = start_offset;
  while (curr.start + curr.length < length) {
    int64_t offset = curr.start + curr.length;
    // Probe up to 1 GiB at a time.
    int64_t n = std::min<int64_t>(int64_t{1} << 30, length - offset);
    ret = get_block_status(node.get(), offset, n, &next);
    if (ret < 0) {
      error_report("Could not read file metadata: {}", strerror(-ret));
      goto out;
    }
    if (entry_mergeable(curr, next)) {
      curr.length += next.length;
      continue;
    }
    if (curr.length > 0) {
      ret = dump_map_entry(output_format, curr, &next);
      if (ret < 0) goto out;
    }
    curr = next;
  }
  ret = dump_map_entry(output_format, curr, nullptr);
  if (output_format == OutputFormat::kJson) puts("]");

out:
  return ret < 0;
}

}  // namespace qemu::img
