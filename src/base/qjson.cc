#include "base/qjson.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>

namespace qemu {
namespace {

constexpr unsigned kBuckets = 512;

// QDict's bucket hash (the TDB string hash).
unsigned bucket_of(std::string_view key) {
  uint32_t value = 0x238F13AFu * static_cast<uint32_t>(key.size());
  for (size_t i = 0; i < key.size(); i++) {
    value += static_cast<uint32_t>(static_cast<unsigned char>(key[i])) << (i * 5 % 24);
  }
  return (1103515243u * value + 12345u) % kBuckets;
}

// Decodes one UTF-8 sequence at s[i]; returns the code point or -1 if invalid.
long utf8_decode(std::string_view s, size_t *i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    (*i)++;
    return -1;
  }
  long cp = len == 1 ? c : c & (0x7f >> len);
  for (int k = 1; k < len; k++) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc >> 6) != 2) {
      (*i)++;
      return -1;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  *i += len;
  return cp;
}

void emit(std::string &out, const Json &v, bool pretty, int indent) {
  auto newline = [&](int level) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<size_t>(level) * 4, ' ');
  };
  switch (v.type()) {
    case Json::value_t::object: {
      std::vector<std::string> keys;
      std::vector<const Json *> vals;
      for (auto it = v.begin(); it != v.end(); ++it) {
        keys.push_back(it.key());
        vals.push_back(&it.value());
      }
      out += '{';
      std::vector<size_t> order = qdict_order(keys);
      for (size_t n = 0; n < order.size(); n++) {
        if (n) out += pretty ? "," : ", ";
        newline(indent + 1);
        out += qjson_string(keys[order[n]]);
        out += ": ";
        emit(out, *vals[order[n]], pretty, indent + 1);
      }
      newline(indent);
      out += '}';
      break;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json &e : v) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        newline(indent + 1);
        emit(out, e, pretty, indent + 1);
      }
      newline(indent);
      out += ']';
      break;
    }
    case Json::value_t::string:
      out += qjson_string(v.get_ref<const std::string &>());
      break;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      break;
    case Json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      break;
    case Json::value_t::number_float:
      out += fmt::format("{:.17g}", v.get<double>());
      break;
    default:
      out += "null";
  }
}

}  // namespace

std::vector<size_t> qdict_order(const std::vector<std::string> &keys) {
  // Buckets in ascending order; within a bucket the newest entry comes first. A repeated key
  // keeps its first position (QDict replaces the value in place).
  std::vector<size_t> idx;
  for (size_t i = 0; i < keys.size(); i++) {
    bool dup = false;
    for (size_t j = 0; j < i; j++) dup |= keys[j] == keys[i];
    if (!dup) idx.push_back(i);
  }
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    unsigned ba = bucket_of(keys[a]), bb = bucket_of(keys[b]);
    if (ba != bb) return ba < bb;
    return a > b;
  });
  return idx;
}

std::string qjson_string(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    long cp = utf8_decode(s, &i);
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (cp < 0) {
          out += "\\uFFFD";
        } else if (cp < 0x20 || cp >= 0x7f) {
          if (cp >= 0x10000) {  // a surrogate pair
            long v = cp - 0x10000;
            out += fmt::format("\\u{:04X}\\u{:04X}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3ff));
          } else {
            out += fmt::format("\\u{:04X}", cp);
          }
        } else {
          out += static_cast<char>(cp);
        }
    }
  }
  out += '"';
  return out;
}

std::string qjson_pretty(const Json &v) {
  std::string out;
  emit(out, v, true, 0);
  return out;
}

std::string qjson_compact(const Json &v) {
  std::string out;
  emit(out, v, false, 0);
  return out;
}

}  // namespace qemu
