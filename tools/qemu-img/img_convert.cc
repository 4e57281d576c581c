// qemu-img convert [--object objectdef] [--image-opts] [--target-image-opts] [--target-is-zero]
//                  [--bitmaps] [-U] [-C] [-c] [-p] [-q] [-n] [-f fmt] [-t cache]
//                  [-T src_cache] [-O output_fmt] [-B backing_file [-F backing_fmt]]
//                  [-o options] [-l snapshot_param] [-S sparse_size] [-r rate_limit]
//                  [-m num_coroutines] [-W] [--salvage] filename [filename2 [...]]
//                  output_filename
//
// The copy runs as QEMU's does: the source is walked by block status in chunks of up to
// 2 MiB (one cluster when compressing); each chunk is data (read, then written with runs of
// zeroes of at least -S bytes left out), zeroes (skipped on a target known to read as zeroes,
// else written as zeroes) or, with a backing file on the target, left unallocated. -m worker
// threads each take the next chunk; unless -W, they write in order.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/number.h"
#include "base/opts.h"
#include "block/create_opts.h"
#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

constexpr int64_t kSectorSize = 512;
constexpr int64_t kIoBufSize = 2 * 1024 * 1024;
constexpr int64_t kMaxBufSectors = 32768;
constexpr int kMaxCoroutines = 16;
constexpr int64_t kRequestMaxSectors = (INT32_MAX >> 9);

enum class BlkStatus { kData, kZero, kBackingFile };

struct AlignedFree {
  void operator()(uint8_t *p) const { free(p); }
};
using AlignedBuf = std::unique_ptr<uint8_t, AlignedFree>;

AlignedBuf aligned_buffer(size_t size) {
  void *p = nullptr;
  if (posix_memalign(&p, 4096, std::max<size_t>(size, 4096)) != 0) abort();
  return AlignedBuf(static_cast<uint8_t *>(p));
}

// Limits the write rate (-r) to bytes per second.
class RateLimiter {
 public:
  explicit RateLimiter(int64_t bps) : bps_(bps), start_(std::chrono::steady_clock::now()) {}
  void account(int64_t bytes) {
    if (bps_ <= 0) return;
    std::unique_lock<std::mutex> lock(mu_);
    done_ += bytes;
    auto due = start_ + std::chrono::duration<double>(static_cast<double>(done_) /
                                                      static_cast<double>(bps_));
    lock.unlock();
    std::this_thread::sleep_until(due);
  }

 private:
  int64_t bps_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  int64_t done_ = 0;
};

struct ConvertState {
  std::vector<std::unique_ptr<block::Node>> src;
  std::vector<int64_t> src_sectors;
  std::vector<int64_t> src_alignment;
  int src_num = 0;
  int64_t total_sectors = 0;
  int64_t allocated_sectors = 0;
  int64_t allocated_done = 0;
  int64_t sector_num = 0;
  int64_t wr_offs = 0;
  BlkStatus status = BlkStatus::kData;
  int64_t sector_next_status = 0;
  block::Node *target = nullptr;
  bool has_zero_init = false;
  bool compressed = false;
  bool target_is_new = false;
  bool target_has_backing = false;
  int64_t target_backing_sectors = -1;
  bool wr_in_order = true;
  bool copy_range = false;
  bool salvage = false;
  bool quiet = false;
  int64_t min_sparse = 8;
  int64_t alignment = 1;
  int64_t cluster_sectors = 0;
  int64_t buf_sectors = kIoBufSize / kSectorSize;
  long num_coroutines = 8;
  int ret = -EINPROGRESS;
  std::unique_ptr<RateLimiter> rate;

  std::mutex lock;
  // In-order writes: each worker waits on its own condition for wr_offs to reach its chunk,
  // and the writer before it wakes just that one (QEMU's wait_sector_num).
  struct Waiter {
    std::condition_variable cv;
    int64_t wait_sector = -1;
  };
  std::vector<std::unique_ptr<Waiter>> waiters;
  std::vector<int64_t> src_len;  // source lengths in bytes

  void wake_all() {
    for (auto &w : waiters) w->cv.notify_one();
  }
  void wake_writer_of(int64_t sector) {
    for (auto &w : waiters) {
      if (w->wait_sector == sector) {
        w->cv.notify_one();
        break;
      }
    }
  }
};

