#include "block/create_opts.h"

namespace qemu::block {

const OptsList &file_create_opts() {
  static const OptsList list{
      "file-create-opts",
      "",
      false,
      {
          {"size", OptType::kSize, "Virtual disk size", ""},
          {"nocow", OptType::kBool, "Turn off copy-on-write (valid only on btrfs)", ""},
          {"preallocation", OptType::kString,
           "Preallocation mode (allowed values: off, falloc, full)", ""},
          {"extent_size_hint", OptType::kSize, "Extent size hint for the image file, 0 to disable",
           ""},
      }};
  return list;
}

const OptsList *format_create_opts(const std::string &format) {
  static const OptsList raw{
      "raw-create-opts", "", false, {{"size", OptType::kSize, "Virtual disk size", ""}}};
  if (format == "raw") return &raw;
  if (format == "file") return &file_create_opts();
  return nullptr;
}

OptsList merged_create_opts(const std::string &format) {
  OptsList merged;
  const OptsList *fmt = format_create_opts(format);
  if (fmt) merged = *fmt;
  for (const OptDesc &d : file_create_opts().desc) {
    if (!merged.find_desc(d.name)) merged.desc.push_back(d);
  }
  return merged;
}

std::string print_create_opts(const Opts &opts) {
  std::string out;
  for (const OptDesc &d : opts.list().desc) {
    const Opt *o = opts.find(d.name);
    std::string value = o ? o->str : d.def_value;
    if (value.empty() && !o) continue;
    if (!out.empty()) out += ' ';
    if (d.type == OptType::kString) {
      out += d.name + "=" + escape_opt_value(value);
    } else if ((d.type == OptType::kSize || d.type == OptType::kNumber) && o) {
      out += fmt::format("{}={}", d.name, o->number);
    } else {
      out += d.name + "=" + value;
    }
  }
  return out;
}

}  // namespace qemu::block
