#include "block/file_lock.h"

#include <fcntl.h>

#include <cerrno>
#include <string>
#include <tuple>

namespace qemu::block {
namespace {

constexpr off_t kPermBase = 100;    // a byte per permission held
constexpr off_t kSharedBase = 200;  // a byte per permission not shared
constexpr int kPerms = 4;
const char *const kPermNames[kPerms] = {"consistent read", "write", "write unchanged", "resize"};

int set_byte(int fd, off_t byte, short type) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

// Whether another open file description holds a lock on the byte.
bool byte_taken(int fd, off_t byte) {
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  if (fcntl(fd, F_OFD_GETLK, &fl) < 0) return false;
  return fl.l_type != F_UNLCK;
}

// Sets the bytes of `want` and clears those of `had` that `want` does not name.
int apply(int fd, LockPerms want, LockPerms had, off_t *failed) {
  for (int i = 0; i < kPerms; i++) {
    for (auto [base, w, h] : {std::tuple{kPermBase, want.perm, had.perm},
                              std::tuple{kSharedBase, want.unshared, had.unshared}}) {
      unsigned bit = 1u << i;
      int r = 0;
      if (w & bit) {
        r = set_byte(fd, base + i, F_RDLCK);
      } else if (h & bit) {
        r = set_byte(fd, base + i, F_UNLCK);
      }
      if (r < 0) {
        *failed = base + i;
        return r;
      }
    }
  }
  return 0;
}

}  // namespace

bool parse_locking(std::string_view s, Locking *out) {
  if (s == "auto") {
    *out = Locking::kAuto;
  } else if (s == "on") {
    *out = Locking::kOn;
  } else if (s == "off") {
    *out = Locking::kOff;
  } else {
    return false;
  }
  return true;
}

LockPerms image_lock_perms(std::string_view format, bool writable, bool no_io, bool force_share,
                           bool resize) {
  LockPerms p;
  if (!no_io) p.perm |= kPermConsistentRead;
  bool passthrough = format == "raw" || format == "file";
  if (writable) p.perm |= passthrough ? kPermWrite : kPermWrite | kPermResize;
  if (resize) p.perm |= kPermResize;
  if (!passthrough && !force_share) p.unshared = kPermWrite | kPermResize;
  return p;
}

int FileLock::acquire(int fd, LockPerms p, const std::string &filename, Error *err) {
  LockPerms had = fd_ == fd ? cur_ : LockPerms{};
  LockPerms both{p.perm | had.perm, p.unshared | had.unshared};
  off_t failed = 0;
  int r = apply(fd, both, had, &failed);
  std::string msg;
  if (r < 0) {
    msg = "Failed to lock byte " + std::to_string(failed);
  } else {
    for (int i = 0; i < kPerms && msg.empty(); i++) {
      if ((p.perm & (1u << i)) && byte_taken(fd, kSharedBase + i))
        msg = std::string("Failed to get \"") + kPermNames[i] + "\" lock";
    }
    for (int i = 0; i < kPerms && msg.empty(); i++) {
      if ((p.unshared & (1u << i)) && byte_taken(fd, kPermBase + i))
        msg = std::string("Failed to get shared \"") + kPermNames[i] + "\" lock";
    }
  }
  if (!msg.empty()) {
    apply(fd, had, both, &failed);
    *err = Error::make("{}", msg);
    err->hint = "Is another process using the image [" + filename + "]?\n";
    return r < 0 ? r : -EAGAIN;
  }
  apply(fd, p, both, &failed);
  fd_ = fd;
  cur_ = p;
  return 0;
}

void FileLock::release() {
  if (fd_ < 0) return;
  off_t failed;
  apply(fd_, LockPerms{}, cur_, &failed);
  fd_ = -1;
  cur_ = {};
}

}  // namespace qemu::block
