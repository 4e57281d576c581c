#include "user/guest_base.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/error.h"
#include "user/guest_addr.h"
#include "user/guest_memory.h"

namespace qemu::user {

namespace {

// Room QEMU keeps above the main program for its heap.
constexpr uint64_t kBrkRoom = 32ull << 20;

// The span QEMU asks for: the lowest p_vaddr - p_offset and the last byte of the highest
// segment, plus the heap room. False when the headers cannot be read.
bool image_span(const std::string &path, bool *dyn, uint64_t *lo, uint64_t *hi) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  Elf64_Ehdr eh;
  bool ok = pread(fd, &eh, sizeof eh, 0) == sizeof eh && eh.e_phentsize == sizeof(Elf64_Phdr) &&
            eh.e_phnum > 0 && eh.e_phnum < 4096 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
            eh.e_machine == EM_X86_64 && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
  std::vector<Elf64_Phdr> ph(ok ? eh.e_phnum : 0);
  if (ok) {
    const auto bytes = static_cast<ssize_t>(ph.size() * sizeof(Elf64_Phdr));
    ok = pread(fd, ph.data(), static_cast<size_t>(bytes), static_cast<off_t>(eh.e_phoff)) == bytes;
  }
  close(fd);
  if (!ok) return false;
  *lo = ~uint64_t{0};
  *hi = 0;
  for (const Elf64_Phdr &p : ph) {
    if (p.p_type != PT_LOAD) continue;
    *lo = std::min(*lo, p.p_vaddr - p.p_offset);
    *hi = std::max(*hi, p.p_vaddr + p.p_memsz - 1);
  }
  if (*lo > *hi) return false;
  *hi += kBrkRoom;
  *dyn = eh.e_type == ET_DYN;
  return true;
}

}  // namespace

int check_guest_base(uint64_t base, const std::string &program) {
  // As QEMU: the image's headers are read first (errors in them are the loader's to report).
  bool dyn;
  uint64_t lo, hi;
  if (!image_span(program, &dyn, &lo, &hi)) return -1;
  if (base & kPageMask) {
    fprintf(stderr,
            "Requested guest base 0x%llx does not satisfy host minimum alignment (0x%llx)\n",
            static_cast<unsigned long long>(base), static_cast<unsigned long long>(kPageSize));
    return 1;
  }
  // A position-independent program only needs its size at the base.
  if (dyn) {
    hi -= lo;
    lo = 0;
  }
  void *want = reinterpret_cast<void *>(base + lo);
  void *got =
      mmap(want, hi - lo + 1, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (got != MAP_FAILED) munmap(got, hi - lo + 1);
  if (got != want) {
    error_report(
        "{}: requires virtual address space that is in use (omit the -B option or "
        "choose a different value)",
        program);
    return 1;
  }
  return -1;
}

void set_guest_base(uint64_t base) {
  g_guest_base = base;
  g_guest_limit = base < kUserSpaceEnd ? kUserSpaceEnd - base : 0;
}

}  // namespace qemu::user
