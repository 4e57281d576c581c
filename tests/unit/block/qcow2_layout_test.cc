// Differential test of qcow2 image layout: images created with the same options by QEMU 7.2's
// qemu-img and by our driver must be byte-identical (header, extensions, refcount structures,
// L1 table, preallocated metadata), and so must images after the same sequence of writes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/opts.h"
#include "block/driver.h"
#include "block/file.h"

namespace qemu::block {
namespace {

std::string tmp(const std::string &name) {
  static std::string d = [] {
    char t[] = "/tmp/qcow2-layout-XXXXXX";
    return std::string(mkdtemp(t));
  }();
  return d + "/" + name;
}

int sh(const std::string &cmd) {
  int r = system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

std::vector<uint8_t> slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

bool our_create(const std::string &path, const std::string &options, const std::string &size) {
  const FormatDriver *drv = find_format("qcow2");
  OptsGroup g(*drv->create_opts());
  Error err;
  Opts *o = g.create("", false, &err);
  for (const OptPair &p : split_opts(options, {})) {
    if (!o->set(p.name, p.value, &err)) {
      ADD_FAILURE() << err.msg;
      return false;
    }
  }
  o->set("size", size, &err);
  int r = drv->create(path, *o, &err);
  EXPECT_EQ(r, 0) << err.msg;
  return r == 0;
}

// The first offset where two files differ, or -1.
long first_difference(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return static_cast<long>(i);
  return a.size() == b.size() ? -1 : static_cast<long>(n);
}

struct Case {
  const char *options;
  const char *size;
};

class Qcow2Layout : public ::testing::TestWithParam<Case> {};

TEST_P(Qcow2Layout, CreateMatchesQemu) {
  if (sh("qemu-img --version") != 0) GTEST_SKIP() << "QEMU 7.2 not installed: run scripts/setup";
  const Case &c = GetParam();
  std::string q = tmp("q.qcow2"), o = tmp("o.qcow2");
  unlink(q.c_str());
  unlink(o.c_str());
  ASSERT_EQ(sh("truncate -s 1M " + tmp("base.img")), 0);
  std::string opts = c.options[0] ? std::string(" -o ") + c.options : "";
  ASSERT_EQ(sh("cd " + tmp("") + " && qemu-img create -f qcow2" + opts + " q.qcow2 " + c.size), 0);
  ASSERT_TRUE(our_create(o, c.options, std::to_string(std::stoull(c.size))));
  auto a = slurp(q), b = slurp(o);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(first_difference(a, b), -1) << "files differ";
}

INSTANTIATE_TEST_SUITE_P(
    Options, Qcow2Layout,
    ::testing::Values(
        Case{"", "1073741824"}, Case{"", "0"}, Case{"", "1048576"}, Case{"compat=0.10", "1048576"},
        Case{"cluster_size=512", "104857600"}, Case{"cluster_size=4096", "1073741824"},
        Case{"cluster_size=2097152", "1073741824"}, Case{"refcount_bits=1", "1048576"},
        Case{"refcount_bits=64", "1048576"}, Case{"refcount_bits=8,cluster_size=1024", "5242880"},
        Case{"lazy_refcounts=on", "1048576"}, Case{"extended_l2=on", "1073741824"},
        Case{"compression_type=zstd", "1048576"},
        Case{"backing_file=base.img,backing_fmt=raw", "1048576"},
        Case{"compat=0.10,backing_file=base.img,backing_fmt=raw", "1048576"},
        Case{"data_file=data.raw", "1048576"},
        Case{"data_file=data.raw,data_file_raw=on", "1048576"},
        Case{"preallocation=metadata", "10485760"},
        Case{"preallocation=metadata,cluster_size=4096", "10485760"},
        Case{"preallocation=falloc", "10485760"}, Case{"preallocation=full", "4194304"},
        Case{"preallocation=metadata,extended_l2=on", "10485760"}),
    [](const ::testing::TestParamInfo<Case> &i) {
      std::string n =
          std::string(i.param.options[0] ? i.param.options : "default") + "_" + i.param.size;
      for (char &ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace qemu::block
