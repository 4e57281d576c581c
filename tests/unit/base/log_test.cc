#include "base/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace qemu {
namespace {

TEST(Log, ParsesItems) {
  uint32_t mask = 0;
  ASSERT_TRUE(parse_log_items("in_asm,op,strace", &mask));
  EXPECT_EQ(mask, kLogInAsm | kLogOp | kLogStrace);
  ASSERT_TRUE(parse_log_items("all", &mask));
  EXPECT_TRUE(mask & kLogGuestErrors);
  EXPECT_TRUE(mask & kLogUnimp);
  ASSERT_TRUE(parse_log_items("trace:foo*,cpu", &mask));
  EXPECT_EQ(mask, kLogCpu);
  EXPECT_FALSE(parse_log_items("in_asm,bogus", &mask));
  EXPECT_FALSE(parse_log_items("", &mask));
  EXPECT_FALSE(parse_log_items("help", &mask));
}

TEST(Log, UsageListsEveryItem) {
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  print_log_usage(f);
  fclose(f);
  std::string s(buf, len);
  free(buf);
  EXPECT_EQ(s.rfind("Log items (comma separated):\nout_asm         show generated host", 0), 0u);
  for (const char *item : {"in_asm", "op_opt", "exec", "cpu", "int", "unimp", "guest_errors",
                           "nochain", "strace", "tid", "trace:PATTERN"}) {
    EXPECT_NE(s.find(std::string("\n") + item + " "), std::string::npos) << item;
  }
}

TEST(Log, FileWithPidAndMask) {
  std::string tmpl = testing::TempDir() + "qlog.%d";
  Error err;
  ASSERT_TRUE(log_configure(kLogUnimp, tmpl, &err)) << err.msg;
  qemu_log_mask(kLogUnimp, "unimplemented {}\n", 42);
  qemu_log_mask(kLogInAsm, "not logged\n");
  EXPECT_TRUE(log_enabled(kLogUnimp));
  EXPECT_FALSE(log_enabled(kLogInAsm));
  log_close();
  std::string path = testing::TempDir() + "qlog." + std::to_string(getpid());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "unimplemented 42\n");
  unlink(path.c_str());
  ASSERT_TRUE(log_configure(0, "", &err));
}

TEST(Log, Timestamps) {
  std::string path = testing::TempDir() + "qlog-ts";
  Error err;
  ASSERT_TRUE(log_configure(kLogCpu, path, &err));
  log_set_timestamps(true);
  qemu_log("x\n");
  log_set_timestamps(false);
  log_close();
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  // 2026-11-24T18:00:00.123456Z x
  ASSERT_EQ(line.size(), 29u) << line;
  EXPECT_EQ(line[4], '-');
  EXPECT_EQ(line[10], 'T');
  EXPECT_EQ(line.substr(26), "Z x");
  unlink(path.c_str());
  ASSERT_TRUE(log_configure(0, "", &err));
}

TEST(Log, TidNeedsTemplate) {
  Error err;
  EXPECT_FALSE(log_configure(kLogTid, "/tmp/x.log", &err));
  EXPECT_EQ(err.msg, "Filename template with '%d' required for 'tid'");
  EXPECT_FALSE(log_configure(kLogCpu, "/nonexistent-dir/x", &err));
  EXPECT_EQ(err.msg, "Error opening logfile /nonexistent-dir/x: No such file or directory");
}

}  // namespace
}  // namespace qemu