void convert_select_part(ConvertState *s, int64_t sector_num, int *src_cur,
                         int64_t *src_cur_offset) {
  *src_cur = 0;
  *src_cur_offset = 0;
  while (sector_num - *src_cur_offset >= s->src_sectors[*src_cur]) {
    *src_cur_offset += s->src_sectors[*src_cur];
    (*src_cur)++;
  }
}

// The length (in sectors) of the next chunk at sector_num and its status (s->status).
int64_t convert_iteration_sectors(ConvertState *s, int64_t sector_num) {
  int src_cur;
  int64_t src_cur_offset;
  bool post_backing_zero = false;
  convert_select_part(s, sector_num, &src_cur, &src_cur_offset);

  int64_t n = std::min(s->total_sectors - sector_num, kRequestMaxSectors);
  if (s->target_backing_sectors >= 0) {
    if (sector_num >= s->target_backing_sectors) {
      post_backing_zero = true;
    } else if (sector_num + n > s->target_backing_sectors) {
      // Past the backing file's end zeroes are handled differently: split there.
      n = s->target_backing_sectors - sector_num;
    }
  }

  if (s->sector_next_status <= sector_num) {
    uint64_t offset = static_cast<uint64_t>(sector_num - src_cur_offset) * kSectorSize;
    block::Node *src_bs = s->src[src_cur].get();
    block::Node *base = s->target_has_backing ? src_bs->backing() : nullptr;
    ChainStatus st;
    int64_t count;
    bool data, zero;
    for (;;) {
      count = n * kSectorSize;
      int ret = status_above(src_bs, base, offset, static_cast<uint64_t>(count), &st);
      if (ret >= 0 && st.bytes == 0) ret = -EIO;
      if (ret >= 0) {
        count = static_cast<int64_t>(st.bytes);
        data = st.data;
        zero = st.zero;
        break;
      }
      if (!s->salvage) {
        error_report("error while reading block status at offset {}: {}", offset, strerror(-ret));
        return ret;
      }
      if (n == 1) {
        if (!s->quiet) {
          warn_report("error while reading block status at offset {}: {}", offset, strerror(-ret));
        }
        // Just try to read the data, then.
        data = true;
        zero = false;
        count = kSectorSize;
        break;
      }
      n = (n + 3) / 4;  // retry on a shorter range
    }
    n = (count + kSectorSize - 1) / kSectorSize;

    // Keep chunk ends aligned to the source's clusters to avoid partial reads.
    int64_t tail = (sector_num - src_cur_offset + n) % s->src_alignment[src_cur];
    if (n > tail) n -= tail;

    if (zero) {
      s->status = post_backing_zero ? BlkStatus::kBackingFile : BlkStatus::kZero;
    } else if (data) {
      s->status = BlkStatus::kData;
    } else {
      s->status = s->target_has_backing ? BlkStatus::kBackingFile : BlkStatus::kData;
    }
    s->sector_next_status = sector_num + n;
  }

  n = std::min(n, s->sector_next_status - sector_num);
  if (s->status == BlkStatus::kData) n = std::min(n, s->buf_sectors);

  // Compressed images are written in whole clusters: a short unallocated area counts as data.
  if (s->compressed) {
    if (n < s->cluster_sectors) {
      n = std::min(s->cluster_sectors, s->total_sectors - sector_num);
      s->status = BlkStatus::kData;
    } else {
      n = n / s->cluster_sectors * s->cluster_sectors;
    }
  }
  return n;
}

int convert_read(ConvertState *s, int64_t sector_num, int64_t nb_sectors, uint8_t *buf) {
  uint64_t single_read_until = 0;
  while (nb_sectors > 0) {
    int src_cur;
    int64_t src_cur_offset;
    // A compressed cluster may span two concatenated sources.
    convert_select_part(s, sector_num, &src_cur, &src_cur_offset);
    block::Node *src = s->src[src_cur].get();
    int64_t bs_sectors = s->src_sectors[src_cur];
    uint64_t offset = static_cast<uint64_t>(sector_num - src_cur_offset) * kSectorSize;
    int64_t n = std::min(nb_sectors, bs_sectors - (sector_num - src_cur_offset));
    if (single_read_until > offset) n = 1;

    // Reads past the end of a source whose length is not sector aligned return zeroes.
    int64_t len = s->src_len[src_cur];
    uint64_t want = static_cast<uint64_t>(n) * kSectorSize;
    uint64_t avail = len > 0 && offset < static_cast<uint64_t>(len)
                         ? std::min<uint64_t>(want, static_cast<uint64_t>(len) - offset)
                         : 0;
    int ret = avail ? src->pread(offset, buf, avail) : 0;
    if (ret >= 0 && avail < want) memset(buf + avail, 0, want - avail);
    if (ret < 0) {
      if (!s->salvage) return ret;
      if (n > 1) {
        single_read_until = offset + static_cast<uint64_t>(n) * kSectorSize;
        continue;
      }
      if (!s->quiet) warn_report("error while reading offset {}: {}", offset, strerror(-ret));
      memset(buf, 0, kSectorSize);
    }
    sector_num += n;
    nb_sectors -= n;
    buf += n * kSectorSize;
  }
  return 0;
}

