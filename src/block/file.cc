#include "block/file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace qemu::block {
namespace {

// Alignment of O_DIRECT requests: the largest logical block size in use, and the page size
// for memory.
constexpr size_t kDirectAlign = 4096;
// Bounce buffer size for unaligned O_DIRECT requests.
constexpr size_t kBounceBytes = 1 << 20;

struct FreeDeleter {
  void operator()(void *p) const { free(p); }
};

std::unique_ptr<uint8_t, FreeDeleter> aligned_buffer(size_t bytes) {
  void *p = nullptr;
  if (posix_memalign(&p, kDirectAlign, bytes) != 0) return nullptr;
  return std::unique_ptr<uint8_t, FreeDeleter>(static_cast<uint8_t *>(p));
}

}  // namespace

std::unique_ptr<FileNode> FileNode::open(const std::string &path, const FileOpenOptions &o,
                                         Error *err) {
  int flags = O_CLOEXEC | (o.writable ? O_RDWR : O_RDONLY);
  if (o.create) flags |= O_CREAT;
  if (o.direct) flags |= O_DIRECT;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    *err = Error::make("Could not open '{}': {}", path, strerror(errno));
    return nullptr;
  }
  auto node = std::unique_ptr<FileNode>(new FileNode);
  node->fd_ = fd;
  // OFD locks exist on every Linux we run on, so "auto" locks as "on" does.
  node->locking_ = o.locking != Locking::kOff;
  if (node->locking_) {
    LockPerms p;
    if (o.perms) {
      p = *o.perms;
    } else if (o.create) {
      p = {kPermWrite | kPermResize, kPermResize};
    } else {
      if (!o.no_io) p.perm |= kPermConsistentRead;
      if (o.writable) p.perm |= kPermWrite | kPermResize;
      if (!o.force_share) p.unshared = kPermResize;
    }
    if (node->lock_.acquire(fd, p, path, err) < 0) return nullptr;
  }
  if (o.create && ftruncate(fd, 0) < 0) {
    *err = Error::make("Could not open '{}': {}", path, strerror(errno));
    return nullptr;
  }
  node->filename_ = path;
  node->read_only_ = !o.writable;
  node->direct_ = o.direct;
  node->align_ = o.direct ? kDirectAlign : 1;
  return node;
}

FileNode::~FileNode() {
  lock_.release();
  if (fd_ >= 0) close(fd_);
}

int FileNode::set_lock_perms(LockPerms p, Error *err) {
  if (!locking_) return 0;
  return lock_.acquire(fd_, p, filename_, err);
}

int64_t FileNode::length() {
  struct stat st;
  if (fstat(fd_, &st) < 0) return -errno;
  if (S_ISBLK(st.st_mode)) {
    off_t end = lseek(fd_, 0, SEEK_END);
    return end < 0 ? -errno : end;
  }
  return st.st_size;
}

bool FileNode::aligned(uint64_t offset, const void *buf, size_t bytes) const {
  return ((offset | bytes | reinterpret_cast<uintptr_t>(buf)) & (align_ - 1)) == 0;
}

