// qemu-img commit [--object objectdef] [--image-opts] [-q] [-f fmt] [-t cache] [-b base]
//                 [-r rate_limit] [-d] [-p] filename
//
// Copies what the layers above the base define into the base (growing the base if it is
// smaller), as QEMU's active commit does: every 64 KiB granule (the base's cluster size
// between 4 KiB and 64 KiB) allocated above the base is copied, zero ranges are written as
// zeroes. Then the top image is emptied unless -d (or -b) is given.
#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

constexpr uint64_t kMaxIoBytes = 1 << 20;

struct Layer {
  std::unique_ptr<block::Node> node;
  std::string filename;  // as opened
  block::ImageInfo info;
};

std::string real_path(const std::string &p) {
  char buf[PATH_MAX];
  if (!realpath(p.c_str(), buf)) return {};
  return buf;
}

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

// bdrv_find_backing_image: the index of the layer named `name` below the top, or -1.
int find_backing_image(const std::vector<Layer> &chain, const std::string &name) {
  for (size_t i = 0; i + 1 < chain.size(); i++) {
    const block::ImageInfo &info = chain[i].info;
    if (has_protocol(name) || has_protocol(info.backing_filename)) {
      if (name == info.backing_filename || name == info.full_backing_filename)
        return static_cast<int>(i + 1);
      continue;
    }
    std::string candidate = name[0] == '/' ? name : dir_of(chain[i].filename) + name;
    std::string a = real_path(candidate);
    std::string b = real_path(info.full_backing_filename);
    if (!a.empty() && !b.empty() && a == b) return static_cast<int>(i + 1);
  }
  return -1;
}

// Reads [offset, offset + bytes) through layers[first..] (each opened without its backing).
int chain_pread(std::vector<Layer> &chain, size_t first, uint64_t offset, uint8_t *buf,
                uint64_t bytes) {
  while (bytes) {
    uint64_t n = bytes;
    size_t i = first;
    bool found = false;
    for (; i < chain.size(); i++) {
      ChainStatus st;
      int r = layer_status(chain[i].node.get(), offset, n, &st);
      if (r < 0) return r;
      if (st.bytes == 0) break;  // past this layer's end: zeroes
      n = st.bytes;
      if (st.allocated) {
        found = true;
        break;
      }
    }
    if (found) {
      int r = chain[i].node->pread(offset, buf, n);
      if (r < 0) return r;
    } else {
      memset(buf, 0, n);
    }
    offset += n;
    buf += n;
    bytes -= n;
  }
  return 0;
}

// Allocated in one of layers[0..end)?
int allocated_above(std::vector<Layer> &chain, size_t end, uint64_t offset, uint64_t bytes,
                    uint64_t *pnum) {
  uint64_t n = bytes;
  for (size_t i = 0; i < end; i++) {
    ChainStatus st;
    int r = layer_status(chain[i].node.get(), offset, n, &st);
    if (r < 0) return r;
    if (st.bytes == 0) {
      *pnum = n;
      return 1;  // a short layer: what lies past its end reads as zeroes defined there
    }
    n = st.bytes;
    if (st.allocated) {
      *pnum = n;
      return 1;
    }
  }
  *pnum = n;
  return 0;
}

// The status of the whole chain (layers opened without backing, so computed here).
int chain_status(std::vector<Layer> &chain, uint64_t offset, uint64_t bytes, bool *data, bool *zero,
                 uint64_t *pnum) {
  uint64_t n = bytes;
  for (size_t i = 0; i < chain.size(); i++) {
    ChainStatus st;
    int r = layer_status(chain[i].node.get(), offset, n, &st);
    if (r < 0) return r;
    if (st.bytes == 0) {
      *data = false;
      *zero = true;
      *pnum = n;
      return 0;
    }
    n = st.bytes;
    if (st.allocated) {
      *data = st.data;
      *zero = st.zero;
      *pnum = n;
      return 0;
    }
  }
  *data = false;
  *zero = true;
  *pnum = n;
  return 0;
}

}  // namespace

