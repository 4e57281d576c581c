#include "base/error.h"

#include <gtest/gtest.h>

namespace qemu {
namespace {

std::string g_out;
void capture(std::string_view s) {
  g_out += s;
}

class ErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_out.clear();
    set_report_sink(capture);
  }
  void TearDown() override {
    set_report_sink(nullptr);
    set_message_timestamps(false);
  }
};

TEST_F(ErrorTest, ProgramNameIsBasename) {
  set_progname("/usr/bin/qemu-system-x86_64");
  error_report("bad {}", 1);
  EXPECT_EQ(g_out, "qemu-system-x86_64: bad 1\n");
}

TEST_F(ErrorTest, CmdlineLocation) {
  set_progname("qemu-system-x86_64");
  {
    auto loc = LocationScope::cmdline("-drive", "foo=bar");
    error_report("Invalid parameter '{}'", "foo");
    warn_report("careful");
  }
  error_report("after");
  EXPECT_EQ(g_out,
            "qemu-system-x86_64: -drive foo=bar: Invalid parameter 'foo'\n"
            "qemu-system-x86_64: -drive foo=bar: warning: careful\n"
            "qemu-system-x86_64: after\n");
}

TEST_F(ErrorTest, NestedLocationsAndFile) {
  set_progname("p");
  auto outer = LocationScope::cmdline("-readconfig", "x.cfg");
  {
    LocationScope inner(Location{Location::Kind::kFile, {}, "x.cfg", 7});
    error_report("oops");
  }
  error_report("outer");
  EXPECT_EQ(g_out, "p: x.cfg:7: oops\np: -readconfig x.cfg: outer\n");
}

TEST_F(ErrorTest, ErrorWithHint) {
  set_progname("p");
  error_report_err(Error::make("Parameter '{}' expects an identifier", "id")
                       .with_hint("Identifiers consist of letters\n"));
  info_report("note");
  EXPECT_EQ(g_out,
            "p: Parameter 'id' expects an identifier\nIdentifiers consist of letters\n"
            "p: info: note\n");
}

TEST_F(ErrorTest, Timestamps) {
  set_progname("p");
  set_message_timestamps(true);
  error_report("x");
  // 2026-11-24T18:00:00.123456Z p: x
  ASSERT_EQ(g_out.size(), 33u) << g_out;
  EXPECT_EQ(g_out.substr(26), "Z p: x\n");
}

}  // namespace
}  // namespace qemu
