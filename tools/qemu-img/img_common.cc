#include "tools/qemu-img/img_common.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "base/keyval.h"
#include "base/size.h"
#include "base/version.h"
#include "block/create_opts.h"
#include "block/file.h"
#include "block/image.h"

namespace qemu::img {

void error_exit(std::string_view msg) {
  error_report("{}", msg);
  fprintf(stderr, "Try 'qemu-img --help' for more information\n");
  exit(EXIT_FAILURE);
}

void unrecognized_option(const char *option) {
  error_exit(fmt::format("unrecognized option '{}'", option));
}

void missing_argument(const char *option) {
  error_exit(fmt::format("missing argument for option '{}'", option));
}

bool handle_common_getopt(int c, char **argv) {
  switch (c) {
    case ':':
      missing_argument(argv[optind - 1]);
    case '?':
      unrecognized_option(argv[optind - 1]);
    case 'h':
      print_help();
      exit(EXIT_SUCCESS);
    default:
      return false;
  }
}

bool parse_output_format(const char *arg, OutputFormat *out) {
  std::string_view s(arg);
  if (s == "json") {
    *out = OutputFormat::kJson;
    return true;
  }
  if (s == "human") {
    *out = OutputFormat::kHuman;
    return true;
  }
  error_report("--output must be used with human or json as argument.");
  return false;
}

void qprintf(bool quiet, const char *fmt, ...) {
  if (quiet) return;
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

int64_t cvtnum_full(const char *name, const char *value, int64_t min, int64_t max) {
  uint64_t v;
  int r = parse_size(value, &v);
  if (r < 0 && r != -ERANGE) {
    error_report("Invalid {} specified. You may use k, M, G, T, P or E suffixes for", name);
    error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
    return r;
  }
  if (r == -ERANGE || v > static_cast<uint64_t>(max) || v < static_cast<uint64_t>(min)) {
    error_report("Invalid {} specified. Must be between {} and {}.", name, min, max);
    return -ERANGE;
  }
  return static_cast<int64_t>(v);
}

int64_t cvtnum(const char *name, const char *value) {
  return cvtnum_full(name, value, 0, INT64_MAX);
}

bool accumulate_options(std::string *options, const char *arg) {
  std::string_view s(arg);
  size_t i = s.size();
  while (i > 0 && s[i - 1] == ',') i--;
  if (s.empty() || s[0] == ',' || (s.size() - i) % 2) {
    error_report("Invalid option list: {}", s);
    return false;
  }
  if (!options->empty()) *options += ',';
  *options += s;
  return true;
}

bool has_help_option(std::string_view options) {
  // Each comma-separated element (",," escapes a comma) is compared whole.
  size_t i = 0;
  while (i < options.size()) {
    std::string value;
    while (i < options.size()) {
      if (options[i] == ',') {
        if (i + 1 < options.size() && options[i + 1] == ',') {
          value += ',';
          i += 2;
          continue;
        }
        break;
      }
      value += options[i++];
    }
    if (i < options.size()) i++;
    if (is_help_option(value)) return true;
  }
  return false;
}

bool parse_cache(const char *mode, block::CacheMode *out) {
  return block::parse_cache_mode(mode, out);
}

// ---- --object ----

namespace {

std::map<std::string, std::string, std::less<>> &objects() {  // id -> secret bytes ("" else)
  static std::map<std::string, std::string, std::less<>> objs;
  return objs;
}

int g_object_fail_status = EXIT_FAILURE;

[[noreturn]] void object_fail(const Error &err) {
  error_report_err(err);
  exit(g_object_fail_status);
}

bool is_identifier(std::string_view id) {
  if (id.empty() || !isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

// Base64 as glib decodes it: characters outside the alphabet are skipped, and an incomplete
// final group of four yields nothing.
std::string base64_decode(std::string_view in) {
  std::string out;
  int group[4];
  int n = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      v = -1;
    } else {
      continue;
    }
    group[n++] = v;
    if (n < 4) continue;
    n = 0;
    uint32_t acc = 0;
    int bytes = 3;
    for (int i = 0; i < 4; i++) {
      if (group[i] < 0) {
        bytes = std::min(bytes, i - 1);
        group[i] = 0;
      }
      acc = (acc << 6) | static_cast<uint32_t>(group[i]);
    }
    for (int i = 0; i < bytes; i++) out += static_cast<char>((acc >> (16 - 8 * i)) & 0xff);
  }
  return out;
}

const char *const kObjectTypes[] = {
    "authz-list",     "authz-list-file", "authz-simple",   "main-loop",      "pr-manager-helper",
    "secret",         "secret_keyring",  "thread-context", "throttle-group", "tls-cipher-suites",
    "tls-creds-anon", "tls-creds-psk",   "tls-creds-x509"};

}  // namespace

void user_creatable_add(const char *optarg, int fail_status) {
  g_object_fail_status = fail_status;
  bool help = false;
  Error err;
  auto dict = keyval_parse(optarg, "qom-type", &help, &err);
  if (!dict) object_fail(err);
  const std::string *type = dict->find_str("qom-type");
  if (help) {
    if (!type) {
      printf("List of user creatable objects:\n");
      for (const char *t : kObjectTypes) printf("  %s\n", t);
    } else if (*type == "secret") {
      printf(
          "secret options:\n  data=<string>\n  file=<string>\n"
          "  format=<QCryptoSecretFormat>\n  iv=<string>\n  keyid=<string>\n");
    } else {
      printf("%s options:\n", type->c_str());
    }
    exit(EXIT_SUCCESS);
  }
  if (!type) object_fail(Error::make("Parameter 'qom-type' is missing"));
  bool known = false;
  for (const char *t : kObjectTypes) known |= *type == t;
  if (!known) object_fail(Error::make("Parameter 'qom-type' does not accept value '{}'", *type));
  const std::string *id = dict->find_str("id");
  if (!id) object_fail(Error::make("Parameter 'id' is missing"));
  if (!is_identifier(*id)) {
    Error e = Error::make("Parameter 'id' expects an identifier");
    e.hint = "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n";
    object_fail(e);
  }
  std::string value;
  if (*type == "secret") {
    const std::string *data = nullptr, *file = nullptr, *keyid = nullptr;
    bool base64 = false;
    for (const auto &[key, v] : dict->members()) {
      if (key == "qom-type" || key == "id") continue;
      if (v->kind() != KeyvalNode::Kind::kString) {
        object_fail(Error::make("Parameters '{}.*' are unexpected", key));
      }
      if (key == "data") {
        data = &v->str();
      } else if (key == "file") {
        file = &v->str();
      } else if (key == "keyid") {
        keyid = &v->str();
      } else if (key == "iv") {
      } else if (key == "format") {
        if (v->str() != "raw" && v->str() != "base64")
          object_fail(Error::make("Parameter 'format' does not accept value '{}'", v->str()));
        base64 = v->str() == "base64";
      } else if (key == "loaded") {
        object_fail(Error::make("Property 'secret.loaded' is not writable"));
      } else {
        object_fail(Error::make("Parameter '{}' is unexpected", key));
      }
    }
    if (data && file) object_fail(Error::make("'file' and 'data' are mutually exclusive"));
    if (!data && !file) object_fail(Error::make("Either 'file' or 'data' must be provided"));
    if (data) {
      value = *data;
    } else {
      FILE *f = fopen(file->c_str(), "rb");
      if (!f) {
        object_fail(Error::make("Unable to read {}: Failed to open file \u201c{}\u201d: {}", *file,
                                *file, strerror(errno)));
      }
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) value.append(buf, n);
      fclose(f);
    }
    if (keyid) {
      // The data is encrypted (AES-256-CBC, base64) with the key of another secret: its
      // parameters are checked as QEMU checks them. Decryption is left to the first user of
      // encrypted secrets; the ciphertext is kept meanwhile.
      const std::string *key = find_secret(*keyid);
      if (!key) object_fail(Error::make("No secret with id '{}'", *keyid));
      if (key->size() != 32) object_fail(Error::make("Key should be 32 bytes in length"));
      const std::string *iv = dict->find_str("iv");
      if (!iv) object_fail(Error::make("IV is required to decrypt secret"));
      std::string ivb = base64_decode(*iv);
      if (ivb.size() != 16)
        object_fail(Error::make("IV should be 16 bytes in length not {}", ivb.size()));
      if (base64) value = base64_decode(value);
      if (value.size() % 16)
        object_fail(Error::make("Length {} must be a multiple of block size 16", value.size()));
    } else if (base64) {
      value = base64_decode(value);
    }
  }
  if (objects().count(*id)) {
    object_fail(
        Error::make("attempt to add duplicate property '{}' to object (type 'container')", *id));
  }
  objects()[*id] = std::move(value);
}

const std::string *find_secret(std::string_view id) {
  auto it = objects().find(id);
  return it == objects().end() ? nullptr : &it->second;
}

// ---- Opening images ----

std::string probe_image_format(const std::string &filename, Error *err) {
  block::FileOpenOptions fo;
  fo.locking = block::Locking::kOff;  // QEMU probes without taking locks
  auto file = block::FileNode::open(filename, fo, err);
  if (!file) return {};
  uint8_t head[2048] = {};
  int64_t len = file->length();
  size_t n = len < 0 ? 0 : std::min<uint64_t>(sizeof head, static_cast<uint64_t>(len));
  if (n && file->pread(0, head, n) < 0) n = 0;
  const block::FormatDriver *best = nullptr;
  int best_score = 0;
  for (const block::FormatDriver *d : block::format_drivers()) {
    int score = d->probe(head, n, filename);
    if (score > best_score) {
      best = d;
      best_score = score;
    }
  }
  if (best && best_score > 1) return best->name();
  // Drivers that do not probe yet: the block layer's own guess, if it names a driver.
  Error perr;
  std::string guess = block::probe_format(filename, &perr);
  if (!guess.empty() && block::find_format(guess)) return guess;
  return "raw";
}

namespace {

// cache=unsafe: the protocol layer ignores flushes (QEMU's BDRV_O_NO_FLUSH), so a format's
// ordering barriers cost nothing; everything else goes to the file as is.
class NoFlushNode : public block::Node {
 public:
  explicit NoFlushNode(std::unique_ptr<block::Node> file) : file_(std::move(file)) {
    filename_ = file_->filename();
    read_only_ = file_->read_only();
  }
  const char *driver_name() const override { return file_->driver_name(); }
  int64_t length() override { return file_->length(); }
  int pread(uint64_t offset, void *buf, size_t bytes) override {
    return file_->pread(offset, buf, bytes);
  }
  int pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) override {
    return file_->pwrite(offset, buf, bytes, flags & ~block::kWriteFua);
  }
  int pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) override {
    return file_->pwrite_zeroes(offset, bytes, flags & ~block::kWriteFua);
  }
  int discard(uint64_t offset, uint64_t bytes) override { return file_->discard(offset, bytes); }
  int flush() override { return 0; }
  int truncate(uint64_t size, bool exact, block::Prealloc prealloc, Error *err) override {
    return file_->truncate(size, exact, prealloc, err);
  }
  int block_status(uint64_t offset, uint64_t bytes, block::BlockStatus *st) override {
    return file_->block_status(offset, bytes, st);
  }
  int64_t allocated_file_size() override { return file_->allocated_file_size(); }
  int get_info(block::ImageInfo *info) override { return file_->get_info(info); }

