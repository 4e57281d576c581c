#include "base/error.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>

namespace qemu {
namespace {

std::string g_progname = "qemu";
bool g_timestamps = false;
std::vector<Location> g_locations;

void stderr_sink(std::string_view text) {
  fwrite(text.data(), 1, text.size(), stderr);
  fflush(stderr);
}
void (*g_sink)(std::string_view) = stderr_sink;

std::string timestamp() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06}Z ", buf, static_cast<long>(tv.tv_usec));
}

void report(std::string_view kind, std::string_view msg, std::string_view hint) {
  std::string out = message_prefix();
  out += kind;
  out += msg;
  out += '\n';
  out += hint;
  g_sink(out);
}

}  // namespace

void set_progname(std::string_view argv0) {
  auto slash = argv0.rfind('/');
  g_progname = std::string(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
}

const std::string &progname() {
  return g_progname;
}

void set_message_timestamps(bool on) {
  g_timestamps = on;
}

LocationScope::LocationScope(Location loc) {
  g_locations.push_back(std::move(loc));
}
LocationScope::~LocationScope() {
  g_locations.pop_back();
}

LocationScope LocationScope::cmdline(std::string opt, std::string arg) {
  return LocationScope(Location{Location::Kind::kCmdline, {std::move(opt), std::move(arg)}, {}, 0});
}
LocationScope LocationScope::cmdline(std::string opt) {
  return LocationScope(Location{Location::Kind::kCmdline, {std::move(opt)}, {}, 0});
}

std::string message_prefix() {
  std::string out;
  if (g_timestamps) out += timestamp();
  out += g_progname;
  out += ": ";
  if (!g_locations.empty()) {
    const Location &loc = g_locations.back();
    switch (loc.kind) {
      case Location::Kind::kNone:
        break;
      case Location::Kind::kCmdline:
        for (size_t i = 0; i < loc.args.size(); i++) {
          if (i) out += ' ';
          out += loc.args[i];
        }
        out += ": ";
        break;
      case Location::Kind::kFile:
        out += loc.file;
        if (loc.line) out += fmt::format(":{}", loc.line);
        out += ": ";
        break;
    }
  }
  return out;
}

void error_report_str(std::string_view msg) {
  report("", msg, "");
}
void warn_report_str(std::string_view msg) {
  report("warning: ", msg, "");
}
void info_report_str(std::string_view msg) {
  report("info: ", msg, "");
}
void error_report_err(const Error &err) {
  report("", err.msg, err.hint);
}
void warn_report_err(const Error &err) {
  report("warning: ", err.msg, err.hint);
}

void set_report_sink(void (*sink)(std::string_view)) {
  g_sink = sink ? sink : stderr_sink;
}

}  // namespace qemu
