#!/usr/bin/env python3
"""Randomized instruction test: generates thousands of random instruction sequences (gen.py),
builds them with harness.c into a static program, runs it natively and under the emulator
(once per backend, through QEMU_JIT_BACKEND) and compares every sequence's final state. On a
mismatch it prints, for the first few differing sequences, the instructions (source and
objdump), and the registers, flags, xmm and memory that differ.

Usage: run_random_insn.py --emulator PATH [--backends interp,x86_64] [--seed N] [--count N]
                          [--isa LIST|auto] [--no-float-specials] [--build-dir DIR] [--show N]
The seed is printed; pass it back with --seed to reproduce a run. --isa auto (the default)
uses the extensions both the host and the emulator advertise through cpuid.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

OPTIONAL_ISA = ["sse3", "ssse3", "sse4_1", "sse4_2", "popcnt", "abm", "bmi1", "bmi2", "adx", "cx16",
                "avx", "avx2", "fma", "f16c"]


def cpuid_features(argv_prefix, build_dir):
    probe = os.path.join(build_dir, "cpuid_probe")
    src = os.path.join(HERE, "..", "src", "cpuid_probe.c")
    if not os.path.exists(probe):
        tmp = f"{probe}.tmp{os.getpid()}"
        subprocess.run(["gcc", "-O1", "-static", "-o", tmp, src], check=True)
        os.replace(tmp, probe)
    p = subprocess.run(argv_prefix + [probe], capture_output=True, text=True, timeout=60)
    return set(p.stdout.split()) if p.returncode == 0 else set()


def run(argv, env, timeout):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), ""


def seq_source(asm_path, i):
    out, on = [], False
    with open(asm_path) as f:
        for line in f:
            if line.startswith(f"seq_{i}:"):
                on = True
                continue
            if on:
                if line.strip().startswith(".size"):
                    break
                out.append("    " + line.rstrip())
    return out


def disassemble(binary, i):
    p = subprocess.run(["objdump", "-d", "--no-addresses", f"--disassemble=seq_{i}", binary],
                       capture_output=True, text=True)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("\t") or ln.startswith(" ")]
    return ["    " + ln.strip() for ln in lines]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--backends", default="", help="comma-separated QEMU_JIT_BACKEND values; "
                    "empty runs once without setting it")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--isa", default="auto")
    ap.add_argument("--no-float-specials", action="store_true",
                    help="no NaN/infinity initial values (QEMU 7.2 propagates NaNs wrongly)")
    ap.add_argument("--avoid-qemu72-bugs", action="store_true",
                    help="steer around QEMU 7.2's known bugs (gen.KNOWN_QEMU72_BUGS) and its NaN "
                    "propagation (implies --no-float-specials): to validate against QEMU")
    ap.add_argument("--build-dir", default=os.path.join(tempfile.gettempdir(), "qemu-random-insn"))
    ap.add_argument("--show", type=int, default=3, help="differing sequences to detail")
    ap.add_argument("--timeout", type=int, default=120)
    a = ap.parse_args()

    avoid = sorted(gen.KNOWN_QEMU72_BUGS) if a.avoid_qemu72_bugs else []
    if a.avoid_qemu72_bugs:
        a.no_float_specials = True
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")
    emulator = os.path.abspath(a.emulator)
    if not os.access(emulator, os.X_OK):
        print(f"FAIL: the emulator {emulator} does not exist or is not executable")
        return 1
    os.makedirs(a.build_dir, exist_ok=True)
    backends = [b for b in a.backends.split(",") if b] or [None]
    base_env = dict(os.environ)
    base_env.pop("QEMU_JIT_BACKEND", None)

    if a.isa == "auto":
        host = cpuid_features([], a.build_dir)
        emu = set.intersection(*[cpuid_features([emulator], a.build_dir) for _ in [0]])
        isa = {"sse2"} | {x for x in OPTIONAL_ISA if x in host and x in emu}
    else:
        isa = set(filter(None, a.isa.split(","))) | {"sse2"}
    print(f"random_insn: seed {seed} count {a.count} isa {','.join(sorted(isa))}"
          f"{' no-float-specials' if a.no_float_specials else ''}"
          f"{' avoiding ' + ','.join(avoid) if avoid else ''}")
    print(f"  reproduce: {os.path.relpath(__file__)} --emulator {a.emulator} --seed {seed} "
          f"--count {a.count} --isa {','.join(sorted(isa))}"
          f"{' --no-float-specials' if a.no_float_specials else ''}"
          f"{' --avoid-qemu72-bugs' if avoid else ''}")
    tag = f"{seed}-{a.count}-{'-'.join(sorted(isa))}-{int(a.no_float_specials)}-{len(avoid)}"
    asm = os.path.join(a.build_dir, f"seqs-{tag}.S")
    binary = os.path.join(a.build_dir, f"random-insn-{tag}")
    t0 = time.time()
    asm = f"{asm}.{os.getpid()}.S"
    with open(asm, "w") as f:
        f.write(gen.generate(seed, a.count, isa, not a.no_float_specials, avoid))
    p = subprocess.run(["gcc", "-static", "-O1", "-o", binary + f".tmp{os.getpid()}",
                        os.path.join(HERE, "harness.c"), asm], capture_output=True, text=True)
    if p.returncode == 0:
        os.replace(binary + f".tmp{os.getpid()}", binary)
    if p.returncode:
        print("FAIL: the generated program does not build:\n" + p.stderr[-3000:])
        return 1
    t1 = time.time()
    nrc, nout, nerr = run([binary], base_env, a.timeout)
    t2 = time.time()
    if nrc != 0:
        print(f"FAIL: the native run failed ({nrc}): {nerr[-500:]}")
        return 1
    print(f"  built in {t1 - t0:.1f} s, native run {t2 - t1:.2f} s")
    native = nout.splitlines()
    failed = False
    for be in backends:
        env = dict(base_env)
        if be:
            env["QEMU_JIT_BACKEND"] = be
        name = f"backend {be}" if be else "emulator"
        t3 = time.time()
        erc, eout, eerr = run([emulator, binary], env, a.timeout)
        emulated = eout.splitlines()
        print(f"  {name}: {time.time() - t3:.2f} s")
        diffs = [i for i in range(1, len(native))
                 if i >= len(emulated) or emulated[i] != native[i]]
        if erc != 0 or diffs or len(emulated) != len(native):
            failed = True
            print(f"FAIL ({name}): exit {erc}, {len(diffs)} of {a.count} sequences differ"
                  + (f"; stderr: {eerr.strip()[-500:]}" if eerr.strip() else ""))
            seqs = [int(native[i].split()[0]) for i in diffs]
            if len(emulated) < len(native):
                print(f"  the emulated run stopped after {max(0, len(emulated) - 1)} sequences")
            print("  differing sequences: " + " ".join(map(str, seqs[:40]))
                  + (" ..." if len(seqs) > 40 else ""))
            for i in seqs[:a.show]:
                print(f"\n  sequence {i}:")
                print("\n".join(seq_source(asm, i)))
                print("  disassembly:")
                print("\n".join(disassemble(binary, i)))
                _, nd, _ = run([binary, "dump", str(i)], base_env, 60)
                erc2, ed, eerr2 = run([emulator, binary, "dump", str(i)], env, 60)
                nl, el = nd.splitlines(), ed.splitlines()
                print("  differences (native | emulated):")
                state = ""
                for k in range(max(len(nl), len(el))):
                    x = nl[k] if k < len(nl) else "<missing>"
                    y = el[k] if k < len(el) else "<missing>"
                    if x.startswith("sequence"):
                        state = x
                    if x != y:
                        print(f"    [{state.split()[-1].rstrip(':') if state else '?'}] "
                              f"{x.strip()}  |  {y.strip()}")
                if erc2 != 0:
                    print(f"    (emulated dump exit {erc2}: {eerr2.strip()[-300:]})")
        else:
            print(f"  {name}: all {a.count} sequences match")
    if not failed:  # keep what a failure report points at; drop the rest
        for path in (asm, binary):
            if os.path.exists(path):
                os.unlink(path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