 private:
  std::unique_ptr<block::Node> file_;
};

}  // namespace

namespace {

std::map<const block::Node *, std::string> &display_names() {
  static std::map<const block::Node *, std::string> names;
  return names;
}

// ---- json: filenames ----

// A small JSON reader with QEMU's messages (it also accepts single-quoted strings, as QEMU's
// parser does) that flattens objects into dotted keys ("file.filename") and lists into
// numbered ones ("a.0"); nulls are dropped, booleans become on/off.
class JsonFlattener {
 public:
  explicit JsonFlattener(std::string_view text) : s_(text) {}

  bool run(block::OptionMap *out, Error *err) {
    skip_ws();
    if (pos_ >= s_.size()) return fail(err, "Expecting a JSON value");
    if (s_[pos_] != '{') {
      // Valid JSON that is not an object.
      std::string tmp;
      if (!value("", &tmp) || (skip_ws(), pos_ < s_.size())) return fail_parse(err);
      *err = Error::make("Invalid JSON object given");
      return false;
    }
    if (!object("")) return fail_parse(err);
    skip_ws();
    if (pos_ < s_.size()) return fail(err, "Expecting at most one JSON value");
    *out = std::move(flat_);
    return true;
  }

 private:
  bool fail(Error *err, std::string_view msg) {
    *err = Error::make("Could not parse the JSON options: {}", msg);
    return false;
  }
  bool fail_parse(Error *err) {
    if (why_.empty()) why_ = "JSON parse error, premature EOI";
    return fail(err, why_);
  }
  bool error(std::string msg) {
    if (why_.empty()) why_ = pos_ >= s_.size() ? "JSON parse error, premature EOI" : msg;
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      pos_++;
  }
  static std::string join(const std::string &prefix, const std::string &key) {
    return prefix.empty() ? key : prefix + "." + key;
  }
  bool string(std::string *out) {
    char quote = s_[pos_++];
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      c = s_[pos_++];
      switch (c) {
        case 'n':
          *out += '\n';
          break;
        case 't':
          *out += '\t';
          break;
        case 'r':
          *out += '\r';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size())
            return error("JSON parse error, invalid escape sequence in string");
          unsigned cp = std::stoul(std::string(s_.substr(pos_, 4)), nullptr, 16);
          pos_ += 4;
          if (cp < 0x80) {
            *out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            *out += static_cast<char>(0xc0 | (cp >> 6));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            *out += static_cast<char>(0xe0 | (cp >> 12));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default:
          *out += c;
      }
    }
    if (pos_ >= s_.size()) return error("");
    pos_++;
    return true;
  }
  bool put(const std::string &key, std::string v) {
    if (!flat_.emplace(key, std::move(v)).second) return error("JSON parse error, duplicate key");
    return true;
  }
  // A value at key; scalars are stored (or written to *scalar when key is empty).
  bool value(const std::string &key, std::string *scalar) {
    skip_ws();
    if (pos_ >= s_.size()) return error("");
    char c = s_[pos_];
    if (c == '{') return object(key);
    if (c == '[') return list(key);
    std::string v;
    if (c == '"' || c == '\'') {
      if (!string(&v)) return false;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t b = pos_;
      while (pos_ < s_.size() && strchr("+-0123456789.eE", s_[pos_])) pos_++;
      v = std::string(s_.substr(b, pos_ - b));
    } else {
      size_t b = pos_;
      while (pos_ < s_.size() && isalnum(static_cast<unsigned char>(s_[pos_]))) pos_++;
      std::string word(s_.substr(b, pos_ - b));
      if (word == "true") {
        v = "on";
      } else if (word == "false") {
        v = "off";
      } else if (word == "null") {
        return true;
      } else {
        if (word.empty()) word = std::string(1, c);
        pos_ = b;
        return error("JSON parse error, invalid keyword '" + word + "'");
      }
    }
    if (key.empty()) {
      *scalar = std::move(v);
      return true;
    }
    return put(key, std::move(v));
  }
  bool object(const std::string &prefix) {
    pos_++;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      pos_++;
      return true;
    }
    std::set<std::string> keys;
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size()) return error("");
      if (isalpha(static_cast<unsigned char>(s_[pos_]))) {
        size_t b = pos_;
        while (pos_ < s_.size() && isalnum(static_cast<unsigned char>(s_[pos_]))) pos_++;
        return error("JSON parse error, invalid keyword '" + std::string(s_.substr(b, pos_ - b)) +
                     "'");
      }
      if (s_[pos_] != '"' && s_[pos_] != '\'')
        return error("JSON parse error, key is not a string in object");
      std::string k;
      if (!string(&k)) return false;
      if (!keys.insert(k).second) return error("JSON parse error, duplicate key");
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':')
        return error("JSON parse error, missing : in object pair");
      pos_++;
      skip_ws();
      if (pos_ < s_.size() && (s_[pos_] == '}' || s_[pos_] == ','))
        return error("JSON parse error, expecting value");
      std::string unused;
      if (!value(join(prefix, k), &unused)) return false;
      skip_ws();
      if (pos_ >= s_.size()) return error("");
      if (s_[pos_] == '}') {
        pos_++;
        return true;
      }
      if (s_[pos_] != ',') return error("JSON parse error, expected separator in dict");
      pos_++;
    }
  }
  bool list(const std::string &prefix) {
    pos_++;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      pos_++;
      return true;
    }
    for (int i = 0;; i++) {
      std::string unused;
      if (!value(join(prefix.empty() ? "0" : prefix, prefix.empty() ? "" : std::to_string(i)),
                 &unused))
        return false;
      skip_ws();
      if (pos_ >= s_.size()) return error("");
      if (s_[pos_] == ']') {
        pos_++;
        return true;
      }
      if (s_[pos_] != ',') return error("JSON parse error, expected separator in list");
      pos_++;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string why_;
  block::OptionMap flat_;
};

