#!/usr/bin/env python3
"""Differential test: qemu-x86_64's command line (options, environment variables, help texts,
errors and exit codes) against QEMU 7.2's /usr/bin/qemu-x86_64.

Each case runs both with the same arguments and compares exit status, stdout and stderr
(after replacing the program name and the version line, which say who we are). QEMU prints
"Error while loading" to stdout and then _exit()s, losing the text when stdout is a pipe, so
those cases run under a pseudo-terminal."""
import os
import pty
import re
import subprocess
import tempfile

from qemu72 import Results, parse_args, require_qemu, run

TRUE = "/bin/true"

CASES = [
    # help and version
    ["-h"], ["-help"], ["--h"], ["--help"], ["-h", "-x"], ["-L", "/x", "-s", "4096", "-h"],
    ["-version"], ["--version", "-x"],
    ["-d", "help"], ["-d", "foo", TRUE], ["-d", "in_asm,foo", TRUE], ["-d", ",", TRUE],
    ["-cpu", "help"], ["-cpu", "?"], ["-cpu", "nosuch", TRUE],
    # option errors
    ["-x"], ["---h"], ["-", TRUE], ["-x", "-h"], [], ["-L"], ["-s"], ["-d"], ["-cpu"], ["-E"],
    ["-s", "0", TRUE], ["-E", "NOEQUALS", TRUE], ["-U", "A=B", TRUE],
    ["-p", "3", TRUE], ["-p", "0", TRUE], ["-p", "x", TRUE],
    ["-R", "1x", TRUE], ["-R", "1Gx", TRUE],
    # QEMU 7.2 runs no x86-64 program with -R: three different refusals by size
    ["-R", "0xfffffffffffff000", TRUE], ["-R", "4096", TRUE], ["-R", "0x2009000", TRUE],
    ["-R", "1G", TRUE], ["-R", "64M", "/bin/ls"], ["-R", "0", TRUE],
    ["-seed", "x", TRUE], ["-seed", "5x", TRUE],
    ["-D", "/nonexistent/dir/log", "-d", "in_asm", TRUE],
    ["-d", "tid", "-D", "nolog", TRUE], ["-d", "all", "-D", "/dev/null", TRUE],
    ["-dfilter", "x", TRUE], ["-dfilter", "0x1000..", TRUE],
    # -B: alignment (strtol's value: saturated, negative), the program's span in use (under
    # mmap_min_addr, past the user address space), and bases that run
    ["-B", "0x1001", TRUE], ["-B", "0x800", TRUE], ["-B", "1", TRUE], ["-B", "-1", TRUE],
    ["-B", "0xffffffffffff0000", TRUE], ["-B", "0x10000000000000000", TRUE],
    ["-B", "0", TRUE], ["-B", "0x1000", TRUE], ["-B", "abc", TRUE], ["-B", "4096x", TRUE],
    ["-B", "0x7fffffffe000", TRUE], ["-B", "0x800000000000", TRUE],
    ["-B", "0x10000", TRUE], ["-B", "0x1000000000", "/bin/echo", "x"],
    ["-B", "0x7f0000000000", "/bin/echo", "y"], ["-B", "0x20000", "-B", "0x3001", TRUE],
    ["-R", "1G", "-B", "0x10000", TRUE], ["-R", "1G", "-B", "0x1001", TRUE],
    ["-R", "16M", "-B", "0x10000", TRUE],
]

ENV_CASES = [
    ({"QEMU_STACK_SIZE": "0"}, [TRUE]),
    ({"QEMU_LOG": "foo"}, [TRUE]),
    ({"QEMU_CPU": "nosuch"}, [TRUE]),
    ({"QEMU_RAND_SEED": "bad"}, [TRUE]),
    ({"QEMU_VERSION": "1"}, [TRUE]),
    ({"QEMU_SET_ENV": "NOEQ"}, [TRUE]),
    ({"QEMU_PAGESIZE": "7"}, [TRUE]),
    ({"QEMU_RESERVED_VA": "16M"}, [TRUE]),
    ({"QEMU_GUEST_BASE": "0x1001"}, [TRUE]),
    ({"QEMU_GUEST_BASE": "0x1000"}, [TRUE]),
    ({"QEMU_GUEST_BASE": "0x10000"}, ["/bin/echo", "z"]),
    ({"QEMU_GUEST_BASE": "0x1001"}, ["-B", "0x10000", "/bin/echo", "w"]),
]


