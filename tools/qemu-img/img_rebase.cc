// qemu-img rebase [--object objectdef] [--image-opts] [-U] [-q] [-f fmt] [-t cache]
//                 [-T src_cache] [-p] [-u] -b backing_file [-F backing_fmt] filename
//
// Safe mode: every range the image does not allocate itself is compared between the old and
// the new backing file (2 MiB at a time, 512-byte granularity) and copied from the old one
// where they differ, so that the guest-visible content stays the same; then the backing file
// name and format are rewritten. -u only rewrites them.
#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

constexpr int64_t kIoBufSize = 2 * 1024 * 1024;

std::string dir_of(const std::string &p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? std::string() : p.substr(0, s + 1);
}

bool has_protocol(const std::string &name) {
  size_t colon = name.find(':');
  if (colon == std::string::npos) return false;
  size_t slash = name.find('/');
  return slash == std::string::npos || colon < slash;
}

std::string real_path(const std::string &p) {
  char buf[PATH_MAX];
  if (!realpath(p.c_str(), buf)) return {};
  return buf;
}

// bdrv_find_backing_image on a chain opened through backing(): the node named `name`.
block::Node *find_backing_image(block::Node *top, const std::string &name) {
  for (block::Node *curr = top; curr && curr->backing(); curr = curr->backing()) {
    block::ImageInfo info;
    if (curr->get_info(&info) < 0) continue;
    std::string full = info.full_backing_filename;
    if (full.empty() && !info.backing_filename.empty()) {
      full = info.backing_filename[0] == '/' || has_protocol(info.backing_filename)
                 ? info.backing_filename
                 : dir_of(curr->filename()) + info.backing_filename;
    }
    if (has_protocol(name) || has_protocol(info.backing_filename)) {
      if (name == info.backing_filename || name == full) return curr->backing();
      continue;
    }
    std::string candidate = name[0] == '/' ? name : dir_of(curr->filename()) + name;
    std::string a = real_path(candidate), b = real_path(full);
    if (!a.empty() && !b.empty() && a == b) return curr->backing();
  }
  return nullptr;
}

}  // namespace

