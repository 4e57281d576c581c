#include "base/cmdline.h"

#include <gtest/gtest.h>

#include <vector>

namespace qemu {
namespace {

enum { kDrive, kSnapshot, kM };
const CmdlineOption kOpts[] = {
    {"drive", true, kDrive},
    {"snapshot", false, kSnapshot},
    {"m", true, kM},
};

struct Args {
  std::vector<std::string> s;
  std::vector<char *> p;
  explicit Args(std::initializer_list<const char *> l) {
    for (auto x : l) s.emplace_back(x);
    for (auto &x : s) p.push_back(x.data());
  }
  int argc() { return static_cast<int>(p.size()); }
  char **argv() { return p.data(); }
};

TEST(Cmdline, SingleAndDoubleDash) {
  Args a{"prog", "-drive", "file=x", "--m", "512", "--snapshot", "disk.img", "-", "--", "-m"};
  CmdlineScanner s(a.argc(), a.argv(), kOpts);
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kOption);
  EXPECT_EQ(s.id(), kDrive);
  EXPECT_STREQ(s.arg(), "file=x");
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kOption);
  EXPECT_EQ(s.id(), kM);
  EXPECT_EQ(s.name(), "--m");
  EXPECT_STREQ(s.arg(), "512");
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kOption);
  EXPECT_EQ(s.id(), kSnapshot);
  EXPECT_EQ(s.arg(), nullptr);
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kPositional);
  EXPECT_STREQ(s.arg(), "disk.img");
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kPositional);  // "-" alone is positional
  EXPECT_STREQ(s.arg(), "-");
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kPositional);  // after "--"
  EXPECT_STREQ(s.arg(), "-m");
  EXPECT_EQ(s.next(), CmdlineScanner::Kind::kEnd);
}

TEST(Cmdline, Errors) {
  Args a{"prog", "-bogus", "-drive"};
  CmdlineScanner s(a.argc(), a.argv(), kOpts);
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kUnknown);
  EXPECT_EQ(s.name(), "-bogus");
  ASSERT_EQ(s.next(), CmdlineScanner::Kind::kMissingArg);
  EXPECT_EQ(s.name(), "-drive");
  EXPECT_EQ(s.next(), CmdlineScanner::Kind::kEnd);
}

}  // namespace
}  // namespace qemu
