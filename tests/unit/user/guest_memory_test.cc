#include "user/guest_memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

namespace qemu::user {
namespace {

TEST(GuestMemory, MapSplitProtectUnmap) {
  GuestMemoryMap m;
  m.map(0x10000, 0x4000, PROT_READ | PROT_WRITE);
  EXPECT_TRUE(m.is_mapped(0x10000, 0x4000));
  EXPECT_TRUE(m.is_mapped(0x11000, 1, PROT_WRITE));
  EXPECT_FALSE(m.is_mapped(0xf000, 0x2000));
  m.protect(0x11000, 0x1000, PROT_READ);
  EXPECT_EQ(m.prot_at(0x11000), PROT_READ);
  EXPECT_EQ(m.prot_at(0x12000), PROT_READ | PROT_WRITE);
  EXPECT_FALSE(m.is_mapped(0x10000, 0x3000, PROT_WRITE));
  m.unmap(0x12000, 0x1000);
  EXPECT_EQ(m.prot_at(0x12000), -1);
  EXPECT_EQ(m.mappings().size(), 3u);
  EXPECT_TRUE(m.is_mapped(0x13000, 0x1000));
}

TEST(GuestMemory, FindFreeSkipsGuestAndHost) {
  GuestMemoryMap m;
  m.map(0x100000, 0x2000, PROT_READ);
  m.reserve_host(0x102000, 0x104000);
  EXPECT_EQ(m.find_free(0x100000, 0x1000), 0x104000u);
  EXPECT_TRUE(m.overlaps_host(0x103000, 0x10));
  EXPECT_FALSE(m.overlaps_host(0x104000, 0x1000));
}

TEST(GuestMemory, CodePageBits) {
  GuestMemoryMap m;
  EXPECT_FALSE(m.is_code_page(0x400000));
  m.set_code_page(0x400123, true);
  EXPECT_TRUE(m.is_code_page(0x400000));
  EXPECT_FALSE(m.is_code_page(0x401000));
  m.set_wants_write(0x7ffff000, true);
  EXPECT_TRUE(m.wants_write(0x7ffff000));
  m.set_code_page(0x400000, false);
  EXPECT_FALSE(m.is_code_page(0x400000));
  EXPECT_FALSE(m.is_code_page(1ull << 50));
}

TEST(GuestMemory, Maps) {
  GuestMemoryMap m;
  m.map(0x400000, 0x1000, PROT_READ | PROT_EXEC, MAP_PRIVATE, 0, "/bin/x");
  m.map(0x401000, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  std::string s = m.format_maps();
  EXPECT_EQ(s.substr(0, 40), "00400000-00401000 r-xp 00000000 00:00 0 ");
  EXPECT_NE(s.find("/bin/x\n00401000-00402000 rw-p"), std::string::npos);
}

}  // namespace
}  // namespace qemu::user
