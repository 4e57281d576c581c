// The creation options (-o) each driver accepts, declared once as QemuOpts tables: used to
// validate -o, to print "-o help", and to print the "Formatting ..." line in table order.
#pragma once

#include <string>

#include "base/opts.h"

namespace qemu::block {

// The format's own options, or null for an unknown format.
const OptsList *format_create_opts(const std::string &format);
// The options of the protocol under a format (the file driver).
const OptsList &file_create_opts();
// The format's options followed by the protocol's (duplicates dropped), as QEMU merges them.
OptsList merged_create_opts(const std::string &format);

// "size=1048576 nocow=on ...": the set options (and those with defaults) in table order, with
// sizes and numbers as integers and commas in strings doubled.
std::string print_create_opts(const Opts &opts);

}  // namespace qemu::block