bool starts_with_json(const std::string &filename) {
  return filename.compare(0, 5, "json:") == 0;
}

// The options of QEMU 7.2's nodes that qemu-img accepts (validated as QEMU does before the
// drivers see them). Prefixes end in '.'.
const std::set<std::string, std::less<>> kCommonOpts = {
    "node-name",    "read-only",      "auto-read-only", "discard",
    "cache.direct", "cache.no-flush", "detect-zeroes",  "force-share"};
const std::set<std::string, std::less<>> kFileOpts = {
    "filename",  "aio", "aio-max-batch", "locking", "pr-manager", "x-check-cache-dropped",
    "drop-cache"};
const std::set<std::string, std::less<>> kQcow2Opts = {"lazy-refcounts",
                                                       "pass-discard-request",
                                                       "pass-discard-snapshot",
                                                       "pass-discard-other",
                                                       "overlap-check",
                                                       "cache-size",
                                                       "l2-cache-size",
                                                       "l2-cache-entry-size",
                                                       "refcount-cache-size",
                                                       "cache-clean-interval",
                                                       "encrypt",
                                                       "data-file",
                                                       "backing"};
const std::set<std::string, std::less<>> kRawOpts = {"offset", "size"};
const char *const kBoolOpts[] = {
    "read-only",         "auto-read-only", "force-share",          "cache.direct",
    "cache.no-flush",    "lazy-refcounts", "pass-discard-request", "pass-discard-snapshot",
    "pass-discard-other"};

bool known_option(const std::string &fmt, const std::string &key) {
  if (kCommonOpts.count(key)) return true;
  size_t dot = key.find('.');
  std::string head = dot == std::string::npos ? key : key.substr(0, dot);
  if (fmt == "qcow2") {
    if (head == "overlap-check" || head == "encrypt" || head == "data-file" || head == "backing")
      return true;
    return kQcow2Opts.count(key) != 0;
  }
  if (fmt == "raw") return kRawOpts.count(key) != 0;
  return true;  // formats without a declared list yet
}

