#!/usr/bin/env python3
"""Differential test of instructions under -cpu models: qemu_x86_64_progs/cpu_insns.c runs one
instruction of each CPUID extension (SSSE3, SSE4.1/4.2, POPCNT, MOVBE, BMI1/2, ADX, AES,
PCLMULQDQ, SHA, RDRAND/RDSEED, RDTSCP, CX16, XSAVE*, LAHF in 64-bit mode, LZCNT/TZCNT, which
older processors run as BSR/BSF; AVX and AVX2 in 128 and 256 bits, FMA, F16C, the VEX forms
of AES and PCLMULQDQ, all of which also need XSAVE) and prints its result or SIGILL; under each model (and flag
changes) ours must print what QEMU 7.2 prints. Under `max` ours also runs what QEMU 7.2's TCG
lacks (SHA, XSAVEC): there those lines must show the instruction working."""
import os
import subprocess
import tempfile

from qemu72 import Results, parse_args, require_qemu

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ["qemu64", "core2duo", "Conroe", "Penryn", "Nehalem", "Westmere", "SandyBridge",
          "IvyBridge", "Haswell-noTSX", "Broadwell", "Skylake-Client", "Icelake-Server",
          "Opteron_G1", "Opteron_G3", "Opteron_G5", "EPYC", "EPYC-Milan", "Denverton",
          "qemu64,+ssse3,+popcnt", "Nehalem,-sse4.2,+movbe", "Haswell,-bmi1,-abm",
          "Skylake-Client,-rdrand,-xsave", "EPYC,-adx,-sha-ni", "max,-aes,-pclmulqdq,-cx16",
          "max,-lahf-lm,-rdtscp,-bmi2", "Haswell,-avx2", "Skylake-Client,-fma,-f16c",
          "Skylake-Client,-xsave", "Haswell,-aes,-avx"]
# What ours implements beyond QEMU 7.2's TCG (QEMU: SIGILL even under max).
BEYOND = {"sha1msg1", "xsavec"}


def main():
    args = parse_args()
    qemu = require_qemu("qemu-x86_64")
    ours = os.path.join(args.build, "qemu-x86_64")
    res = Results("qemu_x86_64_cpu_insns")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QEMU_")}
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "cpu_insns")
        subprocess.run(["gcc", "-O1", "-static", "-o", exe,
                        os.path.join(HERE, "qemu_x86_64_progs", "cpu_insns.c")], check=True)

        def run(emu, cpu, backend=None):
            e = dict(env)
            if backend:
                e["QEMU_JIT_BACKEND"] = backend
            p = subprocess.run([emu, "-cpu", cpu, exe], capture_output=True, text=True,
                               timeout=60, env=e)
            return p.returncode, p.stdout.splitlines()

        for cpu in MODELS + ["max"]:
            q = run(qemu, cpu)
            for backend in ("x86_64", "interp"):
                o = run(ours, cpu, backend)
                if cpu.split(",")[0] == "max":
                    qs = [x for x in q[1] if x.split()[0] not in BEYOND]
                    os_ = [x for x in o[1] if x.split()[0] not in BEYOND]
                    extra = [x for x in o[1] if x.split()[0] in BEYOND]
                    ok = q[0] == o[0] == 0 and qs == os_ and len(extra) == len(BEYOND) and \
                        all(" ok " in x for x in extra)
                else:
                    ok = q == o
                diff = [f"  qemu {a!r}\n  ours {b!r}" for a, b in zip(q[1], o[1]) if a != b]
                res.check(f"-cpu {cpu} ({backend})", ok and len(q[1]) > 40,
                          f"rc {q[0]} / {o[0]}, {len(q[1])} / {len(o[1])} lines\n" +
                          "\n".join(diff))
    return res.finish()


if __name__ == "__main__":
    raise SystemExit(main())
