// qemu-img bench [-c count] [-d depth] [-f fmt] [--flush-interval=flush_interval] [-i aio] [-n]
//                [--no-drain] [-o offset] [--pattern=pattern] [-q] [-s buffer_size]
//                [-S step_size] [-t cache] [-w] [-U] filename
//
// Issues count requests of buffer_size bytes, depth of them in flight (one thread each), at
// offset, offset + step, ... wrapping around before the image end.
#include <sys/time.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/number.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

bool parse_ulong(const char *s, unsigned long max, unsigned long *out) {
  uint64_t v;
  if (parse_u64(s, 0, &v) < 0 || v > max) return false;
  // strtoul accepts a sign; QEMU's qemu_strtoul rejects negative numbers.
  for (const char *p = s; *p; p++) {
    if (*p == '-') return false;
    if (*p != ' ' && *p != '\t') break;
  }
  *out = v;
  return true;
}

struct Bench {
  block::Node *node = nullptr;
  int64_t image_size = 0;
  int64_t bufsize = 0;
  int64_t step = 0;
  int nrreq = 0;
  int n = 0;  // requests still to issue
  int64_t offset = 0;
  bool write = false;
  int flush_interval = 0;
  bool drain_on_flush = true;
  int in_flight = 0;
  int completed = 0;
  int total = 0;
  bool flushing = false;
  std::vector<uint8_t> buf;
  std::mutex mu;
  std::condition_variable cv;
};

[[noreturn]] void failed(int ret) {
  error_report("Failed request: {}", strerror(-ret));
  exit(EXIT_FAILURE);
}

void bench_worker(Bench *b, int slot) {
  uint8_t *buf = b->buf.data() + static_cast<size_t>(slot) * static_cast<size_t>(b->bufsize);
  std::unique_lock<std::mutex> lock(b->mu);
  for (;;) {
    b->cv.wait(lock, [&] { return !b->flushing || b->n == 0; });
    if (b->n == 0) break;
    int64_t offset = b->offset;
    b->n--;
    b->in_flight++;
    b->offset += b->step;
    // QEMU 7.2 wraps at the image end (a request crossing it fails with EIO).
    if (b->image_size == 0) {
      b->offset = 0;
    } else {
      b->offset %= b->image_size;
    }
    lock.unlock();
    int ret = 0;
    if (offset < 0 || offset > b->image_size || b->image_size - offset < b->bufsize) {
      ret = -EIO;
    } else if (b->write) {
      ret = b->node->pwrite(static_cast<uint64_t>(offset), buf, static_cast<size_t>(b->bufsize), 0);
    } else {
      ret = b->node->pread(static_cast<uint64_t>(offset), buf, static_cast<size_t>(b->bufsize));
    }
    if (ret < 0) failed(ret);
    lock.lock();
    b->in_flight--;
    b->completed++;
    int remaining = b->total - b->completed;
    if (b->flush_interval && remaining % b->flush_interval == 0) {
      if (b->drain_on_flush) {
        // Let the requests in flight finish, then flush before issuing more.
        b->flushing = true;
        b->cv.wait(lock, [&] { return b->in_flight == 0; });
        lock.unlock();
        int r = b->node->flush();
        if (r < 0) failed(r);
        lock.lock();
        b->flushing = false;
        b->cv.notify_all();
      } else {
        lock.unlock();
        int r = b->node->flush();
        if (r < 0) failed(r);
        lock.lock();
      }
    }
    b->cv.notify_all();
  }
}

}  // namespace