bool parse_bool_opt(const std::string &v, bool *out) {
  if (v == "on" || v == "yes" || v == "true" || v == "y") {
    *out = true;
  } else if (v == "off" || v == "no" || v == "false" || v == "n") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<block::Node> open_node(const std::string &filename, const std::string &fmt,
                                       const block::OptionMap &node_opts_in,
                                       const block::OpenFlags &flags_in, Error *err) {
  std::string format = fmt;
  std::string path = filename;
  block::OptionMap node_opts = node_opts_in;
  block::OpenFlags flags = flags_in;
  if (starts_with_json(filename)) {
    block::OptionMap flat;
    JsonFlattener jf(std::string_view(filename).substr(5));
    if (!jf.run(&flat, err)) return nullptr;
    std::string jfmt;
    bool force_share = false;  // options given outside the json: filename (-U) win
    if (!resolve_image_opts(std::move(flat), &jfmt, &path, &node_opts, &force_share, err))
      return nullptr;
    flags.force_share |= force_share;
    if (!jfmt.empty()) format = jfmt;
    for (const auto &[k, v] : node_opts_in) node_opts[k] = v;
  }
  if (flags.force_share && flags.writable) {
    *err = Error::make("force-share=on can only be used with read-only images");
    return nullptr;
  }
  const block::FormatDriver *drv = nullptr;
  if (!format.empty() && format != "file") {
    drv = block::find_format(format);
    if (!drv) {
      *err = Error::make("Unknown driver '{}'", format);
      return nullptr;
    }
  }
  // The file's own options: "file.<key>" under a format, "<key>" for the bare protocol.
  block::FileOpenOptions fo;
  fo.writable = flags.writable;
  fo.direct =
      flags.cache == block::CacheMode::kNone || flags.cache == block::CacheMode::kDirectsync;
  const char *locking_key = format == "file" ? "locking" : "file.locking";
  if (auto it = node_opts.find(locking_key); it != node_opts.end()) {
    if (!block::parse_locking(it->second, &fo.locking)) {
      *err = Error::make("invalid parameter value: {}", it->second);
      return nullptr;
    }
    node_opts.erase(it);
  }
  for (const char *key : kBoolOpts) {
    auto it = node_opts.find(key);
    bool b;
    if (it != node_opts.end() && !parse_bool_opt(it->second, &b)) {
      *err = Error::make("Parameter '{}' expects 'on' or 'off'", key);
      return nullptr;
    }
  }
  bool probed = false;
  if (format.empty()) {
    Error perr;
    format = probe_image_format(path, &perr);
    if (format.empty()) {
      *err = std::move(perr);
      return nullptr;
    }
    probed = true;
    drv = block::find_format(format);
    if (!drv) {
      *err = Error::make("Unknown driver '{}'", format);
      return nullptr;
    }
  }
  // Options nobody knows, as QEMU reports them: the format's first, then the protocol's.
  if (format != "file") {
    for (const auto &[k, v] : node_opts) {
      if (k.compare(0, 5, "file.") != 0 && !known_option(format, k)) {
        *err = Error::make("Block format '{}' does not support the option '{}'", format, k);
        return nullptr;
      }
    }
  }
  for (const auto &[k, v] : node_opts) {
    std::string fk = format == "file" ? k : k.compare(0, 5, "file.") == 0 ? k.substr(5) : "";
    if (!fk.empty() && !kCommonOpts.count(fk) && !kFileOpts.count(fk) && fk != "driver") {
      *err = Error::make("Block protocol 'file' doesn't support the option '{}'", fk);
      return nullptr;
    }
  }
  fo.perms =
      block::image_lock_perms(format, flags.writable, flags.no_io, flags.force_share, flags.resize);
  if (flags.no_share && !flags.force_share)
    fo.perms->unshared |= block::kPermWrite | block::kPermResize;
  std::unique_ptr<block::Node> file = block::FileNode::open(path, fo, err);
  if (!file) return nullptr;
  if (flags.cache == block::CacheMode::kUnsafe && flags.writable) {
    file = std::make_unique<NoFlushNode>(std::move(file));
  }
  if (format == "file") {
    for (const auto &[k, v] : node_opts) {
      (void)v;
      if (kCommonOpts.count(k) || kFileOpts.count(k)) continue;
      *err = Error::make("Block protocol 'file' doesn't support the option '{}'", k);
      return nullptr;
    }
    return file;
  }
  for (auto it = node_opts.begin(); it != node_opts.end();) {
    it = it->first.compare(0, 5, "file.") == 0 ? node_opts.erase(it) : std::next(it);
  }
  auto node = drv->open(std::move(file), node_opts, flags, err);
  if (!node) return nullptr;
  display_names().erase(node.get());
  if (format == "raw" && (node_opts.count("offset") || node_opts.count("size"))) {
    // Options that change what the node reads make QEMU name it by a json: filename.
    std::vector<std::pair<std::string, std::string>> top = {{"driver", Json(format).dump()}};
    for (const char *k : {"offset", "size"}) {
      if (auto it = node_opts.find(k); it != node_opts.end())
        top.emplace_back(k, Json(it->second).dump());
    }
    top.emplace_back("file", "{\"driver\": \"file\", \"filename\": " + Json(path).dump() + "}");
    std::vector<std::string> keys;
    for (const auto &kv : top) keys.push_back(kv.first);
    std::string name = "json:{";
    for (size_t idx : qdict_order(keys)) {
      if (name.size() > 6) name += ", ";
      name += "\"" + top[idx].first + "\": " + top[idx].second;
    }
    display_names()[node.get()] = name + "}";
  }
  if (probed && format == "raw" && flags.writable) {
    fprintf(stderr,
            "WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
            "         Automatically detecting the format is dangerous for raw images, write "
            "operations on block 0 will be restricted.\n"
            "         Specify the 'raw' format explicitly to remove the restrictions.\n",
            path.c_str());
  }
  return node;
}

bool resolve_image_opts(block::OptionMap opts_in, std::string *fmt, std::string *filename,
                        block::OptionMap *opts, bool *force_share, Error *err) {
  *opts = std::move(opts_in);
  if (auto it = opts->find("driver"); it != opts->end()) {
    *fmt = it->second;
    opts->erase(it);
  }
  if (!fmt->empty() && *fmt != "file" && !block::find_format(*fmt)) {
    *err = Error::make("Unknown driver '{}'", *fmt);
    return false;
  }
  if (auto it = opts->find("file"); it != opts->end()) {
    *err = Error::make("Cannot find device='{}' nor node-name='{}'", it->second, it->second);
    return false;
  }
  if (auto it = opts->find("force-share"); it != opts->end()) {
    bool on = false;
    if (!parse_bool_opt(it->second, &on)) {
      *err = Error::make("Parameter 'force-share' expects 'on' or 'off'");
      return false;
    }
    if (*force_share && !on) {
      *err = Error::make("--force-share/-U conflicts with image options");
      return false;
    }
    *force_share = on;
    opts->erase(it);
  }
  bool has_file = false;
  for (const auto &[k, v] : *opts) {
    if (k.compare(0, 5, "file.") == 0) has_file = true;
  }
  if (fmt->empty() && !has_file) {
    *err = Error::make("Must specify either driver or file");
    return false;
  }
  if (*fmt == "file") {
    if (auto it = opts->find("filename"); it != opts->end()) {
      *filename = it->second;
      opts->erase(it);
    }
  } else {
    for (const char *key : {"file.filename", "filename"}) {
      if (auto it = opts->find(key); it != opts->end()) {
        *filename = it->second;
        opts->erase(it);
        break;
      }
    }
    if (auto it = opts->find("file.driver"); it != opts->end()) {
      if (it->second != "file") {
        *err = Error::make("Unknown protocol '{}'", it->second);
        return false;
      }
      opts->erase(it);
    }
  }
  if (filename->empty()) {
    *err = Error::make("A block device must be specified for \"file\"");
    return false;
  }
  return true;
}

namespace {

// --image-opts: "driver=qcow2,file.filename=x,..." as QemuOpts with the implied key "file".
bool parse_image_opts(const std::string &optstr, std::string *fmt, std::string *filename,
                      block::OptionMap *opts, bool *force_share, Error *err) {
  block::OptionMap raw;
  for (const OptPair &p : split_opts(optstr, "file")) {
    if (p.is_flag && is_help_option(p.raw_name)) continue;
    raw[p.name] = p.value;
  }
  return resolve_image_opts(std::move(raw), fmt, filename, opts, force_share, err);
}

}  // namespace

std::unique_ptr<block::Node> img_open(const std::string &filename, const ImgOpenOptions &o) {
  block::OpenFlags flags;
  flags.writable = o.writable;
  flags.no_backing = o.no_backing;
  flags.force_share = o.force_share;
  flags.check = o.check;
  flags.no_io = o.no_io;
  flags.no_share = o.no_share;
  flags.resize = o.resize;
  flags.cache = o.cache;
  Error err;
  std::unique_ptr<block::Node> node;
  if (o.image_opts) {
    if (!o.fmt.empty()) {
      error_report("--image-opts and --format are mutually exclusive");
      return nullptr;
    }
    std::string fmt, path;
    block::OptionMap opts;
    bool force_share = o.force_share;
    if (!parse_image_opts(filename, &fmt, &path, &opts, &force_share, &err)) {
      if (err.msg == "--force-share/-U conflicts with image options") {
        error_report_err(err);
      } else {
        error_report("Could not open '{}': {}", filename, err.msg);
      }
      return nullptr;
    }
    flags.force_share = force_share;
    node = open_node(path, fmt, opts, flags, &err);
  } else {
    node = open_node(filename, o.fmt, {}, flags, &err);
  }
  if (!node) {
    error_report("Could not open '{}': {}", filename, err.msg);
    if (!err.hint.empty()) fputs(err.hint.c_str(), stderr);
    return nullptr;
  }
  node->set_node_name(anonymous_node_name());
  // cache=writethrough and directsync: the image's write cache is off, every write durable.
  if (o.writable &&
      (o.cache == block::CacheMode::kWritethrough || o.cache == block::CacheMode::kDirectsync))
    node->set_write_through(true);
  return node;
}

std::string image_display_name(const block::Node *node) {
  auto it = display_names().find(node);
  return it != display_names().end() ? it->second : node->filename();
}

std::string anonymous_node_name() {
  // QEMU's generated names: "#block", a counter (1 for qemu-img's image node: its file node
  // comes first) and two random digits.
  static std::mt19937 rng(std::random_device{}());
  return fmt::format("#block1{:02}", static_cast<int>(rng() % 99));
}

bool create_opts_for(const std::string &fmt, OptsList *out, bool *known) {
  *known = true;
  if (fmt == "file") {
    *out = block::file_create_opts();
    return true;
  }
  const block::FormatDriver *drv = block::find_format(fmt);
  if (!drv) {
    *known = false;
    return false;
  }
  const OptsList *fmt_opts = drv->create_opts();
  if (!fmt_opts) return false;
  *out = *fmt_opts;
  for (const OptDesc &d : block::file_create_opts().desc) {
    if (!out->find_desc(d.name)) out->desc.push_back(d);
  }
  return true;
}

int create_with_driver(const std::string &filename, const std::string &fmt, const Opts &opts,
                       Error *err) {
  if (fmt == "file") return block::create_image(filename, "file", opts, err);
  const block::FormatDriver *drv = block::find_format(fmt);
  if (!drv) {
    *err = Error::make("Unknown file format '{}'", fmt);
    return -EINVAL;
  }
  return drv->create(filename, opts, err);
}

bool format_can_compress(std::string_view fmt) {
  return fmt == "qcow2" || fmt == "qcow" || fmt == "vmdk";
}

// ---- Block status ----

unsigned ChainStatus::bits() const {
  unsigned b = 0;
  if (data) b |= kStatusData;
  if (zero) b |= kStatusZero;
  if (offset_valid) b |= kStatusOffsetValid;
  if (allocated) b |= kStatusAllocated;
  if (eof) b |= kStatusEof;
  return b;
}

int layer_status(block::Node *node, uint64_t offset, uint64_t bytes, ChainStatus *st) {
  *st = ChainStatus{};
  st->depth = 1;
  int64_t len = node->length();
  if (len < 0) return static_cast<int>(len);
  if (offset >= static_cast<uint64_t>(len)) {
    st->eof = true;
    return 0;
  }
  bytes = std::min<uint64_t>(bytes, static_cast<uint64_t>(len) - offset);
  if (bytes == 0) {
    st->eof = true;
    return 0;
  }
  block::BlockStatus bs;
  int r = node->block_status(offset, bytes, &bs);
  if (r < 0) return r;
  st->bytes = std::min<uint64_t>(bs.bytes ? bs.bytes : bytes, bytes);
  st->data = bs.data;
  st->zero = bs.zero;
  st->allocated = bs.allocated || bs.data;
  st->offset_valid = bs.has_offset;
  st->offset = bs.offset;
  st->file = bs.file;
  if (st->data && !st->zero && st->offset_valid && st->file && st->file != node) {
    // Data mapped to a file: where the file has a hole the range reads as zeroes (QEMU asks
    // the protocol layer the same way, and so reports such ranges as zero and data).
    ChainStatus fst;
    if (layer_status(st->file, st->offset, st->bytes, &fst) >= 0) {
      if (fst.eof && (fst.bytes == 0 || fst.zero)) {
        st->zero = true;
      } else if (fst.bytes) {
        st->bytes = fst.bytes;
        st->zero = fst.zero;
      }
    }
  }
  if (!st->allocated) {
    // Unallocated here: zeroes unless a backing file provides the data.
    st->data = false;
    block::Node *backing = node->backing();
    if (!backing) {
      st->zero = true;
    } else {
      int64_t blen = backing->length();
      st->zero = blen >= 0 && offset >= static_cast<uint64_t>(blen);
    }
  }
  if (offset + st->bytes == static_cast<uint64_t>(len)) st->eof = true;
  return 0;
}

int status_above(block::Node *top, block::Node *base, uint64_t offset, uint64_t bytes,
                 ChainStatus *st) {
  int r = layer_status(top, offset, bytes, st);
  if (r < 0 || st->bytes == 0 || st->allocated || top == base) return r;
  uint64_t eof = st->eof ? offset + st->bytes : UINT64_MAX;
  bytes = st->bytes;
  int depth = 1;
  for (block::Node *p = top->backing(); p && p != base; p = p->backing()) {
    ChainStatus s;
    r = layer_status(p, offset, bytes, &s);
    depth++;
    if (r < 0) return r;
    if (s.bytes == 0) {
      // This layer is short: what lies past its end reads as zeroes allocated here.
      *st = ChainStatus{};
      st->bytes = bytes;
      st->zero = true;
      st->allocated = true;
      st->file = p;
      break;
    }
    *st = s;
    if (s.allocated) {
      st->eof = false;
      break;
    }
    bytes = s.bytes;
  }
  st->depth = depth;
  if (offset + st->bytes == eof) st->eof = true;
  return 0;
}

int is_allocated_above(block::Node *top, block::Node *base, uint64_t offset, uint64_t bytes,
                       uint64_t *pnum) {
  ChainStatus st;
  int r = status_above(top, base, offset, bytes, &st);
  if (r < 0) return r;
  *pnum = st.bytes;
  return st.allocated ? 1 : 0;
}

AlignedBuffer::AlignedBuffer(size_t size) : size_(size) {
  void *p = nullptr;
  if (posix_memalign(&p, 4096, std::max<size_t>(size, 4096)) != 0) abort();
  memset(p, 0, std::max<size_t>(size, 4096));
  data_ = static_cast<uint8_t *>(p);
}

AlignedBuffer::~AlignedBuffer() {
  free(data_);
}

bool buffer_is_zero(const void *buf, size_t len) {
  const auto *p = static_cast<const unsigned char *>(buf);
  if (len >= 256) {
    // Data usually differs within its first bytes. Otherwise: the first 64 bytes are zero and
    // the buffer equals itself shifted by 64 bytes, so every byte is zero; libc's vectorised
    // memcmp does that scan faster than a scalar loop.
    const auto *w = reinterpret_cast<const uint64_t *>(p);
    uint64_t head[8];
    memcpy(head, w, sizeof head);
    if (head[0] | head[1] | head[2] | head[3] | head[4] | head[5] | head[6] | head[7]) return false;
    return memcmp(p, p + 64, len - 64) == 0;
  }
  // Word-at-a-time after the unaligned head.
  while (len && (reinterpret_cast<uintptr_t>(p) & 7)) {
    if (*p) return false;
    p++;
    len--;
  }
  const auto *w = reinterpret_cast<const uint64_t *>(p);
  while (len >= 64) {
    if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) return false;
    w += 8;
    len -= 64;
  }
  p = reinterpret_cast<const unsigned char *>(w);
  while (len--) {
    if (*p++) return false;
  }
  return true;
}

