#include "base/opts.h"

#include <gtest/gtest.h>

namespace qemu {
namespace {

std::string g_reports;
void capture(std::string_view s) {
  g_reports += s;
}

class OptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_progname("prog");
    g_reports.clear();
    set_report_sink(capture);
  }
  void TearDown() override { set_report_sink(nullptr); }
};

OptsList drive_like() {
  return OptsList{"drive", "", false, {}};
}

OptsList typed() {
  return OptsList{"test",
                  "name",
                  false,
                  {{"name", OptType::kString, "a name", ""},
                   {"flag", OptType::kBool, "", ""},
                   {"count", OptType::kNumber, "", ""},
                   {"size", OptType::kSize, "", ""}}};
}

TEST_F(OptsTest, SplitsWithEscapedCommas) {
  OptsGroup g(drive_like());
  Error err;
  Opts *o = g.parse("file=a,,b,,,format=raw", false, false, nullptr, &err);
  ASSERT_NE(o, nullptr) << err.msg;
  EXPECT_EQ(o->get("file"), "a,b,");
  EXPECT_EQ(o->get("format"), "raw");
}

TEST_F(OptsTest, ImpliedFirstKeyOnlyWhenPermitted) {
  OptsGroup g(OptsList{"device", "driver", false, {}});
  Error err;
  Opts *o = g.parse("e1000,,x,mac=1", true, false, nullptr, &err);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->get("driver"), "e1000,x");
  Opts *o2 = g.parse("e1000", false, false, nullptr, &err);
  ASSERT_NE(o2, nullptr);
  EXPECT_EQ(o2->get("e1000"), "on");
}

TEST_F(OptsTest, ShortFormBooleansWarn) {
  OptsGroup g(drive_like());
  Error err;
  Opts *o = g.parse("readonly,nocache", false, true, nullptr, &err);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->get("readonly"), "on");
  EXPECT_EQ(o->get("cache"), "off");
  EXPECT_EQ(g_reports,
            "prog: warning: short-form boolean option 'readonly' deprecated\n"
            "Please use readonly=on instead\n"
            "prog: warning: short-form boolean option 'nocache' deprecated\n"
            "Please use cache=off instead\n");
}

TEST_F(OptsTest, IdRulesAndDuplicates) {
  OptsGroup g(drive_like());
  Error err;
  ASSERT_NE(g.parse("if=none,id=d0,id=d1", false, false, nullptr, &err), nullptr);
  EXPECT_NE(g.find("d0"), nullptr);
  EXPECT_EQ(g.find("d1"), nullptr);
  EXPECT_EQ(g.parse("id=d0", false, false, nullptr, &err), nullptr);
  EXPECT_EQ(err.msg, "Duplicate ID 'd0' for drive");
  for (const char *bad : {"id=1x", "id=", "id=a,,b", "id=_a"}) {
    err = {};
    EXPECT_EQ(g.parse(bad, false, false, nullptr, &err), nullptr) << bad;
    EXPECT_EQ(err.msg, "Parameter 'id' expects an identifier") << bad;
    EXPECT_EQ(err.hint,
              "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n");
  }
  EXPECT_TRUE(id_wellformed("a_b-c.d9"));
}

TEST_F(OptsTest, TypedValues) {
  OptsGroup g(typed());
  Error err;
  Opts *o = g.parse("x,flag=yes,count=0x10,size=1.5k", true, false, nullptr, &err);
  ASSERT_NE(o, nullptr) << err.msg;
  EXPECT_EQ(o->get("name"), "x");
  EXPECT_TRUE(o->get_bool("flag", false));
  EXPECT_EQ(o->get_number("count", 0), 16u);
  EXPECT_EQ(o->get_size("size", 0), 1536u);

  struct {
    const char *in, *msg;
  } bad[] = {
      {"flag=maybe", "Parameter 'flag' expects 'on' or 'off'"},
      {"flag=ON", "Parameter 'flag' expects 'on' or 'off'"},
      {"count=abc", "Parameter 'count' expects a number"},
      {"count=99999999999999999999",
       "Value '99999999999999999999' is too large for parameter "
       "'count'"},
      {"size=abc", "Parameter 'size' expects a non-negative number below 2^64"},
      {"size=16E", "Value '16E' is out of range for parameter 'size'"},
      {"name=a,bogus=1", "Invalid parameter 'bogus'"},
      {"name=a,=1", "Invalid parameter ''"},
  };
  for (const auto &b : bad) {
    err = {};
    EXPECT_EQ(g.parse(b.in, false, false, nullptr, &err), nullptr) << b.in;
    EXPECT_EQ(err.msg, b.msg) << b.in;
  }
  EXPECT_EQ(g.all().size(), 1u);  // failed parses leave nothing behind
}

TEST_F(OptsTest, HelpIsReportedOnlyWhenTheListHasKeys) {
  OptsGroup g(typed());
  Error err;
  bool help = false;
  EXPECT_EQ(g.parse("x,help", true, true, &help, &err), nullptr);
  EXPECT_TRUE(help);
  EXPECT_TRUE(err.msg.empty());
  help = false;
  EXPECT_EQ(g.parse("x,?", true, true, &help, &err), nullptr);
  EXPECT_TRUE(help);
  EXPECT_TRUE(g_reports.empty());  // help flags do not warn

  OptsGroup any(drive_like());
  Opts *o = any.parse("help", false, true, nullptr, &err);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->has_help_opt());
}

TEST_F(OptsTest, MergeLists) {
  OptsGroup g(OptsList{"machine", "type", true, {}});
  Error err;
  Opts *a = g.parse("pc,accel=tcg", true, false, nullptr, &err);
  Opts *b = g.parse("usb=on", false, false, nullptr, &err);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a->get("type"), "pc");
  EXPECT_EQ(a->get("usb"), "on");
}

TEST_F(OptsTest, LastValueWins) {
  OptsGroup g(drive_like());
  Error err;
  Opts *o = g.parse("snapshot=on,snapshot=off", false, false, nullptr, &err);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->get("snapshot"), "off");
}

TEST_F(OptsTest, PrintHelpSortedAndAligned) {
  testing::internal::CaptureStdout();
  print_opts_help(OptsList{"raw",
                           "",
                           false,
                           {{"size", OptType::kSize, "Virtual disk size", ""},
                            {"extent_size_hint", OptType::kSize,
                             "Extent size hint for the image file, 0 to disable", ""},
                            {"nocow", OptType::kBool, "Turn off copy-on-write", ""}}},
                  true);
  EXPECT_EQ(testing::internal::GetCapturedStdout(),
            "raw options:\n"
            "  extent_size_hint=<size> - Extent size hint for the image file, 0 to disable\n"
            "  nocow=<bool (on/off)>  - Turn off copy-on-write\n"
            "  size=<size>            - Virtual disk size\n");
}

TEST_F(OptsTest, EscapeRoundTrip) {
  for (std::string v : {"", "a", ",", "a,,b", ",x,"}) {
    OptsGroup g(drive_like());
    Error err;
    Opts *o = g.parse("k=" + escape_opt_value(v) + ",z=1", false, false, nullptr, &err);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->get("k"), v);
    EXPECT_EQ(o->get("z"), "1");
  }
}

}  // namespace
}  // namespace qemu
