// The guest's initial stack as the Linux kernel lays it out for a new x86-64 process: argc,
// argv, envp, the auxiliary vector, and above them the strings, AT_RANDOM's bytes and the
// platform name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "user/elf_loader.h"

namespace qemu::user {

class GuestMemoryMap;

struct StackParams {
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string execfn;  // AT_EXECFN: the program's path as given
  uint64_t stack_size = 8 * 1024 * 1024;
  uint64_t hwcap = 0, hwcap2 = 0;
  uint8_t random[16] = {};
  bool exec_stack = false;
};

struct StackInfo {
  uint64_t sp = 0;         // the initial rsp (points at argc)
  uint64_t base = 0;       // lowest address of the stack mapping
  uint64_t top = 0;        // end of the stack mapping
  uint64_t auxv = 0;       // where the auxiliary vector is
  uint64_t auxv_len = 0;   // its size in bytes (with AT_NULL)
  uint64_t arg_start = 0;  // argv strings ([arg_start, arg_end), for /proc/self/cmdline)
  uint64_t arg_end = 0;
  uint64_t env_start = 0;  // environment strings, the same way
  uint64_t env_end = 0;
};

// Maps the stack and writes the initial process image onto it.
bool setup_stack(const StackParams &p, const LoadedProgram &prog, GuestMemoryMap *mem,
                 StackInfo *out, std::string *err);

// Reads the auxiliary vector entry of type type at info, or returns false.
bool auxv_lookup(const StackInfo &info, uint64_t type, uint64_t *value);

}  // namespace qemu::user