bool compare_buffers(const uint8_t *a, const uint8_t *b, int64_t bytes, int64_t *pnum) {
  int64_t i = std::min<int64_t>(bytes, 512);
  bool res = memcmp(a, b, i) != 0;
  while (i < bytes) {
    int64_t len = std::min<int64_t>(bytes - i, 512);
    if ((memcmp(a + i, b + i, len) != 0) != res) break;
    i += len;
  }
  *pnum = i;
  return res;
}

// ---- Progress ----

namespace {

struct ProgressState {
  float current = 0;
  float last_print = 0;
  float min_skip = 0;
  bool enabled = false;
};
ProgressState g_progress;
volatile sig_atomic_t g_print_pending = 0;

void sigusr_print(int) {
  g_print_pending = 1;
}

void progress_show() {
  if (g_progress.enabled) {
    printf("    (%3.2f/100%%)\r", static_cast<double>(g_progress.current));
    fflush(stdout);
  } else if (g_print_pending) {
    fprintf(stderr, "    (%3.2f/100%%)\n", static_cast<double>(g_progress.current));
    g_print_pending = 0;
  }
}

}  // namespace

void progress_init(bool enabled, float min_skip) {
  g_progress.min_skip = min_skip;
  g_progress.enabled = enabled;
  if (!enabled) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigfillset(&action.sa_mask);
    action.sa_handler = sigusr_print;
    sigaction(SIGUSR1, &action, nullptr);
  }
}

