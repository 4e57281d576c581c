#include "base/opts.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>

#include "base/number.h"
#include "base/size.h"

namespace qemu {
namespace {

// Reads a value up to an unescaped ',' (",," stands for one comma). Returns the position
// after the value.
size_t read_value(std::string_view s, size_t pos, std::string *out) {
  out->clear();
  while (pos < s.size()) {
    if (s[pos] == ',') {
      if (pos + 1 < s.size() && s[pos + 1] == ',') {
        out->push_back(',');
        pos += 2;
        continue;
      }
      break;
    }
    out->push_back(s[pos++]);
  }
  return pos;
}

// Reads one "name=value", "flag" or implied value; returns the position of the next element.
size_t read_pair(std::string_view s, size_t pos, std::string_view firstname, OptPair *pair) {
  size_t len = s.substr(pos).find_first_of("=,");
  if (len == std::string_view::npos) len = s.size() - pos;
  *pair = OptPair{};
  if (pos + len >= s.size() || s[pos + len] != '=') {
    if (!firstname.empty()) {
      pair->name = std::string(firstname);
      pos = read_value(s, pos, &pair->value);
    } else {
      // A flag: "name" means name=on, "noname" means name=off.
      pair->is_flag = true;
      pair->raw_name = std::string(s.substr(pos, len));
      pos += len;
      if (pair->raw_name.compare(0, 2, "no") == 0) {
        pair->name = pair->raw_name.substr(2);
        pair->value = "off";
      } else {
        pair->name = pair->raw_name;
        pair->value = "on";
      }
    }
  } else {
    pair->name = std::string(s.substr(pos, len));
    pos = read_value(s, pos + len + 1, &pair->value);
  }
  if (pos < s.size() && s[pos] == ',') pos++;
  return pos;
}

const char *type_name(OptType t) {
  switch (t) {
    case OptType::kString:
      return "str";
    case OptType::kBool:
      return "bool (on/off)";
    case OptType::kNumber:
      return "num";
    case OptType::kSize:
      return "size";
  }
  return "?";
}

}  // namespace

std::vector<OptPair> split_opts(std::string_view params, std::string_view firstname) {
  std::vector<OptPair> out;
  size_t pos = 0;
  while (pos < params.size()) {
    OptPair pair;
    pos = read_pair(params, pos, firstname, &pair);
    firstname = {};
    out.push_back(std::move(pair));
  }
  return out;
}

std::string escape_opt_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    out.push_back(c);
    if (c == ',') out.push_back(',');
  }
  return out;
}

bool is_help_option(std::string_view s) {
  return s == "help" || s == "?";
}

