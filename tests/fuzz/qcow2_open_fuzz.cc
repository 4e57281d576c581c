// libFuzzer target: an arbitrary file opened as qcow2 and exercised as qemu-img would exercise
// it: info, reads and block status over the image, snapshot listing, a check; and, on a
// writable copy, a few writes, zero writes and a repairing check. Nothing an image holds may
// crash us, hang us, make us allocate without bound or read out of bounds.
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "block/driver.h"
#include "block/file.h"

using namespace qemu;
using namespace qemu::block;

namespace {

int make_memfd(const uint8_t *data, size_t size) {
  int fd = memfd_create("image", MFD_CLOEXEC);
  if (fd < 0) abort();
  if (size && write(fd, data, size) != static_cast<ssize_t>(size)) abort();
  return fd;
}

std::unique_ptr<Node> open_qcow2(int fd, bool writable) {
  Error err;
  FileOpenOptions fo;
  fo.writable = writable;
  auto file = FileNode::open("/proc/self/fd/" + std::to_string(fd), fo, &err);
  if (!file) return nullptr;
  OpenFlags flags;
  flags.writable = writable;
  flags.no_backing = true;
  return find_format("qcow2")->open(std::move(file), {}, flags, &err);
}

void exercise_read(Node *n) {
  ImageInfo info;
  n->get_info(&info);
  std::vector<SnapshotInfo> sn;
  n->snapshot_list(&sn);
  int64_t len = n->length();
  if (len <= 0) return;
  uint64_t size = static_cast<uint64_t>(len);
  std::vector<uint8_t> buf(64 * 1024);
  // The first MiB, and a few spots spread over the whole image.
  for (uint64_t off = 0; off < size && off < (1u << 20); off += buf.size())
    n->pread(off, buf.data(), std::min<uint64_t>(buf.size(), size - off));
  for (int i = 1; i < 8; i++) {
    uint64_t off = size / 8 * i;
    n->pread(off, buf.data(), std::min<uint64_t>(4096, size - off));
  }
  uint64_t off = 0;
  for (int i = 0; i < 256 && off < size; i++) {
    BlockStatus st;
    if (n->block_status(off, size - off, &st) < 0 || st.bytes == 0) break;
    off += st.bytes;
  }
  CheckResult res;
  n->check(&res, 0);
}

void exercise_write(Node *n, const uint8_t *data, size_t size) {
  int64_t len = n->length();
  if (len <= 0) return;
  uint64_t isize = static_cast<uint64_t>(len);
  std::vector<uint8_t> buf(8192, 0xab);
  for (int i = 0; i < 4 && size >= 8; i++) {
    uint64_t off = (static_cast<uint64_t>(data[i * 2]) << 16 | data[i * 2 + 1] << 8) % isize;
    uint64_t n_bytes = std::min<uint64_t>(buf.size(), isize - off);
    if (i % 2) {
      n->pwrite_zeroes(off, n_bytes, kWriteMayUnmap);
    } else {
      n->pwrite(off, buf.data(), n_bytes, 0);
    }
  }
  n->flush();
  CheckResult res;
  n->check(&res, kFixLeaks | kFixErrors);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  set_report_sink([](std::string_view) {});
  // Files cannot grow past 256 MiB here (growing fails with EFBIG instead of SIGXFSZ): check
  // -r all grows an image to reach a refcount block "outside" it, as QEMU does, and hostile
  // images put that block terabytes away; the time bound of a fuzz run needs small files.
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit fsize = {256u << 20, 256u << 20};
  setrlimit(RLIMIT_FSIZE, &fsize);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (4u << 20)) return 0;
  int fd = make_memfd(data, size);
  if (auto n = open_qcow2(fd, false)) exercise_read(n.get());
  if (auto n = open_qcow2(fd, true)) {
    exercise_write(n.get(), data, size);
    exercise_read(n.get());
  }
  close(fd);
  return 0;
}
