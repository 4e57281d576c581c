// qemu-img compare [--object objectdef] [--image-opts] [-f fmt] [-F fmt] [-T src_cache] [-p]
//                  [-q] [-s] [-U] filename1 filename2
//
// Exit status: 0 identical, 1 different, 2 open error, 3 allocation-check error, 4 read error.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

constexpr int64_t kIoBufSize = 2 * 1024 * 1024;

// The offset of the first sector that is not all zeroes, or -1.
int64_t find_nonzero(const uint8_t *buf, int64_t n) {
  for (int64_t i = 0; i < n; i += 512) {
    if (!buffer_is_zero(buf + i, std::min<int64_t>(512, n - i))) return i;
  }
  return -1;
}

int check_empty_sectors(block::Node *node, int64_t offset, int64_t bytes,
                        const std::string &filename, uint8_t *buffer, bool quiet) {
  int ret = node->pread(offset, buffer, bytes);
  if (ret < 0) {
    error_report("Error while reading offset {} of {}: {}", offset, filename, strerror(-ret));
    return 4;
  }
  int64_t idx = find_nonzero(buffer, bytes);
  if (idx >= 0) {
    qprintf(quiet, "Content mismatch at offset %" PRId64 "!\n", offset + idx);
    return 1;
  }
  return 0;
}

}  // namespace

int img_compare(int argc, char **argv) {
  enum { kOptObject = 256, kOptImageOpts };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt1, fmt2;
  const char *cache = "writeback";
  bool progress = false, quiet = false, strict = false, image_opts = false, force_share = false;
  int c;
  while ((c = getopt_long(argc, argv, ":hf:F:T:pqsU", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt1 = optarg;
        break;
      case 'F':
        fmt2 = optarg;
        break;
      case 'T':
        cache = optarg;
        break;
      case 'p':
        progress = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 's':
        strict = true;
        break;
      case 'U':
        force_share = true;
        break;
      case kOptImageOpts:
        image_opts = true;
        break;
      case kOptObject:
        user_creatable_add(optarg, 2);
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }
  if (quiet) progress = false;
  if (optind != argc - 2) error_exit("Expecting two image file names");
  std::string filename1 = argv[optind++];
  std::string filename2 = argv[optind++];

  progress_init(progress, 2.0);
  int ret = 0;
  auto finish = [&](int r) {
    progress_end();
    return r;
  };

  ImgOpenOptions o;
  if (!parse_cache(cache, &o.cache)) {
    error_report("Invalid source cache option: {}", cache);
    return finish(2);
  }
  o.image_opts = image_opts;
  o.force_share = force_share;
  o.fmt = fmt1;
  auto node1 = img_open(filename1, o);
  if (!node1) return finish(2);
  o.fmt = fmt2;
  auto node2 = img_open(filename2, o);
  if (!node2) return finish(2);

  AlignedBuffer buf1(kIoBufSize), buf2(kIoBufSize);
  int64_t total_size1 = node1->length();
  if (total_size1 < 0) {
    error_report("Can't get size of {}: {}", filename1, strerror(static_cast<int>(-total_size1)));
    return finish(4);
  }
  int64_t total_size2 = node2->length();
  if (total_size2 < 0) {
    error_report("Can't get size of {}: {}", filename2, strerror(static_cast<int>(-total_size2)));
    return finish(4);
  }
  int64_t total_size = std::min(total_size1, total_size2);
  int64_t progress_base = std::max(total_size1, total_size2);

  progress_print(0, 100);

  if (strict && total_size1 != total_size2) {
    qprintf(quiet, "Strict mode: Image size mismatch!\n");
    return finish(1);
  }

  int64_t offset = 0;
  while (offset < total_size) {
    ChainStatus st1, st2;
    int r = status_above(node1.get(), nullptr, offset, total_size1 - offset, &st1);
    if (r < 0) {
      error_report("Sector allocation test failed for {}", filename1);
      return finish(3);
    }
    r = status_above(node2.get(), nullptr, offset, total_size2 - offset, &st2);
    if (r < 0) {
      error_report("Sector allocation test failed for {}", filename2);
      return finish(3);
    }
    int64_t chunk = static_cast<int64_t>(std::min(st1.bytes, st2.bytes));
    if (strict && st1.bits() != st2.bits()) {
      qprintf(quiet, "Strict mode: Offset %" PRId64 " block status mismatch!\n", offset);
      return finish(1);
    }
    if (st1.zero && st2.zero) {
      // Both read as zeroes.
    } else if (st1.allocated == st2.allocated) {
      if (st1.allocated) {
        chunk = std::min(chunk, kIoBufSize);
        r = node1->pread(offset, buf1.data(), chunk);
        if (r < 0) {
          error_report("Error while reading offset {} of {}: {}", offset, filename1, strerror(-r));
          return finish(4);
        }
        r = node2->pread(offset, buf2.data(), chunk);
        if (r < 0) {
          error_report("Error while reading offset {} of {}: {}", offset, filename2, strerror(-r));
          return finish(4);
        }
        int64_t pnum;
        bool differ = compare_buffers(buf1.data(), buf2.data(), chunk, &pnum);
        if (differ || pnum != chunk) {
          qprintf(quiet, "Content mismatch at offset %" PRId64 "!\n", offset + (differ ? 0 : pnum));
          return finish(1);
        }
      }
    } else {
      chunk = std::min(chunk, kIoBufSize);
      if (st1.allocated) {
        ret = check_empty_sectors(node1.get(), offset, chunk, filename1, buf1.data(), quiet);
      } else {
        ret = check_empty_sectors(node2.get(), offset, chunk, filename2, buf1.data(), quiet);
      }
      if (ret) return finish(ret);
    }
    offset += chunk;
    progress_print(static_cast<float>(chunk) / static_cast<float>(progress_base) * 100, 100);
  }

  if (total_size1 != total_size2) {
    qprintf(quiet, "Warning: Image size mismatch!\n");
    block::Node *over = total_size1 > total_size2 ? node1.get() : node2.get();
    const std::string &filename_over = total_size1 > total_size2 ? filename1 : filename2;
    while (offset < progress_base) {
      ChainStatus st;
      int r = status_above(over, nullptr, offset, progress_base - offset, &st);
      if (r < 0) {
        error_report("Sector allocation test failed for {}", filename_over);
        return finish(3);
      }
      int64_t chunk = static_cast<int64_t>(st.bytes);
      if (st.allocated && !st.zero) {
        chunk = std::min(chunk, kIoBufSize);
        ret = check_empty_sectors(over, offset, chunk, filename_over, buf1.data(), quiet);
        if (ret) return finish(ret);
      }
      offset += chunk;
      progress_print(static_cast<float>(chunk) / static_cast<float>(progress_base) * 100, 100);
    }
  }

  qprintf(quiet, "Images are identical.\n");
  return finish(0);
}

}  // namespace qemu::img
