// qcow2-crash-writer: the victim and the judge of the crash-safety test.
//
//   qcow2-crash-writer write IMAGE LOG SEED   random writes/zeroes/discards/flushes until killed;
//                                            each operation is appended to LOG before it is
//                                            issued, and "flush" after each completed flush
//   qcow2-crash-writer verify IMAGE LOG       replays LOG into a model; every byte that no
//                                            operation after the last completed flush touched
//                                            must read back as the model says
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "block/image.h"

using namespace qemu;
using namespace qemu::block;

namespace {

struct Op {
  char kind;  // 'w' write, 'z' zeroes, 'd' discard, 'f' flush
  uint64_t off = 0, len = 0;
  uint32_t seed = 0;
};

void fill(std::vector<uint8_t> &buf, uint64_t off, uint32_t seed) {
  // Content depends on the position, so misplaced data is caught.
  for (size_t i = 0; i < buf.size(); i++) {
    uint64_t x = (off + i) * 0x9E3779B97F4A7C15ull ^ seed;
    buf[i] = static_cast<uint8_t>(x >> 56);
  }
}

int log_fd = -1;

void log_op(const Op &op) {
  char line[128];
  int n = snprintf(line, sizeof line, "%c %llu %llu %u\n", op.kind,
                   static_cast<unsigned long long>(op.off), static_cast<unsigned long long>(op.len),
                   op.seed);
  if (write(log_fd, line, static_cast<size_t>(n)) != n) exit(3);
  if (op.kind == 'f' && fdatasync(log_fd) != 0) exit(3);
}

int do_write(const char *image, const char *log, unsigned seed) {
  Error err;
  OpenOptions oo;
  oo.writable = true;
  auto node = open_image(image, oo, &err);
  if (!node) {
    fprintf(stderr, "open: %s\n", err.msg.c_str());
    return 2;
  }
  log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (log_fd < 0) return 2;
  uint64_t size = static_cast<uint64_t>(node->length());
  uint64_t cs = static_cast<uint64_t>(node->cluster_size());
  std::mt19937 rng(seed);
  std::vector<uint8_t> buf;
  for (;;) {
    Op op;
    int k = static_cast<int>(rng() % 20);
    op.kind = k < 14 ? 'w' : k < 16 ? 'z' : k < 17 ? 'd' : 'f';
    op.off = rng() % size;
    if (rng() % 3) op.off &= ~(cs - 1);
    op.len = 1 + rng() % std::min<uint64_t>(8 * cs, size - op.off);
    op.seed = static_cast<uint32_t>(rng());
    if (op.kind == 'f') {
      if (node->flush() < 0) return 4;
      log_op(op);
      continue;
    }
    log_op(op);
    int r = 0;
    if (op.kind == 'w') {
      buf.resize(op.len);
      fill(buf, op.off, op.seed);
      r = node->pwrite(op.off, buf.data(), op.len, 0);
    } else if (op.kind == 'z') {
      r = node->pwrite_zeroes(op.off, op.len, (op.seed & 1) ? unsigned{kWriteMayUnmap} : 0u);
    } else {
      r = node->discard(op.off, op.len);
    }
    if (r < 0) {
      fprintf(stderr, "%c %llu %llu failed: %s\n", op.kind, static_cast<unsigned long long>(op.off),
              static_cast<unsigned long long>(op.len), strerror(-r));
      return 4;
    }
  }
}

int do_verify(const char *image, const char *log) {
  Error err;
  OpenOptions oo;
  auto node = open_image(image, oo, &err);
  if (!node) {
    fprintf(stderr, "open after repair: %s\n", err.msg.c_str());
    return 2;
  }
  uint64_t size = static_cast<uint64_t>(node->length());
  uint64_t cs = static_cast<uint64_t>(node->cluster_size());
  std::vector<Op> ops;
  FILE *f = fopen(log, "r");
  if (!f) return 2;
  char kind;
  unsigned long long off, len;
  unsigned s;
  while (fscanf(f, " %c %llu %llu %u", &kind, &off, &len, &s) == 4)
    ops.push_back({kind, off, len, s});
  fclose(f);
  size_t last_flush = 0;
  for (size_t i = 0; i < ops.size(); i++)
    if (ops[i].kind == 'f') last_flush = i + 1;

  std::vector<uint8_t> model(size, 0), touched(size, 0), buf;
  for (size_t i = 0; i < ops.size(); i++) {
    const Op &op = ops[i];
    if (op.kind == 'f') continue;
    if (i >= last_flush) {  // may or may not have reached the image
      memset(&touched[op.off], 1, op.len);
      continue;
    }
    if (op.kind == 'w') {
      buf.resize(op.len);
      fill(buf, op.off, op.seed);
      memcpy(&model[op.off], buf.data(), op.len);
    } else if (op.kind == 'z') {
      memset(&model[op.off], 0, op.len);
    } else {
      // Discarded whole clusters read as zeroes; partial ones keep their data.
      uint64_t a = (op.off + cs - 1) & ~(cs - 1), b = (op.off + op.len) & ~(cs - 1);
      if (op.off + op.len == size) b = size;
      if (a < b) memset(&model[a], 0, b - a);
    }
  }
  std::vector<uint8_t> img(size);
  int r = node->pread(0, img.data(), size);
  if (r < 0) {
    fprintf(stderr, "read after repair: %s\n", strerror(-r));
    return 2;
  }
  uint64_t bad = 0, first = 0;
  for (uint64_t i = 0; i < size; i++) {
    if (!touched[i] && img[i] != model[i]) {
      if (!bad) first = i;
      bad++;
    }
  }
  printf("%zu ops, %zu flushed, %llu bytes verified, %llu lost\n", ops.size(), last_flush,
         static_cast<unsigned long long>(size), static_cast<unsigned long long>(bad));
  if (bad) {
    fprintf(stderr, "flushed data lost: %llu bytes, first at offset %llu\n",
            static_cast<unsigned long long>(bad), static_cast<unsigned long long>(first));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  set_progname(argv[0]);
  if (argc == 5 && strcmp(argv[1], "write") == 0)
    return do_write(argv[2], argv[3], static_cast<unsigned>(atoi(argv[4])));
  if (argc == 4 && strcmp(argv[1], "verify") == 0) return do_verify(argv[2], argv[3]);
  fprintf(stderr, "usage: %s write IMAGE LOG SEED | verify IMAGE LOG\n", argv[0]);
  return 2;
}