// Whether the first sector holds data; *pnum: how many sectors from the start share that
// state, with the end moved to an alignment boundary where that avoids partial writes.
bool is_allocated_sectors(const uint8_t *buf, int64_t n, int64_t *pnum, int64_t sector_num,
                          int64_t alignment) {
  if (n <= 0) {
    *pnum = 0;
    return false;
  }
  bool is_zero = buffer_is_zero(buf, kSectorSize);
  int64_t i;
  for (i = 1; i < n; i++) {
    buf += kSectorSize;
    if (is_zero != buffer_is_zero(buf, kSectorSize)) break;
  }
  if (i == n) {
    *pnum = i;
    return !is_zero;
  }
  int64_t tail = (sector_num + i) & (alignment - 1);
  if (tail) {
    if (is_zero && i <= tail) {
      // The next sector is data and will rewrite this tail anyway.
      is_zero = false;
    }
    if (!is_zero) {
      i += alignment - tail;
      i = std::min(i, n);
    } else {
      i -= tail;
    }
  }
  *pnum = i;
  return !is_zero;
}

// Like is_allocated_sectors, but a data run absorbs zero runs shorter than min sectors.
bool is_allocated_sectors_min(const uint8_t *buf, int64_t n, int64_t *pnum, int64_t min,
                              int64_t sector_num, int64_t alignment) {
  if (n < min) min = n;
  if (!is_allocated_sectors(buf, n, pnum, sector_num, alignment)) return false;
  int64_t num_used = *pnum;
  buf += kSectorSize * *pnum;
  n -= *pnum;
  sector_num += *pnum;
  int64_t num_checked = num_used;
  while (n > 0) {
    bool ret = is_allocated_sectors(buf, n, pnum, sector_num, alignment);
    buf += kSectorSize * *pnum;
    n -= *pnum;
    sector_num += *pnum;
    num_checked += *pnum;
    if (ret) {
      num_used = num_checked;
    } else if (*pnum >= min) {
      break;
    }
  }
  *pnum = num_used;
  return true;
}

int convert_write(ConvertState *s, int64_t sector_num, int64_t nb_sectors, uint8_t *buf,
                  BlkStatus status, const block::Node::Compressed *pre = nullptr) {
  while (nb_sectors > 0) {
    int64_t n = nb_sectors;
    switch (status) {
      case BlkStatus::kBackingFile:
        // Left unallocated: the target's backing file shows through.
        break;
      case BlkStatus::kData: {
        bool write = !s->min_sparse;
        if (!write && !s->compressed) {
          write = is_allocated_sectors_min(buf, n, &n, s->min_sparse, sector_num, s->alignment);
        } else if (!write) {
          write = !buffer_is_zero(buf, static_cast<size_t>(n * kSectorSize));
        }
        if (write) {
          uint64_t off = static_cast<uint64_t>(sector_num) * kSectorSize;
          size_t bytes = static_cast<size_t>(n * kSectorSize);
          if (s->rate) s->rate->account(static_cast<int64_t>(bytes));
          int ret = !s->compressed         ? s->target->pwrite(off, buf, bytes, 0)
                    : pre && pre->prepared ? s->target->pwrite_precompressed(off, buf, bytes, *pre)
                                           : s->target->pwrite_compressed(off, buf, bytes);
          if (ret < 0) return ret;
          break;
        }
        [[fallthrough]];
      }
      case BlkStatus::kZero: {
        if (s->has_zero_init) break;
        int ret =
            s->target->pwrite_zeroes(static_cast<uint64_t>(sector_num) * kSectorSize,
                                     static_cast<uint64_t>(n) * kSectorSize, block::kWriteMayUnmap);
        if (ret < 0) return ret;
        break;
      }
    }
    sector_num += n;
    nb_sectors -= n;
    buf += n * kSectorSize;
  }
  return 0;
}

