// The command line of qemu-x86_64, as QEMU 7.2's linux-user parses it: every option also has an
// environment variable (read first, the command line wins), options end at the first argument
// that is not one, and errors are reported with QEMU's words and exit codes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace qemu::user {

struct UserOptions {
  std::string ld_prefix = "/etc/qemu-binfmt/x86_64";  // -L / QEMU_LD_PREFIX
  uint64_t stack_size = 8 * 1024 * 1024;              // -s / QEMU_STACK_SIZE
  std::string cpu_model;                              // -cpu / QEMU_CPU
  std::vector<std::string> set_env;                   // -E (var=value)
  std::vector<std::string> unset_env;                 // -U (var)
  // -E and -U in the order given (true: set "var=value", false: unset "var"); the last change
  // to a variable wins.
  std::vector<std::pair<bool, std::string>> env_ops;
  std::string argv0;  // -0 / QEMU_ARGV0
  bool have_argv0 = false;
  std::string uname_release;  // -r / QEMU_UNAME
  uint64_t guest_base = 0;    // -B / QEMU_GUEST_BASE
  bool have_guest_base = false;
  uint64_t reserved_va = 0;  // -R / QEMU_RESERVED_VA
  std::string log_items;     // -d / QEMU_LOG
  uint32_t log_mask = 0;
  std::string log_file;  // -D / QEMU_LOG_FILENAME
  std::string dfilter;   // -dfilter / QEMU_DFILTER
  uint64_t page_size = 4096;
  std::string gdb_port;     // -g / QEMU_GDB
  bool singlestep = false;  // -singlestep / QEMU_SINGLESTEP
  bool strace = false;      // -strace / QEMU_STRACE
  bool have_seed = false;   // -seed / QEMU_RAND_SEED
  uint64_t seed = 0;
  std::vector<std::string> trace;    // -trace / QEMU_TRACE
  std::vector<std::string> plugins;  // -plugin / QEMU_PLUGIN

  // The guest program and its arguments (argv[optind..]).
  std::string program;
  std::vector<std::string> args;
};

// What parse_options decided.
struct ParseResult {
  enum Action { kRun, kExit } action = kRun;
  int exit_code = 0;
};

// Parses the environment (QEMU_* variables) then argv. Prints help, version, -cpu help, -d
// help and errors itself (to out/err) and returns kExit with QEMU's exit code for them.
ParseResult parse_options(int argc, char **argv, char **envp, UserOptions *opts, FILE *out,
                          FILE *err);

// The -h text (the defaults section shows the current values).
void print_usage(FILE *out, const std::string &ld_prefix, uint64_t stack_size);

// The -cpu help listing, and whether name is a CPU model we accept.
void print_cpu_models(FILE *out);
// Whether name is one of the CPUID flag names -cpu help lists.
bool is_cpu_flag(const std::string &name);
// -cpu MODEL[,flags]: sets what CPUID reports; false after printing QEMU's error.
bool apply_cpu_option(const std::string &spec);

}  // namespace qemu::user
