#include "user/reserved_va.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "base/error.h"

namespace qemu::user {

namespace {

// Room QEMU keeps above the image for its heap when it checks the image against -R.
constexpr uint64_t kBrkRoom = 32ull << 20;

// The end of the highest PT_LOAD's memory image, at the file's addresses; 0 when unreadable.
uint64_t image_end(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  uint64_t end = 0;
  Elf64_Ehdr eh;
  if (pread(fd, &eh, sizeof eh, 0) == sizeof eh && eh.e_phentsize == sizeof(Elf64_Phdr) &&
      eh.e_phnum < 4096) {
    std::vector<Elf64_Phdr> ph(eh.e_phnum);
    const auto bytes = static_cast<ssize_t>(ph.size() * sizeof(Elf64_Phdr));
    if (pread(fd, ph.data(), static_cast<size_t>(bytes), static_cast<off_t>(eh.e_phoff)) == bytes) {
      for (const Elf64_Phdr &p : ph) {
        if (p.p_type == PT_LOAD && p.p_vaddr + p.p_memsz > end) end = p.p_vaddr + p.p_memsz;
      }
    }
  }
  close(fd);
  return end;
}

}  // namespace

int refuse_reserved_va(uint64_t reserved_va, const std::string &program) {
  if (reserved_va > (1ull << 47)) {
    fprintf(stderr, "Reserved virtual address too big\n");
    return 1;
  }
  const uint64_t need = image_end(program) + kBrkRoom;
  if (need > reserved_va) {
    error_report("{}: requires more than reserved virtual address space ({:#x} > {:#x})", program,
                 need, reserved_va);
    return 1;
  }
  error_report("Cannot allocate vsyscall page");
  return 1;
}

}  // namespace qemu::user
