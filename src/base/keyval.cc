#include "base/keyval.h"

#include <algorithm>
#include <cctype>
#include <climits>

namespace qemu {
namespace {

// The length of a QAPI name at s ("__vendor.name_" prefixes allowed), or -1.
int qapi_name_length(std::string_view s) {
  size_t p = 0;
  auto at = [&](size_t i) -> int { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0; };
  if (at(p) == '_') {
    p++;
    if (at(p) != '_') return -1;
    while (++p < s.size() && (isalnum(at(p)) || at(p) == '-' || at(p) == '.')) {
    }
    if (at(p) != '_') return -1;
    p++;
  }
  if (!isalpha(at(p))) return -1;
  while (++p < s.size() && (isalnum(at(p)) || at(p) == '-' || at(p) == '_')) {
  }
  return static_cast<int>(p);
}

// A list index fragment: decimal digits ending the key or followed by '.'. Returns the index
// and its length, or -1.
long key_index(std::string_view s, size_t *len) {
  size_t n = 0;
  long v = 0;
  while (n < s.size() && isdigit(static_cast<unsigned char>(s[n]))) {
    v = v * 10 + (s[n] - '0');
    if (v > INT_MAX) return -1;
    n++;
  }
  if (n == 0 || (n < s.size() && s[n] != '.')) return -1;
  *len = n;
  return v;
}

size_t help_prefix_length(std::string_view s) {
  if (!s.empty() && s[0] == '?') return 1;
  if (s.substr(0, 4) == "help") return 4;
  return 0;
}

void json_string(std::string &out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

class KeyvalParser {
 public:
  // Stores value (a string, or null for "a dictionary here") under key in cur. full_key is
  // the whole key for error messages.
  static KeyvalNode *put(KeyvalNode *cur, const std::string &key, std::unique_ptr<KeyvalNode> value,
                         std::string_view full_key, Error *err) {
    KeyvalNode *old = cur->find_mut(key);
    bool want_string = value != nullptr;
    if (old) {
      if ((old->kind_ == KeyvalNode::Kind::kString) != want_string) {
        *err = Error::make("Parameters '{}.*' used inconsistently", full_key);
        return nullptr;
      }
      if (!want_string) return old;
    }
    if (!value) value = KeyvalNode::make_dict();
    KeyvalNode *raw = value.get();
    cur->put(key, std::move(value));
    return raw;
  }

  static const char *parse_one(KeyvalNode *root, std::string_view params, size_t *pos,
                               std::string_view implied_key, bool *help, Error *err) {
    std::string_view rest = params.substr(*pos);
    size_t len = rest.find_first_of("=,");
    if (len == std::string_view::npos) len = rest.size();
    std::string_view key = rest;
    bool implied = false;
    size_t val_end = 0;
    if (len && (len >= rest.size() || rest[len] != '=')) {
      if (help_prefix_length(rest) == len) {
        *help = true;
        *pos += len;
        if (*pos < params.size() && params[*pos] == ',') (*pos)++;
        return "";
      }
      if (!implied_key.empty()) {
        implied = true;
        val_end = len;
        key = implied_key;
        len = implied_key.size();
      }
    }
    std::string_view whole_key = key.substr(0, len);

    // Walk the key fragments separated by '.'.
    KeyvalNode *cur = root;
    std::string frag;
    size_t s = 0;
    for (;;) {
      size_t flen = 0;
      size_t ilen = 0;
      if (s != 0 && key_index(whole_key.substr(s), &ilen) >= 0) {
        flen = ilen;
      } else {
        int n = qapi_name_length(whole_key.substr(s));
        flen = n < 0 ? 0 : static_cast<size_t>(n);
      }
      if (!flen || (s + flen < whole_key.size() && whole_key[s + flen] != '.')) {
        *err = Error::make("Invalid parameter '{}'", whole_key);
        return nullptr;
      }
      if (flen >= 128) {
        bool fragment = s != 0 || s + flen != whole_key.size();
        *err = Error::make("Parameter{} '{}' is too long", fragment ? " fragment" : "",
                           whole_key.substr(s, flen));
        return nullptr;
      }
      if (s != 0) {
        cur = put(cur, frag, nullptr, whole_key.substr(0, s - 1), err);
        if (!cur) return nullptr;
      }
      frag = std::string(whole_key.substr(s, flen));
      s += flen;
      if (s >= whole_key.size() || whole_key[s] != '.') break;
      s++;
    }

    std::string val;
    size_t p;
    if (implied) {
      val = std::string(rest.substr(0, val_end));
      p = val_end;
      if (p < rest.size() && rest[p] == ',') p++;
    } else {
      if (s >= rest.size() || rest[s] != '=') {
        *err = Error::make("Expected '=' after parameter '{}'", rest.substr(0, s));
        return nullptr;
      }
      p = s + 1;
      while (p < rest.size()) {
        if (rest[p] == ',') {
          p++;
          if (p >= rest.size() || rest[p] != ',') break;
        }
        val.push_back(rest[p++]);
      }
    }
    if (!put(cur, frag, KeyvalNode::make_string(std::move(val)), whole_key, err)) return nullptr;
    *pos += p;
    return "";
  }

  // Turns dictionaries whose keys are all indices into lists.
  static bool listify(KeyvalNode *cur, const std::string &prefix, Error *err) {
    bool has_index = false, has_member = false;
    for (auto &[k, v] : cur->members_) {
      size_t ilen;
      if (key_index(k, &ilen) >= 0 && ilen == k.size()) {
        has_index = true;
      } else {
        has_member = true;
      }
      if (v->kind_ == KeyvalNode::Kind::kDict && !listify(v.get(), prefix + k + ".", err))
        return false;
    }
    if (has_index && has_member) {
      *err = Error::make("Parameters '{}*' used inconsistently", prefix);
      return false;
    }
    if (!has_index) return true;
    // Indices must be exactly 0..n-1; name the first one that is absent.
    size_t n = cur->members_.size();
    std::vector<bool> present(n, false);
    for (auto &m : cur->members_) {
      size_t i = std::stoul(m.first);
      if (i < n) present[i] = true;
    }
    size_t missing = std::find(present.begin(), present.end(), false) - present.begin();
    if (missing < n) {
      *err = Error::make("Parameter '{}{}' missing", prefix, missing);
      return false;
    }
    std::vector<std::pair<std::string, std::unique_ptr<KeyvalNode>>> elems(n);
    for (auto &[k, v] : cur->members_) {
      size_t i = std::stoul(k);
      elems[i] = {std::to_string(i), std::move(v)};
    }
    cur->members_ = std::move(elems);
    cur->kind_ = KeyvalNode::Kind::kList;
    return true;
  }
};

std::unique_ptr<KeyvalNode> KeyvalNode::make_string(std::string s) {
  auto n = std::make_unique<KeyvalNode>();
  n->kind_ = Kind::kString;
  n->str_ = std::move(s);
  return n;
}

std::unique_ptr<KeyvalNode> KeyvalNode::make_dict() {
  return std::make_unique<KeyvalNode>();
}

KeyvalNode *KeyvalNode::find_mut(std::string_view key) {
  for (auto &[k, v] : members_)
    if (k == key) return v.get();
  return nullptr;
}

const KeyvalNode *KeyvalNode::find(std::string_view key) const {
  return const_cast<KeyvalNode *>(this)->find_mut(key);
}

const std::string *KeyvalNode::find_str(std::string_view key) const {
  const KeyvalNode *n = find(key);
  return n && n->kind_ == Kind::kString ? &n->str_ : nullptr;
}

void KeyvalNode::put(std::string key, std::unique_ptr<KeyvalNode> v) {
  for (auto &[k, old] : members_) {
    if (k == key) {
      old = std::move(v);
      return;
    }
  }
  members_.emplace_back(std::move(key), std::move(v));
}

std::string KeyvalNode::to_json() const {
  std::string out;
  switch (kind_) {
    case Kind::kString:
      json_string(out, str_);
      break;
    case Kind::kDict: {
      std::vector<const std::pair<std::string, std::unique_ptr<KeyvalNode>> *> sorted;
      for (const auto &m : members_) sorted.push_back(&m);
      std::sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->first < b->first; });
      out += '{';
      for (size_t i = 0; i < sorted.size(); i++) {
        if (i) out += ", ";
        json_string(out, sorted[i]->first);
        out += ": ";
        out += sorted[i]->second->to_json();
      }
      out += '}';
      break;
    }
    case Kind::kList:
      out += '[';
      for (size_t i = 0; i < members_.size(); i++) {
        if (i) out += ", ";
        out += members_[i].second->to_json();
      }
      out += ']';
      break;
  }
  return out;
}

std::unique_ptr<KeyvalNode> keyval_parse(std::string_view params, std::string_view implied_key,
                                         bool *help, Error *err) {
  auto root = KeyvalNode::make_dict();
  bool want_help = false;
  size_t pos = 0;
  while (pos < params.size()) {
    if (!KeyvalParser::parse_one(root.get(), params, &pos, implied_key, &want_help, err))
      return nullptr;
    implied_key = {};
  }
  if (!KeyvalParser::listify(root.get(), "", err)) return nullptr;
  if (help) {
    *help = want_help;
  } else if (want_help) {
    *err = Error::make("Help is not available for this option");
    return nullptr;
  }
  return root;
}

}  // namespace qemu
