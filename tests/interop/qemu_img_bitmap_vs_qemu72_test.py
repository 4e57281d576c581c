#!/usr/bin/env python3
"""Differential test of qcow2 persistent dirty bitmaps: QEMU 7.2's qemu-img and ours run the
same command sequences (bitmap, info, convert --bitmaps, measure, commit, rebase, resize, bench)
in twin directories prepared identically by QEMU's tools, and must agree on exit status, output
and the images left behind: their bytes where QEMU's layout is deterministic, and always the
bitmaps as stored (names, flags, granularity and the dirty granules, read straight from the
file), QEMU's check of them, and QEMU's info. Images written by one program are then read by
the other (check, info, convert --bitmaps)."""
import os
import re
import struct
import subprocess
import sys
import tempfile

import qemu_img_cmds_vs_qemu72_test as h
from qemu_img_cmds_vs_qemu72_test import (copy_tree, normalize, no_sizes, qimg, qio,
                                          qcow2_cases_or_skip, raw_img, run_steps, snapshot_dir)
from qemu72 import Results, parse_args, run

BITMAPS_EXT = 0x23852875


def read_bitmaps(path):
    """The bitmaps stored in a qcow2 image, parsed from the file: {name: (flags, granularity,
    dirty byte ranges)}, or a string saying why there are none."""
    try:
        with open(path, "rb") as f:
            d = f.read()
    except OSError as e:
        return f"unreadable: {e.strerror}"
    if d[:4] != b"QFI\xfb":
        return "not qcow2"
    ver, = struct.unpack(">I", d[4:8])
    cs = 1 << struct.unpack(">I", d[20:24])[0]
    size, = struct.unpack(">Q", d[24:32])
    autoclear, = struct.unpack(">Q", d[88:96]) if ver >= 3 else (0,)
    pos = struct.unpack(">I", d[100:104])[0] if ver >= 3 else 72
    out = {"autoclear": autoclear}
    while pos + 8 <= len(d):
        t, ln = struct.unpack(">II", d[pos:pos + 8])
        if t == 0:
            break
        if t == BITMAPS_EXT:
            nb, _, _dsz, doff = struct.unpack(">IIQQ", d[pos + 8:pos + 32])
            p = doff
            for _ in range(nb):
                toff, tsz, fl, _ty, gb, nl, ex = struct.unpack(">QIIBBHI", d[p:p + 24])
                name = d[p + 24:p + 24 + nl].decode(errors="replace")
                p += (24 + nl + ex + 7) & ~7
                g = 1 << gb
                nbits = (size + g - 1) // g
                bits = bytearray()
                for j in range(tsz):
                    e, = struct.unpack(">Q", d[toff + 8 * j:toff + 8 * j + 8])
                    off = e & 0x00fffffffffffe00
                    if off:
                        chunk = d[off:off + cs]
                        bits += chunk + bytes(cs - len(chunk))
                    else:
                        bits += (b"\xff" if e & 1 else b"\0") * cs
                bits += bytes(max(0, (nbits + 7) // 8 - len(bits)))
                ranges = []
                i = 0
                while i < nbits:
                    if bits[i // 8] >> (i % 8) & 1:
                        s = i
                        while i < nbits and bits[i // 8] >> (i % 8) & 1:
                            i += 1
                        ranges.append((s * g, min(size, i * g) - s * g))
                    else:
                        i += 1
                out[name] = (fl, g, ranges)
        pos += 8 + ((ln + 7) & ~7)
    return out


def bitmaps_of(image):
    def check(d):
        return read_bitmaps(os.path.join(d, image))
    check.__name__ = f"bitmaps of {image}"
    return check


def set_in_use(image, index=0):
    """Flags a stored bitmap "in use" (as a crash while the image was open leaves it)."""
    def step(d):
        p = os.path.join(d, image)
        with open(p, "r+b") as f:
            data = f.read(65536)
            pos = struct.unpack(">I", data[100:104])[0]
            while True:
                t, ln = struct.unpack(">II", data[pos:pos + 8])
                if t == BITMAPS_EXT:
                    break
                pos += 8 + ((ln + 7) & ~7)
            doff, = struct.unpack(">Q", data[pos + 24:pos + 32])
            p = doff
            for _ in range(index):
                f.seek(p + 18)
                nl, ex = struct.unpack(">HI", f.read(6))
                p += (24 + nl + ex + 7) & ~7
            f.seek(p + 12)
            fl, = struct.unpack(">I", f.read(4))
            f.seek(p + 12)
            f.write(struct.pack(">I", fl | 1))
    return step


def clear_autoclear(image):
    """What a program without bitmap support leaves: the extension without its autoclear bit."""
    def step(d):
        with open(os.path.join(d, image), "r+b") as f:
            f.seek(88)
            v, = struct.unpack(">Q", f.read(8))
            f.seek(88)
            f.write(struct.pack(">Q", v & ~1))
    return step


def ours(*argv):
    """A setup step run by our qemu-img (images written by ours, then read by both)."""
    def step(d):
        p = subprocess.run([h.OURS] + list(argv), cwd=d, capture_output=True)
        if p.returncode != 0:
            raise RuntimeError(f"our step {argv} failed: {p.stderr.decode()}")
    return step


class Seq:
    """A sequence of qemu-img commands each program runs in its own twin directory (a step
    that starts with QIO runs QEMU's qemu-io in both). files: "bytes" or "none"."""

    def __init__(self, name, setup, steps, files="bytes", post=()):
        self.name = name
        self.setup = list(setup)
        self.steps = [s if isinstance(s, list) else list(s) for s in steps]
        self.files = files
        self.post = list(post)


# Mismatches known and not about bitmaps (printed, not failed), with the reason.
KNOWN_GAPS = {
    # QEMU opens the image a second time as the merge source and its image locking refuses
    # that; we have no image locking yet.
    "bitmap --merge b0 -b t.qcow2 t.qcow2 b1 (3 bitmaps)": "image locking",
    "bitmap --merge b0 -b t.qcow2 -F qcow2 t.qcow2 b1 (3 bitmaps)": "image locking",
}


def run_seq(res, case):
    with tempfile.TemporaryDirectory() as base:
        tmpl, qd, od = (os.path.join(base, n) for n in ("tmpl", "q", "o"))
        for d in (tmpl, qd, od):
            os.mkdir(d)
        try:
            run_steps(case.setup, tmpl)
        except RuntimeError as e:
            res.check(case.name, False, f"  {e}")
            return
        copy_tree(tmpl, qd)
        copy_tree(tmpl, od)
        outs = []
        for step in case.steps:
            if step[0] == "QIO":
                a = run([h.QEMU_IO] + step[1:], cwd=qd)
                b = run([h.QEMU_IO] + step[1:], cwd=od)
            else:
                a = run([h.QEMU_IMG] + step, cwd=qd)
                b = run([h.OURS] + step, cwd=od)
            filt = no_sizes if step[:1] == ["info"] else (lambda t: t)
            a = (a[0], filt(normalize(a[1])), normalize(a[2], True))
            b = (b[0], filt(normalize(b[1])), normalize(b[2], True))
            outs.append((step, a, b))
        posts = []
        for p in case.post:
            if callable(p):
                posts.append((p.__name__, p(qd), p(od)))
                continue
            a = run([h.tool(p[0])] + list(p[1:]), cwd=qd)
            b = run([h.tool(p[0])] + list(p[1:]), cwd=od)
            filt = getattr(p, "filt", None) or (no_timing if p[0] == "QIO" else None)
            if filt:
                a, b = (a[0], filt(a[1]), a[2]), (b[0], filt(b[1]), b[2])
            posts.append((list(p), a, b))
        qs, os_ = snapshot_dir(qd, case.files), snapshot_dir(od, case.files)
        ok = all(a == b for _, a, b in outs) and all(a == b for _, a, b in posts) and qs == os_
        detail = ""
        for step, a, b in outs:
            if a != b:
                detail += f"  step {step}:\n    qemu {a}\n    ours {b}\n"
        for p, a, b in posts:
            if a != b:
                detail += f"  post {p}:\n    qemu {a}\n    ours {b}\n"
        if qs != os_:
            detail += f"  qemu files={qs}\n  ours files={os_}\n"
        if case.name in KNOWN_GAPS:
            print(f"{'XPASS' if ok else 'KNOWN GAP'} {case.name} ({KNOWN_GAPS[case.name]})")
            if not ok and os.environ.get("VERBOSE"):
                print(detail)
            return
        res.check(case.name, ok, detail)


def no_timing(text):
    return re.sub(r"\n[^\n]*ops/sec[^\n]*", "", text)


def no_dates(text):
    return re.sub(r'\n *"date-n?sec": \d+,', "", no_sizes(text))


def info_json(image="t.qcow2"):
    return qimg("info", "--output=json", image, filt=no_dates)


def post_for(*images, layout=True):
    """The bitmaps, QEMU's check and info of each image (layout=False: QEMU's own layout is
    not deterministic, so no fragmentation statistics)."""
    out = []
    for im in images:
        check = qimg("check", im) if layout else qimg("check", im, filt=h.no_fragmentation)
        out += [bitmaps_of(im), check, info_json(im)]
    return out


def base(size="4M", extra=(), writes=("write -P 1 0 64k", "write -P 2 1M 4k")):
    steps = [qimg("create", "-q", "-f", "qcow2", *extra, "t.qcow2", size)]
    if writes:
        cmd = ["QIO", "-f", "qcow2"]
        for w in writes:
            cmd += ["-c", w]
        steps.append(cmd + ["t.qcow2"])
    return steps


def with_bitmaps(extra=()):
    """t.qcow2 with b0 (enabled, dirty where written after it was added), b1 (disabled,
    granularity 512, some bits) and b2 (2 MiB granularity)."""
    return base(extra=extra) + [
        qimg("bitmap", "--add", "t.qcow2", "b0"),
        qimg("bitmap", "--add", "-g", "512", "t.qcow2", "b1"),
        qio("-c", "write -P 3 100k 1k", "-c", "write -z 3M 5000", "-c", "discard 2M 64k",
            "t.qcow2"),
        qimg("bitmap", "--disable", "t.qcow2", "b1"),
        qimg("bitmap", "--add", "-g", "2M", "t.qcow2", "b2"),
        qio("-c", "write -P 4 1536k 512", "-c", "write 4190208 4096", "t.qcow2")]


# ---- cases ----

def bitmap_command_cases():
    cases = []
    t = base()
    post = post_for("t.qcow2")
    for steps in (
            [["bitmap", "--add", "t.qcow2", "b"]],
            [["bitmap", "--add", "t.qcow2", "b"], ["bitmap", "--add", "t.qcow2", "b"]],
            [["bitmap", "--add", "--add", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "512", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "1k", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "2M", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "2G", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "4G", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "8G", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "256", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "3k", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "0", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "-1", "t.qcow2", "b"]],
            [["bitmap", "--add", "-g", "1x", "t.qcow2", "b"]],
            [["bitmap", "--add", "t.qcow2", ""]],
            [["bitmap", "--add", "t.qcow2", "x" * 1023]],
            [["bitmap", "--add", "t.qcow2", "x" * 1024]],
            [["bitmap", "--add", "t.qcow2", "name with spaces/and:üñí"]],
            [["bitmap", "--add", "--disable", "t.qcow2", "b"]],
            [["bitmap", "--disable", "--add", "t.qcow2", "b"]],
            [["bitmap", "--add", "--clear", "t.qcow2", "b"]],
            [["bitmap", "--add", "--remove", "t.qcow2", "b"]],
            [["bitmap", "--remove", "t.qcow2", "b"]],
            [["bitmap", "--clear", "t.qcow2", "b"]],
            [["bitmap", "--enable", "t.qcow2", "b"]],
            [["bitmap", "--disable", "t.qcow2", "b"]],
            [["bitmap", "--merge", "b", "t.qcow2", "c"]],
            [["bitmap", "--add", "-f", "qcow2", "t.qcow2", "b"]],
            [["bitmap", "--add", "-f", "raw", "t.qcow2", "b"]],
            [["bitmap", "--add", "--image-opts", "driver=qcow2,file.filename=t.qcow2", "b"]],
            [["bitmap", "--add", "t.qcow2", "a"], ["bitmap", "--add", "t.qcow2", "b"],
             ["bitmap", "--add", "t.qcow2", "c"], ["bitmap", "--remove", "t.qcow2", "b"]],
            [["bitmap", "--add", "t.qcow2", "b"], ["bitmap", "--remove", "t.qcow2", "b"]],
            [["bitmap", "--add", "t.qcow2", "b"], ["bitmap", "--disable", "t.qcow2", "b"],
             ["bitmap", "--enable", "t.qcow2", "b"]],
            [["bitmap", "--add", "t.qcow2", "b"], ["bitmap", "--disable", "--disable",
                                                   "t.qcow2", "b"]]):
        name = " ; ".join(" ".join(s) for s in steps)
        cases.append(Seq(name, t, steps + [["info", "t.qcow2"]], post=post))
    # Default granularities follow the cluster size; other creation options.
    for extra in (["-o", "cluster_size=512"], ["-o", "cluster_size=4k"],
                  ["-o", "cluster_size=2M"], ["-o", "refcount_bits=1"],
                  ["-o", "refcount_bits=64"], ["-o", "extended_l2=on"],
                  ["-o", "lazy_refcounts=on"], ["-o", "data_file=d.raw"],
                  ["-o", "data_file=d.raw,data_file_raw=on"],
                  ["-o", "preallocation=metadata"], ["-o", "compression_type=zstd"]):
        steps = [["bitmap", "--add", "t.qcow2", "b"],
                 ["bitmap", "--add", "-g", "1M", "t.qcow2", "c"], ["info", "t.qcow2"]]
        tag = " ".join(extra)
        cases.append(Seq(f"bitmap --add ({tag})", base(extra=extra), steps, post=post + [
            qio("-c", "write 300k 5k", "t.qcow2"), bitmaps_of("t.qcow2")]))
        cases.append(Seq(f"convert --bitmaps ({tag})", base(extra=extra) + [
            qimg("bitmap", "--add", "t.qcow2", "b"), qio("-c", "write 300k 5k", "t.qcow2")],
            [["convert", "--bitmaps", "-O", "qcow2", extra[0],
              extra[1].replace("d.raw", "e.raw"), "t.qcow2", "o.qcow2"]],
            post=post + post_for("o.qcow2")))
        # (QEMU's measure of sources with preallocated metadata asks the file system where
        # the holes are: a known gap, below.)
        cases.append(Seq(f"measure ({tag})", base(extra=extra) + [
            qimg("bitmap", "--add", "t.qcow2", "b"), qio("-c", "write 300k 5k", "t.qcow2")],
            [["measure", "-O", "qcow2", "t.qcow2"]]))
    return cases


def bitmap_ops_on_existing_cases():
    cases = []
    t = with_bitmaps()
    post = post_for("t.qcow2")
    for steps in (
            [["info", "t.qcow2"]], [["info", "--output=json", "t.qcow2"]],
            [["check", "t.qcow2"]], [["check", "-r", "all", "t.qcow2"]],
            [["bitmap", "--clear", "t.qcow2", "b0"]],
            [["bitmap", "--clear", "t.qcow2", "b1"]],
            [["bitmap", "--remove", "t.qcow2", "b0"]],
            [["bitmap", "--remove", "t.qcow2", "b1"]],
            [["bitmap", "--remove", "t.qcow2", "b2"]],
            [["bitmap", "--remove", "t.qcow2", "b0"], ["bitmap", "--remove", "t.qcow2", "b1"],
             ["bitmap", "--remove", "t.qcow2", "b2"]],
            [["bitmap", "--enable", "t.qcow2", "b1"]],
            [["bitmap", "--disable", "t.qcow2", "b0"]],
            [["bitmap", "--merge", "b0", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "b1", "t.qcow2", "b0"]],
            [["bitmap", "--merge", "b0", "--merge", "b1", "t.qcow2", "b2"]],
            [["bitmap", "--add", "--merge", "b1", "t.qcow2", "n"]],
            [["bitmap", "--add", "-g", "4k", "--merge", "b1", "--disable", "t.qcow2", "n"]],
            [["bitmap", "--merge", "nope", "t.qcow2", "b0"]],
            [["bitmap", "--merge", "b0", "t.qcow2", "nope"]],
            [["bitmap", "--merge", "b0", "t.qcow2", "b0"]],
            [["bitmap", "--clear", "--merge", "b1", "t.qcow2", "b0"]],
            [["bitmap", "--add", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "b0", "-b", "t.qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "b0", "-b", "t.qcow2", "-F", "qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "b0", "-b", "t.qcow2", "-F", "raw", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "x", "-b", "s.qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "x", "-b", "s.qcow2", "-F", "qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "x", "-b", "small.qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "y", "-b", "s.qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "x", "-b", "nope.qcow2", "t.qcow2", "b1"]],
            [["bitmap", "--merge", "x", "-b", "a.img", "t.qcow2", "b1"]],
            [["bitmap", "-F", "qcow2", "--merge", "x", "t.qcow2", "b1"]],
            [["bitmap", "--add", "t.qcow2", "n"], ["bitmap", "--merge", "b0", "--merge", "b1",
                                                   "--merge", "b2", "t.qcow2", "n"],
             ["bitmap", "--remove", "t.qcow2", "b0"], ["bitmap", "--clear", "t.qcow2", "b2"]],
            [["resize", "t.qcow2", "8M"]], [["resize", "t.qcow2", "+1000000"]],
            [["resize", "--shrink", "t.qcow2", "1M"]],
            [["resize", "--shrink", "t.qcow2", "1M"], ["resize", "t.qcow2", "6M"]],
            [["resize", "--preallocation=full", "t.qcow2", "5M"]],
            [["resize", "--preallocation=metadata", "t.qcow2", "5M"]]):
        name = " ; ".join(" ".join(s) for s in steps) + " (3 bitmaps)"
        extra = [
            qimg("create", "-q", "-f", "qcow2", "s.qcow2", "4M"),
            qimg("bitmap", "--add", "-g", "1k", "s.qcow2", "x"),
            qio("-c", "write 5000 70000", "-c", "write 3M 1", "s.qcow2"),
            qimg("create", "-q", "-f", "qcow2", "small.qcow2", "1M"),
            qimg("bitmap", "--add", "small.qcow2", "x"),
            qimg("bitmap", "--add", "s.qcow2", "y"), set_in_use("s.qcow2", 1),
            raw_img("a.img", 4 << 20)]
        cases.append(Seq(name, t + extra, steps + [["info", "t.qcow2"]], post=post))
    return cases


def broken_cases():
    """In-use bitmaps (inconsistent), a stale extension, v2 and raw images."""
    cases = []
    iu = with_bitmaps() + [set_in_use("t.qcow2", 1)]
    post = post_for("t.qcow2")
    for steps in ([["info", "t.qcow2"]], [["info", "--output=json", "t.qcow2"]],
                  [["check", "t.qcow2"]], [["check", "-r", "all", "t.qcow2"]],
                  [["bitmap", "--clear", "t.qcow2", "b1"]],
                  [["bitmap", "--enable", "t.qcow2", "b1"]],
                  [["bitmap", "--disable", "t.qcow2", "b1"]],
                  [["bitmap", "--merge", "b1", "t.qcow2", "b0"]],
                  [["bitmap", "--merge", "b0", "t.qcow2", "b1"]],
                  [["bitmap", "--add", "t.qcow2", "b1"]],
                  [["bitmap", "--remove", "t.qcow2", "b1"]],
                  [["bitmap", "--clear", "t.qcow2", "b0"]],
                  [["resize", "t.qcow2", "8M"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["convert", "--bitmaps", "--skip-broken-bitmaps", "-O", "qcow2", "t.qcow2",
                    "o.qcow2"], ["info", "o.qcow2"]],
                  [["measure", "-O", "qcow2", "t.qcow2"]],
                  [["bench", "-w", "-c", "3", "-s", "4k", "-S", "1M", "t.qcow2"]]):
        name = " ; ".join(" ".join(s) for s in steps) + " (in use)"
        cases.append(Seq(name, iu, steps, post=post + [bitmaps_of("o.qcow2")]))
    stale = with_bitmaps() + [clear_autoclear("t.qcow2")]
    for steps in ([["info", "t.qcow2"]], [["check", "t.qcow2"]],
                  [["check", "-r", "all", "t.qcow2"]],
                  [["bitmap", "--add", "t.qcow2", "b0"]],
                  [["bitmap", "--remove", "t.qcow2", "b0"]]):
        name = " ; ".join(" ".join(s) for s in steps) + " (stale extension)"
        cases.append(Seq(name, stale, steps, post=post))
    v2 = base(extra=["-o", "compat=0.10"])
    for steps in ([["bitmap", "--add", "t.qcow2", "b"]],
                  [["bitmap", "--remove", "t.qcow2", "b"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "-o", "compat=0.10", "s.qcow2",
                    "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]]):
        name = " ; ".join(" ".join(s) for s in steps) + " (v2)"
        cases.append(Seq(name, v2 + [qimg("create", "-q", "-f", "qcow2", "s.qcow2", "4M"),
                                     qimg("bitmap", "--add", "s.qcow2", "b")],
                         steps, files="none", post=post + [bitmaps_of("o.qcow2")]))
    a = [raw_img("a.img", 4 << 20)]
    for steps in ([["bitmap", "--add", "a.img", "b"]], [["bitmap", "--remove", "a.img", "b"]],
                  [["bitmap", "--merge", "b", "-b", "t.qcow2", "a.img", "b"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "a.img", "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "raw", "t.qcow2", "o.img"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "a.img", "o.qcow2"]],
                  [["convert", "--skip-broken-bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["measure", "-O", "raw", "t.qcow2"]]):
        name = " ; ".join(" ".join(s) for s in steps) + " (raw)"
        cases.append(Seq(name, a + with_bitmaps(), steps))
    return cases


def convert_measure_cases():
    cases = []
    t = with_bitmaps()
    for steps in ([["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "-o", "cluster_size=4k", "t.qcow2",
                    "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "-o", "cluster_size=512", "t.qcow2",
                    "o.qcow2"]],
                  [["convert", "--bitmaps", "-c", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "-o", "compat=0.10", "t.qcow2",
                    "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "-o", "extended_l2=on", "t.qcow2",
                    "o.qcow2"]],
                  [["convert", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["create", "-q", "-f", "qcow2", "o.qcow2", "4M"],
                   ["bitmap", "--add", "o.qcow2", "b1"],
                   ["convert", "-n", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["create", "-q", "-f", "qcow2", "o.qcow2", "4M"],
                   ["bitmap", "--add", "o.qcow2", "other"],
                   ["convert", "-n", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"],
                   ["convert", "--bitmaps", "-O", "qcow2", "o.qcow2", "o2.qcow2"],
                   ["compare", "t.qcow2", "o2.qcow2"]],
                  [["measure", "-O", "qcow2", "t.qcow2"]],
                  [["measure", "-O", "qcow2", "--output=json", "t.qcow2"]],
                  [["measure", "-O", "qcow2", "-o", "cluster_size=512", "t.qcow2"]],
                  [["measure", "-O", "qcow2", "-o", "cluster_size=2M", "t.qcow2"]],
                  [["measure", "-O", "qcow2", "-o", "compat=0.10", "t.qcow2"]],
                  [["measure", "t.qcow2"]],
                  [["measure", "-O", "raw", "--output=json", "t.qcow2"]],
                  [["measure", "--size", "1G", "-O", "qcow2"]]):
        name = " ; ".join(" ".join(s) for s in steps)
        cases.append(Seq(name, t, steps,
                         post=post_for("t.qcow2") + [bitmaps_of("o.qcow2"), bitmaps_of("o2.qcow2"),
                                                     qimg("check", "o.qcow2"),
                                                     info_json("o.qcow2")]))
    # Large images and many bitmaps (tables of several clusters, directories of several).
    big = [qimg("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", "t.qcow2", "3G"),
           qimg("bitmap", "--add", "-g", "512", "t.qcow2", "fine"),
           qimg("bitmap", "--add", "t.qcow2", "coarse"),
           qio("-c", "write 0 1M", "-c", "write 1G 64k", "-c", "write 3221224960 512",
               "t.qcow2")]
    many = base() + [qimg("bitmap", "--add", "t.qcow2", "n0")]
    for i in range(1, 40):
        many.append(qimg("bitmap", "--add", "-g", str(512 << (i % 12)), "t.qcow2",
                         f"bitmap-{i:03d}-" + "x" * (i * 3)))
    many.append(qio("-c", "write 12345 678901", "t.qcow2"))
    for setup, tag in ((big, "big"), (many, "many")):
        for steps in ([["info", "t.qcow2"]], [["check", "t.qcow2"]],
                      [["measure", "-O", "qcow2", "t.qcow2"]],
                      [["bitmap", "--add", "t.qcow2", "new"]],
                      [["bitmap", "--clear", "t.qcow2", "coarse" if tag == "big" else "n0"]],
                      [["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]]):
            name = " ; ".join(" ".join(s) for s in steps) + f" ({tag})"
            cases.append(Seq(name, setup, steps,
                             post=post_for("t.qcow2") + [bitmaps_of("o.qcow2")]))
    return cases


def tracking_cases():
    """Writes made by our qemu-img (commit, rebase, bench -w, convert -n, amend) mark the enabled
    bitmaps of the image written, the granules QEMU marks."""
    cases = []
    chain = [raw_img("base.img", 4 << 20),
             qimg("create", "-q", "-f", "qcow2", "-b", "base.img", "-F", "raw", "mid.qcow2"),
             qio("-f", "qcow2", "-c", "write -P 5 64k 64k", "-c", "write -z 1M 64k",
                 "-c", "write -P 6 2M 128k", "mid.qcow2"),
             qimg("bitmap", "--add", "-g", "4k", "mid.qcow2", "m"),
             qimg("bitmap", "--add", "mid.qcow2", "off"),
             qimg("bitmap", "--disable", "mid.qcow2", "off"),
             qimg("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "top.qcow2"),
             qimg("bitmap", "--add", "-g", "512", "top.qcow2", "t"),
             qio("-f", "qcow2", "-c", "write -P 7 128k 64k", "-c", "write -z 2M 4k",
                 "-c", "write -P 8 3M 4k", "-c", "write -P 9 3999k 1k", "top.qcow2")]
    # QEMU's commit job does not always place clusters the same way.
    post = post_for("mid.qcow2", "top.qcow2", layout=False) + [bitmaps_of("o.qcow2")]
    for steps in ([["commit", "top.qcow2"]], [["commit", "-d", "top.qcow2"]],
                  [["rebase", "-b", "base.img", "-F", "raw", "top.qcow2"]],
                  [["rebase", "-b", "", "top.qcow2"]],
                  [["bench", "-w", "-c", "5", "-s", "3k", "-S", "700k", "-o", "1000",
                    "top.qcow2"]],
                  [["bench", "-w", "-c", "4", "-s", "64k", "--pattern=0", "top.qcow2"]],
                  [["bench", "-w", "-c", "3", "-s", "4k", "-S", "1M", "mid.qcow2"]],
                  [["bench", "-c", "3", "-s", "4k", "-S", "1M", "mid.qcow2"]],
                  [["convert", "-n", "-O", "qcow2", "base.img", "top.qcow2"]],
                  [["convert", "-n", "-B", "mid.qcow2", "-O", "qcow2", "base.img",
                    "top.qcow2"]],
                  [["amend", "-o", "size=8M", "top.qcow2"]],
                  [["amend", "-o", "compat=0.10", "top.qcow2"]],
                  [["snapshot", "-c", "s", "top.qcow2"], ["snapshot", "-a", "s", "top.qcow2"]],
                  [["snapshot", "-c", "s", "top.qcow2"], ["bitmap", "--disable", "top.qcow2", "t"],
                   ["snapshot", "-a", "s", "top.qcow2"], ["snapshot", "-a", "x", "top.qcow2"],
                   ["bitmap", "--remove", "top.qcow2", "t"], ["snapshot", "-a", "s", "top.qcow2"]],
                  [["snapshot", "-c", "s", "top.qcow2"], ["snapshot", "-d", "s", "top.qcow2"]],
                  [["info", "--backing-chain", "top.qcow2"]],
                  [["info", "--backing-chain", "--output=json", "top.qcow2"]],
                  [["info", "-U", "top.qcow2"]],
                  [["convert", "--bitmaps", "-O", "qcow2", "top.qcow2", "o.qcow2"]],
                  [["convert", "--bitmaps", "-B", "mid.qcow2", "-O", "qcow2", "top.qcow2",
                    "o.qcow2"]],
                  [["resize", "--shrink", "top.qcow2", "3M"], ["resize", "top.qcow2", "4M"]]):
        name = " ; ".join(" ".join(s) for s in steps) + " (tracking)"
        cases.append(Seq(name, chain, steps, files="none", post=post))
    return cases


def interop_cases():
    """Images with bitmaps made by ours, read by QEMU (in the twin directory QEMU made its own;
    both are then read by both programs)."""
    cases = []
    t = base()
    ours_made = t + [ours("bitmap", "--add", "t.qcow2", "a"),
                     ours("bitmap", "--add", "-g", "1k", "t.qcow2", "b"),
                     qio("-c", "write -P 3 100k 300k", "t.qcow2"),
                     ours("bitmap", "--disable", "t.qcow2", "b"),
                     ours("bitmap", "--add", "--merge", "b", "t.qcow2", "c"),
                     qio("-c", "write 3M 4k", "t.qcow2")]
    qemu_made = t + [qimg("bitmap", "--add", "t.qcow2", "a"),
                     qimg("bitmap", "--add", "-g", "1k", "t.qcow2", "b"),
                     qio("-c", "write -P 3 100k 300k", "t.qcow2"),
                     qimg("bitmap", "--disable", "t.qcow2", "b"),
                     qimg("bitmap", "--add", "--merge", "b", "t.qcow2", "c"),
                     qio("-c", "write 3M 4k", "t.qcow2")]
    for setup, tag in ((ours_made, "made by ours"), (qemu_made, "made by QEMU")):
        for steps in ([["check", "t.qcow2"]], [["info", "--output=json", "t.qcow2"]],
                      [["convert", "--bitmaps", "-O", "qcow2", "t.qcow2", "o.qcow2"]],
                      [["bitmap", "--merge", "a", "t.qcow2", "c"]]):
            name = " ; ".join(" ".join(s) for s in steps) + f" ({tag})"
            cases.append(Seq(name, setup, steps,
                             post=post_for("t.qcow2") + [bitmaps_of("o.qcow2")]))

    # The same files: what ours made byte-identical to what QEMU made.
    def same(d):
        a = os.path.join(d, "q.qcow2")
        b = os.path.join(d, "o.qcow2")
        return (h.sparse_hash(a) == h.sparse_hash(b), read_bitmaps(a) == read_bitmaps(b))
    same.__name__ = "ours and QEMU's files alike"
    for ops in ([["--add", "a"]], [["--add", "-g", "512", "a"], ["--add", "b"]],
                [["--add", "a"], ["--disable", "a"], ["--add", "b"], ["--remove", "a"]]):
        setup = [qimg("create", "-q", "-f", "qcow2", "q.qcow2", "4M"),
                 qimg("create", "-q", "-f", "qcow2", "o.qcow2", "4M")]
        for op in ops:
            setup.append(qimg("bitmap", *op[:-1], "q.qcow2", op[-1]))
            setup.append(qio("-c", "write 1M 64k", "q.qcow2"))
            setup.append(ours("bitmap", *op[:-1], "o.qcow2", op[-1]))
            setup.append(qio("-c", "write 1M 64k", "o.qcow2"))
        cases.append(Seq("alike: " + " ; ".join(" ".join(o) for o in ops), setup,
                         [["check", "o.qcow2"]], post=[same]))
    return cases


def cases():
    return (bitmap_command_cases() + bitmap_ops_on_existing_cases() + broken_cases() +
            convert_measure_cases() + tracking_cases() + interop_cases())


def main():
    args = parse_args()
    h.setup_globals(args)
    res = Results("qemu_img_bitmap_vs_qemu72")
    only = os.environ.get("ONLY")
    for case in qcow2_cases_or_skip(cases):
        if only and only not in case.name:
            continue
        run_seq(res, case)
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
