#!/usr/bin/env python3
"""Differential test: command-line options of -drive, -netdev, -device and -object parsed by
QEMU 7.2's qemu-system-x86_64 and by our option parser (build/tests/qemu-opts-probe).

For each case both must agree on acceptance (exit status) and print the same located messages
(errors, deprecation warnings and their hints); for help requests the first line of the
listing must match."""
import re
import sys

from qemu72 import Results, parse_args, require_qemu, run

CASES = [
    # -drive: QemuOpts without an implied key, validated after parsing
    "-drive file=/dev/null,format=raw,if=none",
    "-drive file=/dev/null,,x,format=raw,if=none",
    "-drive foo=bar",
    "-drive file.qcow2",
    "-drive help",
    "-drive id=1x",
    "-drive if=none,file=/dev/null,format=raw,id=d0 -drive if=none,file=/dev/null,format=raw,id=d0",
    "-drive if=none,file=/dev/null,format=raw,readonly",
    "-drive if=none,file=/dev/null,format=raw,noreadonly",
    "-drive if=none,file=/dev/null,format=raw,readonly=yes",
    "-drive if=none,file=/dev/null,format=raw,readonly=maybe",
    "-drive if=none,file=/dev/null,format=raw,cache=bogus",
    "-drive if=none,file=/dev/null,format=raw,werror=bogus",
    "-drive if=none,file=/dev/null,format=raw,snapshot=on,snapshot=off",
    "-drive if=none,file=/dev/null,format=raw,bogus=1",
    "-drive if=none,file=/dev/null,format=raw,media=tape",
    "-drive if=none,file=/dev/null,format=raw,index=x",
    "-drive if=none,file=/dev/null,format=raw,id=d1,id=d2",
    "-drive if=none,file=/dev/null,format=raw,help",
    # -netdev: implied "type"
    "-netdev user,id=n0",
    "-netdev user,id=n0,foo=bar",
    "-netdev help",
    "-netdev user,help",
    "-netdev user",
    "-netdev id=n0",
    "-netdev foo=1",
    "-netdev nosuch,id=n0",
    "-netdev user,id=n0,restrict",
    "-netdev user,id=n0,restrict=maybe",
    "-netdev user,id=n0 -netdev user,id=n0",
    "-netdev user,id=n0,hostname=a,,b",
    "-netdev user,id=n0,ipv6=of",
    "-netdev user,id=n0,ipv6=yes",
    "-netdev user,id=n0,ipv6=ON",
    "-netdev user,id=n0,,x",
    "-netdev user,id=n0,=5",
    "-netdev user,id=n0,?",
    "-netdev user,id=a_b-c.d",
    "-netdev user,id=",
    "-netdev user,id=n0,foo=1,ipv6=x",
    "-netdev",
    # -device: implied "driver"
    "-device e1000",
    "-device e1000,foo=1",
    "-device nosuch",
    "-device driver=e1000",
    "-device e1000,id=n1 -device e1000,id=n1",
    "-device e1000,id=1",
    "-device e1000,mac=52:54:00:12:34:56",
    "-device e1000,mac=zz",
    "-device e1000,mac",
    "-device ,e1000",
    "-device e1000,,x",
    "-device e1000,bootindex=x",
    "-device e1000,bootindex=0x10",
    "-device e1000,bootindex=99999999999",
    "-device e1000,x-pcie-lnksta-dllla=maybe",
    "-device e1000,netdev=nope",
    "-netdev user,id=n0 -device e1000,netdev=n0",
    "-device id=x",
    "-device e1000,=1",
    "-device e1000,nohelp",
    "-device e1000,help",
    "-device nosuch,help",
    "-device help",
    "-device ?",
    # -object: implied "qom-type"
    "-object secret,id=s0,data=abc",
    "-object secret,id=s0,data=a,,b",
    "-object secret,id=s0,data=a,data=b",
    "-object secret,id=s0,foo=1",
    "-object help",
    "-object secret,help",
    "-object secret",
    "-object id=s0",
    "-object secret,id=s0,data=x -object secret,id=s0,data=y",
    "-object secret,id=s0,data",
    "-object secret,id=s0,data.x=1",
    "-object secret,id=s0,,data=1",
    "-object qom-type=secret,id=s0,data=1",
    "-object secret,id=s0,data=x,format=base64",
    "-object secret,id=s0,data=x,format=bogus",
    "-object secret,id=0s,data=x",
    "-object nosuch",
    "-object nosuch,help",
    "-object secret,id=s0,foo=1,format=bogus",
    "-object ,secret",
    "-bogus-option",
]

# Messages QEMU prints that are about the machine, not the options under test.
NOISE = re.compile(r"^(qemu-system-x86_64: warning: (netdev \S+|nic \S+) has no peer"
                   r"|qemu: module .*)$")


def clean(stderr):
    return [l for l in stderr.splitlines() if not NOISE.match(l)]


def main():
    args = parse_args()
    qemu = require_qemu("qemu-system-x86_64")
    ours = f"{args.build}/tests/qemu-opts-probe"
    quit_cmds = b'{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n'
    res = Results("options_vs_qemu72")
    for case in CASES:
        argv = case.split(" ")
        q_rc, q_out, q_err = run([qemu, "-M", "pc", "-nodefaults", "-display", "none", "-S",
                                  "-qmp", "stdio"] + argv, stdin=quit_cmds)
        o_rc, o_out, o_err = run([ours] + argv)
        q_lines, o_lines = clean(q_err), clean(o_err)
        ok = (q_rc == 0) == (o_rc == 0) and q_lines == o_lines
        is_help = any(h in case for h in ("help", "?")) and q_rc == 0 and q_out.strip()
        if is_help and not q_out.startswith("{"):
            # Our listing's heading must be one of QEMU's (the probe models fewer types).
            ok = ok and bool(o_out) and o_out.splitlines()[0] in q_out.splitlines()
        res.check(case, ok, f"  qemu rc={q_rc} {q_lines} out={q_out[:80]!r}\n"
                            f"  ours rc={o_rc} {o_lines} out={o_out[:80]!r}")
        if args.verbose:
            print(f"{case}: rc={o_rc} {o_lines}")
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
