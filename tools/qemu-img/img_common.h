// What the qemu-img subcommands share: QEMU's error exits, option-scanning helpers and the
// output-format switch.
#pragma once

#include <getopt.h>

#include <string>
#include <string_view>

#include "base/error.h"

namespace qemu::img {

enum class OutputFormat { kHuman, kJson };

// "qemu-img: <msg>\nTry 'qemu-img --help' for more information" and exit 1.
[[noreturn]] void error_exit(std::string_view msg);
[[noreturn]] void unrecognized_option(const char *option);
[[noreturn]] void missing_argument(const char *option);

// Handles the getopt_long results every subcommand treats alike ('?', ':', 'h').
// Returns false if the caller should handle c itself.
bool handle_common_getopt(int c, char **argv);

// Parses --output's argument; exits with QEMU's message when it is neither human nor json.
OutputFormat parse_output_format(const char *arg);

void print_help();

// Subcommands: each returns the process exit status.
int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_dd(int argc, char **argv);

}  // namespace qemu::img
