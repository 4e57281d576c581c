// QEMU's keyval syntax (used by --object in the tools, -blockdev, -audiodev):
// "key=val,a.b=val" with ",," escaping, dotted keys building nested dictionaries, numeric
// fragments building lists ("server.0.host"), an optional implied first key, "help"/"?".
// Unlike QemuOpts there are no short-form booleans; a repeated key replaces the earlier value.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace qemu {

class KeyvalNode {
 public:
  enum class Kind { kString, kDict, kList };

  static std::unique_ptr<KeyvalNode> make_string(std::string s);
  static std::unique_ptr<KeyvalNode> make_dict();

  Kind kind() const { return kind_; }
  const std::string &str() const { return str_; }
  // Dict members in first-seen order; list elements with their index as name.
  const std::vector<std::pair<std::string, std::unique_ptr<KeyvalNode>>> &members() const {
    return members_;
  }
  const KeyvalNode *find(std::string_view key) const;
  // A string member, or null.
  const std::string *find_str(std::string_view key) const;

  // A JSON rendering (strings, objects, arrays), used in tests and error messages.
  std::string to_json() const;

 private:
  friend class KeyvalParser;
  KeyvalNode *find_mut(std::string_view key);
  void put(std::string key, std::unique_ptr<KeyvalNode> v);

  Kind kind_ = Kind::kDict;
  std::string str_;
  std::vector<std::pair<std::string, std::unique_ptr<KeyvalNode>>> members_;
};

// Parses params into a dictionary. If help is null, a help request is an error
// ("Help is not available for this option"); otherwise *help tells whether it was asked.
std::unique_ptr<KeyvalNode> keyval_parse(std::string_view params, std::string_view implied_key,
                                         bool *help, Error *err);

}  // namespace qemu
