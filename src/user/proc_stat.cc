#include "user/proc_stat.h"

#include <elf.h>
#include <sys/mman.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "user/guest_addr.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

// Where the kernel's ELF loader puts a process's code and data bounds (fs/binfmt_elf.c's
// start_code, end_code, start_data, end_data): executable segments for code, the highest
// segment start and file end for data.
struct ImageBounds {
  uint64_t start_code = ~0ull, end_code = 0, start_data = 0, end_data = 0;
};

ImageBounds image_bounds(const ElfImage &exe) {
  ImageBounds b;
  const uint64_t size = uint64_t{exe.phnum} * sizeof(Elf64_Phdr);
  if (!exe.phdr || exe.phentsize != sizeof(Elf64_Phdr) ||
      !g_proc->mem.is_mapped(exe.phdr, size, PROT_READ)) {
    b.start_code = 0;
    return b;
  }
  for (uint16_t i = 0; i < exe.phnum; i++) {
    Elf64_Phdr ph;
    std::memcpy(&ph, g2h(exe.phdr + i * sizeof ph), sizeof ph);
    if (ph.p_type != PT_LOAD) continue;
    const uint64_t lo = ph.p_vaddr + exe.load_bias, hi = lo + ph.p_filesz;
    if ((ph.p_flags & PF_X) && lo < b.start_code) b.start_code = lo;
    if ((ph.p_flags & PF_X) && hi > b.end_code) b.end_code = hi;
    if (lo > b.start_data) b.start_data = lo;
    if (hi > b.end_data) b.end_data = hi;
  }
  if (b.start_code == ~0ull) b.start_code = 0;
  return b;
}

}  // namespace

std::string guest_proc_stat() {
  std::ifstream f("/proc/self/stat");
  std::string line;
  std::getline(f, line);
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 > line.size()) return line + "\n";
  // Fields 3 onwards (man 5 proc numbers them from 1: pid, comm, state, ...).
  std::vector<std::string> fields;
  std::istringstream rest(line.substr(paren + 2));
  for (std::string v; rest >> v;) fields.push_back(v);
  const ImageBounds b = image_bounds(g_proc->prog.exe);
  const StackInfo &st = g_proc->stack;
  const struct {
    unsigned field;
    uint64_t value;
  } guest[] = {{26, b.start_code}, {27, b.end_code},        {28, st.sp},        {45, b.start_data},
               {46, b.end_data},   {47, g_proc->brk_start}, {48, st.arg_start}, {49, st.arg_end},
               {50, st.env_start}, {51, st.env_end}};
  for (const auto &g : guest) {
    if (g.field - 3 < fields.size()) fields[g.field - 3] = std::to_string(g.value);
  }
  std::string out = line.substr(0, paren + 1);
  for (const std::string &v : fields) out += " " + v;
  return out + "\n";
}

}  // namespace qemu::user
