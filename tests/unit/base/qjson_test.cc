#include "base/qjson.h"

#include <gtest/gtest.h>

namespace qemu {
namespace {

// Orders observed from QEMU 7.2's qemu-img (keys inserted in QAPI field order).
TEST(QJson, ImageInfoOrderMatchesQemu) {
  Json j;
  j["filename"] = "ov.qcow2";
  j["format"] = "qcow2";
  j["dirty-flag"] = false;
  j["actual-size"] = 208896;
  j["virtual-size"] = 1073741824;
  j["cluster-size"] = 65536;
  j["backing-filename"] = "t.qcow2";
  j["full-backing-filename"] = "t.qcow2";
  j["backing-filename-format"] = "qcow2";
  j["snapshots"] = Json::array();
  j["format-specific"] = Json::object();
  std::string s = qjson_pretty(j);
  std::vector<std::string> expect = {"backing-filename-format",
                                     "snapshots",
                                     "virtual-size",
                                     "filename",
                                     "cluster-size",
                                     "format",
                                     "actual-size",
                                     "format-specific",
                                     "full-backing-filename",
                                     "backing-filename",
                                     "dirty-flag"};
  size_t pos = 0;
  for (const auto &k : expect) {
    size_t p = s.find("\"" + k + "\"", pos);
    ASSERT_NE(p, std::string::npos) << k << " out of order in\n" << s;
    pos = p;
  }
}

TEST(QJson, SnapshotOrderMatchesQemu) {
  Json j;
  for (const char *k : {"id", "name", "vm-state-size", "date-sec", "date-nsec", "vm-clock-sec",
                        "vm-clock-nsec", "icount"})
    j[k] = 0;
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::vector<std::string> got;
  for (size_t i : qdict_order(keys)) got.push_back(keys[i]);
  EXPECT_EQ(got, (std::vector<std::string>{"icount", "vm-clock-nsec", "name", "date-sec",
                                           "date-nsec", "vm-clock-sec", "id", "vm-state-size"}));
}

TEST(QJson, CheckOrderMatchesQemu) {
  Json j;
  for (const char *k : {"filename", "format", "check-errors", "image-end-offset", "total-clusters"})
    j[k] = 0;
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::vector<std::string> got;
  for (size_t i : qdict_order(keys)) got.push_back(keys[i]);
  EXPECT_EQ(got, (std::vector<std::string>{"image-end-offset", "total-clusters", "check-errors",
                                           "filename", "format"}));
}

TEST(QJson, PrettyLayout) {
  Json j;
  j["a"] = Json::array({1, 2});
  j["b"] = Json::object();
  j["b"]["c"] = true;
  std::string s = qjson_pretty(j);
  EXPECT_NE(s.find("[\n        1,\n        2\n    ]"), std::string::npos) << s;
  EXPECT_NE(s.find("{\n        \"c\": true\n    }"), std::string::npos) << s;
}

TEST(QJson, StringEscapes) {
  EXPECT_EQ(qjson_string("\xc3\xa9\"q/\\\n\x01"), R"("\u00E9\"q/\\\n\u0001")");
  EXPECT_EQ(qjson_string("\xf0\x9f\x98\x80"), R"("\uD83D\uDE00")");
  EXPECT_EQ(qjson_string("\xff"), R"("\uFFFD")");
}

}  // namespace
}  // namespace qemu
