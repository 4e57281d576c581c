#include "base/keyval.h"

#include <gtest/gtest.h>

namespace qemu {
namespace {

std::string parse(std::string_view s, std::string_view implied = "", bool *help = nullptr) {
  Error err;
  auto n = keyval_parse(s, implied, help, &err);
  return n ? n->to_json() : "error: " + err.msg;
}

TEST(Keyval, Basic) {
  EXPECT_EQ(parse("a=1,b=x,,y"), R"({"a": "1", "b": "x,y"})");
  EXPECT_EQ(parse(""), "{}");
  EXPECT_EQ(parse("a="), R"({"a": ""})");
}

TEST(Keyval, DottedKeysNest) {
  EXPECT_EQ(parse("file.driver=file,file.filename=x,driver=qcow2"),
            R"({"driver": "qcow2", "file": {"driver": "file", "filename": "x"}})");
}

TEST(Keyval, LastOneWins) {
  EXPECT_EQ(parse("a=1,a=2"), R"({"a": "2"})");
}

TEST(Keyval, Lists) {
  EXPECT_EQ(parse("s.0.host=a,s.1.host=b"), R"({"s": [{"host": "a"}, {"host": "b"}]})");
  EXPECT_EQ(parse("s.1=b,s.0=a"), R"({"s": ["a", "b"]})");
  EXPECT_EQ(parse("s.0=a,s.2=c"), "error: Parameter 's.1' missing");
  EXPECT_EQ(parse("s.0=a,s.x=c"), "error: Parameters 's.*' used inconsistently");
}

TEST(Keyval, Errors) {
  EXPECT_EQ(parse("a=1,a.b=2"), "error: Parameters 'a.*' used inconsistently");
  EXPECT_EQ(parse("a.b=2,a=1"), "error: Parameters 'a.*' used inconsistently");
  EXPECT_EQ(parse("a"), "error: Expected '=' after parameter 'a'");
  EXPECT_EQ(parse("1a=1"), "error: Invalid parameter '1a'");
  EXPECT_EQ(parse("a..b=1"), "error: Invalid parameter 'a..b'");
  EXPECT_EQ(parse("=1"), "error: Invalid parameter ''");
  EXPECT_EQ(parse(std::string(128, 'a') + "=1"),
            "error: Parameter '" + std::string(128, 'a') + "' is too long");
  EXPECT_EQ(parse("help"), "error: Help is not available for this option");
}

TEST(Keyval, ImpliedKeyAndHelp) {
  EXPECT_EQ(parse("secret,id=s0", "qom-type"), R"({"id": "s0", "qom-type": "secret"})");
  bool help = false;
  EXPECT_EQ(parse("secret,help", "qom-type", &help), R"({"qom-type": "secret"})");
  EXPECT_TRUE(help);
  help = false;
  EXPECT_EQ(parse("?", "qom-type", &help), "{}");
  EXPECT_TRUE(help);
}

TEST(Keyval, DownstreamNames) {
  EXPECT_EQ(parse("__com.redhat_x=1"), R"({"__com.redhat_x": "1"})");
}

}  // namespace
}  // namespace qemu
