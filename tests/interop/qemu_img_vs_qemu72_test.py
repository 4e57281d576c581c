#!/usr/bin/env python3
"""Differential test: qemu-img from QEMU 7.2 and ours, run on the same arguments in twin
directories. Compared: exit status, stdout, stderr and the bytes and sizes of the files made."""
import hashlib
import os
import random
import re
import sys
import tempfile

from qemu72 import Results, parse_args, require_qemu, run, sparse_hash

SIZES = ["1", "1k", "1K", "1.5k", "1.5", "1.k", "0x1000", "0x10k", "1e3", "1.5e3", " 1k",
         "1k ", "1b", "1B", "1kb", "16E", "8E", "7.99E", "1T", "0.5", ".5k", "1.0000001k",
         "00012", "1x", "0x", "18446744073709551615", "18446744073709551616", "", "k",
         "1.5M", "0.1", "+1k", "513", "0"]

CREATE = [
    ["create"],
    ["create", "x.img"],
    ["create", "-f", "bogus", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "size=2M", "x.img"],
    ["create", "-f", "raw", "-o", "size=2M", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "size=1M", "-o", "size=3M", "x.img"],
    ["create", "-f", "raw", "-o", "preallocation=full", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "preallocation=falloc", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "preallocation=off,nocow=on,extent_size_hint=2M", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "preallocation=bad", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "preallocation=metadata", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "bogus=1", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "nocow", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "nocow=maybe", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "extent_size_hint=abc", "x.img", "1M"],
    ["create", "-f", "raw", "-o", "help"],
    ["create", "-f", "raw", "-o", "?", "x.img"],
    ["create", "-f", "raw", "-o", "help", "x.img", "1M"],
    ["create", "-f", "raw", "x.img", "1M", "extra"],
    ["create", "-q", "-f", "raw", "x.img", "1M"],
    ["create", "-f", "raw", "x,,y.img", "1M"],
    ["create", "-f", "raw", "-b", "foo", "x.img", "1M"],
    ["create", "-f", "raw", "nonexistent-dir/x.img", "1M"],
    ["create", "-f", "file", "x.img", "1M"],
    ["create", "x.img", "64M"],
    ["create", "-x"],
    ["create", "-o"],
    [],
    ["foo"],
    ["info"],
    ["info", "-f", "raw"],
    ["info", "--output=xml", "x.img"],
    ["info", "nonexistent.img"],
    ["dd"],
    ["dd", "if=in.bin"],
    ["dd", "if=in.bin", "of=out.img", "foo=1"],
    ["dd", "if=in.bin", "of=out.img", "bs=0"],
    ["dd", "if=in.bin", "of=out.img", "bs=x"],
    ["dd", "if=in.bin", "of=out.img", "count=-1"],
    ["dd", "if=in.bin", "of=out.img", "bogus"],
    ["dd", "if=in.bin", "of=out.img"],
    ["dd", "if=in.bin", "of=out.img", "bs=64k", "count=4"],
    ["dd", "if=in.bin", "of=out.img", "bs=64k", "skip=3"],
    ["dd", "if=in.bin", "of=out.img", "bs=64k", "skip=2", "count=3"],
    ["dd", "if=in.bin", "of=out.img", "bs=4096", "skip=1000"],
    ["dd", "if=in.bin", "of=out.img", "bs=1000", "count=7"],
    ["dd", "-O", "raw", "if=in.bin", "of=out.img", "bs=3"],
    ["dd", "-f", "raw", "if=nonexistent", "of=out.img"],
]


def snapshot(d):
    """Every file in d with its size, content hash and allocated bytes."""
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            out[name] = (os.path.getsize(p), sparse_hash(p), os.stat(p).st_blocks * 512)
    return out


def normalize(text):
    # The version banner names our package instead of Debian's.
    return re.sub(r"version \S+ \([^)]*\)", "version X", text)


def prepare(d, seed):
    rng = random.Random(seed)
    with open(os.path.join(d, "in.bin"), "wb") as f:
        f.write(rng.randbytes(1 << 20) + rng.randbytes(12345))


def compare(res, qemu, ours, argv, label):
    with tempfile.TemporaryDirectory() as qd, tempfile.TemporaryDirectory() as od:
        prepare(qd, 1)
        prepare(od, 1)
        q = run([qemu] + argv, cwd=qd)
        o = run([ours] + argv, cwd=od)
        qs, os_ = snapshot(qd), snapshot(od)
        ok = (q[0] == o[0] and normalize(q[1]) == normalize(o[1]) and q[2] == o[2] and qs == os_)
        res.check(label, ok, f"  qemu rc={q[0]} out={q[1]!r} err={q[2]!r} files={qs}\n"
                             f"  ours rc={o[0]} out={o[1]!r} err={o[2]!r} files={os_}")


def cross_info(res, qemu, ours):
    """Images made by one program, inspected by the other: info must print the same."""
    for maker, reader, name in ((qemu, ours, "qemu->ours"), (ours, qemu, "ours->qemu")):
        for size in ("0", "1M", "64M", "1000000", "10G"):
            with tempfile.TemporaryDirectory() as d:
                rc, _, err = run([maker, "create", "-q", "-f", "raw", "i.img", size], cwd=d)
                if rc != 0:
                    res.check(f"cross create {size}", False, err)
                    continue
                run([maker, "dd", "if=/dev/zero", "of=j.img", "bs=4096", "count=0"], cwd=d)
                for args in (["info", "i.img"], ["info", "--output=json", "i.img"],
                             ["info", "-f", "raw", "--output", "human", "i.img"]):
                    a = run([reader] + args, cwd=d)
                    b = run([maker] + args, cwd=d)
                    res.check(f"{name} {size} {' '.join(args)}", a == b, f"  {a}\n  {b}")


def main():
    args = parse_args()
    qemu = require_qemu("qemu-img")
    ours = f"{args.build}/qemu-img"
    res = Results("qemu_img_vs_qemu72")
    for s in SIZES:
        compare(res, qemu, ours, ["create", "-f", "raw", "sz.img", s], f"create size [{s}]")
    for argv in CREATE:
        compare(res, qemu, ours, argv, " ".join(argv) or "(no arguments)")
    for argv in (["--version"], ["-V"], ["create", "--help"]):
        with tempfile.TemporaryDirectory() as d:
            q = run([qemu] + argv, cwd=d)
            o = run([ours] + argv, cwd=d)
            # Help text lists fewer commands than QEMU's for now: compare its head.
            qh, oh = normalize(q[1]).splitlines()[:8], normalize(o[1]).splitlines()[:8]
            res.check(" ".join(argv), q[0] == o[0] and qh == oh, f"  {qh}\n  {oh}")
    cross_info(res, qemu, ours)
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
