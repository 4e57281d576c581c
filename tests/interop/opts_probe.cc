// qemu-opts-probe: runs command-line options through our option parser the way qemu-system's
// front end does for -drive, -netdev, -device and -object, so that options_vs_qemu72_test.py
// can compare acceptance, messages and exit codes with QEMU 7.2 option by option.
//
// The parsing (syntax, implied keys, short-form booleans, help, ids, duplicate ids, typed
// values) is src/base's. The key schemas below are a small test model of the few backends
// and devices the differential table uses, standing in until the system emulator defines them.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/cmdline.h"
#include "base/error.h"
#include "base/number.h"
#include "base/opts.h"

using namespace qemu;

namespace {

enum class Kind { kStr, kBool, kEnum, kInt32, kMac, kNetdevRef };

struct Field {
  const char *name;
  Kind kind;
  std::vector<std::string> values = {};  // kEnum
};

struct Schema {
  const char *type;
  std::vector<Field> fields;
  const char *help_type_name = nullptr;  // enum type name shown in help
};

const std::vector<Schema> kObjects = {
    {"secret",
     {{"data", Kind::kStr},
      {"file", Kind::kStr},
      {"format", Kind::kEnum, {"raw", "base64"}},
      {"iv", Kind::kStr},
      {"keyid", Kind::kStr}},
     "QCryptoSecretFormat"},
};

const std::vector<Schema> kNetdevs = {
    {"user",
     {{"hostname", Kind::kStr},
      {"restrict", Kind::kBool},
      {"ipv4", Kind::kBool},
      {"ipv6", Kind::kBool},
      {"net", Kind::kStr},
      {"host", Kind::kStr},
      {"tftp", Kind::kStr},
      {"bootfile", Kind::kStr},
      {"dhcpstart", Kind::kStr},
      {"dns", Kind::kStr},
      {"dnssearch", Kind::kStr},
      {"domainname", Kind::kStr},
      {"smb", Kind::kStr},
      {"smbserver", Kind::kStr},
      {"tftp-server-name", Kind::kStr}}},
    {"hubport", {{"hubid", Kind::kInt32}, {"netdev", Kind::kStr}}},
};

const std::vector<Schema> kDevices = {
    {"e1000",
     {{"mac", Kind::kMac},
      {"netdev", Kind::kNetdevRef},
      {"bootindex", Kind::kInt32},
      {"romfile", Kind::kStr},
      {"autonegotiation", Kind::kBool},
      {"x-pcie-lnksta-dllla", Kind::kBool}}},
};

const Schema *find_schema(const std::vector<Schema> &v, std::string_view type) {
  for (const Schema &s : v)
    if (type == s.type) return &s;
  return nullptr;
}

OptsGroup g_drive(OptsList{"drive", "", false, {}});
OptsGroup g_netdev(OptsList{"netdev", "type", false, {}});
OptsGroup g_device(OptsList{"device", "driver", false, {}});
OptsGroup g_object(OptsList{"object", "qom-type", false, {}});

// Where each parsed Opts came from, for error locations.
std::map<const Opts *, std::pair<std::string, std::string>> g_where;

[[noreturn]] void fail(const Opts *o, const std::string &msg) {
  auto loc = LocationScope::cmdline(g_where[o].first, g_where[o].second);
  error_report("{}", msg);
  exit(1);
}

bool valid_mac(std::string_view s) {
  if (s.size() != 17) return false;
  for (size_t i = 0; i < 17; i++) {
    if (i % 3 == 2 ? s[i] != ':' : !isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// The QAPI (opts visitor) checks of netdev and object members: schema order, then leftovers.
void check_qapi_members(const Opts *o, const Schema &s, std::initializer_list<const char *> skip) {
  for (const Field &f : s.fields) {
    auto v = o->get(f.name);
    if (!v) continue;
    if (f.kind == Kind::kBool) {
      Error err;
      bool b;
      if (!parse_bool_value(f.name, *v, &b, &err)) fail(o, err.msg);
    } else if (f.kind == Kind::kEnum) {
      bool ok = false;
      for (const auto &e : f.values) ok |= e == *v;
      if (!ok) fail(o, fmt::format("Parameter '{}' does not accept value '{}'", f.name, *v));
    } else if (f.kind == Kind::kInt32) {
      int64_t n;
      if (parse_i64(*v, 0, &n) != 0 || n < INT32_MIN || n > INT32_MAX)
        fail(o, fmt::format("Parameter '{}' expects int32", f.name));
    }
  }
  for (const Opt &opt : o->opts()) {
    bool known = false;
    for (const Field &f : s.fields) known |= opt.name == f.name;
    for (const char *k : skip) known |= opt.name == k;
    if (!known) fail(o, fmt::format("Invalid parameter '{}'", opt.name));
  }
}

void check_object(const Opts *o) {
  auto type = o->get("qom-type");
  if (!type) fail(o, "Parameter 'qom-type' is missing");
  if (is_help_option(*type)) {
    printf("List of user creatable objects:\n");
    for (const Schema &s : kObjects) printf("  %s\n", s.type);
    exit(0);
  }
  const Schema *s = find_schema(kObjects, *type);
  if (!s) fail(o, fmt::format("Parameter 'qom-type' does not accept value '{}'", *type));
  if (o->has_help_opt()) {
    printf("%s options:\n", s->type);
    for (const Field &f : s->fields) {
      printf("  %s=<%s>\n", f.name,
             f.kind == Kind::kEnum   ? s->help_type_name
             : f.kind == Kind::kBool ? "bool"
                                     : "string");
    }
    exit(0);
  }
  if (o->id().empty()) fail(o, "Parameter 'id' is missing");
  check_qapi_members(o, *s, {"qom-type"});
}

void check_netdev(const Opts *o) {
  if (o->id().empty()) fail(o, "Parameter 'id' is missing");
  auto type = o->get("type");
  if (!type) fail(o, "Parameter 'type' is missing");
  const Schema *s = find_schema(kNetdevs, *type);
  if (!s) fail(o, fmt::format("Parameter 'type' does not accept value '{}'", *type));
  check_qapi_members(o, *s, {"type"});
}

void check_device(const Opts *o) {
  auto driver = o->get("driver");
  if (!driver) fail(o, "Parameter 'driver' is missing");
  const Schema *s = find_schema(kDevices, *driver);
  if (o->has_help_opt()) {
    if (!s) {
      auto loc = LocationScope::cmdline(g_where[o].first, g_where[o].second);
      error_report("Device '{}' not found", *driver);
      exit(0);
    }
    printf("%s options:\n", s->type);
    exit(0);
  }
  if (!s) fail(o, fmt::format("'{}' is not a valid device model name", *driver));
  for (const Opt &opt : o->opts()) {
    if (opt.name == "driver") continue;
    const Field *f = nullptr;
    for (const Field &x : s->fields)
      if (opt.name == x.name) f = &x;
    if (!f) fail(o, fmt::format("Property '{}.{}' not found", s->type, opt.name));
    const std::string &v = opt.str;
    switch (f->kind) {
      case Kind::kMac:
        if (!valid_mac(v))
          fail(o, fmt::format("Property '{}.{}' doesn't take value '{}'", s->type, f->name, v));
        break;
      case Kind::kNetdevRef:
        if (!g_netdev.find(v))
          fail(o, fmt::format("Property '{}.{}' can't find value '{}'", s->type, f->name, v));
        break;
      case Kind::kInt32: {
        int64_t n;
        int r = parse_i64(v, 0, &n);
        if (r == -EINVAL) fail(o, fmt::format("Parameter '{}' expects integer", f->name));
        if (r || n < INT32_MIN || n > INT32_MAX)
          fail(o, fmt::format("Parameter '{}' expects int32_t", f->name));
        break;
      }
      case Kind::kBool: {
        Error err;
        bool b;
        if (!parse_bool_value(f->name, v, &b, &err)) fail(o, err.msg);
        break;
      }
      default:
        break;
    }
  }
}

void check_drive(const Opts *o) {
  static const char *const kLegacy[] = {"if",    "index", "bus",   "unit", "media", "cyls",
                                        "heads", "secs",  "trans", "addr", "serial"};
  static const char *const kCommon[] = {
      "file",     "format",        "driver",       "cache",          "aio",
      "snapshot", "readonly",      "rerror",       "werror",         "copy-on-read",
      "discard",  "detect-zeroes", "cache.direct", "cache.no-flush", "auto-read-only"};
  if (auto v = o->get("index")) {
    uint64_t n;
    if (parse_u64(*v, 0, &n)) fail(o, "Parameter 'index' expects a number");
  }
  if (auto v = o->get("readonly")) {
    Error err;
    bool b;
    if (!parse_bool_value("read-only", *v, &b, &err)) fail(o, err.msg);
  }
  if (auto v = o->get("media"); v && *v != "disk" && *v != "cdrom")
    fail(o, fmt::format("'{}' invalid media", *v));
  if (auto v = o->get("cache")) {
    static const char *const kModes[] = {"none", "writeback", "writethrough", "directsync",
                                         "unsafe"};
    bool ok = false;
    for (const char *m : kModes) ok |= *v == m;
    if (!ok) fail(o, "invalid cache option");
  }
  if (auto v = o->get("werror")) {
    static const char *const kActions[] = {"ignore", "report", "stop", "enospc"};
    bool ok = false;
    for (const char *m : kActions) ok |= *v == m;
    if (!ok) fail(o, fmt::format("'{}' invalid write error action", *v));
  }
  auto file = o->get("file");
  auto format = o->get("format");
  if (!file && !o->get("driver")) fail(o, "Must specify either driver or file");
  for (const Opt &opt : o->opts()) {
    bool known = false;
    for (const char *k : kLegacy) known |= opt.name == k;
    for (const char *k : kCommon) known |= opt.name == k;
    if (!known)
      fail(o, fmt::format("Block format '{}' does not support the option '{}'",
                          format ? *format : "raw", opt.name));
  }
  struct stat st;
  if (file && stat(file->c_str(), &st) != 0)
    fail(o, fmt::format("Could not open '{}': {}", *file, strerror(errno)));
}

enum { kDrive, kNetdev, kDevice, kObject };
const CmdlineOption kOptions[] = {
    {"drive", true, kDrive},
    {"netdev", true, kNetdev},
    {"device", true, kDevice},
    {"object", true, kObject},
};

}  // namespace

int main(int argc, char **argv) {
  set_progname("qemu-system-x86_64");
  CmdlineScanner s(argc, argv, kOptions);
  for (;;) {
    auto kind = s.next();
    if (kind == CmdlineScanner::Kind::kEnd) break;
    if (kind == CmdlineScanner::Kind::kUnknown) {
      auto loc = LocationScope::cmdline(s.name());
      error_report("invalid option");
      return 1;
    }
    if (kind == CmdlineScanner::Kind::kMissingArg) {
      auto loc = LocationScope::cmdline(s.name());
      error_report("requires an argument");
      return 1;
    }
    if (kind == CmdlineScanner::Kind::kPositional) continue;
    auto loc = LocationScope::cmdline(s.name(), s.arg());
    OptsGroup *group = nullptr;
    switch (s.id()) {
      case kDrive:
        group = &g_drive;
        break;
      case kNetdev:
        if (is_help_option(s.arg())) {
          printf("Available netdev backend types:\n");
          for (const Schema &n : kNetdevs) printf("%s\n", n.type);
          return 0;
        }
        group = &g_netdev;
        break;
      case kDevice:
        if (is_help_option(s.arg())) {
          printf("Network devices:\nname \"e1000\", bus PCI\n");
          return 0;
        }
        group = &g_device;
        break;
      case kObject:
        group = &g_object;
        break;
    }
    Opts *o = group->parse_noisily(s.arg(), s.id() != kDrive);
    if (!o) return 1;
    g_where[o] = {s.name(), s.arg()};
  }
  // Backends are created before the devices that use them, as QEMU does.
  for (const auto &o : g_object.all()) check_object(o.get());
  for (const auto &o : g_netdev.all()) check_netdev(o.get());
  for (const auto &o : g_drive.all()) check_drive(o.get());
  for (const auto &o : g_device.all()) check_device(o.get());
  return 0;
}
