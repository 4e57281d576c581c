#include "user/elf_loader.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "user/guest_memory.h"

namespace qemu::user {
namespace {

class ElfLoader : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/elf_loader_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/t.c") << "int x = 5; int y[5000]; int main(){return x + y[10];}\n";
    std::string cmd = "gcc -static -O2 -o " + dir_ + "/static " + dir_ +
                      "/t.c && gcc -static-pie -O2 -o " + dir_ + "/spie " + dir_ + "/t.c";
    have_gcc_ = system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    std::string cmd = "rm -rf " + dir_;
    (void)system(cmd.c_str());
  }
  static std::vector<char> read(const std::string &p) {
    std::ifstream f(p, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(f), {});
  }
  static std::string write(const std::string &name, const std::vector<char> &d) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary).write(d.data(), d.size());
    chmod(p.c_str(), 0755);
    return p;
  }
  static std::string dir_;
  static bool have_gcc_;
};
std::string ElfLoader::dir_;
bool ElfLoader::have_gcc_ = false;

TEST_F(ElfLoader, DynamicPieWithInterpreter) {
  GuestMemoryMap mem;
  LoadedProgram p;
  LoadError err;
  ASSERT_TRUE(load_program("/bin/true", "/nonexistent-prefix", &mem, &p, &err)) << err.message;
  EXPECT_EQ(p.exe.type, ET_DYN);
  EXPECT_EQ(p.exe.load_bias % kPageSize, 0u);
  EXPECT_EQ(p.exe.interp, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_TRUE(p.has_interp);
  EXPECT_EQ(p.entry, p.interp.entry);
  EXPECT_NE(p.exe.entry, p.interp.entry);
  // The program headers are mapped and are the file's.
  ASSERT_NE(p.exe.phdr, 0u);
  auto *ph = reinterpret_cast<const Elf64_Phdr *>(p.exe.phdr);
  bool found_interp = false;
  for (int i = 0; i < p.exe.phnum; ++i) found_interp |= ph[i].p_type == PT_INTERP;
  EXPECT_TRUE(found_interp);
  // ELF magic at the image start, recorded with its file name.
  EXPECT_EQ(memcmp(reinterpret_cast<const void *>(p.exe.start), ELFMAG, SELFMAG), 0);
  EXPECT_NE(mem.format_maps().find("/bin/true"), std::string::npos);
  EXPECT_TRUE(mem.is_mapped(p.exe.entry, 1, PROT_EXEC));
  EXPECT_EQ(p.brk_start % kPageSize, 0u);
  EXPECT_GE(p.brk_start, p.exe.end_data);
}

TEST_F(ElfLoader, StaticExecutableAndBss) {
  if (!have_gcc_) GTEST_SKIP() << "no gcc -static";
  GuestMemoryMap mem;
  LoadedProgram p;
  LoadError err;
  ASSERT_TRUE(load_program(dir_ + "/static", "", &mem, &p, &err)) << err.message;
  EXPECT_EQ(p.exe.type, ET_EXEC);
  EXPECT_FALSE(p.has_interp);
  EXPECT_EQ(p.exe.load_bias, 0u);
  EXPECT_EQ(p.entry, p.exe.entry);
  EXPECT_FALSE(p.exe.exec_stack);
  // bss is zero and writable.
  auto *end = reinterpret_cast<volatile char *>(p.exe.end_data - 1);
  EXPECT_EQ(*end, 0);
  *end = 1;
  // The same addresses again: in use.
  LoadedProgram q;
  EXPECT_FALSE(load_program(dir_ + "/static", "", &mem, &q, &err));
  EXPECT_EQ(err.message, "requires virtual address space that is in use");
}

TEST_F(ElfLoader, StaticPie) {
  if (!have_gcc_) GTEST_SKIP() << "no gcc -static-pie";
  GuestMemoryMap mem;
  LoadedProgram p;
  LoadError err;
  ASSERT_TRUE(load_program(dir_ + "/spie", "", &mem, &p, &err)) << err.message;
  EXPECT_EQ(p.exe.type, ET_DYN);
  EXPECT_FALSE(p.has_interp);
  EXPECT_NE(p.exe.load_bias, 0u);
}

TEST_F(ElfLoader, BadFiles) {
  GuestMemoryMap mem;
  LoadedProgram p;
  LoadError err;
  EXPECT_FALSE(load_program("/nonexistent", "", &mem, &p, &err));
  EXPECT_EQ(err.errnum, ENOENT);
  bool script;
  EXPECT_FALSE(check_executable("/etc", &script, &err));
  EXPECT_EQ(err.errnum, EACCES);
  EXPECT_FALSE(check_executable("/etc/passwd", &script, &err));
  EXPECT_EQ(err.errnum, EACCES);

  std::vector<char> garbage(100, 'x');
  std::string g = write("garbage", garbage);
  EXPECT_FALSE(check_executable(g, &script, &err));
  EXPECT_EQ(err.errnum, ENOEXEC);

  std::vector<char> t = read("/bin/true");
  ASSERT_GT(t.size(), 4000u);
  std::string trunc = write("trunc", std::vector<char>(t.begin(), t.begin() + 30));
  EXPECT_FALSE(load_elf(trunc, kPieBase, &mem, &p.exe, &err));
  EXPECT_EQ(err.errnum, ENOEXEC);

  std::string trunc2 = write("trunc2", std::vector<char>(t.begin(), t.begin() + 3000));
  EXPECT_FALSE(load_elf(trunc2, kPieBase, &mem, &p.exe, &err));
  EXPECT_EQ(err.message, "PT_LOAD segment extends past the end of the file");

  for (int field : {4, 5, 18, 16}) {
    std::vector<char> bad = t;
    bad[field] = field == 16 ? 1 : (field == 18 ? 3 : 2 + (field == 4 ? -1 : 0));
    std::string path = write("bad" + std::to_string(field), bad);
    EXPECT_FALSE(load_elf(path, kPieBase, &mem, &p.exe, &err)) << field;
    EXPECT_EQ(err.message, "Invalid ELF image for this architecture") << field;
  }

  // Program headers pointing past the end of the file.
  std::vector<char> bad = t;
  auto *eh = reinterpret_cast<Elf64_Ehdr *>(bad.data());
  eh->e_phoff = 1ull << 40;
  std::string path = write("badphoff", bad);
  EXPECT_FALSE(load_elf(path, kPieBase, &mem, &p.exe, &err));
  EXPECT_EQ(err.message, "Incomplete read of program headers");
}

TEST_F(ElfLoader, Shebang) {
  std::string s = dir_ + "/script";
  std::ofstream(s) << "#!/bin/sh -e  \necho hi\n";
  chmod(s.c_str(), 0755);
  bool script = false;
  LoadError err;
  EXPECT_TRUE(check_executable(s, &script, &err));
  EXPECT_TRUE(script);
  std::string interp, arg;
  ASSERT_TRUE(parse_shebang(s, &interp, &arg));
  EXPECT_EQ(interp, "/bin/sh");
  EXPECT_EQ(arg, "-e");
}

}  // namespace
}  // namespace qemu::user