void convert_worker(ConvertState *s, ConvertState::Waiter *me) {
  AlignedBuf buf = aligned_buffer(static_cast<size_t>(s->buf_sectors * kSectorSize));
  std::unique_lock<std::mutex> lock(s->lock);
  for (;;) {
    if (s->ret != -EINPROGRESS || s->sector_num >= s->total_sectors) break;
    int64_t n = convert_iteration_sectors(s, s->sector_num);
    if (n < 0) {
      s->ret = static_cast<int>(n);
      s->wake_all();
      break;
    }
    int64_t sector_num = s->sector_num;
    BlkStatus status = s->status;
    if (!s->min_sparse && status == BlkStatus::kZero) n = std::min(n, s->buf_sectors);
    // Others may already go on past this request.
    s->sector_num += n;
    if (status == BlkStatus::kData || (!s->min_sparse && status == BlkStatus::kZero)) {
      s->allocated_done += n;
      progress_print(
          100.0f * static_cast<float>(s->allocated_done) / static_cast<float>(s->allocated_sectors),
          0);
    }
    lock.unlock();

    int ret = 0;
    if (status == BlkStatus::kData) {
      ret = convert_read(s, sector_num, n, buf.get());
      if (ret < 0) {
        lock.lock();
        error_report("error while reading at byte {}: {}", sector_num * kSectorSize,
                     strerror(-ret));
        s->ret = ret;
        s->wake_all();
        lock.unlock();
      }
    } else if (!s->min_sparse && status == BlkStatus::kZero) {
      status = BlkStatus::kData;
      memset(buf.get(), 0, static_cast<size_t>(n * kSectorSize));
    }

    // Compress before waiting for our turn: the CPU-heavy part runs on all workers at once
    // while the writes themselves stay in order (QEMU's layout).
    block::Node::Compressed pre;
    if (s->compressed && status == BlkStatus::kData && ret == 0 &&
        !buffer_is_zero(buf.get(), static_cast<size_t>(n * kSectorSize))) {
      s->target->compress_for_write(static_cast<uint64_t>(sector_num) * kSectorSize, buf.get(),
                                    static_cast<size_t>(n * kSectorSize), &pre);
    }

    lock.lock();
    if (s->wr_in_order) {
      while (s->wr_offs != sector_num && s->ret == -EINPROGRESS) {
        me->wait_sector = sector_num;
        me->cv.wait(lock);
      }
      me->wait_sector = -1;
    }
    if (s->ret == -EINPROGRESS) {
      lock.unlock();
      if (s->copy_range && status == BlkStatus::kData) {
        // Offloaded copies keep the source's data runs whole (no zero detection).
        uint64_t off = static_cast<uint64_t>(sector_num) * kSectorSize;
        size_t bytes = static_cast<size_t>(n * kSectorSize);
        if (s->rate) s->rate->account(static_cast<int64_t>(bytes));
        ret = s->target->pwrite(off, buf.get(), bytes, 0);
      } else {
        ret = convert_write(s, sector_num, n, buf.get(), status, &pre);
      }
      lock.lock();
      if (ret < 0) {
        error_report("error while writing at byte {}: {}", sector_num * kSectorSize,
                     strerror(-ret));
        s->ret = ret;
        s->wake_all();
      }
    }
    if (s->wr_in_order) {
      s->wr_offs = sector_num + n;
      s->wake_writer_of(s->wr_offs);
    }
  }
}

