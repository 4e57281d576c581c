#!/usr/bin/env python3
"""Guest program tests for the Linux user-mode emulator (qemu-x86_64).

Every program under tests/guest/src/ is compiled with gcc (into a cache directory) in the
variants its header asks for (static, pie = dynamically linked PIE, static-pie for programs
without libc), then run natively and under the emulator in fresh scratch directories; stdout and
the exit status (a negative one is death by that signal) must be identical.

Program header (first lines of the source), all keys optional:
    guest-test: variants=static,pie cflags=-msse4.1 ldflags=-lm requires=sse4_1 args=a b
                timeout=60
requires= names cpuid features (as printed by src/cpuid_probe.c); a program is skipped, with the
reason printed, when the EMULATOR's cpuid does not advertise one of them (or the host's: the
native run must be able to execute it too).

Usage: run_guest_tests.py --emulator PATH [--backend interp|x86_64] [--only NAME...]
                          [--build-dir DIR] [--list] [-v]
NAME is a program (all its variants) or a case (program.variant). --backend sets
QEMU_JIT_BACKEND for the emulator (QEMU 7.2 ignores it). The random instruction tester is the
case `random_insn` (see random_insn/README in the tests/guest README).
"""
import argparse
import difflib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "src")
DEFAULT_VARIANTS = ["static", "pie"]
VARIANT_FLAGS = {
    "static": ["-static"],
    "pie": ["-fPIE", "-pie"],
    "static-pie": ["-static-pie", "-fPIE"],
    "nostdlib": ["-static", "-nostdlib"],
    "nopie": ["-no-pie"],
}
# The random instruction tester (random_insn/), as cases of this runner: full coverage, and a
# variant steering around QEMU 7.2's known bugs (to validate the harness against QEMU).
RANDOM_CASES = {"random_insn": [], "random_insn_qemu72safe": ["--avoid-qemu72-bugs"]}
BASE_CFLAGS = ["-O1", "-g0", "-Wall", "-Wno-unused-result", "-fno-strict-aliasing", "-mno-red-zone"]


class Program:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.variants = list(DEFAULT_VARIANTS)
        self.cflags, self.ldflags, self.requires, self.args = [], [], [], []
        self.timeout = 60
        with open(path) as f:
            head = f.read(2000)
        for line in head.splitlines():
            if "guest-test:" not in line:
                continue
            spec = line.split("guest-test:", 1)[1].strip().rstrip("*/").strip()
            # keys are key=value; a value runs to the next key
            key, parts = None, {}
            for tok in spec.split():
                if "=" in tok and tok.split("=", 1)[0].isidentifier():
                    key, val = tok.split("=", 1)
                    parts[key] = [val] if val else []
                elif key:
                    parts[key].append(tok)
            if "variants" in parts:
                self.variants = ",".join(parts["variants"]).split(",")
            self.cflags += parts.get("cflags", [])
            self.ldflags += parts.get("ldflags", [])
            self.requires += ",".join(parts.get("requires", [])).split(",") if "requires" in parts else []
            self.args += parts.get("args", [])
            if "timeout" in parts:
                self.timeout = int(parts["timeout"][0])
        self.requires = [r for r in self.requires if r]

    def cases(self):
        return [f"{self.name}.{v}" for v in self.variants]


def discover():
    progs = []
    for fn in sorted(os.listdir(SRC)):
        if fn.endswith((".c", ".S")) and fn != "cpuid_probe.c":
            progs.append(Program(os.path.join(SRC, fn)))
    return progs


def compile_one(src, variant, extra_cflags, ldflags, build_dir, name):
    flags = BASE_CFLAGS + VARIANT_FLAGS[variant] + extra_cflags
    h = hashlib.sha256(repr((flags, ldflags)).encode())
    with open(src, "rb") as f:
        text = f.read()
    h.update(text)
    for inc in re.findall(rb'#include "([^"]+)"', text):  # local includes change the program too
        with open(os.path.join(os.path.dirname(src), inc.decode()), "rb") as f:
            h.update(f.read())
    key = h.hexdigest()[:16]
    out = os.path.join(build_dir, f"{name}.{variant}.{key}")
    if os.path.exists(out):
        return out, None
    tmp = f"{out}.tmp{os.getpid()}"  # parallel runners may build the same program
    cmd = ["gcc"] + flags + ["-o", tmp, src] + ldflags
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, " ".join(cmd) + "\n" + p.stderr
    os.replace(tmp, out)
    return out, None


def run_one(argv, cwd, timeout, env):
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=timeout, env=env,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        return "timeout", out, f"(killed after {timeout} s)"


def emulator_features(emulator, build_dir, env):
    probe, err = compile_one(os.path.join(SRC, "cpuid_probe.c"), "static", [], [], build_dir,
                             "cpuid_probe")
    if err:
        sys.exit("cannot build the cpuid probe:\n" + err)
    native = subprocess.run([probe], capture_output=True, text=True).stdout.split()
    rc, out, errs = run_one([emulator, probe], None, 60, env)
    if rc != 0:
        print(f"warning: cpuid probe under the emulator failed ({rc}): {errs.strip()[:300]}")
        return set(), set(native)
    return set(out.split()), set(native)