void progress_end() {
  if (g_progress.enabled) printf("\n");
}

void progress_print(float delta, int max) {
  float current;
  if (max == 0) {
    current = delta;
  } else {
    current = g_progress.current + delta / 100 * static_cast<float>(max);
  }
  if (current > 100) current = 100;
  g_progress.current = current;
  if (current > (g_progress.last_print + g_progress.min_skip) || current == 100 || current == 0) {
    g_progress.last_print = g_progress.current;
    progress_show();
  }
}

// ---- Image information ----

std::string human_size(uint64_t bytes) {
  return size_to_str(bytes);
}

namespace {

std::string dirname_of(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  return path.substr(0, slash + 1);
}

bool is_protocol_name(const std::string &name) {
  // "nbd://...", "json:{...}": not relative paths.
  size_t colon = name.find(':');
  if (colon == std::string::npos) return false;
  size_t slash = name.find('/');
  return slash == std::string::npos || colon < slash;
}

}  // namespace

int query_image_info(block::Node *node, const std::string &filename, block::ImageInfo *info,
                     Error *err) {
  *info = block::ImageInfo{};
  int r = node->get_info(info);
  if (r < 0) {
    *err = Error::make("Could not get image information: {}", strerror(-r));
    return r;
  }
  info->filename = filename;
  if (info->format.empty()) info->format = node->driver_name();
  int64_t len = node->length();
  if (len < 0) {
    *err = Error::make("Can't get image size '{}'", filename);
    return static_cast<int>(len);
  }
  // The file protocol counts whole sectors (QEMU's total_sectors).
  if (std::string_view(node->driver_name()) == "file") len = (len + 511) & ~int64_t{511};
  info->virtual_size = len;
  info->actual_size = node->allocated_file_size();
  if (!info->backing_filename.empty() && info->full_backing_filename.empty()) {
    const std::string &b = info->backing_filename;
    if (b[0] == '/' || is_protocol_name(b)) {
      info->full_backing_filename = b;
    } else {
      info->full_backing_filename = dirname_of(filename) + b;
    }
  }
  if (info->snapshots.empty()) {
    std::vector<block::SnapshotInfo> sns;
    if (node->snapshot_list(&sns) >= 0) info->snapshots = std::move(sns);
  }
  return 0;
}

namespace {

Json snapshot_json(const block::SnapshotInfo &sn) {
  Json j = Json::object();
  j["id"] = sn.id;
  j["name"] = sn.name;
  j["vm-state-size"] = sn.vm_state_size;
  j["date-sec"] = sn.date_sec;
  j["date-nsec"] = sn.date_nsec;
  j["vm-clock-sec"] = sn.vm_clock_nsec / 1000000000;
  j["vm-clock-nsec"] = sn.vm_clock_nsec % 1000000000;
  if (sn.has_icount) j["icount"] = sn.icount;
  return j;
}

}  // namespace

Json image_info_json(const block::ImageInfo &info) {
  Json j = Json::object();
  j["filename"] = info.filename;
  j["format"] = info.format;
  j["dirty-flag"] = info.dirty_flag;
  if (info.actual_size >= 0) j["actual-size"] = info.actual_size;
  j["virtual-size"] = info.virtual_size;
  if (info.cluster_size) j["cluster-size"] = info.cluster_size;
  if (info.encrypted) j["encrypted"] = true;
  if (!info.backing_filename.empty()) {
    j["backing-filename"] = info.backing_filename;
    if (!info.full_backing_filename.empty())
      j["full-backing-filename"] = info.full_backing_filename;
    if (!info.backing_format.empty()) j["backing-filename-format"] = info.backing_format;
  }
  if (!info.snapshots.empty()) {
    Json list = Json::array();
    for (const auto &sn : info.snapshots) list.push_back(snapshot_json(sn));
    j["snapshots"] = list;
  }
  if (!info.format_specific.is_null()) j["format-specific"] = info.format_specific;
  return j;
}

