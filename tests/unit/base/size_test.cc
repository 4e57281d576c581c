#include "base/size.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <random>

namespace qemu {
namespace {

struct SizeCase {
  const char *in;
  int rc;
  uint64_t value;
};

// Every row was checked against QEMU 7.2's qemu-img create.
const SizeCase kCases[] = {
    {"1", 0, 1},
    {"1k", 0, 1024},
    {"1K", 0, 1024},
    {"1.5k", 0, 1536},
    {"1.5", -EINVAL, 0},
    {"1.k", 0, 1024},
    {"0x1000", 0, 4096},
    {"0x10k", 0, 16384},
    {"0X10", 0, 16},
    {"1e3", -EINVAL, 0},
    {"1.5e3", -EINVAL, 0},
    {"-1", -EINVAL, 0},
    {" 1k", 0, 1024},
    {"1k ", -EINVAL, 0},
    {"1b", 0, 1},
    {"1B", 0, 1},
    {"1kb", -EINVAL, 0},
    {"16E", -ERANGE, 0},
    {"8E", 0, uint64_t{8} << 60},
    {"1T", 0, uint64_t{1} << 40},
    {"1P", 0, uint64_t{1} << 50},
    {"0.5", -EINVAL, 0},
    {".5k", -EINVAL, 0},
    {"1.0000001k", 0, 1024},
    {"00012", 0, 12},
    {"1x", -EINVAL, 0},
    {"0x", -EINVAL, 0},
    {"18446744073709551615", 0, UINT64_MAX},
    {"18446744073709551616", -ERANGE, 0},
    {"", -EINVAL, 0},
    {"k", -EINVAL, 0},
    {"1.5M", 0, 1572864},
    {"+1k", 0, 1024},
    {"0.5k", 0, 512},
    {"1.0009765625k", 0, 1025},  // exactly 1025
    {"0x1.5", -EINVAL, 0},
};

TEST(Size, TableFromQemu72) {
  for (const SizeCase &c : kCases) {
    uint64_t v = 0;
    int rc = parse_size(c.in, &v);
    EXPECT_EQ(rc, c.rc) << "input '" << c.in << "'";
    if (c.rc == 0) {
      EXPECT_EQ(v, c.value) << "input '" << c.in << "'";
    }
  }
}

TEST(Size, DefaultSuffixMebibytes) {
  uint64_t v = 0;
  ASSERT_EQ(parse_size("512", &v, 'M'), 0);
  EXPECT_EQ(v, 512u << 20);
  ASSERT_EQ(parse_size("2G", &v, 'M'), 0);
  EXPECT_EQ(v, uint64_t{2} << 30);
  ASSERT_EQ(parse_size("100b", &v, 'M'), 0);
  EXPECT_EQ(v, 100u);
}

TEST(Size, MetricUnit) {
  uint64_t v = 0;
  ASSERT_EQ(parse_size("2k", &v, 'B', 1000), 0);
  EXPECT_EQ(v, 2000u);
}

TEST(Size, EndPointerStopsAtGarbage) {
  uint64_t v = 0;
  size_t end = 0;
  ASSERT_EQ(parse_size("4kXYZ", &v, 'B', 1024, &end), 0);
  EXPECT_EQ(v, 4096u);
  EXPECT_EQ(end, 2u);
}

// Property: any value printed in decimal, or as a whole number of a unit with its suffix,
// parses back exactly; one more unit than fits is -ERANGE.
TEST(Size, RoundTripProperty) {
  std::mt19937_64 rng(1234);
  const char *suffixes = "BKMGTPE";
  for (int i = 0; i < 20000; i++) {
    uint64_t v = rng() >> (rng() % 64);
    uint64_t out = 0;
    ASSERT_EQ(parse_size(std::to_string(v), &out), 0);
    ASSERT_EQ(out, v);
    int s = static_cast<int>(rng() % 7);
    uint64_t mul = uint64_t{1} << (10 * s);
    uint64_t units = v / mul;
    std::string str = std::to_string(units) + suffixes[s];
    ASSERT_EQ(parse_size(str, &out), 0) << str;
    ASSERT_EQ(out, units * mul) << str;
    if (s > 0) {
      std::string big = std::to_string(UINT64_MAX / mul + 1) + suffixes[s];
      ASSERT_EQ(parse_size(big, &out), -ERANGE) << big;
    }
  }
}

TEST(SizeToStr, LikeQemuImgInfo) {
  EXPECT_EQ(size_to_str(0), "0 B");
  EXPECT_EQ(size_to_str(512), "512 B");
  EXPECT_EQ(size_to_str(1000), "0.977 KiB");
  EXPECT_EQ(size_to_str(4096), "4 KiB");
  EXPECT_EQ(size_to_str(67108864), "64 MiB");
  EXPECT_EQ(size_to_str(1572864), "1.5 MiB");
  EXPECT_EQ(size_to_str(uint64_t{1} << 40), "1 TiB");
  EXPECT_EQ(size_to_str(10737418240), "10 GiB");
  EXPECT_EQ(size_to_str(UINT64_MAX), "16 EiB");
}

}  // namespace
}  // namespace qemu
