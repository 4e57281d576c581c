#!/usr/bin/env python3
"""Differential test of `-d cpu,fpu`: a libc-free program sets x87, SSE and AVX state and jumps
to a label; the register dump both emulators print before that block (RIP, x87 control,
status, tags and registers, MXCSR, YMM0..15) must be identical to QEMU 7.2's. `-d cpu` alone
must print no FPU lines."""
import os
import re
import subprocess
import tempfile

from qemu72 import Results, parse_args, require_qemu

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "qemu_x86_64_log", "fpu_state.S")


def host_has_avx():
    with open("/proc/cpuinfo") as f:
        return " avx " in f.read()


def dump_at(emulator, exe, items, pc, d, tag):
    """The register dump printed before the block at pc, from the line RIP= on."""
    log = os.path.join(d, tag + ".log")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QEMU_")}
    p = subprocess.run([emulator, "-cpu", "max", "-d", items, "-D", log, exe], env=env,
                       capture_output=True, timeout=60)
    with open(log) as f:
        text = f.read()
    for dump in re.split(r"(?m)^(?=RAX=)", text):
        m = re.search(r"(?m)^RIP=([0-9a-f]+)", dump)
        if m and int(m.group(1), 16) == pc:
            # QEMU 7.2 keeps a GDT and an IDT in guest memory; we have none.
            return p.returncode, re.sub(r"(?m)^(GDT|IDT)=( +)[0-9a-f]+", r"\1=\2BASE", dump[m.start():])
    return p.returncode, None


def main():
    args = parse_args()
    qemu = require_qemu("qemu-x86_64")
    ours = os.path.join(args.build, "qemu-x86_64")
    res = Results("qemu_x86_64_log_fpu")
    if not host_has_avx():
        print("SKIP: the host has no AVX (the program sets ymm registers)")
        return
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "fpu_state")
        subprocess.run(["gcc", "-nostdlib", "-static", "-no-pie", "-o", exe, SRC], check=True)
        nm = subprocess.run(["nm", exe], capture_output=True, text=True, check=True).stdout
        pc = int(re.search(r"(?m)^([0-9a-f]+) T done$", nm).group(1), 16)
        for items in ("cpu,fpu", "cpu"):
            q = dump_at(qemu, exe, items, pc, d, "qemu")
            o = dump_at(ours, exe, items, pc, d, "ours")
            ok = q[1] is not None and q == o
            if items == "cpu,fpu":
                ok = ok and "YMM15=" in q[1] and "FCW=0b7f" in q[1]
            else:
                ok = ok and "FCW=" not in q[1]
            res.check(f"-d {items}", ok, f"  qemu: {q!r}\n  ours: {o!r}")
    res.finish()


if __name__ == "__main__":
    main()