def describe(rc):
    if rc == "timeout":
        return "timeout"
    if isinstance(rc, int) and rc < 0:
        return f"killed by signal {-rc}"
    return f"exit {rc}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--backend", choices=["interp", "x86_64"])
    ap.add_argument("--only", nargs="+", default=[])
    ap.add_argument("--build-dir", default=os.path.join(tempfile.gettempdir(),
                                                        "qemu-guest-tests"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--random-count", type=int, default=None,
                    help="sequences for the random_insn case (its default otherwise)")
    a = ap.parse_args()

    progs = discover()
    all_cases = [c for p in progs for c in p.cases()] + list(RANDOM_CASES)
    if a.list:
        for p in progs:
            req = f"  (requires {','.join(p.requires)})" if p.requires else ""
            print(f"{p.name}: {' '.join(p.cases())}{req}")
        print("random_insn: random instruction sequences (random_insn/run_random_insn.py)")
        print("random_insn_qemu72safe: the same, steering around QEMU 7.2's known bugs")
        return 0
    only = set()
    for n in a.only:
        only.update(n.replace(",", " ").split())
    unknown = [n for n in only if n not in all_cases and n not in {p.name for p in progs}]
    if unknown:
        print(f"unknown case(s): {' '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    emulator = os.path.abspath(a.emulator)
    if not (os.path.isfile(emulator) and os.access(emulator, os.X_OK)):
        print(f"FAIL: the emulator {emulator} does not exist or is not executable",
              file=sys.stderr)
        return 1
    os.makedirs(a.build_dir, exist_ok=True)
    env = dict(os.environ)
    env.pop("QEMU_JIT_BACKEND", None)
    if a.backend:
        env["QEMU_JIT_BACKEND"] = a.backend
    native_env = dict(os.environ)
    native_env.pop("QEMU_JIT_BACKEND", None)
    emu_feats, host_feats = emulator_features(emulator, a.build_dir, env)
    print(f"emulator: {emulator}" + (f" (QEMU_JIT_BACKEND={a.backend})" if a.backend else ""))
    print(f"emulator cpuid: {' '.join(sorted(emu_feats))}")

    failed, passed, skipped = [], 0, 0
    for p in progs:
        for variant in p.variants:
            case = f"{p.name}.{variant}"
            if only and case not in only and p.name not in only:
                continue
            missing = [r for r in p.requires if r not in emu_feats or r not in host_feats]
            if missing:
                who = "emulator" if any(r not in emu_feats for r in missing) else "host"
                print(f"SKIP {case}: the {who}'s cpuid does not advertise {','.join(missing)}")
                skipped += 1
                continue
            binary, err = compile_one(p.path, variant, p.cflags, p.ldflags, a.build_dir, p.name)
            if err:
                print(f"FAIL {case}: does not compile\n{err}")
                failed.append(case)
                continue
            args = [binary] + p.args
            results = {}
            for who in ("native", "emulated"):
                with tempfile.TemporaryDirectory(prefix=f"guest-{p.name}-") as cwd:
                    argv = args if who == "native" else [emulator] + args
                    results[who] = run_one(argv, cwd, p.timeout,
                                           native_env if who == "native" else env)
            (nrc, nout, nerr), (erc, eout, eerr) = results["native"], results["emulated"]
            if nrc == "timeout":
                print(f"FAIL {case}: the native run timed out (a broken test)")
                failed.append(case)
            elif (nrc, nout) != (erc, eout):
                print(f"FAIL {case}: native {describe(nrc)}, emulated {describe(erc)}")
                diff = difflib.unified_diff(nout.splitlines(), eout.splitlines(), "native",
                                            "emulated", lineterm="", n=2)
                lines = list(diff)
                for ln in lines[:80]:
                    print("    " + ln)
                if len(lines) > 80:
                    print(f"    ... ({len(lines) - 80} more diff lines)")
                if eerr.strip():
                    print("    emulator stderr: " + eerr.strip()[-1500:].replace("\n", "\n    "))
                failed.append(case)
            else:
                passed += 1
                if a.verbose:
                    print(f"ok   {case} ({describe(nrc)}, {len(nout.splitlines())} lines)")
    for rcase, extra in RANDOM_CASES.items():
        if only and rcase not in only:
            continue
        cmd = [sys.executable, os.path.join(HERE, "random_insn", "run_random_insn.py"),
               "--emulator", emulator, "--build-dir", os.path.join(a.build_dir, "random_insn")]
        cmd += extra
        if a.backend:
            cmd += ["--backends", a.backend]
        if a.random_count:
            cmd += ["--count", str(a.random_count)]
        try:
            rc = subprocess.run(cmd, timeout=600).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        if rc == 0:
            passed += 1
        else:
            print(f"FAIL {rcase} ({describe(rc)})")
            failed.append(rcase)
    print(f"{passed} passed, {len(failed)} failed, {skipped} skipped")
    if failed:
        print("failed: " + " ".join(failed))
        return 1
    if passed == 0:
        print("FAIL: nothing ran")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
