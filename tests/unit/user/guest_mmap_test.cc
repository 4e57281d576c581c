#include "user/guest_mmap.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "user/guest_addr.h"
#include "user/guest_base.h"
#include "user/user_state.h"

namespace qemu::user {
namespace {

// A process with a guest base (and back to 0 at the end).
class GuestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    g_proc = &proc_;
    set_guest_base(kBase);
    reserve_host_mappings(&proc_.mem);
  }
  void TearDown() override {
    set_guest_base(0);
    g_proc = nullptr;
  }
  // 32 TiB: 96 TiB of guest space left, all of it above ASan's shadow (the -san twin).
  static constexpr uint64_t kBase = 0x200000000000ull;
  Process proc_;
};

TEST_F(GuestBase, TranslationAndLimits) {
  EXPECT_EQ(g_guest_limit, (1ull << 47) - kBase);
  EXPECT_EQ(g2h_addr(0x1000), kBase + 0x1000);
  EXPECT_EQ(h2g(kBase + 0x2000), 0x2000u);
  EXPECT_EQ(g2h_arg(0), 0u);  // NULL stays NULL
  EXPECT_EQ(g2h_arg(0x1234), kBase + 0x1234);
  EXPECT_GE(g2h_arg(g_guest_limit), 1ull << 63);  // past the guest space: a kernel address
  EXPECT_TRUE(host_in_guest_space(kBase + 0x10000, 0x1000));
  EXPECT_FALSE(host_in_guest_space(kBase - 0x1000, 0x1000));  // below the base
  EXPECT_FALSE(host_in_guest_space(1ull << 47, 0x1000));      // past the guest space
}

TEST_F(GuestBase, MappingsLandInTheGuestSpace) {
  const int64_t a =
      mmap_guest(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_GT(a, 0);
  EXPECT_TRUE(host_in_guest_space(g2h_addr(a), 1 << 20));
  memset(g2h(a), 0x5a, 1 << 20);
  munmap(g2h(a), 1 << 20);

  // A free hint is honoured, at its host address.
  const uint64_t hint = 0x100000000000ull;
  const int64_t h = mmap_guest(hint, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT_EQ(static_cast<uint64_t>(h), hint);
  munmap(g2h(h), 4096);

  // MAP_32BIT: below 2 GiB of the guest's addresses, not the host's.
  const int64_t low =
      mmap_guest(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  ASSERT_GT(low, 0);
  EXPECT_LT(static_cast<uint64_t>(low), 0x80000000ull);
  munmap(g2h(low), 4096);

  // A reserved range is free in the guest map and on the host, and reserved there.
  const uint64_t r = reserve_guest_range(0x10000, 8192);
  ASSERT_NE(r, 0u);
  EXPECT_EQ(msync(g2h(r), 8192, MS_ASYNC), 0);
  munmap(g2h(r), 8192);
}

TEST(GuestBaseCheck, QemuRules) {
  // As QEMU 7.2 (messages on stderr): unaligned, and a PIE's size not free at the base.
  EXPECT_EQ(check_guest_base(0x1001, "/bin/true"), 1);
  EXPECT_EQ(check_guest_base(0x1000, "/bin/true"), 1);  // under mmap_min_addr
  EXPECT_EQ(check_guest_base(0, "/bin/true"), 1);       // -B 0 with a PIE
  EXPECT_EQ(check_guest_base(1ull << 47, "/bin/true"), 1);
  EXPECT_EQ(check_guest_base(0x300000000000ull, "/bin/true"), -1);
  // An unreadable image is the loader's to report.
  EXPECT_EQ(check_guest_base(0x1001, "/nonexistent"), -1);
}

}  // namespace
}  // namespace qemu::user