int convert_do_copy(ConvertState *s) {
  // Zero initialisation: a new target without backing file reads as zeroes.
  if (s->compressed) {
    if (s->cluster_sectors <= 0 || s->cluster_sectors > s->buf_sectors) {
      error_report("invalid cluster size");
      return -EINVAL;
    }
    s->buf_sectors = s->cluster_sectors;
  }

  // Count what will be copied, for the progress.
  int64_t sector_num = 0;
  while (sector_num < s->total_sectors) {
    int64_t n = convert_iteration_sectors(s, sector_num);
    if (n < 0) return static_cast<int>(n);
    if (s->status == BlkStatus::kData || (!s->min_sparse && s->status == BlkStatus::kZero))
      s->allocated_sectors += n;
    sector_num += n;
  }

  s->sector_next_status = 0;
  s->ret = -EINPROGRESS;
  for (long i = 0; i < s->num_coroutines; i++)
    s->waiters.push_back(std::make_unique<ConvertState::Waiter>());
  std::vector<std::thread> workers;
  for (long i = 1; i < s->num_coroutines; i++)
    workers.emplace_back(convert_worker, s, s->waiters[i].get());
  convert_worker(s, s->waiters[0].get());
  for (auto &t : workers) t.join();
  if (s->ret == -EINPROGRESS) s->ret = 0;

  if (s->compressed && s->ret == 0) {
    // Let the format align the end of its file (QEMU's compressed end-of-stream write).
    s->target->pwrite_compressed(0, nullptr, 0);
    // That write pads the format's file to a whole sector (for sector-based readers); do it
    // here too for drivers that take the empty write as a no-op.
    if (block::Node *file = s->target->file_child()) {
      int64_t len = file->length();
      if (len > 0 && len % kSectorSize) {
        Error err;
        file->truncate(static_cast<uint64_t>(len + kSectorSize - len % kSectorSize), false,
                       block::Prealloc::kOff, &err);
      }
    }
  }
  return s->ret;
}

// convert_check_bitmaps: the source must support bitmaps, and all its persistent ones must be
// consistent unless they are to be skipped.
int check_bitmaps(block::Node *src, bool skip_broken) {
  if (!src->supports_persistent_bitmaps()) {
    error_report("Source lacks bitmap support");
    return -1;
  }
  std::vector<block::BitmapInfo> list;
  if (src->bitmap_list(&list) < 0) list.clear();
  for (const block::BitmapInfo &bm : list) {
    if (!bm.persistent) continue;
    if (!skip_broken && bm.in_use) {
      error_report("Cannot copy inconsistent bitmap '{}'", bm.name);
      fprintf(stderr,
              "Try --skip-broken-bitmaps, or use 'qemu-img bitmap --remove' to delete it\n");
      return -1;
    }
  }
  return 0;
}

// convert_copy_bitmaps: each persistent bitmap of the source is created in the target (same
// granularity and state) and given the source's dirty bits.
int copy_bitmaps(block::Node *src, block::Node *dst, bool skip_broken) {
  std::vector<block::BitmapInfo> list;
  if (src->bitmap_list(&list) < 0) list.clear();
  for (const block::BitmapInfo &bm : list) {
    if (!bm.persistent) continue;
    if (skip_broken && bm.in_use) {
      warn_report("Skipping inconsistent bitmap '{}'", bm.name);
      continue;
    }
    block::BitmapAddOptions ao;
    ao.granularity = bm.granularity;
    ao.disabled = !bm.enabled;
    Error err;
    if (dst->bitmap_add(bm.name, ao, &err) < 0) {
      error_report("Failed to create bitmap {}: {}", bm.name, err.msg);
      return -1;
    }
    if (dst->bitmap_merge(bm.name, src, bm.name, &err) < 0) {
      error_report("Failed to populate bitmap {}: {}", bm.name, err.msg);
      Error ignored;
      dst->bitmap_remove(bm.name, &ignored);
      return -1;
    }
  }
  return 0;
}

}  // namespace

