#include "user/options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "user/cpu_model_cpuid.h"

namespace qemu::user {
namespace {

struct Parsed {
  ParseResult r;
  UserOptions o;
  std::string out, err;
};

Parsed parse(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), "qemu-x86_64");
  std::vector<char *> argv, envp;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto &e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  Parsed run;
  char *obuf = nullptr, *ebuf = nullptr;
  size_t olen = 0, elen = 0;
  FILE *out = open_memstream(&obuf, &olen);
  FILE *err = open_memstream(&ebuf, &elen);
  run.r = parse_options(static_cast<int>(args.size()), argv.data(), envp.data(), &run.o, out, err);
  fclose(out);
  fclose(err);
  run.out.assign(obuf, olen);
  run.err.assign(ebuf, elen);
  free(obuf);
  free(ebuf);
  return run;
}

TEST(Options, ProgramAndArguments) {
  Parsed r = parse({"-L", "/x", "-s", "1M", "/bin/true", "-a", "b"});
  EXPECT_EQ(r.r.action, ParseResult::kRun);
  EXPECT_EQ(r.o.ld_prefix, "/x");
  EXPECT_EQ(r.o.stack_size, 1u << 20);
  EXPECT_EQ(r.o.program, "/bin/true");
  EXPECT_EQ(r.o.args, (std::vector<std::string>{"/bin/true", "-a", "b"}));
}

TEST(Options, DoubleDashFormsAndEnd) {
  Parsed r = parse({"--strace", "--", "-prog"});
  EXPECT_TRUE(r.o.strace);
  EXPECT_EQ(r.o.program, "-prog");
}

TEST(Options, Errors) {
  Parsed r = parse({"-x"});
  EXPECT_EQ(r.r.exit_code, 1);
  EXPECT_EQ(r.err, "qemu: unknown option 'x'\n");
  r = parse({"-L"});
  EXPECT_EQ(r.err, "qemu: missing argument for option 'L'\n");
  r = parse({});
  EXPECT_EQ(r.err, "qemu: no user program specified\n");
  EXPECT_EQ(r.r.exit_code, 1);
  r = parse({"-p", "3", "x"});
  EXPECT_EQ(r.err, "page size must be a power of two\n");
  r = parse({"-R", "1x", "x"});
  EXPECT_EQ(r.err, "Unrecognised -R size suffix 'x'\n");
}

TEST(Options, HelpAndUsage) {
  Parsed r = parse({"-h"});
  EXPECT_EQ(r.r.action, ParseResult::kExit);
  EXPECT_EQ(r.r.exit_code, 0);
  EXPECT_EQ(r.out.substr(0, 52), "usage: qemu-x86_64 [options] program [arguments...]\n");
  EXPECT_NE(r.out.find("-d item[,...]        QEMU_LOG          enable logging"), std::string::npos);
  EXPECT_NE(r.out.find("QEMU_STACK_SIZE = 8388608 byte\n"), std::string::npos);
  r = parse({"-s", "0", "x"});
  EXPECT_EQ(r.r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, 6), "usage:");
  r = parse({"-E", "NOEQUALS", "x"});
  EXPECT_EQ(r.r.exit_code, 1);
}

TEST(Options, LogItems) {
  Parsed r = parse({"-d", "in_asm,strace", "x"});
  EXPECT_EQ(r.r.action, ParseResult::kRun);
  EXPECT_NE(r.o.log_mask, 0u);
  r = parse({"-d", "help"});
  EXPECT_EQ(r.r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, 28), "Log items (comma separated):");
  r = parse({"-d", "bogus", "x"});
  EXPECT_EQ(r.r.exit_code, 1);
}

TEST(Options, EnvironmentFirstCommandLineWins) {
  Parsed r = parse({"-L", "/cmd", "x"}, {"QEMU_LD_PREFIX=/env", "QEMU_STRACE=1",
                                         "QEMU_SET_ENV=A=1,B=2", "QEMU_UNSET_ENV=C"});
  EXPECT_EQ(r.o.ld_prefix, "/cmd");
  EXPECT_TRUE(r.o.strace);
  EXPECT_EQ(r.o.set_env, (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(r.o.unset_env, (std::vector<std::string>{"C"}));
}

TEST(Options, SeedAndCpu) {
  Parsed r = parse({"-seed", "0x10", "-cpu", "max", "x"});
  EXPECT_TRUE(r.o.have_seed);
  EXPECT_EQ(r.o.seed, 16u);
  EXPECT_EQ(r.o.cpu_model, "max");
  EXPECT_NE(model_cpuid("qemu64"), nullptr);
  EXPECT_EQ(model_cpuid("foo"), nullptr);
  EXPECT_TRUE(model_lacks_long_mode("486"));
  EXPECT_FALSE(model_lacks_long_mode("qemu64"));
  EXPECT_TRUE(is_cpu_flag("sse4_2"));
  EXPECT_TRUE(is_cpu_flag("sse4.2"));
  EXPECT_FALSE(is_cpu_flag("nosuch"));
  r = parse({"-cpu", "help"});
  EXPECT_EQ(r.r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, 16), "Available CPUs:\n");
}

TEST(Options, Version) {
  Parsed r = parse({"-version", "-x"});
  EXPECT_EQ(r.r.exit_code, 0);
  EXPECT_EQ(r.out.substr(0, 20), "qemu-x86_64 version ");
}

}  // namespace
}  // namespace qemu::user
