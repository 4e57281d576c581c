#include "block/image.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "block/driver.h"
#include "block/file.h"
#include "block/raw.h"

namespace qemu::block {

std::string probe_format(const std::string &filename, Error *err) {
  FileOpenOptions fo;
  fo.locking = Locking::kOff;  // probing takes no locks
  auto file = FileNode::open(filename, fo, err);
  if (!file) return {};
  uint8_t head[2048] = {};
  int64_t len = file->length();
  size_t n = static_cast<size_t>(std::min<int64_t>(std::max<int64_t>(len, 0), sizeof head));
  if (n && file->pread(0, head, n) < 0) n = 0;
  const FormatDriver *best = nullptr;
  int best_score = 0;
  for (const FormatDriver *d : format_drivers()) {
    int score = d->probe(head, n, filename);
    if (score > best_score) {
      best = d;
      best_score = score;
    }
  }
  return best ? best->name() : "raw";
}

std::unique_ptr<Node> open_image(const std::string &filename, const OpenOptions &o, Error *err) {
  std::string format = o.format;
  if (format.empty()) {
    Error perr;
    format = probe_format(filename, &perr);
    if (format.empty()) {
      *err = std::move(perr);  // already "Could not open 'f': reason"
      return nullptr;
    }
  }
  FileOpenOptions fo;
  fo.writable = o.writable;
  fo.perms = image_lock_perms(format, o.writable, o.no_io, o.force_share);
  if (o.no_share && !o.force_share) fo.perms->unshared |= kPermWrite | kPermResize;
  Error ferr;
  auto file = FileNode::open(filename, fo, &ferr);
  if (!file) {
    *err = std::move(ferr);  // already "Could not open 'f': reason"
    return nullptr;
  }
  if (format == "file") return file;
  const FormatDriver *drv = find_format(format);
  if (!drv) {
    *err = Error::make("Unknown driver '{}'", format);
    return nullptr;
  }
  OpenFlags flags;
  flags.writable = o.writable;
  Error derr;
  auto node = drv->open(std::move(file), {}, flags, &derr);
  if (!node) {
    *err = Error::make("Could not open '{}': {}", filename, derr.msg);
    return nullptr;
  }
  return node;
}

int create_image(const std::string &filename, const std::string &format, const Opts &opts,
                 Error *err) {
  if (format != "raw" && format != "file") {
    *err = Error::make("Unknown file format '{}'", format);
    return -EINVAL;
  }
  Prealloc prealloc = Prealloc::kOff;
  if (auto p = opts.get("preallocation")) {
    if (!parse_prealloc(*p, &prealloc)) {
      *err = Error::make("invalid parameter value: {}", *p);
      return -EINVAL;
    }
  }
  // Raw images are whole sectors.
  uint64_t size = opts.get_size("size", 0);
  size = (size + 511) & ~uint64_t{511};

  FileOpenOptions fo;
  fo.writable = true;
  fo.create = true;
  Error ferr;
  auto file = FileNode::open(filename, fo, &ferr);
  if (!file && !ferr.hint.empty()) {  // locked by another user
    *err = std::move(ferr);
    return -EAGAIN;
  }
  if (!file) {
    *err = Error::make("Could not create '{}': {}", filename,
                       ferr.msg.substr(ferr.msg.rfind(": ") + 2));
    return -EIO;
  }
  if (prealloc == Prealloc::kMetadata) {  // refused after the file exists, as QEMU does
    *err = Error::make("Unsupported preallocation mode: metadata");
    return -ENOTSUP;
  }
  Error terr;
  int r = file->truncate(size, true, prealloc, &terr);
  if (r < 0) {
    *err = std::move(terr);
    return r;
  }
  // Allocate the first block, as QEMU does, so that later opens can probe the file's
  // alignment from an allocated block (and "disk size" matches QEMU's).
  if (size && prealloc == Prealloc::kOff) {
    static const char kZeroes[4096] = {};
    r = file->pwrite(0, kZeroes, std::min<uint64_t>(size, sizeof kZeroes), 0);
    if (r < 0) {
      *err = Error::make("Could not write to the new file: {}", strerror(-r));
      return r;
    }
  }
  return 0;
}

}  // namespace qemu::block

namespace qemu::block {

// The files of the backing chain being opened on this thread, outermost first: a file that
// appears twice is a loop, and chains are bounded in depth.
namespace {
constexpr size_t kMaxBackingDepth = 256;
thread_local std::vector<std::pair<dev_t, ino_t>> t_chain;
}  // namespace

std::unique_ptr<Node> open_backing(const std::string &overlay_filename,
                                   const std::string &backing_filename,
                                   const std::string &backing_format, const OpenFlags &flags,
                                   Error *err) {
  std::string path = backing_filename;
  if (!path.empty() && path[0] != '/') {
    size_t slash = overlay_filename.rfind('/');
    if (slash != std::string::npos) path = overlay_filename.substr(0, slash + 1) + path;
  }
  struct stat overlay_st, st;
  bool pushed_overlay = false;
  if (t_chain.empty() && stat(overlay_filename.c_str(), &overlay_st) == 0) {
    t_chain.emplace_back(overlay_st.st_dev, overlay_st.st_ino);
    pushed_overlay = true;
  }
  struct ChainGuard {
    bool overlay, self = false;
    ~ChainGuard() {
      if (self) t_chain.pop_back();
      if (overlay) t_chain.pop_back();
    }
  } guard{pushed_overlay};
  if (stat(path.c_str(), &st) == 0) {
    for (const auto &[dev, ino] : t_chain) {
      if (dev == st.st_dev && ino == st.st_ino) {
        *err = Error::make("Backing file '{}' creates an infinite loop.", backing_filename);
        return nullptr;
      }
    }
    if (t_chain.size() >= kMaxBackingDepth) {
      *err = Error::make("Backing chain is too deep (more than {} images)", kMaxBackingDepth);
      return nullptr;
    }
    t_chain.emplace_back(st.st_dev, st.st_ino);
    guard.self = true;
  }
  OpenOptions o;
  o.format = backing_format;
  o.writable = flags.writable;
  o.force_share = flags.force_share;
  o.no_io = flags.no_io;
  o.no_share = flags.no_share;
  return open_image(path, o, err);
}

}  // namespace qemu::block
