#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "user/syscall_table.h"

namespace qemu::user {
namespace {

std::string call(uint64_t nr, std::initializer_list<uint64_t> args) {
  uint64_t a[6] = {};
  int i = 0;
  for (uint64_t v : args) a[i++] = v;
  return strace_call(nr, a);
}

TEST(Strace, Names) {
  EXPECT_STREQ(syscall_name(SYS_read), "read");
  EXPECT_STREQ(syscall_name(SYS_exit_group), "exit_group");
  EXPECT_EQ(syscall_name(100000), nullptr);
  EXPECT_EQ(find_syscall(100000), nullptr);
  ASSERT_NE(find_syscall(SYS_openat), nullptr);
}

TEST(Strace, Arguments) {
  const char *path = "/etc/ld.so.cache";
  EXPECT_EQ(
      call(SYS_openat, {uint64_t(-100), reinterpret_cast<uint64_t>(path), O_RDONLY | O_CLOEXEC}),
      "openat(-100,\"/etc/ld.so.cache\",O_RDONLY|O_CLOEXEC)");
  EXPECT_EQ(call(SYS_openat,
                 {uint64_t(-100), reinterpret_cast<uint64_t>(path), O_WRONLY | O_CREAT, 0644}),
            "openat(-100,\"/etc/ld.so.cache\",O_WRONLY|O_CREAT,0644)");
  EXPECT_EQ(call(SYS_mmap, {0, 44071, PROT_READ, MAP_PRIVATE, 3, 0}),
            "mmap(NULL,44071,PROT_READ,MAP_PRIVATE,3,0)");
  EXPECT_EQ(call(SYS_mmap, {0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                            MAP_PRIVATE | MAP_ANONYMOUS, 0xffffffffu, 0}),
            "mmap(NULL,4096,PROT_EXEC|PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0)");
  EXPECT_EQ(call(SYS_mmap, {0x1000, 4096, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, uint64_t(-1), 0}),
            "mmap(0x0000000000001000,4096,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS|"
            "MAP_FIXED,-1,0)");
  EXPECT_EQ(call(SYS_brk, {0}), "brk(NULL)");
  EXPECT_EQ(call(SYS_access, {reinterpret_cast<uint64_t>(path), R_OK}),
            "access(\"/etc/ld.so.cache\",R_OK)");
  EXPECT_EQ(call(SYS_exit_group, {0}), "exit_group(0)");
  // Calls QEMU prints raw: six decimal arguments.
  EXPECT_EQ(call(SYS_arch_prctl, {0x1002, 0x4ac380}), "arch_prctl(4098,4899712,0,0,0,0)");
  EXPECT_EQ(call(SYS_newfstatat, {1, reinterpret_cast<uint64_t>(""), 0x1000, 0x1000}),
            "newfstatat(1,\"\",0x0000000000001000,0x1000)");
  EXPECT_EQ(call(SYS_kill, {5, 9}), "kill(5,SIGKILL)");
  // An unmapped string prints as its address.
  EXPECT_EQ(call(SYS_unlink, {0x10}), "unlink(0x0000000000000010)");
  EXPECT_EQ(call(334 + 1000, {}), "Unknown syscall 1334");
}

TEST(Strace, Results) {
  EXPECT_EQ(strace_result(SYS_openat, 3), " = 3\n");
  EXPECT_EQ(strace_result(SYS_openat, -2), " = -1 errno=2 (No such file or directory)\n");
  EXPECT_EQ(strace_result(SYS_brk, 0x4ac000), " = 0x00000000004ac000\n");
  EXPECT_EQ(strace_result(SYS_mmap, 0x4002842000), " = 0x0000004002842000\n");
}

TEST(HostSyscall, ReturnsNegativeErrno) {
  EXPECT_EQ(host_syscall(SYS_close, uint64_t(-1)), -EBADF);
  EXPECT_GT(host_syscall(SYS_getpid), 0);
}

}  // namespace
}  // namespace qemu::user
