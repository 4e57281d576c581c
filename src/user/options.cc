#include "user/options.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/error.h"
#include "base/log.h"
#include "base/version.h"

namespace qemu::user {

namespace {

// Thrown by handlers to stop parsing with an exit code (output already printed).
struct ExitRequest {
  int code;
};

struct Ctx {
  UserOptions *o;
  FILE *out;
  FILE *err;
};

using Handler = void (*)(Ctx &c, const char *arg);

struct ArgInfo {
  const char *name;  // without the dash
  const char *env;   // the environment variable, or null
  bool has_arg;
  Handler handler;
  const char *example;
  const char *help;
};

[[noreturn]] void usage_exit(Ctx &c, int code);

// "a,b,c" in getsubopt(3) style.
std::vector<std::string> split_commas(const char *s) {
  std::vector<std::string> v;
  std::string_view sv(s);
  size_t pos = 0;
  for (;;) {
    size_t comma = sv.find(',', pos);
    v.emplace_back(sv.substr(pos, comma == sv.npos ? sv.npos : comma - pos));
    if (comma == sv.npos) break;
    pos = comma + 1;
  }
  return v;
}

void h_help(Ctx &c, const char *) {
  usage_exit(c, 0);
}
void h_gdb(Ctx &c, const char *a) {
  c.o->gdb_port = a;
}
void h_ld_prefix(Ctx &c, const char *a) {
  c.o->ld_prefix = a;
}
void h_stack(Ctx &c, const char *a) {
  char *end;
  unsigned long v = strtoul(a, &end, 0);
  c.o->stack_size = v;
  if (v == 0) usage_exit(c, 1);
  if (*end == 'M')
    v <<= 20;
  else if (*end == 'k' || *end == 'K')
    v <<= 10;
  c.o->stack_size = v;
}
void h_cpu(Ctx &c, const char *a) {
  if (strcmp(a, "help") == 0 || strcmp(a, "?") == 0) {
    print_cpu_models(c.out);
    throw ExitRequest{1};
  }
  c.o->cpu_model = a;
}
void h_set_env(Ctx &c, const char *a) {
  for (auto &item : split_commas(a)) {
    if (item.find('=') == std::string::npos) usage_exit(c, 1);
    c.o->set_env.push_back(item);
    c.o->env_ops.emplace_back(true, item);
  }
}
void h_unset_env(Ctx &c, const char *a) {
  for (auto &item : split_commas(a)) {
    if (item.find('=') != std::string::npos) usage_exit(c, 1);
    c.o->unset_env.push_back(item);
    c.o->env_ops.emplace_back(false, item);
  }
}
void h_argv0(Ctx &c, const char *a) {
  c.o->argv0 = a;
  c.o->have_argv0 = true;
}
void h_uname(Ctx &c, const char *a) {
  c.o->uname_release = a;
}
void h_guest_base(Ctx &c, const char *a) {
  // strtol as QEMU: out of range saturates to LONG_MAX, a minus sign wraps.
  c.o->guest_base = static_cast<uint64_t>(strtol(a, nullptr, 0));
  c.o->have_guest_base = true;
}
void h_reserved_va(Ctx &c, const char *a) {
  char *end;
  uint64_t v = strtoull(a, &end, 0);
  int shift = 0;
  switch (*end) {
    case 'k':
    case 'K':
      shift = 10;
      break;
    case 'M':
      shift = 20;
      break;
    case 'G':
      shift = 30;
      break;
  }
  if (shift) ++end;
  if (*end) {
    fprintf(c.err, "Unrecognised -R size suffix '%s'\n", end);
    throw ExitRequest{1};
  }
  c.o->reserved_va = v << shift;
}

void h_log(Ctx &c, const char *a) {
  uint32_t mask = 0;
  if (strcmp(a, "help") == 0 || !parse_log_items(a, &mask)) {
    print_log_usage(c.out);
    throw ExitRequest{1};
  }
  c.o->log_items = a;
  c.o->log_mask = mask;
}
// A number in QEMU's syntax covering all of s.
bool parse_u64(const std::string &s, uint64_t *v) {
  if (s.empty()) return false;
  char *end;
  errno = 0;
  *v = strtoull(s.c_str(), &end, 0);
  return errno == 0 && *end == '\0' && s[0] != '-';
}

void h_dfilter(Ctx &c, const char *a) {
  // Ranges "start+len", "start-len" or "start..end".
  auto fail = [&](const std::string &msg) {
    error_report("{}", msg);
    throw ExitRequest{1};
  };
  for (auto &r : split_commas(a)) {
    if (r.empty() && !*a) continue;
    size_t pos = r.find_first_of("+-.");
    std::string op;
    if (pos != std::string::npos)
      op = r[pos] == '.' ? (r.compare(pos, 2, "..") == 0 ? ".." : "") : r.substr(pos, 1);
    if (op.empty()) fail("Bad range specifier");
    uint64_t left, right;
    if (!parse_u64(r.substr(0, pos), &left)) fail("Invalid number to the left of " + op);
    if (!parse_u64(r.substr(pos + op.size()), &right)) fail("Invalid number to the right of " + op);
    if (op == ".." ? right < left : right == 0) fail("Invalid range");
  }
  c.o->dfilter = a;
}
void h_log_file(Ctx &c, const char *a) {
  c.o->log_file = a;
}
void h_pagesize(Ctx &c, const char *a) {
  long v = atol(a);
  if (v <= 0 || (v & (v - 1)) != 0) {
    fprintf(c.err, "page size must be a power of two\n");
    throw ExitRequest{1};
  }
  c.o->page_size = static_cast<uint64_t>(v);
}
void h_singlestep(Ctx &c, const char *) {
  c.o->singlestep = true;
}
void h_strace(Ctx &c, const char *) {
  c.o->strace = true;
}
void h_seed(Ctx &c, const char *a) {
  char *end;
  errno = 0;
  uint64_t v = strtoull(a, &end, 0);
  if (end == a || *end || errno) {
    error_report("cannot initialize crypto: Invalid seed number: {}", a);
    throw ExitRequest{1};
  }
  c.o->seed = v;
  c.o->have_seed = true;
}
void h_trace(Ctx &c, const char *a) {
  c.o->trace.push_back(a);
}
void h_plugin(Ctx &c, const char *a) {
  c.o->plugins.push_back(a);
}
void h_version(Ctx &c, const char *) {
  fputs(version_banner("qemu-x86_64").c_str(), c.out);
  throw ExitRequest{0};
}

const ArgInfo kArgs[] = {
    {"h", nullptr, false, h_help, "", "print this help"},
    {"help", nullptr, false, h_help, "", ""},
    {"g", "QEMU_GDB", true, h_gdb, "port", "wait gdb connection to 'port'"},
    {"L", "QEMU_LD_PREFIX", true, h_ld_prefix, "path", "set the elf interpreter prefix to 'path'"},
    {"s", "QEMU_STACK_SIZE", true, h_stack, "size", "set the stack size to 'size' bytes"},
    {"cpu", "QEMU_CPU", true, h_cpu, "model", "select CPU (-cpu help for list)"},
    {"E", "QEMU_SET_ENV", true, h_set_env, "var=value",
     "sets targets environment variable (see below)"},
    {"U", "QEMU_UNSET_ENV", true, h_unset_env, "var",
     "unsets targets environment variable (see below)"},
    {"0", "QEMU_ARGV0", true, h_argv0, "argv0", "forces target process argv[0] to be 'argv0'"},
    {"r", "QEMU_UNAME", true, h_uname, "uname", "set qemu uname release string to 'uname'"},
    {"B", "QEMU_GUEST_BASE", true, h_guest_base, "address", "set guest_base address to 'address'"},
    {"R", "QEMU_RESERVED_VA", true, h_reserved_va, "size",
     "reserve 'size' bytes for guest virtual address space"},
    {"d", "QEMU_LOG", true, h_log, "item[,...]",
     "enable logging of specified items (use '-d help' for a list of items)"},
    {"dfilter", "QEMU_DFILTER", true, h_dfilter, "range[,...]",
     "filter logging based on address range"},
    {"D", "QEMU_LOG_FILENAME", true, h_log_file, "logfile",
     "write logs to 'logfile' (default stderr)"},
    {"p", "QEMU_PAGESIZE", true, h_pagesize, "pagesize", "set the host page size to 'pagesize'"},
    {"singlestep", "QEMU_SINGLESTEP", false, h_singlestep, "", "run in singlestep mode"},
    {"strace", "QEMU_STRACE", false, h_strace, "", "log system calls"},
    {"seed", "QEMU_RAND_SEED", true, h_seed, "", "Seed for pseudo-random number generator"},
    {"trace", "QEMU_TRACE", true, h_trace, "",
     "[[enable=]<pattern>][,events=<file>][,file=<file>]"},
    {"plugin", "QEMU_PLUGIN", true, h_plugin, "", "[file=]<file>[,<argname>=<argvalue>]"},
    {"version", "QEMU_VERSION", false, h_version, "", "display version information and exit"},
};

void usage_exit(Ctx &c, int code) {
  print_usage(c.out, c.o->ld_prefix, c.o->stack_size);
  throw ExitRequest{code};
}

const char *env_lookup(char **envp, const char *name) {
  size_t n = strlen(name);
  for (char **e = envp; e && *e; ++e)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  return nullptr;
}

}  // namespace

void print_usage(FILE *out, const std::string &ld_prefix, uint64_t stack_size) {
  fprintf(out,
          "usage: qemu-x86_64 [options] program [arguments...]\n"
          "Linux CPU emulator (compiled for x86_64 emulation)\n"
          "\n"
          "Options and associated environment variables:\n"
          "\n");
  size_t arg_w = strlen("Argument"), env_w = strlen("Env-variable");
  for (const auto &a : kArgs) {
    size_t w = strlen(a.name) + 1 + (*a.example ? strlen(a.example) + 1 : 0);
    arg_w = std::max(arg_w, w);
    if (a.env) env_w = std::max(env_w, strlen(a.env));
  }
  fprintf(out, "%-*s %-*s Description\n", int(arg_w), "Argument", int(env_w), "Env-variable");
  for (const auto &a : kArgs) {
    std::string arg = std::string("-") + a.name;
    if (*a.example) arg += std::string(" ") + a.example;
    fprintf(out, "%-*s %-*s %s\n", int(arg_w), arg.c_str(), int(env_w), a.env ? a.env : "", a.help);
  }
  fprintf(out,
          "\n"
          "Defaults:\n"
          "QEMU_LD_PREFIX  = %s\n"
          "QEMU_STACK_SIZE = %lu byte\n",
          ld_prefix.c_str(), static_cast<unsigned long>(stack_size));
  fprintf(out,
          "\n"
          "You can use -E and -U options or the QEMU_SET_ENV and\n"
          "QEMU_UNSET_ENV environment variables to set and unset\n"
          "environment variables for the target process.\n"
          "It is possible to provide several variables by separating them\n"
          "by commas in getsubopt(3) style. Additionally it is possible to\n"
          "provide the -E and -U options multiple times.\n"
          "The following lines are equivalent:\n"
          "    -E var1=val2 -E var2=val2 -U LD_PRELOAD -U LD_DEBUG\n"
          "    -E var1=val2,var2=val2 -U LD_PRELOAD,LD_DEBUG\n"
          "    QEMU_SET_ENV=var1=val2,var2=val2 QEMU_UNSET_ENV=LD_PRELOAD,LD_DEBUG\n"
          "Note that if you provide several changes to a single variable\n"
          "the last change will stay in effect.\n"
          "\n"
          "See <https://qemu.org/contribute/report-a-bug> for how to report bugs.\n"
          "More information on the QEMU project at <https://qemu.org>.\n");
}

ParseResult parse_options(int argc, char **argv, char **envp, UserOptions *opts, FILE *out,
                          FILE *err) {
  Ctx c{opts, out, err};
  try {
    // The environment first, in table order; the command line overrides it.
    for (const auto &a : kArgs) {
      if (!a.env) continue;
      const char *v = env_lookup(envp, a.env);
      if (v) a.handler(c, v);
    }
    int i = 1;
    while (i < argc) {
      const char *r = argv[i];
      if (r[0] != '-') break;
      ++i;
      ++r;
      if (strcmp(r, "-") == 0) break;
      if (r[0] == '-') ++r;
      const ArgInfo *found = nullptr;
      for (const auto &a : kArgs)
        if (strcmp(r, a.name) == 0) found = &a;
      if (!found) {
        fprintf(err, "qemu: unknown option '%s'\n", r);
        return {ParseResult::kExit, 1};
      }
      const char *arg = nullptr;
      if (found->has_arg) {
        if (i >= argc) {
          fprintf(err, "qemu: missing argument for option '%s'\n", r);
          return {ParseResult::kExit, 1};
        }
        arg = argv[i++];
      }
      found->handler(c, arg);
    }
    if (i >= argc) {
      fprintf(err, "qemu: no user program specified\n");
      return {ParseResult::kExit, 1};
    }
    opts->program = argv[i];
    opts->args.assign(argv + i, argv + argc);
  } catch (const ExitRequest &e) {
    fflush(out);
    return {ParseResult::kExit, e.code};
  }
  return {};
}

}  // namespace qemu::user
