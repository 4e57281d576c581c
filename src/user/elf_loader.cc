#include "user/elf_loader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "user/guest_addr.h"
#include "user/guest_memory.h"
#include "user/guest_mmap.h"

namespace qemu::user {

namespace {

constexpr const char *kBadArch = "Invalid ELF image for this architecture";

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool read_at(int fd, void *buf, size_t len, uint64_t off) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, static_cast<char *>(buf) + done, len - done, off + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

int elf_prot(uint32_t flags) {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
         (flags & PF_X ? PROT_EXEC : 0);
}

bool fail(LoadError *err, std::string msg) {
  err->errnum = 0;
  err->message = std::move(msg);
  return false;
}

bool fail_errno(LoadError *err, int e) {
  err->errnum = e;
  err->message.clear();
  return false;
}

// Validates the header and program headers of the file; fills phdrs.
bool check_image(int fd, uint64_t file_size, Elf64_Ehdr *eh, std::vector<Elf64_Phdr> *phdrs,
                 LoadError *err) {
  // Too short for a header: not an executable at all (execve's ENOEXEC).
  if (file_size < sizeof(*eh) || !read_at(fd, eh, sizeof(*eh), 0)) return fail_errno(err, ENOEXEC);
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return fail_errno(err, ENOEXEC);
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
      eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_machine != EM_X86_64 ||
      (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
    return fail(err, kBadArch);
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 4096)
    return fail(err, kBadArch);
  uint64_t ph_len = uint64_t(eh->e_phnum) * sizeof(Elf64_Phdr);
  if (eh->e_phoff > file_size || ph_len > file_size - eh->e_phoff)
    return fail(err, "Incomplete read of program headers");
  phdrs->resize(eh->e_phnum);
  if (!read_at(fd, phdrs->data(), ph_len, eh->e_phoff))
    return fail(err, "Incomplete read of program headers");
  bool any_load = false;
  for (const Elf64_Phdr &ph : *phdrs) {
    if (ph.p_type != PT_LOAD) continue;
    any_load = true;
    if (ph.p_filesz > ph.p_memsz) return fail(err, "PT_LOAD segment with filesz > memsz");
    if ((ph.p_vaddr & kPageMask) != (ph.p_offset & kPageMask))
      return fail(err, "PT_LOAD segment not aligned to the page size");
    if (ph.p_vaddr >= kUserSpaceEnd || ph.p_memsz >= kUserSpaceEnd - ph.p_vaddr)
      return fail(err, "PT_LOAD segment outside the user address space");
    if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
      return fail(err, "PT_LOAD segment extends past the end of the file");
  }
  if (!any_load) return fail(err, "no PT_LOAD segment");
  return true;
}

}  // namespace

bool check_executable(const std::string &path, bool *is_script, LoadError *err) {
  *is_script = false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(err, errno);
  Fd guard(fd);
  struct stat st;
  if (fstat(fd, &st) < 0) return fail_errno(err, errno);
  if (!S_ISREG(st.st_mode) || !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
    return fail_errno(err, EACCES);
  char buf[4] = {};
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
    *is_script = true;
    return true;
  }
  if (n < 4 || memcmp(buf, ELFMAG, SELFMAG) != 0) return fail_errno(err, ENOEXEC);
  return true;
}

bool load_elf(const std::string &path, uint64_t dyn_base, GuestMemoryMap *mem, ElfImage *img,
              LoadError *err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(err, errno);
  Fd guard(fd);
  struct stat st;
  if (fstat(fd, &st) < 0) return fail_errno(err, errno);
  if (!S_ISREG(st.st_mode)) return fail_errno(err, EACCES);
  Elf64_Ehdr eh;
  std::vector<Elf64_Phdr> phdrs;
  if (!check_image(fd, st.st_size, &eh, &phdrs, err)) return false;

  *img = ElfImage{};
  img->path = path;
  // Mappings are named by the absolute path, as the kernel shows them in /proc/self/maps.
  char real[PATH_MAX];
  const std::string map_name = realpath(path.c_str(), real) ? std::string(real) : path;
  img->type = eh.e_type;
  img->phnum = eh.e_phnum;
  img->phentsize = eh.e_phentsize;
  img->exec_stack = true;

  uint64_t lo = UINT64_MAX, hi = 0, align = kPageSize;
  for (const Elf64_Phdr &ph : phdrs) {
    if (ph.p_type == PT_LOAD) {
      lo = std::min(lo, page_down(ph.p_vaddr));
      hi = std::max(hi, page_up(ph.p_vaddr + ph.p_memsz));
      if (ph.p_align > align && (ph.p_align & (ph.p_align - 1)) == 0 && ph.p_align <= (1 << 30))
        align = ph.p_align;
    } else if (ph.p_type == PT_GNU_STACK) {
      img->exec_stack = (ph.p_flags & PF_X) != 0;
    } else if (ph.p_type == PT_INTERP) {
      if (ph.p_filesz < 2 || ph.p_filesz > 4096 || ph.p_offset > uint64_t(st.st_size) ||
          ph.p_filesz > uint64_t(st.st_size) - ph.p_offset)
        return fail(err, "bad PT_INTERP");
      std::string s(ph.p_filesz, '\0');
      if (!read_at(fd, s.data(), s.size(), ph.p_offset) || s.back() != '\0')
        return fail(err, "bad PT_INTERP");
      s.resize(strlen(s.c_str()));
      img->interp = s;
    }
  }

  // Reserve the whole span first, so segments never land on something else.
  uint64_t span = hi - lo;
  uint64_t bias = 0;
  void *r;
  if (eh.e_type == ET_DYN) {
    // A guest space too small for dyn_base (a high guest base): as far up it as the kernel's
    // ELF_ET_DYN_BASE is in the whole space (2/3), so the heap has room to grow.
    if (dyn_base + span > g_guest_limit) dyn_base = page_down(g_guest_limit / 3 * 2);
    uint64_t want = (dyn_base + align - 1) & ~(align - 1);
    r = MAP_FAILED;
    if (want + span <= g_guest_limit)
      r = mmap(g2h(want), span, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (r == MAP_FAILED) {
      // Taken: anywhere, aligned.
      const int64_t g = mmap_guest(0, span + align, PROT_NONE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (g < 0 && g >= -4095) return fail(err, "Unable to map ELF image: out of memory");
      uint64_t a = static_cast<uint64_t>(g);
      uint64_t aligned = (a + align - 1) & ~(align - 1);
      if (aligned > a) munmap(g2h(a), aligned - a);
      if (aligned + span < a + span + align)
        munmap(g2h(aligned + span), a + span + align - aligned - span);
      r = g2h(aligned);
    }
    bias = h2g(r) - lo;
  } else {
    r = MAP_FAILED;
    if (hi <= g_guest_limit)
      r = mmap(g2h(lo), span, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (r == MAP_FAILED || r != g2h(lo)) {
      if (r != MAP_FAILED) munmap(r, span);
      return fail(err, "requires virtual address space that is in use");
    }
  }
  img->load_bias = bias;
  img->start = lo + bias;
  img->end = hi + bias;
  img->entry = eh.e_entry + bias;

  for (const Elf64_Phdr &ph : phdrs) {
    if (ph.p_type != PT_LOAD) continue;
    int prot = elf_prot(ph.p_flags);
    uint64_t vaddr = ph.p_vaddr + bias;
    uint64_t seg_start = page_down(vaddr);
    uint64_t file_end = vaddr + ph.p_filesz;  // end of the file-backed bytes
    uint64_t mem_end = page_up(vaddr + ph.p_memsz);
    uint64_t map_end = page_up(file_end);
    if (ph.p_filesz) {
      // Writable while the tail of the last file page is cleared.
      int p = ph.p_memsz > ph.p_filesz ? prot | PROT_WRITE : prot;
      void *m = mmap(g2h(seg_start), map_end - seg_start, p, MAP_PRIVATE | MAP_FIXED, fd,
                     page_down(ph.p_offset));
      if (m == MAP_FAILED) {
        munmap(g2h(img->start), span);
        return fail(err, std::string("Unable to map ELF segment: ") + strerror(errno));
      }
      if (ph.p_memsz > ph.p_filesz && (file_end & kPageMask)) {
        memset(g2h(file_end), 0, map_end - file_end);
      }
      if (p != prot) mprotect(g2h(seg_start), map_end - seg_start, prot);
    } else {
      map_end = seg_start;
    }
    if (mem_end > map_end) {
      void *m = mmap(g2h(map_end), mem_end - map_end, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                     -1, 0);
      if (m == MAP_FAILED) {
        munmap(g2h(img->start), span);
        return fail(err, std::string("Unable to map ELF bss: ") + strerror(errno));
      }
    }
    if (mem) {
      if (map_end > seg_start)
        mem->map(seg_start, map_end - seg_start, prot, MAP_PRIVATE, page_down(ph.p_offset),
                 map_name);
      if (mem_end > map_end)
        mem->map(map_end, mem_end - map_end, prot, MAP_PRIVATE | MAP_ANONYMOUS);
    }
    img->end_data = std::max(img->end_data, vaddr + ph.p_memsz);
    if (ph.p_flags & PF_X) {
      if (!img->end_code || vaddr < img->start_code) img->start_code = vaddr;
      img->end_code = std::max(img->end_code, file_end);
    }
    img->start_data = std::max(img->start_data, vaddr);
    img->end_file_data = std::max(img->end_file_data, file_end);
    // The program headers: inside this segment's file image?
    if (eh.e_phoff >= ph.p_offset &&
        eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr) <= ph.p_offset + ph.p_filesz)
      img->phdr = vaddr + (eh.e_phoff - ph.p_offset);
  }
  for (const Elf64_Phdr &ph : phdrs)
    if (ph.p_type == PT_PHDR) img->phdr = ph.p_vaddr + bias;
  // Holes between segments are given back, as the kernel leaves them unmapped.
  std::vector<std::pair<uint64_t, uint64_t>> segs;
  for (const Elf64_Phdr &ph : phdrs)
    if (ph.p_type == PT_LOAD)
      segs.emplace_back(page_down(ph.p_vaddr + bias), page_up(ph.p_vaddr + bias + ph.p_memsz));
  std::sort(segs.begin(), segs.end());
  uint64_t covered = img->start;
  for (auto &[s, e] : segs) {
    if (s > covered) munmap(g2h(covered), s - covered);
    covered = std::max(covered, e);
  }
  return true;
}

bool load_program(const std::string &path, const std::string &ld_prefix, GuestMemoryMap *mem,
                  LoadedProgram *prog, LoadError *err) {
  *prog = LoadedProgram{};
  if (!load_elf(path, kPieBase, mem, &prog->exe, err)) return false;
  prog->entry = prog->exe.entry;
  prog->brk_start = page_up(prog->exe.end_data);
  if (prog->exe.interp.empty()) return true;
  std::string ipath = prog->exe.interp;
  if (!ld_prefix.empty() && ipath[0] == '/') {
    std::string p = ld_prefix + ipath;
    if (access(p.c_str(), F_OK) == 0) ipath = p;
  }
  LoadError ierr;
  if (!load_elf(ipath, kInterpBase, mem, &prog->interp, &ierr)) {
    err->errnum = 0;
    err->message = ierr.errnum
                       ? "Unable to load interpreter " + ipath + ": " + strerror(ierr.errnum)
                       : "Unable to load interpreter " + ipath + ": " + ierr.message;
    return false;
  }
  if (!prog->interp.interp.empty()) return fail(err, "interpreter " + ipath + " has PT_INTERP");
  prog->has_interp = true;
  prog->entry = prog->interp.entry;
  return true;
}

bool parse_shebang(const std::string &path, std::string *interp, std::string *arg) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  Fd guard(fd);
  char buf[256];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return false;
  buf[n] = '\0';
  char *nl = strchr(buf, '\n');
  if (nl) *nl = '\0';
  char *p = buf + 2;
  while (*p == ' ' || *p == '\t') ++p;
  char *e = p;
  while (*e && *e != ' ' && *e != '\t') ++e;
  if (e == p) return false;
  *interp = std::string(p, e);
  while (*e == ' ' || *e == '\t') ++e;
  std::string a(e);
  while (!a.empty() && (a.back() == ' ' || a.back() == '\t' || a.back() == '\r')) a.pop_back();
  *arg = a;
  return true;
}

}  // namespace qemu::user
