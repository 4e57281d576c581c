// Differential test: qcow2 measure results (required, fully allocated, bitmaps) against
// QEMU 7.2's `qemu-img measure --output=json`, for option sets with and without a source image.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "base/opts.h"
#include "base/qjson.h"
#include "block/driver.h"
#include "block/image.h"

namespace qemu::block {
namespace {

std::string dir() {
  static std::string d = [] {
    char t[] = "/tmp/qcow2-measure-XXXXXX";
    return std::string(mkdtemp(t));
  }();
  return d;
}

int sh(const std::string &cmd, std::string *out = nullptr) {
  std::string f = dir() + "/out.txt";
  int r = system((cmd + " >" + f + " 2>&1").c_str());
  if (out) {
    std::ifstream in(f);
    *out = {std::istreambuf_iterator<char>(in), {}};
  }
  return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

struct Case {
  const char *options;
  const char *size;    // --size, or "" to measure a source image
  const char *source;  // qemu-img create arguments for the source, or ""
  const char *writes;  // qemu-io commands on the source
};

class Qcow2Measure : public ::testing::TestWithParam<Case> {};

TEST_P(Qcow2Measure, MatchesQemu) {
  if (sh("qemu-img --version") != 0) GTEST_SKIP() << "QEMU 7.2 not installed: run scripts/setup";
  const Case &c = GetParam();
  std::string d = dir();
  std::string src = d + "/src.img";
  std::string qargs =
      std::string("-O qcow2") + (c.options[0] ? std::string(" -o ") + c.options : "");
  if (c.source[0]) {
    unlink(src.c_str());
    std::string create = c.source;
    size_t last = create.rfind(' ');
    ASSERT_EQ(sh("qemu-img create -q " + create.substr(0, last) + " " + src + create.substr(last)),
              0);
    if (c.writes[0]) {
      ASSERT_EQ(sh(std::string("qemu-io ") + c.writes + " " + src), 0);
    }
    qargs += " " + src;
  } else {
    qargs += std::string(" --size ") + c.size;
  }
  std::string out;
  ASSERT_EQ(sh("qemu-img measure --output=json " + qargs, &out), 0) << out;
  Json q = Json::parse(out);

  const FormatDriver *drv = find_format("qcow2");
  OptsGroup g(*drv->create_opts());
  Error err;
  Opts *o = g.create("", false, &err);
  for (const OptPair &p : split_opts(c.options, {})) ASSERT_TRUE(o->set(p.name, p.value, &err));
  std::unique_ptr<Node> node;
  if (c.source[0]) {
    OpenOptions oo;
    node = open_image(src, oo, &err);
    ASSERT_TRUE(node) << err.msg;
  } else {
    ASSERT_TRUE(o->set("size", c.size, &err)) << err.msg;
  }
  MeasureResult m;
  ASSERT_EQ(drv->measure(*o, node.get(), 0, &m, &err), 0) << err.msg;
  EXPECT_EQ(m.required, q["required"].get<uint64_t>());
  EXPECT_EQ(m.fully_allocated, q["fully-allocated"].get<uint64_t>());
  EXPECT_EQ(m.has_bitmaps, q.contains("bitmaps"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Qcow2Measure,
    ::testing::Values(Case{"", "1G", "", ""}, Case{"", "0", "", ""}, Case{"", "1000000", "", ""},
                      Case{"cluster_size=512,refcount_bits=64", "1G", "", ""},
                      Case{"extended_l2=on", "10G", "", ""},
                      Case{"refcount_bits=1", "100G", "", ""},
                      Case{"preallocation=falloc", "100M", "", ""},
                      Case{"preallocation=metadata,cluster_size=4096", "100M", "", ""},
                      Case{"compat=0.10", "3G", "", ""},
                      Case{"", "", "-f raw 4M", "-c 'write -P 1 0 100k' -c 'write -P 2 2M 1000'"},
                      Case{"compat=0.10", "", "-f raw 4M", "-c 'write -P 1 1M 64k'"},
                      Case{"", "", "-f qcow2 16M",
                           "-c 'write -P 1 0 1M' -c 'write -z 128k 64k' -c 'write -c -P 3 4M 64k'"},
                      Case{"cluster_size=4096", "", "-f qcow2 -o cluster_size=512 1M",
                           "-c 'write -P 1 1000 3000'"},
                      Case{"backing_file=x.img,backing_fmt=raw", "", "-f qcow2 16M",
                           "-c 'write -P 1 0 1M'"},
                      Case{"", "", "-f qcow2 -o compat=0.10 8M", "-c 'write -P 1 0 64k'"}),
    [](const ::testing::TestParamInfo<Case> &i) { return "case" + std::to_string(i.index); });

}  // namespace
}  // namespace qemu::block