int img_bench(int argc, char **argv) {
  enum { kOptFlushInterval = 256, kOptImageOpts, kOptPattern, kOptNoDrain };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"flush-interval", required_argument, nullptr, kOptFlushInterval},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"pattern", required_argument, nullptr, kOptPattern},
      {"no-drain", no_argument, nullptr, kOptNoDrain},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  std::string fmt;
  bool image_opts = false, is_write = false, force_share = false, native_aio = false;
  bool drain_on_flush = true;
  int count = 75000, depth = 64, pattern = 0, flush_interval = 0;
  int64_t offset = 0, bufsize = 4096, step = 0;
  ImgOpenOptions o;
  int c;
  // Like QEMU, this scanner has no leading ':', so getopt reports unknown options too...
  opterr = 0;  // ...but its messages are the same as ours for the cases that matter.
  while ((c = getopt_long(argc, argv, ":hc:d:f:ni:o:qs:S:t:wU", long_options, nullptr)) != -1) {
    switch (c) {
      case 'c': {
        unsigned long res;
        if (!parse_ulong(optarg, INT_MAX, &res)) {
          error_report("Invalid request count specified");
          return 1;
        }
        count = static_cast<int>(res);
        break;
      }
      case 'd': {
        unsigned long res;
        if (!parse_ulong(optarg, INT_MAX, &res)) {
          error_report("Invalid queue depth specified");
          return 1;
        }
        depth = static_cast<int>(res);
        break;
      }
      case 'f':
        fmt = optarg;
        break;
      case 'n':
        native_aio = true;
        break;
      case 'i':
        if (strcmp(optarg, "native") == 0) {
          native_aio = true;
        } else if (strcmp(optarg, "threads") == 0 || strcmp(optarg, "io_uring") == 0) {
          native_aio = false;
        } else {
          error_report("Invalid aio option: {}", optarg);
          return 1;
        }
        break;
      case 'o':
        offset = cvtnum("offset", optarg);
        if (offset < 0) return 1;
        break;
      case 'q':
        break;  // QEMU's bench prints its lines even with -q
      case 's':
        bufsize = cvtnum_full("buffer size", optarg, 0, INT_MAX);
        if (bufsize < 0) return 1;
        break;
      case 'S':
        step = cvtnum_full("step_size", optarg, 0, INT_MAX);
        if (step < 0) return 1;
        break;
      case 't':
        if (!parse_cache(optarg, &o.cache)) {
          error_report("Invalid cache mode");
          return 1;
        }
        break;
      case 'w':
        is_write = true;
        break;
      case 'U':
        force_share = true;
        break;
      case kOptPattern: {
        unsigned long res;
        if (!parse_ulong(optarg, 0xff, &res)) {
          error_report("Invalid pattern byte specified");
          return 1;
        }
        pattern = static_cast<int>(res);
        break;
      }
      case kOptFlushInterval: {
        unsigned long res;
        if (!parse_ulong(optarg, INT_MAX, &res)) {
          error_report("Invalid flush interval specified");
          return 1;
        }
        flush_interval = static_cast<int>(res);
        break;
      }
      case kOptNoDrain:
        drain_on_flush = false;
        break;
      case kOptImageOpts:
        image_opts = true;
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }
  if (optind != argc - 1) error_exit("Expecting one image file name");
  std::string filename = argv[argc - 1];

  if (!is_write && flush_interval) {
    error_report("--flush-interval is only available in write tests");
    return 1;
  }
  if (flush_interval && flush_interval < depth) {
    error_report("Flush interval can't be smaller than depth");
    return 1;
  }

  if (native_aio && o.cache != block::CacheMode::kNone &&
      o.cache != block::CacheMode::kDirectsync) {
    error_report(
        "Could not open '{}': aio=native was specified, but it requires cache.direct=on, which "
        "was not specified.",
        filename);
    return 1;
  }
  o.image_opts = image_opts;
  o.fmt = fmt;
  o.writable = is_write;
  o.force_share = force_share;
  auto node = img_open(filename, o);
  if (!node) return 1;
  int64_t image_size = node->length();
  if (image_size < 0) return 1;

  Bench b;
  b.node = node.get();
  b.image_size = image_size;
  b.bufsize = bufsize;
  b.step = step ? step : bufsize;
  b.nrreq = depth;
  b.n = count;
  b.total = count;
  b.offset = offset;
  b.write = is_write;
  b.flush_interval = flush_interval;
  b.drain_on_flush = drain_on_flush;

  printf(
      "Sending %d %s requests, %d bytes each, %d in parallel (starting at offset %lld, step size "
      "%d)\n",
      b.n, b.write ? "write" : "read", static_cast<int>(b.bufsize), b.nrreq,
      static_cast<long long>(b.offset), static_cast<int>(b.step));
  if (flush_interval) printf("Sending flush every %d requests\n", flush_interval);

  b.buf.assign(static_cast<size_t>(depth) * static_cast<size_t>(bufsize),
               static_cast<uint8_t>(pattern));
  struct timeval t1, t2;
  gettimeofday(&t1, nullptr);
  std::vector<std::thread> workers;
  int nthreads = std::min(depth, count);
  for (int i = 0; i < nthreads; i++) workers.emplace_back(bench_worker, &b, i);
  for (auto &t : workers) t.join();
  gettimeofday(&t2, nullptr);
  printf("Run completed in %3.3f seconds.\n",
         static_cast<double>(t2.tv_sec - t1.tv_sec) +
             static_cast<double>(t2.tv_usec - t1.tv_usec) / 1000000);
  return 0;
}

}  // namespace qemu::img
