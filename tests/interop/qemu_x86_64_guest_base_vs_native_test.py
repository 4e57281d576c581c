#!/usr/bin/env python3
"""qemu-x86_64 with a guest base (-B / QEMU_GUEST_BASE) other than 0: the guest must not see a
difference. The static programs of qemu_x86_64_programs_vs_qemu72_test.py and dynamic ones
(ls, sh pipelines, python3 with threads and subprocesses) run natively and under ours with
several bases on both backends: output and exit status must match the native run. The guest's
view of its address space (/proc/self/maps of a static program) must be the one it gets with
base 0. The bases: just above the kernel's mmap_min_addr, 64 GiB, and high in the address
space (0x7f0000000000: 1 TiB left to the guest, so dynamic images go where the kernel puts
them). QEMU 7.2's messages for bad values are compared in qemu_x86_64_options_vs_qemu72_test.py.
"""
import os
import re
import tempfile

from qemu72 import Results, parse_args, run
from qemu_x86_64_programs_vs_qemu72_test import RUNS, SRC, build

BASES = ["0x10000", "0x1000000000", "0x7f0000000000"]
BACKENDS = ["x86_64", "interp"]

PY_THREADS = """
import threading, subprocess
out = []
def work(i):
    out.append(sum(range(i * 10000)))
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(out))
print(subprocess.run(["sh", "-c", "echo sub $((1+2))"], capture_output=True).stdout)
"""

DYNAMIC = [
    ["/bin/true"],
    ["/bin/ls", "-l", SRC],
    ["/bin/sh", "-c", "ls / | sort | tr a-z A-Z | head -4; echo $((6*7)); exit 3"],
    ["/usr/bin/python3", "-c", PY_THREADS],
]


def exe_maps(text, exe):
    """The lines of /proc/self/maps that show the program's own image."""
    return [l for l in text.splitlines() if l.endswith(exe)]


def main():
    args = parse_args()
    ours = os.path.join(args.build, "qemu-x86_64")
    res = Results("qemu_x86_64_guest_base")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QEMU_")}
    with tempfile.TemporaryDirectory() as d:
        exes = build(d)
        natives = {}
        for prog, pargs in RUNS:
            natives[(prog, tuple(pargs))] = run([exes[prog]] + pargs, env=env, cwd=d)
        for argv in DYNAMIC:
            natives[tuple(argv)] = run(argv, env=env, cwd=d)
        for base in BASES:
            for backend in BACKENDS:
                benv = dict(env, QEMU_JIT_BACKEND=backend, QEMU_GUEST_BASE=base)
                for prog, pargs in RUNS:
                    native = natives[(prog, tuple(pargs))]
                    o = run([ours, exes[prog]] + pargs, env=benv, cwd=d, timeout=120)
                    res.check(f"{prog} {' '.join(pargs)} (base {base}, {backend})", o == native,
                              f"  native: {native!r:.800}\n  ours:   {o!r:.800}")
                for argv in DYNAMIC:
                    native = natives[tuple(argv)]
                    o = run([ours] + argv, env=benv, cwd=d, timeout=120)
                    res.check(f"dynamic {argv[0]} (base {base}, {backend})", o == native,
                              f"  native: {native!r:.800}\n  ours:   {o!r:.800}")

        # -B on the command line, and the guest's view of its own image with and without it.
        readfile = exes["readfile"]
        plain = run([ours, readfile, "/proc/self/maps"], env=env)
        for base in BASES:
            o = run([ours, "-B", base, readfile, "/proc/self/maps"], env=env)
            res.check(f"/proc/self/maps -B {base}", o[0] == 0 and
                      exe_maps(o[1], readfile) == exe_maps(plain[1], readfile) and
                      exe_maps(o[1], readfile),
                      f"  base 0: {plain!r:.1500}\n  ours:   {o!r:.1500}")
        # Children run with the same base (execve repeats -B): a pipeline of dynamic programs.
        argv = ["/bin/sh", "-c", "echo one two | /usr/bin/tr o 0 | /bin/cat"]
        o = run([ours, "-B", "0x1000000000"] + argv, env=env)
        res.check("-B with exec'd children", o == run(argv, env=env), repr(o))
        # A signal handler's fault address is the guest's, not the host's.
        o = run([ours, "-B", "0x1000000000", exes["signals"]], env=env)
        res.check("signals -B", o == natives[("signals", ())], repr(o)[:800])
    res.finish()


if __name__ == "__main__":
    main()