int img_rebase(int argc, char **argv) {
  enum { kOptObject = 256, kOptImageOpts };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt;
  const char *out_baseimg = nullptr, *out_basefmt = nullptr;
  const char *cache = "writeback", *src_cache = "writeback";
  bool unsafe = false, progress = false, quiet = false, image_opts = false, force_share = false;
  int c;
  while ((c = getopt_long(argc, argv, ":hf:F:b:upt:T:qU", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 'F':
        out_basefmt = optarg;
        break;
      case 'b':
        out_baseimg = optarg;
        break;
      case 'u':
        unsafe = true;
        break;
      case 'p':
        progress = true;
        break;
      case 't':
        cache = optarg;
        break;
      case 'T':
        src_cache = optarg;
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
  if (quiet) progress = false;
  if (optind != argc - 1) error_exit("Expecting one image file name");
  if (!unsafe && !out_baseimg) error_exit("Must specify backing file (-b) or use unsafe mode (-u)");
  std::string filename = argv[optind];

  progress_init(progress, 2.0);
  progress_print(0, 100);
  auto out = [&](int ret) {
    progress_end();
    return ret ? 1 : 0;
  };

  ImgOpenOptions o;
  if (!parse_cache(cache, &o.cache)) {
    error_report("Invalid cache option: {}", cache);
    return out(-1);
  }
  block::CacheMode src_mode;
  if (!parse_cache(src_cache, &src_mode)) {
    error_report("Invalid source cache option: {}", src_cache);
    return out(-1);
  }
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = true;
  o.no_backing = unsafe;
  auto node = img_open(filename, o);
  if (!node) return out(-1);

  if (out_basefmt && std::string_view(out_basefmt) != "file" && !block::find_format(out_basefmt)) {
    error_report("Invalid format name: '{}'", out_basefmt);
    return out(-1);
  }

  block::Node *old_backing = nullptr;
  block::Node *new_backing = nullptr;
  block::Node *prefix_chain = nullptr;
  std::unique_ptr<block::Node> new_backing_owned;
  if (!unsafe) {
    old_backing = node->backing();
    if (out_baseimg[0]) {
      std::string out_real_path = out_baseimg;
      if (out_real_path[0] != '/' && !has_protocol(out_real_path)) {
        out_real_path = dir_of(node->filename()) + out_real_path;
      }
      prefix_chain = find_backing_image(node.get(), out_real_path);
      if (prefix_chain) {
        new_backing = prefix_chain;
      } else {
        block::OpenFlags flags;
        flags.force_share = force_share;
        flags.cache = src_mode;
        Error err;
        new_backing_owned =
            open_node(out_real_path, out_basefmt ? out_basefmt : "", {}, flags, &err);
        if (!new_backing_owned) {
          error_report("Could not open new backing file '{}': {}", out_baseimg, err.msg);
          return out(-1);
        }
        new_backing = new_backing_owned.get();
      }
    }
  }

  if (!unsafe) {
    int64_t size = node->length();
    if (size < 0) {
      error_report("Could not get size of '{}': {}", filename, strerror(static_cast<int>(-size)));
      return out(-1);
    }
    int64_t old_backing_size = 0, new_backing_size = 0;
    if (old_backing) {
      old_backing_size = old_backing->length();
      if (old_backing_size < 0) {
        block::ImageInfo info;
        node->get_info(&info);
        error_report("Could not get size of '{}': {}", info.backing_filename,
                     strerror(static_cast<int>(-old_backing_size)));
        return out(-1);
      }
    }
    if (new_backing) {
      new_backing_size = new_backing->length();
      if (new_backing_size < 0) {
        error_report("Could not get size of '{}': {}", out_baseimg,
                     strerror(static_cast<int>(-new_backing_size)));
        return out(-1);
      }
    }
    float local_progress = 0;
    if (size != 0) {
      local_progress =
          static_cast<float>(100) / static_cast<float>(size / std::min<int64_t>(size, kIoBufSize));
    }
    AlignedBuffer buf_old(kIoBufSize), buf_new(kIoBufSize);
    int64_t n;
    for (int64_t offset = 0; offset < size; offset += n) {
      bool buf_old_is_zero = false;
      n = std::min<int64_t>(kIoBufSize, size - offset);
      // Ranges the image allocates itself keep their content.
      ChainStatus st;
      int ret = layer_status(node.get(), offset, n, &st);
      if (ret < 0) {
        error_report("error while reading image metadata: {}", strerror(-ret));
        return out(-1);
      }
      n = static_cast<int64_t>(st.bytes);
      if (st.allocated) continue;
      if (prefix_chain) {
        // Unchanged since the new backing file (which is in the old chain): nothing to do.
        uint64_t pnum;
        ret = is_allocated_above(node->backing(), prefix_chain, offset, n, &pnum);
        if (ret < 0) {
          error_report("error while reading image metadata: {}", strerror(-ret));
          return out(-1);
        }
        n = static_cast<int64_t>(pnum);
        if (!ret) continue;
      }
      if (offset >= old_backing_size) {
        memset(buf_old.data(), 0, n);
        buf_old_is_zero = true;
      } else {
        if (offset + n > old_backing_size) n = old_backing_size - offset;
        ret = old_backing->pread(offset, buf_old.data(), n);
        if (ret < 0) {
          error_report("error while reading from old backing file");
          return out(-1);
        }
      }
      if (offset >= new_backing_size || !new_backing) {
        memset(buf_new.data(), 0, n);
      } else {
        if (offset + n > new_backing_size) n = new_backing_size - offset;
        ret = new_backing->pread(offset, buf_new.data(), n);
        if (ret < 0) {
          error_report("error while reading from new backing file");
          return out(-1);
        }
      }
      // Where they differ, the image gets the old content.
      int64_t written = 0;
      while (written < n) {
        int64_t pnum;
        if (compare_buffers(buf_old.data() + written, buf_new.data() + written, n - written,
                            &pnum)) {
          if (buf_old_is_zero) {
            ret = node->pwrite_zeroes(offset + written, pnum, 0);
          } else {
            ret = node->pwrite(offset + written, buf_old.data() + written, pnum, 0);
          }
          if (ret < 0) {
            error_report("Error while writing to COW image: {}", strerror(-ret));
            return out(-1);
          }
        }
        written += pnum;
      }
      progress_print(local_progress, 100);
    }
  }

  // Everything that differs is in the image now: switch the backing file.
  int ret;
  Error err;
  if (out_baseimg && *out_baseimg) {
    if (!out_basefmt) {
      ret = -EINVAL;
    } else {
      ret = node->change_backing_file(out_baseimg, out_basefmt, &err);
    }
  } else {
    ret = node->change_backing_file("", "", &err);
  }
  if (ret == -ENOSPC) {
    error_report("Could not change the backing file to '{}': No space left in the file header",
                 out_baseimg);
  } else if (ret == -EINVAL && out_baseimg && !out_basefmt) {
    error_report("Could not change the backing file to '{}': backing format must be specified",
                 out_baseimg);
  } else if (ret < 0) {
    error_report("Could not change the backing file to '{}': {}", out_baseimg ? out_baseimg : "",
                 strerror(-ret));
  }
  if (ret >= 0) ret = node->flush();
  progress_print(100, 0);
  return out(ret < 0 ? ret : 0);
}

}  // namespace qemu::img