int img_commit(int argc, char **argv) {
  enum { kOptObject = 256, kOptImageOpts };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt;
  const char *cache = "writeback", *base = nullptr;
  bool progress = false, quiet = false, drop = false, image_opts = false;
  int64_t rate_limit = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":f:ht:b:dpqr:", long_options, nullptr)) != -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 't':
        cache = optarg;
        break;
      case 'b':
        base = optarg;
        drop = true;  // -b implies -d
        break;
      case 'd':
        drop = true;
        break;
      case 'p':
        progress = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 'r':
        rate_limit = cvtnum("rate limit", optarg);
        if (rate_limit < 0) return 1;
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
  std::string filename = argv[optind];

  ImgOpenOptions o;
  if (!parse_cache(cache, &o.cache)) {
    error_report("Invalid cache option: {}", cache);
    return 1;
  }
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = true;
  o.no_backing = true;

  // The chain, one layer at a time (the base is reopened writable once known).
  std::vector<Layer> chain;
  {
    Layer top;
    top.node = img_open(filename, o);
    if (!top.node) return 1;
    top.filename = image_opts || filename.rfind("json:", 0) == 0 ? top.node->filename() : filename;
    chain.push_back(std::move(top));
  }
  std::string prefix;
  for (;;) {
    Layer &last = chain.back();
    Error err;
    if (query_image_info(last.node.get(), last.filename, &last.info, &err) < 0) {
      error_report_err(err);
      return 1;
    }
    if (last.info.full_backing_filename.empty()) break;
    prefix += "Could not open backing file: ";
    block::OpenFlags flags;
    flags.no_backing = true;
    flags.cache = o.cache;
    Layer next;
    next.filename = last.info.full_backing_filename;
    next.node = open_node(next.filename, last.info.backing_format, {}, flags, &err);
    if (!next.node) {
      error_report("Could not open '{}': {}{}", filename, prefix, err.msg);
      if (!err.hint.empty()) fputs(err.hint.c_str(), stderr);
      return 1;
    }
    if (chain.size() > 64) {
      error_report("Could not open '{}': Backing chain is too deep", filename);
      return 1;
    }
    chain.push_back(std::move(next));
  }

  progress_init(progress, 1.f);
  progress_print(0.f, 100);
  auto done = [&](const Error *err) {
    progress_end();
    if (err) {
      error_report_err(*err);
      return 1;
    }
    qprintf(quiet, "Image committed.\n");
    return 0;
  };

  int base_idx;
  if (base) {
    base_idx = find_backing_image(chain, base);
    if (base_idx < 0) {
      Error e = Error::make("Did not find '{}' in the backing chain of '{}'", base, filename);
      return done(&e);
    }
  } else {
    if (chain.size() < 2) {
      Error e = Error::make("Image does not have a backing file");
      return done(&e);
    }
    base_idx = 1;
  }

  // Reopen the base for writing.
  {
    Layer &b = chain[base_idx];
    std::string bfmt = b.node->driver_name();
    b.node.reset();
    block::OpenFlags flags;
    flags.writable = true;
    flags.no_backing = true;
    flags.cache = o.cache;
    Error err;
    b.node = open_node(b.filename, bfmt, {}, flags, &err);
    if (!b.node) return done(&err);
  }
  block::Node *base_node = chain[base_idx].node.get();

  int64_t len = chain[0].node->length();
  int64_t base_len = base_node->length();
  if (len < 0 || base_len < 0) {
    Error e = Error::make("Could not get the image size: {}",
                          strerror(static_cast<int>(-(len < 0 ? len : base_len))));
    return done(&e);
  }
  if (len > base_len) {
    Error err;
    if (base_node->truncate(static_cast<uint64_t>(len), false, block::Prealloc::kOff, &err) < 0)
      return done(&err);
  }

  uint64_t granularity = 65536;
  int64_t cs = base_node->cluster_size();
  if (cs > 0) granularity = std::clamp<uint64_t>(static_cast<uint64_t>(cs), 4096, 65536);
  uint64_t target_cluster = cs > 0 ? static_cast<uint64_t>(cs) : 1;

  // The granules allocated above the base.
  uint64_t size = static_cast<uint64_t>(len);
  uint64_t nb_granules = (size + granularity - 1) / granularity;
  std::vector<bool> dirty(nb_granules, false);
  uint64_t total = 0;
  for (uint64_t off = 0; off < size;) {
    uint64_t pnum;
    int r = allocated_above(chain, static_cast<size_t>(base_idx), off, size - off, &pnum);
    if (r < 0) {
      Error e = Error::make("Could not read file metadata: {}", strerror(-r));
      return done(&e);
    }
    if (pnum == 0) break;
    if (r) {
      for (uint64_t g = off / granularity; g * granularity < off + pnum && g < nb_granules; g++) {
        if (!dirty[g]) total += std::min<uint64_t>(granularity, size - g * granularity);
        dirty[g] = true;
      }
    }
    off += pnum;
  }

  // The operations, as QEMU's mirror issues them: zero and discard requests go out at once,
  // copies after their reads, so zeroes reach the base first (which matters for where a
  // format like qcow2 places the copied clusters after freeing zeroed ones).
  struct Op {
    uint64_t off, len;
    bool copy, zero;
  };
  std::vector<Op> ops;
  for (uint64_t g = 0; g < nb_granules;) {
    if (!dirty[g]) {
      g++;
      continue;
    }
    uint64_t run_end_g = g;
    while (run_end_g < nb_granules && dirty[run_end_g]) run_end_g++;
    uint64_t off = g * granularity;
    uint64_t end = std::min(run_end_g * granularity, size);
    while (off < end) {
      bool data = true, zero = false;
      uint64_t io = end - off;
      int r = chain_status(chain, off, end - off, &data, &zero, &io);
      if (r < 0) io = std::min(end - off, kMaxIoBytes);
      if (r < 0 || data) io = std::min(io, kMaxIoBytes);
      io -= io % granularity;
      // A granule only partly zero (or unallocated) is copied whole: writing zeroes over it
      // would lose the data in the rest of it. Zeroes and discards go out only for whole
      // clusters of the base.
      bool copy = true;
      if (io < granularity) {
        io = granularity;
      } else if (r >= 0 && !data && off % target_cluster == 0 && io % target_cluster == 0) {
        copy = false;
      }
      io = std::min(io, end - off);
      ops.push_back({off, io, copy, zero});
      off += io;
    }
    g = run_end_g;
  }
  std::stable_partition(ops.begin(), ops.end(), [](const Op &op) { return !op.copy; });

  AlignedBuffer buf(kMaxIoBytes + granularity);
  uint64_t current = 0;
  auto start = std::chrono::steady_clock::now();
  for (const Op &op : ops) {
    int r;
    if (!op.copy) {
      r = op.zero ? base_node->pwrite_zeroes(op.off, op.len, block::kWriteMayUnmap)
                  : base_node->discard(op.off, op.len);
    } else {
      r = chain_pread(chain, 0, op.off, buf.data(), op.len);
      if (r >= 0) r = base_node->pwrite(op.off, buf.data(), op.len, 0);
    }
    if (r < 0) {
      Error e = Error::make("{}", strerror(-r));
      return done(&e);
    }
    current += op.len;
    if (rate_limit > 0) {
      std::this_thread::sleep_until(start +
                                    std::chrono::duration<double>(static_cast<double>(current) /
                                                                  static_cast<double>(rate_limit)));
    }
    progress_print(total ? static_cast<float>(current) / static_cast<float>(total) * 100.f : 0, 0);
  }
  int r = base_node->flush();
  if (r < 0) {
    Error e = Error::make("Could not flush the base image: {}", strerror(-r));
    return done(&e);
  }
  progress_print(100.f, 0);

  if (!drop) {
    Error err;
    r = chain[0].node->make_empty(&err);
    if (r < 0 && r != -ENOTSUP) return done(&err);
  }
  return done(nullptr);
}

}  // namespace qemu::img
