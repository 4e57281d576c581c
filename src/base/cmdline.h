// Scans argv for QEMU-style options: "-name" and "--name" are the same option, an option with
// an argument takes the next argv element. The emulators and tools differ in how they report
// errors and treat positional arguments, so the scanner returns events and lets them decide.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace qemu {

struct CmdlineOption {
  const char *name;
  bool has_arg;
  int id;  // the caller's identifier for the option
};

class CmdlineScanner {
 public:
  enum class Kind {
    kOption,      // a known option: id(), arg()
    kPositional,  // an argument that is not an option: arg()
    kEnd,
    kUnknown,     // an unknown option: name()
    kMissingArg,  // a known option at the end of argv: name()
  };

  CmdlineScanner(int argc, char **argv, std::span<const CmdlineOption> options)
      : argc_(argc), argv_(argv), options_(options) {}

  // Reads the next element. "--" ends option processing: what follows is positional.
  Kind next();

  int id() const { return id_; }
  const std::string &name() const { return name_; }   // the option as typed, e.g. "-drive"
  const char *arg() const { return arg_; }            // the argument, or null
  int index() const { return index_; }                // argv index of the next element
  int option_index() const { return option_index_; }  // argv index of the current option
  bool after_double_dash() const { return double_dash_; }

 private:
  int argc_;
  char **argv_;
  std::span<const CmdlineOption> options_;
  int index_ = 1;
  int option_index_ = 0;
  int id_ = -1;
  std::string name_;
  const char *arg_ = nullptr;
  bool double_dash_ = false;
};

}  // namespace qemu
