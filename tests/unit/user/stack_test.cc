#include "user/stack.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "user/guest_memory.h"

namespace qemu::user {
namespace {

TEST(Stack, LayoutAndAuxv) {
  GuestMemoryMap mem;
  LoadedProgram prog;
  LoadError err;
  ASSERT_TRUE(load_program("/bin/true", "", &mem, &prog, &err)) << err.message;
  StackParams p;
  p.argv = {"prog", "a", "bb"};
  p.envp = {"X=1", "Y=2"};
  p.execfn = "/bin/true";
  p.stack_size = 1 << 20;
  p.hwcap = 0x178bfbff;
  for (int i = 0; i < 16; ++i) p.random[i] = static_cast<uint8_t>(i * 7);
  StackInfo info;
  std::string e;
  ASSERT_TRUE(setup_stack(p, prog, &mem, &info, &e)) << e;
  EXPECT_EQ(info.sp % 16, 0u);
  EXPECT_EQ(info.top - info.base, 1u << 20);
  EXPECT_TRUE(mem.is_mapped(info.sp, 8, PROT_READ | PROT_WRITE));
  EXPECT_NE(mem.format_maps().find("[stack]"), std::string::npos);

  auto *q = reinterpret_cast<uint64_t *>(info.sp);
  ASSERT_EQ(q[0], 3u);
  EXPECT_STREQ(reinterpret_cast<char *>(q[1]), "prog");
  EXPECT_STREQ(reinterpret_cast<char *>(q[3]), "bb");
  EXPECT_EQ(q[4], 0u);
  EXPECT_STREQ(reinterpret_cast<char *>(q[5]), "X=1");
  EXPECT_STREQ(reinterpret_cast<char *>(q[6]), "Y=2");
  EXPECT_EQ(q[7], 0u);
  EXPECT_EQ(reinterpret_cast<uint64_t>(&q[8]), info.auxv);

  uint64_t v;
  ASSERT_TRUE(auxv_lookup(info, AT_PHDR, &v));
  EXPECT_EQ(v, prog.exe.phdr);
  ASSERT_TRUE(auxv_lookup(info, AT_PHNUM, &v));
  EXPECT_EQ(v, prog.exe.phnum);
  ASSERT_TRUE(auxv_lookup(info, AT_PHENT, &v));
  EXPECT_EQ(v, sizeof(Elf64_Phdr));
  ASSERT_TRUE(auxv_lookup(info, AT_ENTRY, &v));
  EXPECT_EQ(v, prog.exe.entry);
  ASSERT_TRUE(auxv_lookup(info, AT_BASE, &v));
  EXPECT_EQ(v, prog.interp.load_bias);
  ASSERT_TRUE(auxv_lookup(info, AT_PAGESZ, &v));
  EXPECT_EQ(v, 4096u);
  ASSERT_TRUE(auxv_lookup(info, AT_HWCAP, &v));
  EXPECT_EQ(v, 0x178bfbffu);
  ASSERT_TRUE(auxv_lookup(info, AT_RANDOM, &v));
  EXPECT_EQ(memcmp(reinterpret_cast<void *>(v), p.random, 16), 0);
  ASSERT_TRUE(auxv_lookup(info, AT_PLATFORM, &v));
  EXPECT_STREQ(reinterpret_cast<char *>(v), "x86_64");
  ASSERT_TRUE(auxv_lookup(info, AT_EXECFN, &v));
  EXPECT_STREQ(reinterpret_cast<char *>(v), "/bin/true");
  ASSERT_TRUE(auxv_lookup(info, AT_SECURE, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(auxv_lookup(info, AT_MINSIGSTKSZ, &v));
  EXPECT_TRUE(auxv_lookup(info, AT_CLKTCK, &v));
  EXPECT_TRUE(auxv_lookup(info, AT_UID, &v));
  EXPECT_TRUE(auxv_lookup(info, AT_HWCAP2, &v));
  EXPECT_FALSE(auxv_lookup(info, AT_SYSINFO_EHDR, &v));  // no vDSO
  auto *aux = reinterpret_cast<uint64_t *>(info.auxv);
  EXPECT_EQ(aux[info.auxv_len / 8 - 2], uint64_t(AT_NULL));
  // The argv strings are where /proc/self/cmdline would read them.
  EXPECT_EQ(std::string(reinterpret_cast<char *>(info.arg_start), 4), "prog");
}

}  // namespace
}  // namespace qemu::user
