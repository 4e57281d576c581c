// QEMU's option syntax (QemuOpts): "key=val,key2=val2" with ",," escaping a comma, an implied
// first key ("-device e1000" means driver=e1000), short-form booleans ("readonly", "noreadonly",
// deprecated with QEMU's warning), "help"/"?" to list the accepted keys, an "id" that must be
// an identifier and unique within its option group.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace qemu {

enum class OptType { kString, kBool, kNumber, kSize };

struct OptDesc {
  std::string name;
  OptType type = OptType::kString;
  std::string help;
  std::string def_value;  // shown in help; empty if none
};

// The description of one option group, such as -drive or -device.
struct OptsList {
  std::string name;
  std::string implied_opt_name;  // empty: none
  bool merge_lists = false;      // repeated options with no id merge into one
  std::vector<OptDesc> desc;     // empty: any key is accepted (validated later)

  bool accepts_any() const { return desc.empty(); }
  const OptDesc *find_desc(std::string_view key) const;
};

struct Opt {
  std::string name;
  std::string str;
  const OptDesc *desc = nullptr;
  bool boolean = false;  // kBool
  uint64_t number = 0;   // kNumber, kSize
};

// One parsed occurrence of an option group (or several merged ones).
class Opts {
 public:
  explicit Opts(const OptsList *list, std::string id) : list_(list), id_(std::move(id)) {}

  const OptsList &list() const { return *list_; }
  const std::string &id() const { return id_; }  // empty: none
  const std::vector<Opt> &opts() const { return opts_; }

  // The last value given for a key, if any.
  const Opt *find(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  bool get_bool(std::string_view name, bool def) const;
  uint64_t get_number(std::string_view name, uint64_t def) const;
  uint64_t get_size(std::string_view name, uint64_t def) const;
  bool has_help_opt() const;

  // Sets a key as if it were parsed (validated against the list's descriptions).
  bool set(std::string_view name, std::string_view value, Error *err);
  void erase(std::string_view name);

 private:
  friend class OptsGroup;
  const OptsList *list_;
  std::string id_;
  std::vector<Opt> opts_;
};

// Validates a value for a typed key, filling opt.boolean/opt.number.
bool opt_parse_value(Opt &opt, Error *err);

// QEMU's boolean spellings: on/yes/true/y and off/no/false/n.
bool parse_bool_value(std::string_view name, std::string_view value, bool *out, Error *err);

// "help" or "?".
bool is_help_option(std::string_view s);

// Identifiers: letters, digits, '-', '.', '_', starting with a letter.
bool id_wellformed(std::string_view id);

// All occurrences of one option group on a command line.
class OptsGroup {
 public:
  explicit OptsGroup(OptsList list) : list_(std::move(list)) {}

  const OptsList &list() const { return list_; }
  const std::vector<std::unique_ptr<Opts>> &all() const { return all_; }
  Opts *find(std::string_view id) const;

  // Creates (or with merge_lists, finds) the Opts for an id.
  Opts *create(std::string_view id, bool fail_if_exists, Error *err);

  // Parses one argument. If help_wanted is non-null and a "help" or "?" flag is present,
  // sets it and returns null without an error. warn_on_flag warns on short-form booleans.
  Opts *parse(std::string_view params, bool permit_abbrev, bool warn_on_flag, bool *help_wanted,
              Error *err);

  // Parses one argument as the command line does: reports errors (or prints the list of keys
  // when help is asked for) and returns null in that case.
  Opts *parse_noisily(std::string_view params, bool permit_abbrev);

  void remove(Opts *opts);

 private:
  OptsList list_;
  std::vector<std::unique_ptr<Opts>> all_;
};

// Prints the accepted keys of a list to stdout, as "-drive help" style listings do.
void print_opts_help(const OptsList &list, bool print_caption);

// Splits "key=val,..." into pairs exactly as the QemuOpts parser does, without validation.
// firstname: the implied key of the first element (empty for none).
struct OptPair {
  std::string name;
  std::string value;
  bool is_flag = false;  // written without '=' (short-form boolean or help)
  std::string raw_name;  // the flag as written ("noreadonly")
};
std::vector<OptPair> split_opts(std::string_view params, std::string_view firstname);

// Escapes commas for QemuOpts values (',' -> ",,").
std::string escape_opt_value(std::string_view value);

}  // namespace qemu
