// qemu-img: create, convert, check and modify disk images.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/version.h"
#include "tools/qemu-img/img_common.h"

namespace {

struct Command {
  const char *name;
  int (*run)(int argc, char **argv);
};

// The subcommands in the order of QEMU's help text.
const Command kCommands[] = {
    {"amend", qemu::img::img_amend},
    {"bench", qemu::img::img_bench},
    {"bitmap", qemu::img::img_bitmap},
    {"check", qemu::img::img_check},
    {"commit", qemu::img::img_commit},
    {"compare", qemu::img::img_compare},
    {"convert", qemu::img::img_convert},
    {"create", qemu::img::img_create},
    {"dd", qemu::img::img_dd},
    {"info", qemu::img::img_info},
    {"map", qemu::img::img_map},
    {"measure", qemu::img::img_measure},
    {"snapshot", qemu::img::img_snapshot},
    {"rebase", qemu::img::img_rebase},
    {"resize", qemu::img::img_resize},
};

}  // namespace

int main(int argc, char **argv) {
  using namespace qemu::img;
  qemu::set_progname(argv[0]);
  if (argc < 2) error_exit("Not enough arguments");

  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {"trace", required_argument, nullptr, 'T'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+:hVT:", long_options, nullptr)) != -1) {
    switch (c) {
      case 'V':
        fputs(qemu::version_banner("qemu-img").c_str(), stdout);
        return 0;
      case 'T':
        break;  // trace events: none defined yet
      default:
        handle_common_getopt(c, argv);
    }
  }
  if (optind >= argc) error_exit("Not enough arguments");
  const char *cmd = argv[optind];
  // Each subcommand scans its own options starting at its name, as QEMU does.
  argc -= optind;
  argv += optind;
  optind = 0;
  for (const Command &command : kCommands) {
    if (strcmp(cmd, command.name) == 0) return command.run(argc, argv);
  }
  error_exit(fmt::format("Command not found: {}", cmd));
}
