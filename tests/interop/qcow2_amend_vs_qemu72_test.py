#!/usr/bin/env python3
"""Differential test: `qemu-img amend` on qcow2 images by QEMU 7.2 and by ours. Each image is
made alike (QEMU's create and qemu-io writes, including zero clusters), amended by each program;
compared: exit status, messages, and the resulting files byte for byte."""
import os
import shutil
import subprocess
import sys
import tempfile

from qemu72 import Results, parse_args, require_qemu, run

IMAGES = [
    ([], "4M", ["write -P 1 0 1M", "write -z 2M 64k", "write -z 3M 64k", "write -P 2 3M 4k"]),
    (["-o", "cluster_size=4096"], "64M", ["write -P 1 0 20M", "write -P 3 40M 1M"]),
    (["-o", "compat=0.10"], "4M", ["write -P 1 0 100k"]),
    (["-o", "compression_type=zstd"], "4M", ["write -P 1 0 64k"]),
    (["-o", "compression_type=zstd"], "4M", ["write -c -P 1 0 64k"]),
    (["-o", "extended_l2=on"], "4M", ["write -P 1 0 64k"]),
    (["-o", "lazy_refcounts=on"], "4M", ["write -P 1 0 1M"]),
]

AMENDS = ["compat=0.10", "compat=1.1", "compat=v2", "lazy_refcounts=on", "lazy_refcounts=off",
          "refcount_bits=8", "refcount_bits=64", "refcount_bits=1", "refcount_bits=3",
          "size=8M", "size=2M", "size=100M", "data_file=x", "data_file_raw=on",
          "compat=0.10,refcount_bits=8", "compat=2", "backing_file=a.img", "backing_fmt=raw",
          "cluster_size=4096", "compat=0.10,lazy_refcounts=on", "encrypt.state=active",
          "refcount_bits=16,compat=1.1,lazy_refcounts=on", "bogus=1", "help"]


def main():
    args = parse_args()
    qemu = require_qemu("qemu-img")
    qemu_io = require_qemu("qemu-io")
    ours = os.path.join(args.build, "qemu-img")
    res = Results("qcow2_amend_vs_qemu72")
    with tempfile.TemporaryDirectory() as d:
        for n, (opts, size, writes) in enumerate(IMAGES):
            base = os.path.join(d, f"base{n}.qcow2")
            subprocess.run([qemu, "create", "-q", "-f", "qcow2"] + opts + [base, size], check=True)
            for w in writes:
                subprocess.run([qemu_io, "-c", w, base], check=True, capture_output=True)
            for a in AMENDS:
                q, o = os.path.join(d, "q.qcow2"), os.path.join(d, "o.qcow2")
                shutil.copy(base, q)
                shutil.copy(base, o)
                rq = run([qemu, "amend", "-o", a, "q.qcow2"], cwd=d)
                ro = run([ours, "amend", "-o", a, "o.qcow2"], cwd=d)
                with open(q, "rb") as fq, open(o, "rb") as fo:
                    same = fq.read() == fo.read()
                res.check(f"image{n} {' '.join(opts)} amend {a}", rq == ro and same,
                          f"  qemu {rq}\n  ours {ro}\n  files identical: {same}")
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