int img_convert(int argc, char **argv) {
  enum {
    kOptObject = 256,
    kOptImageOpts,
    kOptTargetImageOpts,
    kOptSalvage,
    kOptTargetIsZero,
    kOptBitmaps,
    kOptSkipBroken,
  };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {"target-image-opts", no_argument, nullptr, kOptTargetImageOpts},
      {"salvage", no_argument, nullptr, kOptSalvage},
      {"target-is-zero", no_argument, nullptr, kOptTargetIsZero},
      {"bitmaps", no_argument, nullptr, kOptBitmaps},
      {"skip-broken-bitmaps", no_argument, nullptr, kOptSkipBroken},
      {nullptr, 0, nullptr, 0},
  };
  ConvertState s;
  std::string fmt, options;
  const char *out_fmt = nullptr, *out_baseimg = nullptr, *backing_fmt = nullptr;
  const char *cache = "unsafe", *src_cache = "writeback";
  const char *snapshot_name = nullptr;
  bool has_sn_opts = false;
  bool image_opts = false, tgt_image_opts = false, skip_create = false, progress = false;
  bool force_share = false, explicit_min_sparse = false, bitmaps = false, skip_broken = false;
  int64_t rate_limit = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":hf:O:B:CcF:o:l:S:pt:T:qnm:WUr:", long_options, nullptr)) !=
         -1) {
    switch (c) {
      case 'f':
        fmt = optarg;
        break;
      case 'O':
        out_fmt = optarg;
        break;
      case 'B':
        out_baseimg = optarg;
        break;
      case 'C':
        s.copy_range = true;
        break;
      case 'c':
        s.compressed = true;
        break;
      case 'F':
        backing_fmt = optarg;
        break;
      case 'o':
        if (!accumulate_options(&options, optarg)) return 1;
        break;
      case 'l':
        if (strncmp(optarg, "snapshot.", 9) == 0) {
          for (const OptPair &p : split_opts(optarg, {})) {
            if (p.name != "snapshot.id" && p.name != "snapshot.name") {
              error_report("Invalid parameter '{}'", p.name);
              error_report("Failed in parsing snapshot param '{}'", optarg);
              return 1;
            }
          }
          has_sn_opts = true;
        } else {
          snapshot_name = optarg;
        }
        break;
      case 'S': {
        int64_t sval = cvtnum("buffer size for sparse output", optarg);
        if (sval < 0) return 1;
        if (sval % kSectorSize || sval / kSectorSize > kMaxBufSectors) {
          error_report(
              "Invalid buffer size for sparse output specified. Valid sizes are multiples of {} "
              "up to {}. Select 0 to disable sparse detection (fully allocates output).",
              kSectorSize, kMaxBufSectors * kSectorSize);
          return 1;
        }
        s.min_sparse = sval / kSectorSize;
        explicit_min_sparse = true;
        break;
      }
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
        s.quiet = true;
        break;
      case 'n':
        skip_create = true;
        break;
      case 'm': {
        int64_t v;
        if (parse_i64(optarg, 0, &v) < 0 || v < 1 || v > kMaxCoroutines) {
          error_report(
              "Invalid number of coroutines. Allowed number of coroutines is between 1 and {}",
              kMaxCoroutines);
          return 1;
        }
        s.num_coroutines = static_cast<long>(v);
        break;
      }
      case 'W':
        s.wr_in_order = false;
        break;
      case 'U':
        force_share = true;
        break;
      case 'r':
        rate_limit = cvtnum("rate limit", optarg);
        if (rate_limit < 0) return 1;
        break;
      case kOptImageOpts:
        image_opts = true;
        break;
      case kOptSalvage:
        s.salvage = true;
        break;
      case kOptTargetImageOpts:
        tgt_image_opts = true;
        break;
      case kOptTargetIsZero:
        // The user asserting a blank target is like a driver with zero initialisation.
        s.has_zero_init = true;
        break;
      case kOptBitmaps:
        bitmaps = true;
        break;
      case kOptSkipBroken:
        skip_broken = true;
        break;
      case kOptObject:
        user_creatable_add(optarg);
        break;
      default:
        handle_common_getopt(c, argv);
    }
  }

  if (!out_fmt && !tgt_image_opts) out_fmt = "raw";
  if (skip_broken && !bitmaps) {
    error_report("Use of --skip-broken-bitmaps requires --bitmaps");
    return 1;
  }
  if (s.compressed && s.copy_range) {
    error_report("Cannot enable copy offloading when -c is used");
    return 1;
  }
  if (explicit_min_sparse && s.copy_range) {
    error_report("Cannot enable copy offloading when -S is used");
    return 1;
  }
  if (s.copy_range && s.salvage) {
    error_report("Cannot use copy offloading in salvaging mode");
    return 1;
  }
  if (tgt_image_opts && !skip_create) {
    error_report("--target-image-opts requires use of -n flag");
    return 1;
  }
  if (skip_create && !options.empty()) {
    error_report("-o has no effect when skipping image creation");
    return 1;
  }
  if (s.has_zero_init && !skip_create) {
    error_report("--target-is-zero requires use of -n flag");
    return 1;
  }

  s.src_num = argc - optind - 1;
  const char *out_filename = s.src_num >= 1 ? argv[argc - 1] : nullptr;

  if (!options.empty() && has_help_option(options)) {
    if (!out_fmt) {
      error_report("Option help requires a format be specified");
      return 1;
    }
    OptsList merged;
    bool known = false;
    if (!create_opts_for(out_fmt, &merged, &known)) {
      if (!known) {
        error_report("Unknown file format '{}'", out_fmt);
      } else {
        error_report("Format driver '{}' does not support image creation", out_fmt);
      }
      return 1;
    }
    if (out_filename) {
      printf("Supported options:\n");
      print_opts_help(merged, false);
    } else {
      std::string f(out_fmt);
      const OptsList *fmt_opts =
          f == "file" ? &block::file_create_opts() : block::find_format(f)->create_opts();
      printf("Supported %s options:\n", out_fmt);
      print_opts_help(*fmt_opts, false);
      printf(
          "\nThe protocol level may support further options.\n"
          "Specify the target filename to include those options.\n");
    }
    return 0;
  }

  if (s.src_num < 1) {
    error_report("Must specify image file name");
    return 1;
  }

  ImgOpenOptions so;
  if (!parse_cache(src_cache, &so.cache)) {
    error_report("Invalid source cache option: {}", src_cache);
    return 1;
  }

  if (s.quiet) progress = false;
  progress_init(progress, 1.0);
  progress_print(0, 100);

  int ret = 0;
  std::unique_ptr<block::Node> target;
  OptsList create_list;
  std::unique_ptr<OptsGroup> group;
  Opts *opts = nullptr;
  const char *out_baseimg_param = nullptr;
  std::string out_baseimg_param_buf;
  Error err;

  auto out = [&](int r) {
    if (!r) progress_print(100, 0);
    progress_end();
    target.reset();
    s.src.clear();
    return r ? 1 : 0;
  };

  so.image_opts = image_opts;
  so.fmt = fmt;
  so.force_share = force_share;
  so.no_share = true;
  for (int i = 0; i < s.src_num; i++) {
    auto node = img_open(argv[optind + i], so);
    if (!node) return out(-1);
    int64_t len = node->length();
    if (len < 0) {
      error_report("Could not get size of {}: {}", argv[optind + i],
                   strerror(static_cast<int>(-len)));
      return out(-1);
    }
    int64_t sectors = (len + kSectorSize - 1) / kSectorSize;
    int64_t align = 1;
    int64_t cs = node->cluster_size();
    if (cs > 0) align = std::max<int64_t>(align, cs / kSectorSize);
    s.src_sectors.push_back(sectors);
    s.src_len.push_back(len);
    s.src_alignment.push_back(std::max<int64_t>(align, 1));
    s.total_sectors += sectors;
    s.src.push_back(std::move(node));
  }

  if (has_sn_opts || snapshot_name) {
    if (!has_sn_opts && s.src_num > 1) {
      error_report("No support for concatenating multiple snapshot");
      return out(-1);
    }
    error_report(
        "Failed to load snapshot: Block format '{}' used by device '' does not support "
        "temporarily loading internal snapshots",
        s.src[0]->driver_name());
    return out(-1);
  }

  std::string out_fmt_s = out_fmt ? out_fmt : "";
  if (!skip_create) {
    bool known = false;
    if (out_fmt_s != "file" && !block::find_format(out_fmt_s)) {
      error_report("Unknown file format '{}'", out_fmt_s);
      return out(-1);
    }
    if (!create_opts_for(out_fmt_s, &create_list, &known)) {
      error_report("Format driver '{}' does not support image creation", out_fmt_s);
      return out(-1);
    }
    group = std::make_unique<OptsGroup>(create_list);
    opts = group->create("", false, &err);
    for (const OptPair &p : split_opts(options, {})) {
      if (!opts->set(p.name, p.value, &err)) {
        error_report_err(err);
        return out(-1);
      }
    }
    opts->set("size", std::to_string(s.total_sectors * kSectorSize), &err);
    if (out_baseimg && !opts->set("backing_file", out_baseimg, nullptr)) {
      error_report("Backing file not supported for file format '{}'", out_fmt_s);
      return out(-1);
    }
    if (backing_fmt && !opts->set("backing_fmt", backing_fmt, nullptr)) {
      error_report("Backing file format not supported for file format '{}'", out_fmt_s);
      return out(-1);
    }
    if (auto b = opts->get("backing_file")) {
      out_baseimg_param_buf = *b;
      out_baseimg_param = out_baseimg_param_buf.c_str();
    }
  }
  if (out_baseimg_param) out_baseimg = out_baseimg_param;
  s.target_has_backing = out_baseimg != nullptr;

  if (s.has_zero_init && s.target_has_backing) {
    error_report("Cannot use --target-is-zero when the destination image has a backing file");
    return out(0);  // QEMU leaves its status at success here
  }
  if (s.src_num > 1 && out_baseimg) {
    error_report(
        "Having a backing file for the target makes no sense when concatenating multiple input "
        "images");
    return out(-1);
  }
  if (out_baseimg_param && !opts->get("backing_fmt")) {
    error_report("Use of backing file requires explicit backing format");
    return out(-1);
  }

  if (s.compressed) {
    bool encryption = opts && (opts->get_bool("encryption", false) || opts->get("encrypt.format"));
    if (!skip_create && !format_can_compress(out_fmt_s)) {
      error_report("Compression not supported for this file format");
      return out(-1);
    }
    if (encryption) {
      error_report("Compression and encryption not supported at the same time");
      return out(-1);
    }
    if (opts) {
      auto prealloc = opts->get("preallocation");
      if (prealloc && *prealloc != "off") {
        error_report("Compression and preallocation not supported at the same time");
        return out(-1);
      }
    }
  }

  if (bitmaps) {
    if (s.src_num > 1) {
      error_report("Copying bitmaps only possible with single source");
      return out(-1);
    }
    if (check_bitmaps(s.src[0].get(), skip_broken) < 0) return out(-1);
  }

  if (!skip_create) {
    int r = create_with_driver(out_filename, out_fmt_s, *opts, &err);
    if (r < 0) {
      error_report("{}: error while converting {}: {}", out_filename, out_fmt_s, err.msg);
      if (!err.hint.empty()) fputs(err.hint.c_str(), stderr);
      return out(-1);
    }
  }
  s.target_is_new = !skip_create;

  ImgOpenOptions to;
  if (!parse_cache(cache, &to.cache)) {
    error_report("Invalid cache option: {}", cache);
    return out(-1);
  }
  to.writable = true;
  to.fmt = out_fmt_s;
  to.image_opts = skip_create && tgt_image_opts;
  target = img_open(out_filename, to);
  if (!target) return out(-1);
  s.target = target.get();

  if (bitmaps && !target->supports_persistent_bitmaps()) {
    error_report("Format driver '{}' does not support bitmaps", target->driver_name());
    return out(-1);
  }
  if (s.compressed && !format_can_compress(target->driver_name())) {
    error_report("Compression not supported for this file format");
    return out(-1);
  }

  // Align writes to the sparse-detection granularity to avoid read-modify-write cycles.
  int64_t pow2 = 1;
  while (pow2 * 2 <= s.min_sparse) pow2 *= 2;
  s.alignment = std::max<int64_t>(s.min_sparse ? pow2 : 0, 1);

  if (skip_create) {
    int64_t len = target->length();
    if (len < 0) {
      error_report("unable to get output image length: {}", strerror(static_cast<int>(-len)));
      return out(-1);
    }
    if ((len + kSectorSize - 1) / kSectorSize < s.total_sectors) {
      error_report("output file is smaller than input file");
      return out(-1);
    }
  }

  if (s.target_has_backing && s.target_is_new) {
    block::Node *backing = target->backing();
    int64_t blen = backing ? backing->length() : -1;
    s.target_backing_sectors = blen >= 0 ? (blen + kSectorSize - 1) / kSectorSize : -1;
  } else {
    s.target_backing_sectors = -1;
  }

  int64_t cluster_size = target->cluster_size();
  if (cluster_size > 0) s.cluster_sectors = cluster_size / kSectorSize;

  if (!s.has_zero_init && s.target_is_new && s.min_sparse && !s.target_has_backing) {
    struct stat st;
    s.has_zero_init = stat(out_filename, &st) == 0 && S_ISREG(st.st_mode);
  }

  if (rate_limit) s.rate = std::make_unique<RateLimiter>(rate_limit);

  ret = convert_do_copy(&s);

  if (bitmaps && ret == 0) ret = copy_bitmaps(s.src[0].get(), target.get(), skip_broken);
  if (ret == 0) {
    // As closing does in QEMU (with cache=unsafe only the format's own metadata is written).
    ret = target->flush();
    if (ret < 0) error_report("Failed to flush the target: {}", strerror(-ret));
  }
  return out(ret);
}

}  // namespace qemu::img