void print_snapshot_header() {
  printf("%-10s%-17s%8s%20s%13s%11s", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT");
}

void print_snapshot_line(const block::SnapshotInfo &sn) {
  time_t ti = sn.date_sec;
  struct tm tm;
  localtime_r(&ti, &tm);
  char date_buf[128];
  strftime(date_buf, sizeof date_buf, "%Y-%m-%d %H:%M:%S", &tm);
  uint64_t secs = sn.vm_clock_nsec / 1000000000;
  std::string clock_buf = fmt::format(
      "{:02}:{:02}:{:02}.{:03}", static_cast<int>(secs / 3600), static_cast<int>((secs / 60) % 60),
      static_cast<int>(secs % 60), static_cast<int>((sn.vm_clock_nsec / 1000000) % 1000));
  std::string size_buf = size_to_str(sn.vm_state_size);
  std::string icount_buf = sn.has_icount ? std::to_string(sn.icount) : "";
  printf("%-9s %-16s %8s%20s%13s%11s", sn.id.c_str(), sn.name.c_str(), size_buf.c_str(), date_buf,
         clock_buf.c_str(), icount_buf.c_str());
}

namespace {

void dump_value(int indent, const Json &v);

std::string scalar_text(const Json &v) {
  switch (v.type()) {
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Json::value_t::number_float:
      return fmt::format("{:.17g}", v.get<double>());
    default:
      return "";
  }
}

bool is_composite(const Json &v) {
  return v.is_object() || v.is_array();
}

void dump_dict(int indent, const Json &dict) {
  std::vector<std::string> keys;
  std::vector<const Json *> vals;
  for (auto it = dict.begin(); it != dict.end(); ++it) {
    keys.push_back(it.key());
    vals.push_back(&it.value());
  }
  for (size_t idx : qdict_order(keys)) {
    std::string key = keys[idx];
    std::replace(key.begin(), key.end(), '-', ' ');
    bool composite = is_composite(*vals[idx]);
    printf("%*s%s:%c", indent * 4, "", key.c_str(), composite ? '\n' : ' ');
    dump_value(indent + 1, *vals[idx]);
    if (!composite) printf("\n");
  }
}

void dump_list(int indent, const Json &list) {
  int i = 0;
  for (const Json &e : list) {
    bool composite = is_composite(e);
    printf("%*s[%i]:%c", indent * 4, "", i++, composite ? '\n' : ' ');
    dump_value(indent + 1, e);
    if (!composite) printf("\n");
  }
}

void dump_value(int indent, const Json &v) {
  if (v.is_object()) {
    dump_dict(indent, v);
  } else if (v.is_array()) {
    dump_list(indent, v);
  } else {
    printf("%s", scalar_text(v).c_str());
  }
}

}  // namespace

void dump_format_specific(const Json &format_specific) {
  if (!format_specific.is_object()) return;
  auto it = format_specific.find("data");
  if (it == format_specific.end()) return;
  dump_value(1, *it);
}

void dump_human_image_info(const block::ImageInfo &info) {
  std::string dsize =
      info.actual_size >= 0 ? size_to_str(static_cast<uint64_t>(info.actual_size)) : "unavailable";
  printf(
      "image: %s\n"
      "file format: %s\n"
      "virtual size: %s (%lld bytes)\n"
      "disk size: %s\n",
      info.filename.c_str(), info.format.c_str(),
      size_to_str(static_cast<uint64_t>(info.virtual_size)).c_str(),
      static_cast<long long>(info.virtual_size), dsize.c_str());
  if (info.encrypted) printf("encrypted: yes\n");
  if (info.cluster_size) printf("cluster_size: %lld\n", static_cast<long long>(info.cluster_size));
  if (info.dirty_flag) printf("cleanly shut down: no\n");
  if (!info.backing_filename.empty()) {
    printf("backing file: %s", info.backing_filename.c_str());
    if (info.full_backing_filename.empty()) {
      printf(" (cannot determine actual path)");
    } else if (info.full_backing_filename != info.backing_filename) {
      printf(" (actual path: %s)", info.full_backing_filename.c_str());
    }
    printf("\n");
    if (!info.backing_format.empty())
      printf("backing file format: %s\n", info.backing_format.c_str());
  }
  if (!info.snapshots.empty()) {
    printf("Snapshot list:\n");
    print_snapshot_header();
    printf("\n");
    for (const auto &sn : info.snapshots) {
      print_snapshot_line(sn);
      printf("\n");
    }
  }
  if (!info.format_specific.is_null()) {
    printf("Format specific information:\n");
    dump_format_specific(info.format_specific);
  }
}

void print_help() {
  fputs(version_banner("qemu-img").c_str(), stdout);
  fputs(
      "usage: qemu-img [standard options] command [command options]\n"
      "QEMU disk image utility\n"
      "\n"
      "    '-h', '--help'       display this help and exit\n"
      "    '-V', '--version'    output version information and exit\n"
      "    '-T', '--trace'      [[enable=]<pattern>][,events=<file>][,file=<file>]\n"
      "                         specify tracing options\n"
      "\n"
      "Command syntax:\n"
      "  amend [--object objectdef] [--image-opts] [-p] [-q] [-f fmt] [-t cache] [--force] -o "
      "options filename\n"
      "  bench [-c count] [-d depth] [-f fmt] [--flush-interval=flush_interval] [-i aio] [-n] "
      "[--no-drain] [-o offset] [--pattern=pattern] [-q] [-s buffer_size] [-S step_size] [-t "
      "cache] [-w] [-U] filename\n"
      "  bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)... [-b "
      "source_file [-F source_fmt]] [-g granularity] [--object objectdef] [--image-opts | -f "
      "fmt] filename bitmap\n"
      "  check [--object objectdef] [--image-opts] [-q] [-f fmt] [--output=ofmt] [-r [leaks | "
      "all]] [-T src_cache] [-U] filename\n"
      "  commit [--object objectdef] [--image-opts] [-q] [-f fmt] [-t cache] [-b base] [-r "
      "rate_limit] [-d] [-p] filename\n"
      "  compare [--object objectdef] [--image-opts] [-f fmt] [-F fmt] [-T src_cache] [-p] [-q] "
      "[-s] [-U] filename1 filename2\n"
      "  convert [--object objectdef] [--image-opts] [--target-image-opts] [--target-is-zero] "
      "[--bitmaps] [-U] [-C] [-c] [-p] [-q] [-n] [-f fmt] [-t cache] [-T src_cache] [-O "
      "output_fmt] [-B backing_file [-F backing_fmt]] [-o options] [-l snapshot_param] [-S "
      "sparse_size] [-r rate_limit] [-m num_coroutines] [-W] [--salvage] filename [filename2 "
      "[...]] output_filename\n"
      "  create [--object objectdef] [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] [-o "
      "options] filename [size]\n"
      "  dd [--image-opts] [-U] [-f fmt] [-O output_fmt] [bs=block_size] [count=blocks] "
      "[skip=blocks] if=input of=output\n"
      "  info [--object objectdef] [--image-opts] [-f fmt] [--output=ofmt] [--backing-chain] "
      "[-U] filename\n"
      "  map [--object objectdef] [--image-opts] [-f fmt] [--start-offset=offset] "
      "[--max-length=len] [--output=ofmt] [-U] filename\n"
      "  measure [--output=ofmt] [-O output_fmt] [-o options] [--size N | [--object objectdef] "
      "[--image-opts] [-f fmt] [-l snapshot_param] filename]\n"
      "  snapshot [--object objectdef] [--image-opts] [-U] [-q] [-l | -a snapshot | -c snapshot "
      "| -d snapshot] filename\n"
      "  rebase [--object objectdef] [--image-opts] [-U] [-q] [-f fmt] [-t cache] [-T "
      "src_cache] [-p] [-u] -b backing_file [-F backing_fmt] filename\n"
      "  resize [--object objectdef] [--image-opts] [-f fmt] [--preallocation=prealloc] [-q] "
      "[--shrink] filename [+ | -]size\n"
      "\n"
      "Command parameters:\n"
      "  'filename' is a disk image filename\n"
      "  'objectdef' is a QEMU user creatable object definition. See the qemu(1)\n"
      "    manual page for a description of the object properties. The most common\n"
      "    object type is a 'secret', which is used to supply passwords and/or\n"
      "    encryption keys.\n"
      "  'fmt' is the disk image format. It is guessed automatically in most cases\n"
      "  'cache' is the cache mode used to write the output disk image, the valid\n"
      "    options are: 'none', 'writeback' (default, except for convert), 'writethrough',\n"
      "    'directsync' and 'unsafe' (default for convert)\n"
      "  'src_cache' is the cache mode used to read input disk images, the valid\n"
      "    options are the same as for the 'cache' option\n"
      "  'size' is the disk image size in bytes. Optional suffixes\n"
      "    'k' or 'K' (kilobyte, 1024), 'M' (megabyte, 1024k), 'G' (gigabyte, 1024M),\n"
      "    'T' (terabyte, 1024G), 'P' (petabyte, 1024T) and 'E' (exabyte, 1024P)  are\n"
      "    supported. 'b' is ignored.\n"
      "  'output_filename' is the destination disk image filename\n"
      "  'output_fmt' is the destination format\n"
      "  'options' is a comma separated list of format specific options in a\n"
      "    name=value format. Use -o help for an overview of the options supported by\n"
      "    the used format\n"
      "  'snapshot_param' is param used for internal snapshot, format\n"
      "    is 'snapshot.id=[ID],snapshot.name=[NAME]', or\n"
      "    '[ID_OR_NAME]'\n"
      "  '-c' indicates that target image must be compressed (qcow format only)\n"
      "  '-u' allows unsafe backing chains. For rebasing, it is assumed that old and\n"
      "       new backing file match exactly. The image doesn't need a working\n"
      "       backing file before rebasing in this case (useful for renaming the\n"
      "       backing file). For image creation, allow creating without attempting\n"
      "       to open the backing file.\n"
      "  '-h' with or without a command shows this help and lists the supported formats\n"
      "  '-p' show progress of command (only certain commands)\n"
      "  '-q' use Quiet mode - do not print any output (except errors)\n"
      "  '-S' indicates the consecutive number of bytes (defaults to 4k) that must\n"
      "       contain only zeros for qemu-img to create a sparse image during\n"
      "       conversion. If the number of bytes is 0, the source will not be scanned for\n"
      "       unallocated or zero sectors, and the destination image will always be\n"
      "       fully allocated\n"
      "  '--output' takes the format in which the output must be done (human or json)\n"
      "  '-n' skips the target volume creation (useful if the volume is created\n"
      "       prior to running qemu-img)\n"
      "\n"
      "Parameters to bitmap subcommand:\n"
      "  'bitmap' is the name of the bitmap to manipulate, through one or more\n"
      "       actions from '--add', '--remove', '--clear', '--enable', '--disable',\n"
      "       or '--merge source'\n"
      "  '-g granularity' sets the granularity for '--add' actions\n"
      "  '-b source' and '-F src_fmt' tell '--merge' actions to find the source\n"
      "       bitmaps from an alternative file\n"
      "\n"
      "Parameters to check subcommand:\n"
      "  '-r' tries to repair any inconsistencies that are found during the check.\n"
      "       '-r leaks' repairs only cluster leaks, whereas '-r all' fixes all\n"
      "       kinds of errors, with a higher risk of choosing the wrong fix or\n"
      "       hiding corruption that has already occurred.\n"
      "\n"
      "Parameters to convert subcommand:\n"
      "  '--bitmaps' copies all top-level persistent bitmaps to destination\n"
      "  '-m' specifies how many coroutines work in parallel during the convert\n"
      "       process (defaults to 8)\n"
      "  '-W' allow to write to the target out of order rather than sequential\n"
      "\n"
      "Parameters to snapshot subcommand:\n"
      "  'snapshot' is the name of the snapshot to create, apply or delete\n"
      "  '-a' applies a snapshot (revert disk to saved state)\n"
      "  '-c' creates a snapshot\n"
      "  '-d' deletes a snapshot\n"
      "  '-l' lists all snapshots in the given image\n"
      "\n"
      "Parameters to compare subcommand:\n"
      "  '-f' first image format\n"
      "  '-F' second image format\n"
      "  '-s' run in Strict mode - fail on different image size or sector allocation\n"
      "\n"
      "Parameters to dd subcommand:\n"
      "  'bs=BYTES' read and write up to BYTES bytes at a time (default: 512)\n"
      "  'count=N' copy only N input blocks\n"
      "  'if=FILE' read from FILE\n"
      "  'of=FILE' write to FILE\n"
      "  'skip=N' skip N bs-sized blocks at the start of input\n"
      "\n"
      "Supported formats:",
      stdout);
  std::set<std::string> names = {"file"};
  for (const block::FormatDriver *d : block::format_drivers()) names.insert(d->name());
  for (const std::string &n : names) printf(" %s", n.c_str());
  printf(
      "\n\nSee <https://qemu.org/contribute/report-a-bug> for how to report bugs.\n"
      "More information on the QEMU project at <https://qemu.org>.\n");
}

}  // namespace qemu::img
