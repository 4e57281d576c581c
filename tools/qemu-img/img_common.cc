#include "tools/qemu-img/img_common.h"

#include <cstdio>
#include <cstdlib>

#include "base/version.h"

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

OutputFormat parse_output_format(const char *arg) {
  std::string_view s(arg);
  if (s == "json") return OutputFormat::kJson;
  if (s == "human") return OutputFormat::kHuman;
  error_report("--output must be used with human or json as argument.");
  exit(EXIT_FAILURE);
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
      "  create [--object objectdef] [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] "
      "[-o options] filename [size]\n"
      "  dd [--image-opts] [-U] [-f fmt] [-O output_fmt] [bs=block_size] [count=blocks] "
      "[skip=blocks] if=input of=output\n"
      "  info [--object objectdef] [--image-opts] [-f fmt] [--output=ofmt] [--backing-chain] "
      "[-U] filename\n"
      "\n"
      "Command parameters:\n"
      "  'filename' is a disk image filename\n"
      "  'fmt' is the disk image format. It is guessed automatically in most cases\n"
      "  'size' is the disk image size in bytes. Optional suffixes\n"
      "    'k' or 'K' (kilobyte, 1024), 'M' (megabyte, 1024k), 'G' (gigabyte, 1024M),\n"
      "    'T' (terabyte, 1024G), 'P' (petabyte, 1024T) and 'E' (exabyte, 1024P)  are\n"
      "    supported. 'b' is ignored.\n"
      "  'output_fmt' is the destination format\n"
      "  'options' is a comma separated list of format specific options in a\n"
      "    name=value format. Use -o help for an overview of the options supported by\n"
      "    the used format\n"
      "  '-q' use Quiet mode - do not print any output (except errors)\n"
      "  '--output' takes the format in which the output must be done (human or json)\n"
      "\n"
      "Parameters to dd subcommand:\n"
      "  'bs=BYTES' read and write up to BYTES bytes at a time (default: 512)\n"
      "  'count=N' copy only N input blocks\n"
      "  'if=FILE' read from FILE\n"
      "  'of=FILE' write to FILE\n"
      "  'skip=N' skip N bs-sized blocks at the start of input\n"
      "\n"
      "Supported formats: file raw\n",
      stdout);
}

}  // namespace qemu::img