int FileNode::pread_fd(uint64_t offset, void *buf, size_t bytes) {
  char *p = static_cast<char *>(buf);
  while (bytes) {
    ssize_t n = ::pread(fd_, p, bytes, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    // Past the end of the file reads as zeroes (with O_DIRECT a short read is the end: the
    // next offset would not be aligned).
    if (n == 0 || (direct_ && static_cast<size_t>(n) < bytes)) {
      memset(p + n, 0, bytes - n);
      return 0;
    }
    p += n;
    offset += n;
    bytes -= n;
  }
  return 0;
}

int FileNode::pwrite_fd(uint64_t offset, const void *buf, size_t bytes) {
  const char *p = static_cast<const char *>(buf);
  while (bytes) {
    ssize_t n = ::pwrite(fd_, p, bytes, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    p += n;
    offset += n;
    bytes -= n;
  }
  return 0;
}

int FileNode::pread_bounce(uint64_t offset, void *buf, size_t bytes) {
  auto bounce = aligned_buffer(kBounceBytes);
  if (!bounce) return -ENOMEM;
  uint8_t *out = static_cast<uint8_t *>(buf);
  while (bytes) {
    uint64_t start = offset & ~uint64_t{align_ - 1};
    uint64_t skip = offset - start;
    size_t n = std::min<uint64_t>(bytes, kBounceBytes - skip);
    size_t len = (skip + n + align_ - 1) & ~(align_ - 1);
    int r = pread_fd(start, bounce.get(), len);
    if (r < 0) return r;
    memcpy(out, bounce.get() + skip, n);
    out += n;
    offset += n;
    bytes -= n;
  }
  return 0;
}

int FileNode::pwrite_bounce(uint64_t offset, const void *buf, size_t bytes) {
  auto bounce = aligned_buffer(kBounceBytes);
  if (!bounce) return -ENOMEM;
  std::unique_lock<std::shared_mutex> g(rmw_lock_);
  int64_t old_len = length();
  if (old_len < 0) return static_cast<int>(old_len);
  uint64_t want_end = std::max<uint64_t>(static_cast<uint64_t>(old_len), offset + bytes);
  const uint8_t *in = static_cast<const uint8_t *>(buf);
  while (bytes) {
    uint64_t start = offset & ~uint64_t{align_ - 1};
    uint64_t skip = offset - start;
    size_t n = std::min<uint64_t>(bytes, kBounceBytes - skip);
    size_t len = (skip + n + align_ - 1) & ~(align_ - 1);
    // Read the blocks the request covers only in part.
    if (skip) {
      int r = pread_fd(start, bounce.get(), align_);
      if (r < 0) return r;
    }
    if ((skip + n) & (align_ - 1)) {
      int r = pread_fd(start + len - align_, bounce.get() + len - align_, align_);
      if (r < 0) return r;
    }
    memcpy(bounce.get() + skip, in, n);
    int r = pwrite_fd(start, bounce.get(), len);
    if (r < 0) return r;
    in += n;
    offset += n;
    bytes -= n;
  }
  // Whole blocks were written: the file ends where a buffered write would have left it.
  int64_t len = length();
  if (len > 0 && static_cast<uint64_t>(len) > want_end &&
      ftruncate(fd_, static_cast<off_t>(want_end)) < 0)
    return -errno;
  return 0;
}

int FileNode::pread(uint64_t offset, void *buf, size_t bytes) {
  if (direct_ && !aligned(offset, buf, bytes)) return pread_bounce(offset, buf, bytes);
  return pread_fd(offset, buf, bytes);
}

int FileNode::pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) {
  flags = with_write_through(flags);
  int r;
  if (!direct_) {
    r = pwrite_fd(offset, buf, bytes);
  } else if (!aligned(offset, buf, bytes)) {
    r = pwrite_bounce(offset, buf, bytes);
  } else {
    std::shared_lock<std::shared_mutex> g(rmw_lock_);
    r = pwrite_fd(offset, buf, bytes);
  }
  if (r < 0) return r;
  if (flags & kWriteFua) return flush();
  return 0;
}

int FileNode::pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) {
  flags = with_write_through(flags);
  int mode =
      (flags & kWriteMayUnmap) ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE;
  if (fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(bytes)) == 0) {
    // Zeroing past the end must still extend the file.
    int64_t len = length();
    if (len >= 0 && static_cast<uint64_t>(len) < offset + bytes &&
        ftruncate(fd_, static_cast<off_t>(offset + bytes)) < 0)
      return -errno;
    return (flags & kWriteFua) ? flush() : 0;
  }
  if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL) return -errno;
  return Node::pwrite_zeroes(offset, bytes, flags);
}

int FileNode::discard(uint64_t offset, uint64_t bytes) {
  if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                static_cast<off_t>(bytes)) < 0 &&
      errno != EOPNOTSUPP)
    return -errno;
  return 0;
}

int FileNode::flush() {
  return fdatasync(fd_) < 0 ? -errno : 0;
}

int FileNode::truncate(uint64_t size, bool, Prealloc prealloc, Error *err) {
  int64_t old = length();
  if (old < 0) {
    *err = Error::make("Could not get file size: {}", strerror(-old));
    return static_cast<int>(old);
  }
  if (ftruncate(fd_, static_cast<off_t>(size)) < 0) {
    int e = errno;
    *err = Error::make("Could not resize file: {}", strerror(e));
    return -e;
  }
  if (size > static_cast<uint64_t>(old) && prealloc != Prealloc::kOff) {
    uint64_t start = old, len = size - old;
    if (prealloc == Prealloc::kFalloc) {
      if (fallocate(fd_, 0, static_cast<off_t>(start), static_cast<off_t>(len)) < 0) {
        int e = errno;
        *err = Error::make("Could not preallocate data for the new file: {}", strerror(e));
        return -e;
      }
    } else if (prealloc == Prealloc::kFull) {
      constexpr size_t kChunk = 1 << 20;
      std::vector<char> zeroes(kChunk, 0);
      while (len) {
        size_t n = std::min<uint64_t>(len, kChunk);
        int r = pwrite(start, zeroes.data(), n, 0);
        if (r < 0) {
          *err = Error::make("Could not write zeros for preallocation: {}", strerror(-r));
          return r;
        }
        start += n;
        len -= n;
      }
    }
  }
  return 0;
}

int FileNode::block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) {
  *st = BlockStatus{};
  st->allocated = true;
  st->file = this;
  st->has_offset = true;
  st->offset = offset;
  off_t data = lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (data < 0) {
    if (errno == ENXIO) {  // a hole up to the end of the file
      st->bytes = bytes;
      st->zero = true;
      return 0;
    }
    st->bytes = bytes;  // SEEK_DATA unsupported: everything is data
    st->data = true;
    return 0;
  }
  if (static_cast<uint64_t>(data) > offset) {
    st->bytes = std::min<uint64_t>(bytes, data - offset);
    st->zero = true;
    return 0;
  }
  off_t hole = lseek(fd_, static_cast<off_t>(offset), SEEK_HOLE);
  uint64_t end = hole < 0 ? offset + bytes : static_cast<uint64_t>(hole);
  st->bytes = std::min<uint64_t>(bytes, end > offset ? end - offset : bytes);
  st->data = true;
  return 0;
}

int64_t FileNode::allocated_file_size() {
  struct stat st;
  if (fstat(fd_, &st) < 0) return -errno;
  return static_cast<int64_t>(st.st_blocks) * 512;
}

}  // namespace qemu::block
