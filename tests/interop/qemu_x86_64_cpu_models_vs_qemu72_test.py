#!/usr/bin/env python3
"""Differential test of -cpu: for every model QEMU 7.2's qemu-x86_64 lists, a CPUID probe run
under QEMU and under ours must show the same vendor, signature and brand, and the same feature
bits wherever ours can have them (ours never advertises what it does not implement: QEMU's bits
are masked with what ours reports for a model having every bit, i.e. `max` plus the
supervisor-level bits, taken from ours under -cpu with all flags on). Also flag syntax (+f, -f,
f=on, f=off, '_' for '.') and the refusals (32-bit models, -lm, unknown model or flag), whose
messages and exit codes must be identical."""
import os
import re
import subprocess
import tempfile

from qemu72 import Results, parse_args, require_qemu

PROBE = r"""
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  unsigned a, b, c, d, r[12], w[7] = {0};
  char v[13] = {0}, brand[49] = {0};
  __cpuid_count(0, 0, a, b, c, d);
  unsigned max = a;
  memcpy(v, &b, 4); memcpy(v + 4, &d, 4); memcpy(v + 8, &c, 4);
  __cpuid_count(1, 0, w[0], b, w[1], w[2]);
  if (max >= 7) __cpuid_count(7, 0, a, w[3], c, d);
  __cpuid_count(0x80000001, 0, a, b, w[4], w[5]);
  if (max >= 0xd) __cpuid_count(0xd, 1, w[6], b, c, d);
  for (int i = 0; i < 3; i++) __cpuid(0x80000002 + i, r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3]);
  memcpy(brand, r, 48);
  printf("%s %08x %08x %08x %08x %08x %08x %08x|%s\n", v, w[0], w[1], w[2], w[3], w[4], w[5], w[6], brand);
  return 0;
}
"""

# What the words of ours can hold at most: every bit of leaf 1 ECX/EDX, leaf 7 EBX,
# 0x80000001 ECX/EDX and 0xd.1 EAX that some model plus every flag turned on shows.
ALL_ON = ["pni", "pclmulqdq", "ssse3", "cx16", "sse4.1", "sse4.2", "movbe", "popcnt", "aes",
          "xsave", "rdrand", "bmi1", "bmi2", "rdseed", "adx", "sha-ni", "lahf_lm", "abm",
          "rdtscp", "xsaveopt", "xsavec", "xgetbv1",
          "vme", "de", "pse", "msr", "pae", "mce", "apic", "sep", "mtrr", "pge", "mca", "pat",
          "pse36", "monitor", "vmx", "smx", "est", "tm2", "pdcm", "pcid", "x2apic",
          "tsc-deadline", "hypervisor", "tsc-adjust", "smep", "invpcid", "smap", "svm",
          "cmp-legacy", "extapic", "cr8legacy", "osvw", "mmxext", "fxsr-opt", "pdpe1gb"]

ERRORS = ["486", "pentium3", "qemu32", "base", "qemu64,-lm", "max,+nosuch", "qemu64,foo",
          "qemu64,foo=off", "host", "nosuch", "qemu64,+sse4.2,bar"]


def words(line):
    head, brand = line.split("|", 1)
    f = head.split()
    return f[0], [int(x, 16) for x in f[1:]], brand


def main():
    args = parse_args()
    qemu = require_qemu("qemu-x86_64")
    ours = os.path.join(args.build, "qemu-x86_64")
    res = Results("qemu_x86_64_cpu_models")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QEMU_")}
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "probe.c"), os.path.join(d, "probe")
        with open(src, "w") as f:
            f.write(PROBE)
        subprocess.run(["gcc", "-O1", "-static", "-o", exe, src], check=True)

        def probe(emu, cpu):
            p = subprocess.run([emu, "-cpu", cpu, exe], capture_output=True, text=True,
                               timeout=60, env=env)
            return p.returncode, p.stdout, p.stderr

        # The most ours can show, per word: the union over models with every flag on.
        reach = [0] * 7
        help_out = subprocess.run([qemu, "-cpu", "help"], capture_output=True, text=True,
                                  env=env).stdout
        models = re.findall(r"^x86 (\S+)", help_out, re.M)
        res.check("models listed", len(models) > 100, f"{len(models)} models")
        for m in ("qemu64", "Haswell", "EPYC", "Icelake-Server", "Denverton", "max"):
            rc, out, _ = probe(ours, m + "," + ",".join("+" + f for f in ALL_ON))
            if rc == 0:
                reach = [r | w for r, w in zip(reach, words(out)[1])]
        for m in models:
            q, o = probe(qemu, m), probe(ours, m)
            if q[0] != 0 or m == "max":
                # max is ours (everything implemented); refusals are compared below.
                res.check(f"{m}: exit status", (q[0] == 0) == (o[0] == 0) or m == "max",
                          f"  qemu {q}\n  ours {o}")
                continue
            qv, qw, qb = words(q[1])
            ov, ow, ob = words(o[1])
            want = [w & r for w, r in zip(qw, reach)]
            want[0] = qw[0]  # the signature as it is
            ok = o[0] == 0 and (qv, qb) == (ov, ob) and want == ow
            res.check(f"{m}", ok, f"  qemu {qv} {[hex(x) for x in want]} {qb!r}\n"
                      f"  ours {ov} {[hex(x) for x in ow]} {ob!r} rc={o[0]} {o[2]!r}")
        # Flags change what is shown the same way.
        for spec in ("qemu64,+ssse3", "qemu64,sse4_2=on", "qemu64,sse4.2=off,+popcnt",
                     "Nehalem,-sse4.2", "Nehalem,-popcnt,+movbe", "Haswell,-bmi2",
                     "max,-sse4_2,-xsave"):
            q, o = probe(qemu, spec), probe(ours, spec)
            qv, qw, qb = words(q[1])
            ov, ow, ob = words(o[1])
            want = [w & r for w, r in zip(qw, reach)]
            want[0] = qw[0]
            if spec.startswith("max"):
                # QEMU's max is its own CPU: compare only the flags turned off.
                ok = not (ow[1] & (1 << 20)) and not (ow[1] & (1 << 26)) and not ow[6]
            else:
                ok = (qv, qb, want) == (ov, ob, ow)
            res.check(f"-cpu {spec}", ok, f"  qemu {[hex(x) for x in want]}\n"
                      f"  ours {[hex(x) for x in ow]}")
        for spec in ERRORS:
            q, o = probe(qemu, spec), probe(ours, spec)
            res.check(f"-cpu {spec} refused", q == o, f"  qemu {q!r}\n  ours {o!r}")
    return res.finish()


if __name__ == "__main__":
    raise SystemExit(main())
