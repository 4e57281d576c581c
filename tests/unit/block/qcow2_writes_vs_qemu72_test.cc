// Differential test: the same sequence of I/O operations applied by QEMU 7.2 (qemu-io) and by
// our qcow2 driver to images created alike must leave byte-identical files: same allocation
// order, same L2/refcount updates, same compressed cluster packing, same zero-cluster handling.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "base/opts.h"
#include "base/size.h"
#include "block/driver.h"
#include "block/file.h"
#include "block/image.h"

namespace qemu::block {
namespace {

std::string dir() {
  static std::string d = [] {
    char t[] = "/tmp/qcow2-writes-XXXXXX";
    return std::string(mkdtemp(t));
  }();
  return d;
}

int sh(const std::string &cmd) {
  int r = system((cmd + " >" + dir() + "/sh.log 2>&1").c_str());
  return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

std::string sh_log() {
  std::ifstream f(dir() + "/sh.log");
  return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<uint8_t> slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// Applies qemu-io style commands ("write -P 0xab OFF LEN", "write -z OFF LEN",
// "write -z -u OFF LEN", "write -c OFF LEN", "discard OFF LEN") to a node.
void apply(Node *n, const std::string &cmd) {
  std::istringstream in(cmd);
  std::string verb, a;
  in >> verb;
  std::vector<std::string> args;
  while (in >> a) args.push_back(a);
  auto num = [](const std::string &s) {
    uint64_t v = 0;
    EXPECT_EQ(parse_size(s, &v), 0) << s;
    return v;
  };
  if (verb == "write") {
    bool zero = false, unmap = false, compressed = false;
    int pattern = 0xcd;
    size_t i = 0;
    for (; i < args.size() && args[i][0] == '-'; i++) {
      if (args[i] == "-z") zero = true;
      if (args[i] == "-u") unmap = true;
      if (args[i] == "-c") compressed = true;
      if (args[i] == "-P") pattern = static_cast<int>(std::stoul(args[++i], nullptr, 0));
    }
    uint64_t off = num(args[i]), len = num(args[i + 1]);
    if (zero) {
      ASSERT_EQ(n->pwrite_zeroes(off, len, unmap ? unsigned{kWriteMayUnmap} : 0u), 0) << cmd;
    } else {
      std::vector<uint8_t> buf(len, static_cast<uint8_t>(pattern));
      if (compressed) {
        for (uint64_t p = 0; p < len; p += n->cluster_size()) {
          uint64_t l = std::min<uint64_t>(n->cluster_size(), len - p);
          ASSERT_EQ(n->pwrite_compressed(off + p, buf.data() + p, l), 0) << cmd;
        }
      } else {
        ASSERT_EQ(n->pwrite(off, buf.data(), len, 0), 0) << cmd;
      }
    }
  } else if (verb == "snapshot") {
    Error err;
    if (args[0] == "-c") {
      SnapshotInfo sn;  // as qemu-img snapshot -c fills it
      sn.name = args[1];
      sn.has_icount = true;
      sn.icount = 0;
      ASSERT_EQ(n->snapshot_create(sn, &err), 0) << cmd << ": " << err.msg;
    } else if (args[0] == "-a") {
      ASSERT_EQ(n->snapshot_goto(args[1], &err), 0) << cmd << ": " << err.msg;
    } else if (args[0] == "-d") {
      // qemu-img snapshot -d names the snapshot by its name.
      ASSERT_EQ(n->snapshot_delete("", args[1], &err), 0) << cmd << ": " << err.msg;
    }
  } else if (verb == "discard") {
    ASSERT_EQ(n->discard(num(args[0]), num(args[1])), 0) << cmd;
  } else {
    FAIL() << "unknown command " << cmd;
  }
}

// Snapshot creation times differ between runs: zero them (and nothing else) before comparing.
void mask_snapshot_dates(std::vector<uint8_t> *img) {
  auto be32 = [&](size_t o) {
    return uint32_t{(*img)[o]} << 24 | uint32_t{(*img)[o + 1]} << 16 |
           uint32_t{(*img)[o + 2]} << 8 | (*img)[o + 3];
  };
  if (img->size() < 72) return;
  uint32_t n = be32(60);
  uint64_t pos = uint64_t{be32(64)} << 32 | be32(68);
  for (uint32_t i = 0; i < n && pos + 40 <= img->size(); i++) {
    for (int k = 16; k < 24; k++) (*img)[pos + k] = 0;
    uint32_t extra = be32(pos + 36);
    uint32_t id = uint32_t{(*img)[pos + 12]} << 8 | (*img)[pos + 13];
    uint32_t name = uint32_t{(*img)[pos + 14]} << 8 | (*img)[pos + 15];
    pos += (40 + extra + id + name + 7) & ~7ull;
  }
}

struct Case {
  const char *name;
  const char *create;  // qemu-img create arguments after -f qcow2
  std::vector<const char *> ops;
};

class Qcow2Writes : public ::testing::TestWithParam<Case> {};

TEST_P(Qcow2Writes, SameFileAsQemu) {
  if (sh("qemu-io --version") != 0) GTEST_SKIP() << "QEMU 7.2 not installed: run scripts/setup";
  const Case &c = GetParam();
  std::string d = dir();
  ASSERT_EQ(sh("cd " + d +
               " && rm -f q.qcow2 o.qcow2 base.qcow2 && "
               "qemu-img create -q -f qcow2 base.qcow2 4M && "
               "qemu-io -c 'write -P 0x11 0 4M' base.qcow2"),
            0);
  ASSERT_EQ(sh("cd " + d + " && qemu-img create -q -f qcow2 " + c.create), 0) << sh_log();
  ASSERT_EQ(sh("cd " + d + " && cp q.qcow2 o.qcow2"), 0);
  // Consecutive qemu-io commands run in one qemu-io; snapshot steps run qemu-img snapshot.
  std::string qio;
  auto run_qio = [&]() {
    if (!qio.empty()) {
      ASSERT_EQ(sh("cd " + d + " && qemu-io" + qio + " q.qcow2"), 0) << sh_log();
    }
    qio.clear();
  };
  for (const char *op : c.ops) {
    if (std::string(op).rfind("snapshot ", 0) == 0) {
      run_qio();
      ASSERT_EQ(sh("cd " + d + " && qemu-img " + op + " q.qcow2"), 0) << sh_log();
    } else {
      qio += std::string(" -c '") + op + "'";
    }
  }
  run_qio();

  // Opened as qemu-io opens images: guest discards reach the file (discard=unmap).
  Error err;
  FileOpenOptions fo;
  fo.writable = true;
  auto file = FileNode::open(d + "/o.qcow2", fo, &err);
  ASSERT_TRUE(file) << err.msg;
  OpenFlags flags;
  flags.writable = true;
  auto node = find_format("qcow2")->open(std::move(file), {{"discard", "unmap"}}, flags, &err);
  ASSERT_TRUE(node) << err.msg;
  for (const char *op : c.ops) {
    apply(node.get(), op);
    if (HasFatalFailure()) return;
  }
  node.reset();
  auto a = slurp(d + "/q.qcow2"), b = slurp(d + "/o.qcow2");
  mask_snapshot_dates(&a);
  mask_snapshot_dates(&b);
  EXPECT_EQ(a.size(), b.size());
  size_t n = std::min(a.size(), b.size()), i = 0;
  while (i < n && a[i] == b[i]) i++;
  EXPECT_EQ(i, std::max(a.size(), b.size())) << "first difference at " << i;
  EXPECT_EQ(sh("cd " + d + " && qemu-img check o.qcow2"), 0) << sh_log();
}

INSTANTIATE_TEST_SUITE_P(
    Ops, Qcow2Writes,
    ::testing::Values(
        Case{"sequential",
             "q.qcow2 16M",
             {"write -P 1 0 1M", "write -P 2 1M 3M", "write -P 3 8M 64k"}},
        Case{"unaligned",
             "q.qcow2 16M",
             {"write -P 1 1000 5000", "write -P 2 70000 200000", "write -P 3 65536 10"}},
        Case{"overwrite",
             "q.qcow2 16M",
             {"write -P 1 0 2M", "write -P 2 512 1M", "write -P 3 0 4M"}},
        Case{"sparse_far",
             "q.qcow2 4G",
             {"write -P 1 0 64k", "write -P 2 3G 64k", "write -P 3 1G 128k", "write -P 4 600M 1k"}},
        Case{"zeroes_v3",
             "q.qcow2 16M",
             {"write -P 1 0 2M", "write -z 64k 128k", "write -z -u 1M 256k", "write -z 3M 1M",
              "write -P 2 100000 1000", "write -z 5000 100"}},
        Case{"zeroes_v2",
             "-o compat=0.10 q.qcow2 16M",
             {"write -P 1 0 2M", "write -z 64k 128k", "write -z -u 1M 256k", "write -z 3M 1M"}},
        Case{"discard",
             "q.qcow2 16M",
             {"write -P 1 0 2M", "discard 64k 128k", "discard 1000 70000", "write -P 2 64k 64k"}},
        // One cluster per compressed write: QEMU runs the clusters of one multi-cluster
        // compressed request as parallel tasks, which places them in scheduling order.
        Case{"compressed",
             "q.qcow2 16M",
             {"write -c -P 1 0 64k", "write -c -P 5 64k 64k", "write -c -P 2 1M 64k",
              "write -P 3 4M 64k", "write -c -P 4 2M 64k", "write -c -P 6 192k 64k"}},
        Case{"compressed_zstd",
             "-o compression_type=zstd q.qcow2 16M",
             {"write -c -P 1 0 64k", "write -c -P 7 64k 64k", "write -P 2 100 1000"}},
        Case{"compressed_overwrite",
             "q.qcow2 16M",
             {"write -c -P 1 0 64k", "write -c -P 3 64k 64k", "write -c -P 4 128k 64k",
              "write -P 2 70000 1000", "write -z 128k 64k"}},
        Case{"refcount_growth_4k",
             "-o cluster_size=4096 q.qcow2 64M",
             {"write -P 1 0 20M", "write -P 2 40M 4M"}},
        Case{"backing_cow",
             "-b base.qcow2 -F qcow2 q.qcow2 4M",
             {"write -P 2 1000 1000", "write -P 3 100000 200000", "write -z 2M 64k",
              "discard 3M 64k"}},
        Case{"backing_v2",
             "-o compat=0.10 -b base.qcow2 -F qcow2 q.qcow2 4M",
             {"write -P 2 1000 1000", "write -z 2M 64k"}},
        Case{"small_clusters",
             "-o cluster_size=512 q.qcow2 64M",
             {"write -P 1 0 300k", "write -P 2 10M 100k", "write -P 3 40M 4k"}},
        Case{"refcount_growth",
             "-o cluster_size=512,refcount_bits=64 q.qcow2 64M",
             {"write -P 1 0 2M", "write -P 2 20M 1M"}},
        Case{"extended_l2",
             "-o extended_l2=on q.qcow2 16M",
             {"write -P 1 0 1000", "write -P 2 5000 3000", "write -P 3 1M 100k", "write -z 64k 4k",
              "write -z 2M 64k"}},
        Case{"extended_l2_backing",
             "-o extended_l2=on -b base.qcow2 -F qcow2 q.qcow2 4M",
             {"write -P 2 1000 1000", "write -P 3 100000 5000", "write -z 2M 2048"}},
        Case{"lazy_refcounts",
             "-o lazy_refcounts=on q.qcow2 16M",
             {"write -P 1 0 1M", "write -P 2 4M 64k"}},
        Case{"snapshot_create",
             "q.qcow2 16M",
             {"write -P 1 0 1M", "snapshot -c s1", "write -P 2 64k 64k", "write -P 3 4M 64k",
              "snapshot -c s2", "write -P 4 0 100"}},
        Case{"snapshot_apply",
             "q.qcow2 16M",
             {"write -P 1 0 1M", "snapshot -c s1", "write -P 2 0 2M", "snapshot -a s1",
              "write -P 3 500k 8k"}},
        Case{"snapshot_delete",
             "q.qcow2 16M",
             {"write -P 1 0 1M", "snapshot -c s1", "write -P 2 0 512k", "snapshot -c s2",
              "snapshot -d s1", "write -P 3 2M 64k", "snapshot -d s2"}},
        Case{"snapshot_compressed",
             "q.qcow2 16M",
             {"write -c -P 1 0 64k", "snapshot -c s1", "write -P 2 0 100", "snapshot -d s1"}},
        Case{"snapshot_v2",
             "-o compat=0.10 q.qcow2 16M",
             {"write -P 1 0 1M", "snapshot -c s1", "write -P 2 64k 64k", "snapshot -a s1"}},
        Case{"snapshot_extended_l2",
             "-o extended_l2=on q.qcow2 16M",
             {"write -P 1 0 1000", "snapshot -c s1", "write -P 2 500 1000", "snapshot -a s1"}},
        Case{"prealloc_metadata_write",
             "-o preallocation=metadata q.qcow2 4M",
             {"write -P 1 0 100k", "write -z 1M 64k", "discard 2M 64k"}}),
    [](const ::testing::TestParamInfo<Case> &i) { return std::string(i.param.name); });

}  // namespace
}  // namespace qemu::block