bool id_wellformed(std::string_view id) {
  if (id.empty() || !isalpha(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin() + 1, id.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

bool parse_bool_value(std::string_view name, std::string_view value, bool *out, Error *err) {
  if (value == "on" || value == "yes" || value == "true" || value == "y") {
    *out = true;
    return true;
  }
  if (value == "off" || value == "no" || value == "false" || value == "n") {
    *out = false;
    return true;
  }
  if (err) *err = Error::make("Parameter '{}' expects 'on' or 'off'", name);
  return false;
}

bool opt_parse_value(Opt &opt, Error *err) {
  if (!opt.desc) return true;
  switch (opt.desc->type) {
    case OptType::kString:
      return true;
    case OptType::kBool:
      return parse_bool_value(opt.name, opt.str, &opt.boolean, err);
    case OptType::kNumber: {
      int r = parse_u64(opt.str, 0, &opt.number);
      if (r == -ERANGE) {
        if (err)
          *err = Error::make("Value '{}' is too large for parameter '{}'", opt.str, opt.name);
        return false;
      }
      if (r) {
        if (err) *err = Error::make("Parameter '{}' expects a number", opt.name);
        return false;
      }
      return true;
    }
    case OptType::kSize: {
      int r = parse_size(opt.str, &opt.number);
      if (r == -ERANGE) {
        if (err)
          *err = Error::make("Value '{}' is out of range for parameter '{}'", opt.str, opt.name);
        return false;
      }
      if (r) {
        if (err) {
          *err = Error::make("Parameter '{}' expects a non-negative number below 2^64", opt.name);
          err->with_hint(
              "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
              "and exabytes, respectively.\n");
        }
        return false;
      }
      return true;
    }
  }
  return true;
}

const OptDesc *OptsList::find_desc(std::string_view key) const {
  for (const OptDesc &d : desc)
    if (d.name == key) return &d;
  return nullptr;
}

const Opt *Opts::find(std::string_view name) const {
  for (auto it = opts_.rbegin(); it != opts_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

std::optional<std::string> Opts::get(std::string_view name) const {
  const Opt *o = find(name);
  if (o) return o->str;
  return std::nullopt;
}

bool Opts::get_bool(std::string_view name, bool def) const {
  const Opt *o = find(name);
  if (!o) return def;
  if (o->desc) return o->boolean;
  bool v = def;
  parse_bool_value(name, o->str, &v, nullptr);
  return v;
}

uint64_t Opts::get_number(std::string_view name, uint64_t def) const {
  const Opt *o = find(name);
  if (!o) return def;
  if (o->desc) return o->number;
  uint64_t v = def;
  return parse_u64(o->str, 0, &v) == 0 ? v : def;
}

uint64_t Opts::get_size(std::string_view name, uint64_t def) const {
  const Opt *o = find(name);
  if (!o) return def;
  if (o->desc) return o->number;
  uint64_t v = def;
  return parse_size(o->str, &v) == 0 ? v : def;
}

bool Opts::has_help_opt() const {
  return std::any_of(opts_.begin(), opts_.end(),
                     [](const Opt &o) { return is_help_option(o.name); });
}

bool Opts::set(std::string_view name, std::string_view value, Error *err) {
  Opt opt;
  opt.name = std::string(name);
  opt.str = std::string(value);
  opt.desc = list_->find_desc(name);
  if (!opt.desc && !list_->accepts_any()) {
    if (err) *err = Error::make("Invalid parameter '{}'", name);
    return false;
  }
  if (!opt_parse_value(opt, err)) return false;
  opts_.push_back(std::move(opt));
  return true;
}

void Opts::erase(std::string_view name) {
  std::erase_if(opts_, [&](const Opt &o) { return o.name == name; });
}

Opts *OptsGroup::find(std::string_view id) const {
  for (const auto &o : all_)
    if (o->id() == id) return o.get();
  return nullptr;
}

Opts *OptsGroup::create(std::string_view id, bool fail_if_exists, Error *err) {
  if (!id.empty()) {
    if (!id_wellformed(id)) {
      *err = Error::make("Parameter 'id' expects an identifier");
      err->with_hint(
          "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n");
      return nullptr;
    }
    if (Opts *existing = find(id)) {
      if (fail_if_exists && !list_.merge_lists) {
        *err = Error::make("Duplicate ID '{}' for {}", id, list_.name);
        return nullptr;
      }
      return existing;
    }
  } else if (list_.merge_lists) {
    if (Opts *existing = find("")) return existing;
  }
  all_.push_back(std::make_unique<Opts>(&list_, std::string(id)));
  return all_.back().get();
}

Opts *OptsGroup::parse(std::string_view params, bool permit_abbrev, bool warn_on_flag,
                       bool *help_wanted, Error *err) {
  // The id is taken from the first "id=" element, parsed without an implied key.
  std::vector<OptPair> pairs = split_opts(params, {});
  bool has_id = false;
  std::string id;
  for (const OptPair &p : pairs) {
    if (p.name == "id") {
      has_id = true;
      id = p.value;
      break;
    }
  }
  // "id=" (empty) is malformed, unlike no id at all.
  if (has_id && id.empty()) {
    *err = Error::make("Parameter 'id' expects an identifier");
    err->with_hint(
        "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n");
    return nullptr;
  }
  Opts *opts = create(id, !list_.merge_lists, err);
  if (!opts) return nullptr;
  size_t first_new = opts->opts_.size();

  std::string_view firstname = permit_abbrev ? std::string_view(list_.implied_opt_name) : "";
  size_t pos = 0;
  while (pos < params.size()) {
    OptPair pair;
    pos = read_pair(params, pos, firstname, &pair);
    firstname = {};
    bool help = pair.is_flag && is_help_option(pair.raw_name);
    if (help && help_wanted) {
      *help_wanted = true;
      break;
    }
    if (pair.is_flag && !help && warn_on_flag) {
      warn_report_err(
          Error::make("short-form boolean option '{}' deprecated", pair.raw_name)
              .with_hint(fmt::format("Please use {}={} instead\n", pair.name, pair.value)));
    }
    if (pair.name == "id") continue;
    if (!opts->set(pair.name, pair.value, err)) {
      help_wanted = nullptr;
      break;
    }
  }
  if ((help_wanted && *help_wanted) || !err->msg.empty()) {
    // Undo: drop what this call added (and the Opts itself if it was new and is now empty).
    opts->opts_.resize(first_new);
    if (first_new == 0) remove(opts);
    return nullptr;
  }
  return opts;
}

Opts *OptsGroup::parse_noisily(std::string_view params, bool permit_abbrev) {
  Error err;
  bool help = false;
  Opts *opts = parse(params, permit_abbrev, true, list_.accepts_any() ? nullptr : &help, &err);
  if (!opts) {
    if (help) {
      print_opts_help(list_, true);
    } else {
      error_report_err(err);
    }
  }
  return opts;
}

void OptsGroup::remove(Opts *opts) {
  std::erase_if(all_, [&](const std::unique_ptr<Opts> &o) { return o.get() == opts; });
}

void print_opts_help(const OptsList &list, bool print_caption) {
  std::vector<std::string> lines;
  for (const OptDesc &d : list.desc) {
    std::string line = fmt::format("  {}=<{}>", d.name, type_name(d.type));
    if (!d.help.empty()) {
      if (line.size() < 24) line.append(24 - line.size(), ' ');
      line += " - " + d.help;
    }
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  if (print_caption && !lines.empty()) {
    if (list.name.empty()) {
      printf("Options:\n");
    } else {
      printf("%s options:\n", list.name.c_str());
    }
  } else if (lines.empty()) {
    if (!list.name.empty()) {
      printf("There are no options for %s.\n", list.name.c_str());
    } else {
      printf("No options available.\n");
    }
  }
  for (const std::string &l : lines) printf("%s\n", l.c_str());
}

}  // namespace qemu
