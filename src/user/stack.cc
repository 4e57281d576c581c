#include "user/stack.h"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "user/guest_addr.h"
#include "user/guest_memory.h"
#include "user/guest_mmap.h"

namespace qemu::user {

namespace {

constexpr uint64_t kMinSigStkSz = 2048;  // AT_MINSIGSTKSZ without AVX-512 state

class Writer {
 public:
  explicit Writer(uint64_t top) : sp_(top) {}
  uint64_t push_bytes(const void *data, size_t len) {
    sp_ -= len;
    memcpy(g2h(sp_), data, len);
    return sp_;
  }
  uint64_t push_string(const std::string &s) { return push_bytes(s.c_str(), s.size() + 1); }
  void align(uint64_t a) { sp_ &= ~(a - 1); }
  uint64_t sp() const { return sp_; }
  void set_sp(uint64_t sp) { sp_ = sp; }

 private:
  uint64_t sp_;
};

}  // namespace

bool setup_stack(const StackParams &p, const LoadedProgram &prog, GuestMemoryMap *mem,
                 StackInfo *out, std::string *err) {
  uint64_t size = page_up(std::max<uint64_t>(p.stack_size, 64 * 1024));
  int prot = PROT_READ | PROT_WRITE | (p.exec_stack ? PROT_EXEC : 0);
  // A guard page below it.
  const int64_t m = mmap_guest(0, size + kPageSize, PROT_NONE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m < 0 && m >= -4095) {
    *err = std::string("Unable to allocate the stack: ") + strerror(static_cast<int>(-m));
    return false;
  }
  uint64_t base = static_cast<uint64_t>(m) + kPageSize;
  if (mprotect(g2h(base), size, prot) < 0) {
    *err = std::string("Unable to allocate the stack: ") + strerror(errno);
    munmap(g2h(static_cast<uint64_t>(m)), size + kPageSize);
    return false;
  }
  if (mem) {
    mem->map(base, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, 0, "[stack]");
  }
  out->base = base;
  out->top = base + size;

  // Strings and data at the top.
  Writer w(out->top - 8);
  uint64_t execfn = w.push_string(p.execfn);
  std::vector<uint64_t> envp_addr(p.envp.size()), argv_addr(p.argv.size());
  out->env_end = w.sp();
  for (size_t i = p.envp.size(); i-- > 0;) envp_addr[i] = w.push_string(p.envp[i]);
  out->env_start = w.sp();
  for (size_t i = p.argv.size(); i-- > 0;) argv_addr[i] = w.push_string(p.argv[i]);
  out->arg_start = w.sp();
  out->arg_end = out->env_start;
  uint64_t platform = w.push_string("x86_64");
  w.align(16);
  uint64_t random = w.push_bytes(p.random, 16);

  const ElfImage &exe = prog.exe;
  std::vector<uint64_t> auxv = {
      AT_MINSIGSTKSZ, kMinSigStkSz,
      AT_HWCAP,       p.hwcap,
      AT_PAGESZ,      kPageSize,
      AT_CLKTCK,      static_cast<uint64_t>(sysconf(_SC_CLK_TCK)),
      AT_PHDR,        exe.phdr,
      AT_PHENT,       exe.phentsize,
      AT_PHNUM,       exe.phnum,
      AT_BASE,        prog.has_interp ? prog.interp.load_bias : 0,
      AT_FLAGS,       0,
      AT_ENTRY,       exe.entry,
      AT_UID,         getuid(),
      AT_EUID,        geteuid(),
      AT_GID,         getgid(),
      AT_EGID,        getegid(),
      AT_SECURE,      0,
      AT_RANDOM,      random,
      AT_HWCAP2,      p.hwcap2,
      AT_EXECFN,      execfn,
      AT_PLATFORM,    platform,
      AT_NULL,        0,
  };

  // argc, argv[], NULL, envp[], NULL, auxv: the final sp must be 16-byte aligned.
  uint64_t words = 1 + argv_addr.size() + 1 + envp_addr.size() + 1 + auxv.size();
  uint64_t sp = (w.sp() - words * 8) & ~uint64_t(15);
  if (sp < base + 4096) {
    *err = "Argument list too long";
    return false;
  }
  uint64_t *q = static_cast<uint64_t *>(g2h(sp));
  *q++ = argv_addr.size();
  for (uint64_t a : argv_addr) *q++ = a;
  *q++ = 0;
  for (uint64_t a : envp_addr) *q++ = a;
  *q++ = 0;
  out->auxv = h2g(q);
  out->auxv_len = auxv.size() * 8;
  for (uint64_t a : auxv) *q++ = a;
  out->sp = sp;
  return true;
}

bool auxv_lookup(const StackInfo &info, uint64_t type, uint64_t *value) {
  const uint64_t *a = static_cast<const uint64_t *>(g2h(info.auxv));
  for (size_t i = 0; i + 1 < info.auxv_len / 8; i += 2) {
    if (a[i] == type) {
      *value = a[i + 1];
      return true;
    }
  }
  return false;
}

}  // namespace qemu::user
