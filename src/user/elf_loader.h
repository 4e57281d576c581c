// Loading an x86-64 ELF executable (and its PT_INTERP interpreter) into guest memory (our own
// address space at the guest base, guest_addr.h). Addresses here are guest addresses.
#pragma once

#include <cstdint>
#include <string>

namespace qemu::user {

class GuestMemoryMap;

// Where position-independent images go (the kernel's choice for a PIE when ASLR is off, and a
// base for the interpreter well away from it). When taken, the next free place is used.
inline constexpr uint64_t kPieBase = 0x555555554000ull;
inline constexpr uint64_t kInterpBase = 0x7ff7f7800000ull;

struct ElfImage {
  std::string path;
  uint16_t type = 0;       // ET_EXEC or ET_DYN
  uint64_t load_bias = 0;  // added to the file's addresses
  uint64_t entry = 0;      // e_entry + load_bias
  uint64_t phdr = 0;       // where the program headers are in memory (AT_PHDR), 0: nowhere
  uint16_t phnum = 0;
  uint16_t phentsize = 0;
  uint64_t start = 0, end = 0;  // the lowest and highest (page aligned) mapped addresses
  uint64_t end_data = 0;        // end of the highest segment's memory image (brk starts here)
  // The kernel's start_code/end_code (executable segments) and start_data/end_data (the
  // highest segment start, the highest file end), for /proc/self/stat.
  uint64_t start_code = 0, end_code = 0, start_data = 0, end_file_data = 0;
  bool exec_stack = false;  // PT_GNU_STACK with PF_X, or no PT_GNU_STACK
  std::string interp;       // PT_INTERP as written in the file
};

// Why loading failed. errnum != 0: the file could not be opened or is no executable
// (QEMU: "Error while loading <path>: <strerror>", exit 1). Otherwise message says what is
// wrong with the image (QEMU: "qemu-x86_64: <path>: <message>", exit 255).
struct LoadError {
  int errnum = 0;
  std::string message;
};

// Checks that path can be executed and reads its first bytes (errors as execve would give).
// Sets *is_script when it starts with "#!".
bool check_executable(const std::string &path, bool *is_script, LoadError *err);

// Maps the ELF file at path. An ET_DYN image goes at dyn_base (or the next free place).
// Mappings are recorded in mem when it is not null.
bool load_elf(const std::string &path, uint64_t dyn_base, GuestMemoryMap *mem, ElfImage *img,
              LoadError *err);

struct LoadedProgram {
  ElfImage exe;
  ElfImage interp;  // valid when has_interp
  bool has_interp = false;
  uint64_t entry = 0;      // where the guest starts: the interpreter's entry, or the program's
  uint64_t brk_start = 0;  // page-aligned end of the program's highest segment
};

// Loads the program and, when it has PT_INTERP, its interpreter (looked up under ld_prefix
// first when that exists, like QEMU's -L).
bool load_program(const std::string &path, const std::string &ld_prefix, GuestMemoryMap *mem,
                  LoadedProgram *prog, LoadError *err);

// Parses a "#!interpreter [arg]" first line. Returns false when it is not one.
bool parse_shebang(const std::string &path, std::string *interp, std::string *arg);

}  // namespace qemu::user