def normalize(text):
    text = re.sub(r"qemu-x86_64 version [^\n]*", "qemu-x86_64 version X", text)
    return text


def run_pty(argv, env=None):
    """Runs argv with stdout on a pseudo-terminal; returns (status, output)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    err = p.stderr.read()
    p.wait()
    os.close(master)
    return p.returncode, out.decode(errors="replace").replace("\r\n", "\n"), err.decode()


def main():
    args = parse_args()
    qemu = require_qemu("qemu-x86_64")
    ours = os.path.join(args.build, "qemu-x86_64")
    res = Results("qemu_x86_64_options")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("QEMU_")}

    def compare(name, argv, env=None, use_pty=False):
        e = dict(base_env)
        e.update(env or {})
        runner = (lambda a: run_pty(a, env=e)) if use_pty else (lambda a: run(a, env=e))
        q = runner([qemu] + argv)
        o = runner([ours] + argv)
        q = (q[0], normalize(q[1]), normalize(q[2]))
        o = (o[0], normalize(o[1]), normalize(o[2]))
        detail = f"  qemu: {q!r:.600}\n  ours: {o!r:.600}"
        if args.verbose:
            print(name, "ok" if q == o else "DIFF")
        res.check(name, q == o, detail)

    for argv in CASES:
        compare(" ".join(argv) or "(no arguments)", argv)
    for env, argv in ENV_CASES:
        compare(f"{env} {' '.join(argv)}", argv, env)

    with tempfile.TemporaryDirectory() as d:
        garbage = os.path.join(d, "garbage")
        with open(garbage, "wb") as f:
            f.write(b"\x7fELX" + b"x" * 200)
        os.chmod(garbage, 0o755)
        with open(TRUE, "rb") as f:
            elf = bytearray(f.read())
        bad = {}
        for name, off, val in [("i386", 18, 3), ("class32", 4, 1), ("bigendian", 5, 2),
                               ("reloc", 16, 1)]:
            b = bytearray(elf)
            b[off] = val
            path = os.path.join(d, name)
            with open(path, "wb") as f:
                f.write(b)
            os.chmod(path, 0o755)
            bad[name] = path
        short = os.path.join(d, "short")
        with open(short, "wb") as f:
            f.write(elf[:30])
        os.chmod(short, 0o755)
        noexec = os.path.join(d, "noexec")
        with open(noexec, "wb") as f:
            f.write(elf)
        os.chmod(noexec, 0o644)
        # Loading errors: "Error while loading" (stdout, on a terminal) or the ELF checks.
        for argv in [["/nonexistent"], ["/etc"], [noexec], [garbage], [short]]:
            compare("load " + os.path.basename(argv[0]), argv, use_pty=True)
        for name, path in bad.items():
            q = run([qemu, path], env=base_env)
            o = run([os.path.join(args.build, "qemu-x86_64"), path], env=base_env)
            res.check("bad elf " + name, q == o, f"  qemu: {q!r}\n  ours: {o!r}")
        # -B: the file and its headers are checked before the base.
        for argv in [["-B", "0x1001", "/nonexistent"], ["-B", "0x1001", noexec]]:
            compare(" ".join(argv[:2]) + " load " + os.path.basename(argv[2]), argv, use_pty=True)
        compare("-B 0x1001 bad elf", ["-B", "0x1001", bad["class32"]])
        # A fixed-address program: its span is at base + its addresses (free for small bases).
        static = os.path.join(d, "static")
        with open(static + ".c", "w") as f:
            f.write('#include <stdio.h>\nint main(){puts("static");return 0;}\n')
        subprocess.run(["gcc", "-static", "-O2", "-o", static, static + ".c"], check=True)
        for base in ["0", "0x1000", "0x8000", "0x7fffff000000"]:
            compare(f"-B {base} static", ["-B", base, static])
    res.finish()


main()
