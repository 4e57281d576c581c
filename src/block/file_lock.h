// Image locking as QEMU does it, so that our programs and QEMU's exclude each other: open file
// description (OFD) byte-range read locks on the image file, one byte per permission a user
// holds (offset 100 + bit) and one per permission it does not let others hold (200 + bit).
// Before using a file, a user takes its bytes, then tests with a write lock that no other
// open file description (in this process or another) holds a byte that conflicts: the
// "unshared" byte of each permission it holds, the "held" byte of each it unshares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace qemu::block {

// QEMU's BLK_PERM_* bits; their order fixes the lock bytes and their names the messages.
enum Perm : unsigned {
  kPermConsistentRead = 1u << 0,
  kPermWrite = 1u << 1,
  kPermWriteUnchanged = 1u << 2,
  kPermResize = 1u << 3,
};
constexpr unsigned kPermAll = 0xf;

// The file driver's "locking" option.
enum class Locking { kAuto, kOn, kOff };
bool parse_locking(std::string_view s, Locking *out);

// What a user of a file holds and what it does not share with others.
struct LockPerms {
  unsigned perm = 0;
  unsigned unshared = 0;
};

// The permissions qemu-img's opens take on an image's file, by the format over it: raw (and
// the bare file) pass their user's permissions through and share everything; other formats
// keep metadata consistent, so they also unshare write and resize and take resize to write.
// A read-only open takes "consistent read" unless it does no I/O (qemu-img info); force_share
// (-U) shares everything. resize: the user may resize the image (qemu-img resize).
LockPerms image_lock_perms(std::string_view format, bool writable, bool no_io, bool force_share,
                           bool resize = false);

// The locks of one open file description.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock &) = delete;
  FileLock &operator=(const FileLock &) = delete;
  ~FileLock() { release(); }

  // Takes p's bytes on fd (dropping any taken before that p does not name) and checks that
  // nobody else conflicts. On a conflict, err gets QEMU's message ('Failed to get "write"
  // lock', 'Failed to get shared "write" lock') and hint naming filename, the bytes taken
  // before the call are restored, and -EAGAIN is returned.
  int acquire(int fd, LockPerms p, const std::string &filename, Error *err);
  // Drops every byte taken.
  void release();
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  LockPerms cur_;
};

}  // namespace qemu::block
