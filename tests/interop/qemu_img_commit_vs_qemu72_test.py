#!/usr/bin/env python3
"""Differential test of qemu-img commit on qcow2 chains, QEMU 7.2 against ours in twin
directories, over image variants (cluster sizes, compat=0.10, extended L2, lazy refcounts,
refcount widths, snapshots, bitmaps, cache=none):
- the emptied top image must be byte-identical to QEMU's (qcow2 "make empty": a fresh layout,
  or discarded clusters when snapshots or bitmaps keep other references);
- the guest content of the image committed into must equal the guest content the top showed
  before the commit (and QEMU's), whatever the depth of the chain;
- exit status and output agree."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu72 import Results, parse_args, require_qemu, run  # noqa: E402
from qemu_img_cmds_vs_qemu72_test import copy_tree, sparse_hash  # noqa: E402

QEMU_IMG = QEMU_IO = OURS = None

# Writes into the top: data, zeroes over allocated data below, partial clusters and
# subclusters, a discard, data at the end.
TOP_WRITES = ["write -P 7 128k 64k", "write -z 0 64k", "write -z 2M 64k", "write -P 8 3M 4k",
              "write -P 9 512k 3k", "write -z 1M 4k", "write -z 1052672 8k",
              "write -P 10 4190208 4k", "discard 2162688 64k"]
MID_WRITES = ["write -P 5 64k 64k", "write -z 1M 64k", "write -P 6 2M 128k",
              "write -P 11 1M 1M"]


def qimg(*argv):
    return [QEMU_IMG] + list(argv)


def qio(*argv):
    return [QEMU_IO] + list(argv)


def steps_for(opts, levels=2, snapshot=False, bitmap=False, size="4M", base_raw=False):
    """base (raw or qcow2) <- [mid.qcow2 <-] top.qcow2; opts go to every qcow2 layer."""
    o = ["-o", opts] if opts else []
    steps = []
    if base_raw:
        steps.append(qimg("create", "-q", "-f", "raw", "base.img", size))
        steps.append(qio("-f", "raw", "-c", "write -P 1 0 1M", "-c", "write -P 2 1M 2M",
                         "base.img"))
        below, fmt = "base.img", "raw"
    else:
        steps.append(qimg("create", "-q", "-f", "qcow2", *o, "base.qcow2", size))
        steps.append(qio("-f", "qcow2", "-c", "write -P 1 0 1M", "-c", "write -P 2 1M 2M",
                         "base.qcow2"))
        below, fmt = "base.qcow2", "qcow2"
    if levels == 3:
        steps.append(qimg("create", "-q", "-f", "qcow2", *o, "-b", below, "-F", fmt,
                          "mid.qcow2", size))
        steps.append(qio("-f", "qcow2", *sum((["-c", w] for w in MID_WRITES), []),
                         "mid.qcow2"))
        below, fmt = "mid.qcow2", "qcow2"
    steps.append(qimg("create", "-q", "-f", "qcow2", *o, "-b", below, "-F", fmt, "top.qcow2",
                      size))
    steps.append(qio("-f", "qcow2", *sum((["-c", w] for w in TOP_WRITES), []), "top.qcow2"))
    if snapshot:
        steps.append(qimg("snapshot", "-c", "s1", "top.qcow2"))
        steps.append(qio("-f", "qcow2", "-c", "write -P 3 1M 64k", "top.qcow2"))
    if bitmap:
        steps.append(qimg("bitmap", "--add", "top.qcow2", "b0"))
    return steps


def guest(d, image):
    out = os.path.join(d, ".guest.raw")
    p = subprocess.run(qimg("convert", "-O", "raw", image, out), cwd=d, capture_output=True)
    if p.returncode:
        return p.stderr.decode()
    h = sparse_hash(out)
    os.unlink(out)
    return h


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def run_case(res, name, steps, argv, into, compare_top=True):
    with tempfile.TemporaryDirectory() as base:
        tmpl, qd, od = (os.path.join(base, n) for n in ("tmpl", "q", "o"))
        for d in (tmpl, qd, od):
            os.mkdir(d)
        for s in steps:
            p = subprocess.run(s, cwd=tmpl, capture_output=True)
            if p.returncode:
                res.check(name, False, f"  setup {s} failed: {p.stderr.decode()}")
                return
        before = guest(tmpl, "top.qcow2")
        copy_tree(tmpl, qd)
        copy_tree(tmpl, od)
        q = run([QEMU_IMG] + argv, cwd=qd)
        o = run([OURS] + argv, cwd=od)
        detail = (f"  argv {argv}\n  qemu rc={q[0]} out={q[1]!r} err={q[2]!r}\n"
                  f"  ours rc={o[0]} out={o[1]!r} err={o[2]!r}\n")
        ok = q == o
        gq, go = guest(qd, into), guest(od, into)
        if not (gq == go == before):
            ok = False
            detail += f"  guest content of {into}: before {before} qemu {gq} ours {go}\n"
        if compare_top:
            tq = file_bytes(os.path.join(qd, "top.qcow2"))
            to = file_bytes(os.path.join(od, "top.qcow2"))
            if tq != to:
                ok = False
                first = next((i for i in range(min(len(tq), len(to))) if tq[i] != to[i]),
                             min(len(tq), len(to)))
                detail += (f"  top.qcow2 differs: sizes qemu {len(tq)} ours {len(to)}, "
                           f"first difference at {first}\n")
            cq = run([QEMU_IMG, "check", "top.qcow2"], cwd=qd)
            co = run([QEMU_IMG, "check", "top.qcow2"], cwd=od)
            if cq != co:
                ok = False
                detail += f"  check top.qcow2:\n    qemu {cq}\n    ours {co}\n"
        res.check(name, ok, detail)


VARIANTS = [
    ("64k", ""), ("4k", "cluster_size=4k"), ("512", "cluster_size=512"),
    ("2M", "cluster_size=2M"), ("v2", "compat=0.10"), ("v2-4k", "compat=0.10,cluster_size=4k"),
    ("lazy", "lazy_refcounts=on"), ("extl2", "extended_l2=on"),
    ("extl2-32k", "extended_l2=on,cluster_size=32k"), ("rc1", "refcount_bits=1"),
    ("rc64", "refcount_bits=64"), ("zstd", "compression_type=zstd"),
]


def cases(res):
    for tag, opts in VARIANTS:
        run_case(res, f"commit {tag}", steps_for(opts), ["commit", "top.qcow2"], "base.qcow2")
        run_case(res, f"commit 3 levels {tag}", steps_for(opts, levels=3),
                 ["commit", "top.qcow2"], "mid.qcow2")
    for tag, opts in (("64k", ""), ("4k", "cluster_size=4k"), ("v2", "compat=0.10")):
        run_case(res, f"commit snapshot {tag}", steps_for(opts, snapshot=True),
                 ["commit", "top.qcow2"], "base.qcow2")
    run_case(res, "commit bitmap", steps_for("", bitmap=True), ["commit", "top.qcow2"],
             "base.qcow2")
    run_case(res, "commit big", steps_for("", size="10G"), ["commit", "top.qcow2"],
             "base.qcow2")
    run_case(res, "commit big 512", steps_for("cluster_size=512,refcount_bits=64", size="130M"),
             ["commit", "top.qcow2"], "base.qcow2")
    for tag, opts in (("64k", ""), ("4k", "cluster_size=4k"), ("extl2", "extended_l2=on")):
        run_case(res, f"commit -t none 3 levels {tag}", steps_for(opts, levels=3),
                 ["commit", "-f", "qcow2", "-t", "none", "top.qcow2"], "mid.qcow2")
        run_case(res, f"commit raw base 3 levels {tag}",
                 steps_for(opts, levels=3, base_raw=True), ["commit", "top.qcow2"],
                 "mid.qcow2")
        run_case(res, f"commit -b base 3 levels {tag}", steps_for(opts, levels=3),
                 ["commit", "-b", "base.qcow2", "top.qcow2"], "base.qcow2",
                 compare_top=False)
        run_case(res, f"commit -d {tag}", steps_for(opts), ["commit", "-d", "top.qcow2"],
                 "base.qcow2", compare_top=False)


def main():
    global QEMU_IMG, QEMU_IO, OURS
    args = parse_args()
    QEMU_IMG = require_qemu("qemu-img")
    QEMU_IO = require_qemu("qemu-io")
    OURS = f"{args.build}/qemu-img"
    res = Results("qemu_img_commit_vs_qemu72")
    cases(res)
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
