#include "user/proc_stat.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "user/user_state.h"

namespace qemu::user {

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
  const ElfImage &exe = g_proc->prog.exe;
  const StackInfo &st = g_proc->stack;
  const struct {
    unsigned field;
    uint64_t value;
  } guest[] = {{26, exe.start_code}, {27, exe.end_code},      {28, st.sp},
               {45, exe.start_data}, {46, exe.end_file_data}, {47, g_proc->brk_start},
               {48, st.arg_start},   {49, st.arg_end},        {50, st.env_start},
               {51, st.env_end}};
  for (const auto &g : guest) {
    if (g.field - 3 < fields.size()) fields[g.field - 3] = std::to_string(g.value);
  }
  std::string out = line.substr(0, paren + 1);
  for (const std::string &v : fields) out += " " + v;
  return out + "\n";
}

}  // namespace qemu::user
