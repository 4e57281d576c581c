// Property tests of the qcow2 driver: random writes, zero writes and discards against an
// in-memory model, for many combinations of creation options. Each image must read back as
// the model, and QEMU 7.2 must agree: its `qemu-img check` finds no errors or leaks and its
// `qemu-img compare` finds the image identical to the model.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/opts.h"
#include "block/driver.h"
#include "block/file.h"

namespace qemu::block {
namespace {

std::string tmpdir() {
  static std::string d = [] {
    char t[] = "/tmp/qcow2-test-XXXXXX";
    return std::string(mkdtemp(t));
  }();
  return d;
}

int run(const std::string &cmd) {
  int r = system((cmd + " >/tmp/qcow2-test-cmd.log 2>&1").c_str());
  return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

std::string log_text() {
  FILE *f = fopen("/tmp/qcow2-test-cmd.log", "r");
  std::string s;
  char buf[4096];
  size_t n;
  while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  if (f) fclose(f);
  return s;
}

bool have_qemu() {
  return run("qemu-img --version") == 0;
}

std::unique_ptr<Node> create_and_open(const std::string &path, const std::string &options,
                                      uint64_t size) {
  const FormatDriver *drv = find_format("qcow2");
  EXPECT_NE(drv, nullptr);
  if (!drv) return nullptr;
  OptsGroup g(*drv->create_opts());
  Error err;
  Opts *o = g.create("", false, &err);
  for (const OptPair &p : split_opts(options, {})) {
    EXPECT_TRUE(o->set(p.name, p.value, &err)) << err.msg;
  }
  o->set("size", std::to_string(size), &err);
  int r = drv->create(path, *o, &err);
  EXPECT_EQ(r, 0) << err.msg;
  if (r) return nullptr;
  FileOpenOptions fo;
  fo.writable = true;
  auto file = FileNode::open(path, fo, &err);
  EXPECT_TRUE(file) << err.msg;
  OpenFlags flags;
  flags.writable = true;
  auto node = drv->open(std::move(file), {}, flags, &err);
  EXPECT_TRUE(node) << err.msg;
  return node;
}

struct Case {
  const char *options;
  uint64_t size;
};

class Qcow2Random : public ::testing::TestWithParam<Case> {};

TEST_P(Qcow2Random, MatchesModelAndQemuAgrees) {
  const Case &c = GetParam();
  std::string path = tmpdir() + "/img.qcow2";
  std::string model_path = tmpdir() + "/model.raw";
  auto node = create_and_open(path, c.options, c.size);
  ASSERT_TRUE(node);
  std::vector<uint8_t> model(c.size, 0);
  std::mt19937_64 rng(std::hash<std::string>{}(c.options));
  uint64_t cs = static_cast<uint64_t>(node->cluster_size());
  std::vector<uint8_t> buf;
  for (int op = 0; op < 300; op++) {
    // Mostly cluster-ish aligned requests, sometimes arbitrary ones.
    uint64_t off = rng() % c.size;
    if (rng() % 2) off &= ~(cs - 1);
    uint64_t len = 1 + rng() % std::min<uint64_t>(4 * cs, c.size - off);
    int kind = static_cast<int>(rng() % 10);
    if (kind < 7) {
      buf.resize(len);
      uint8_t pat = static_cast<uint8_t>(rng());
      for (uint64_t i = 0; i < len; i++) buf[i] = static_cast<uint8_t>(pat + i * 7 + (i >> 9));
      ASSERT_EQ(node->pwrite(off, buf.data(), len, 0), 0) << "write " << off << "+" << len;
      memcpy(&model[off], buf.data(), len);
    } else if (kind < 9) {
      unsigned flags = (rng() % 2) ? unsigned{kWriteMayUnmap} : 0u;
      ASSERT_EQ(node->pwrite_zeroes(off, len, flags), 0) << "zeroes " << off << "+" << len;
      memset(&model[off], 0, len);
    } else {
      // Discard: only whole clusters are dropped; they then read as zeroes.
      ASSERT_EQ(node->discard(off, len), 0);
      uint64_t s = (off + cs - 1) & ~(cs - 1);
      uint64_t e = std::min<uint64_t>((off + len) & ~(cs - 1), c.size);
      if (off + len == c.size) e = c.size;
      if (s < e) memset(&model[s], 0, e - s);
    }
    if (op % 50 == 49) {
      std::vector<uint8_t> all(c.size);
      ASSERT_EQ(node->pread(0, all.data(), c.size), 0);
      ASSERT_TRUE(all == model) << "content differs after op " << op;
    }
  }
  std::vector<uint8_t> all(c.size);
  ASSERT_EQ(node->pread(0, all.data(), c.size), 0);
  ASSERT_TRUE(all == model);
  CheckResult res;
  ASSERT_EQ(node->check(&res, 0), 0);
  EXPECT_EQ(res.corruptions, 0);
  EXPECT_EQ(res.leaks, 0);
  node.reset();

  if (!have_qemu()) GTEST_SKIP() << "QEMU 7.2 (qemu-img) not installed: run scripts/setup";
  FILE *f = fopen(model_path.c_str(), "wb");
  ASSERT_TRUE(f);
  fwrite(model.data(), 1, model.size(), f);
  fclose(f);
  EXPECT_EQ(run("qemu-img check " + path), 0) << log_text();
  EXPECT_EQ(run("qemu-img compare -f raw -F qcow2 " + model_path + " " + path), 0) << log_text();
}

INSTANTIATE_TEST_SUITE_P(
    Options, Qcow2Random,
    ::testing::Values(
        Case{"", 4 << 20}, Case{"compat=0.10", 4 << 20}, Case{"cluster_size=512", 1 << 20},
        Case{"cluster_size=4096", 3 << 20}, Case{"cluster_size=2M", 16 << 20},
        Case{"refcount_bits=1", 4 << 20}, Case{"refcount_bits=2,cluster_size=512", 1 << 20},
        Case{"refcount_bits=4", 4 << 20}, Case{"refcount_bits=8", 4 << 20},
        Case{"refcount_bits=32", 4 << 20}, Case{"refcount_bits=64,cluster_size=512", 1 << 20},
        Case{"lazy_refcounts=on", 4 << 20}, Case{"extended_l2=on,cluster_size=16384", 2 << 20},
        Case{"extended_l2=on", 8 << 20}, Case{"compression_type=zstd", 4 << 20},
        Case{"preallocation=metadata", 4 << 20}, Case{"preallocation=falloc", 4 << 20},
        Case{"cluster_size=1024", 4 << 20 | 512}),
    [](const ::testing::TestParamInfo<Case> &i) {
      std::string n = i.param.options[0] ? i.param.options : "default";
      for (char &ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace qemu::block
