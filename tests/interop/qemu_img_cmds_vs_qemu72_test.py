#!/usr/bin/env python3
"""Differential test of every qemu-img subcommand: QEMU 7.2's qemu-img and ours run the same
argument lists in twin directories prepared identically (by QEMU's tools, from one template),
and must agree on exit status, stdout, stderr and the files left behind (size, content and
allocation, or guest-visible content for images whose layout may legitimately differ).

This file holds the harness (imported by the other qemu_img_*_vs_qemu72 tests) and the cases
for info, check, map, measure and create."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from qemu72 import Results, parse_args, require_qemu, run

QEMU_IMG = None
QEMU_IO = None
OURS = None


def setup_globals(args):
    global QEMU_IMG, QEMU_IO, OURS
    QEMU_IMG = require_qemu("qemu-img")
    QEMU_IO = require_qemu("qemu-io")
    OURS = f"{args.build}/qemu-img"


def qcow2_available(ours):
    """Whether our qemu-img can create qcow2 images (the qcow2 driver is registered)."""
    with tempfile.TemporaryDirectory() as d:
        rc, _, err = run([ours, "create", "-q", "-f", "qcow2", "x.qcow2", "1M"], cwd=d)
        return rc == 0, err.strip()


def sparse_hash(path):
    """A hash of a file's contents, independent of how it is allocated: 64 KiB blocks that
    read as zeroes (holes or written zeroes) count as zero runs. Only data extents are read."""
    block = 1 << 16
    h = hashlib.sha256()
    zeroes = 0

    def flush_zeroes():
        nonlocal zeroes
        if zeroes:
            h.update(b"zeroes %d;" % zeroes)
            zeroes = 0

    size = os.path.getsize(path)
    with open(path, "rb") as f:
        fd = f.fileno()
        pos = 0
        while pos < size:
            try:
                real = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                real = size
            if real >= size:
                zeroes += size - pos
                break
            data = max(pos, real - real % block)
            if data > pos:
                zeroes += data - pos
                pos = data
                continue
            end = os.lseek(fd, real, os.SEEK_HOLE)
            end = min(size, end + (-end) % block)
            f.seek(pos)
            while pos < end:
                chunk = f.read(min(block - pos % block, end - pos))
                if not chunk:
                    break
                if chunk.count(0) == len(chunk):
                    zeroes += len(chunk)
                else:
                    flush_zeroes()
                    h.update(chunk)
                pos += len(chunk)
    flush_zeroes()
    return h.hexdigest()[:16]


def allocation(path):
    """The data extents of a file (what SEEK_DATA/SEEK_HOLE report)."""
    out = []
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        fd = f.fileno()
        pos = 0
        while pos < size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(fd, data, os.SEEK_HOLE)
            out.append((data, end))
            pos = end
    return out


def snapshot_dir(d, mode):
    """Every file in d (recursively) as compared in `mode`."""
    out = {}
    for root, _, files in os.walk(d):
        for name in sorted(files):
            p = os.path.join(root, name)
            rel = os.path.relpath(p, d)
            if mode == "bytes":
                out[rel] = (os.path.getsize(p), sparse_hash(p), allocation(p))
            elif mode == "content":
                out[rel] = (sparse_hash(p),)
            else:
                out[rel] = ()
    return out


PROGRESS_RE = re.compile(r"(    \(\d+\.\d\d/100%\)\r)(\1)+")


def normalize(text, collapse_progress=False):
    text = re.sub(r"version \S+ \([^)]*\)", "version X", text)
    text = re.sub(r"#block\d+", "#blockN", text)
    text = re.sub(r"Run completed in \d+\.\d+ seconds", "Run completed in T seconds", text)
    if collapse_progress == "ends":
        # Only the first and the last report (block jobs report at timing-dependent points).
        marks = re.findall(r"    \(\d+\.\d\d/100%\)\r", text)
        if marks:
            first = text.index(marks[0])
            last = text.rindex(marks[-1]) + len(marks[-1])
            text = text[:first] + marks[0] + marks[-1] + text[last:]
    elif collapse_progress:
        text = PROGRESS_RE.sub(r"\1", text)
    return text


def tool(name):
    return {"QIMG": QEMU_IMG, "QIO": QEMU_IO}.get(name, name)


def run_steps(steps, d):
    """Runs setup steps in d: argv lists whose first word may be QIMG or QIO (QEMU's tools), or
    Python callables taking the directory."""
    for step in steps:
        if callable(step):
            step(d)
            continue
        argv = [tool(step[0])] + list(step[1:])
        p = subprocess.run(argv, cwd=d, capture_output=True)
        if p.returncode != 0:
            raise RuntimeError(f"setup step {step} failed: {p.stderr.decode()}")


def copy_tree(src, dst):
    subprocess.run(["cp", "-a", "--sparse=always", src + "/.", dst], check=True)


class Case:
    """One argument list run through both programs.

    setup: steps that prepare the directory (run once in a template, then copied).
    files: "bytes" (size, content and allocation of every file), "content" (content only),
           "none".
    post: QEMU qemu-img commands run afterwards in both directories; their results must agree
          too (checks of images whose bytes may differ).
    collapse_progress: merge repeated identical progress lines (timing-dependent in QEMU).
    """

    def __init__(self, name, argv, setup=(), files="bytes", post=(), collapse_progress=False,
                 stdin=None, compare_stdout=True):
        self.name = name
        self.argv = argv
        self.setup = list(setup)
        self.files = files
        self.post = list(post)
        self.collapse_progress = collapse_progress
        self.stdin = stdin
        self.compare_stdout = compare_stdout


def run_case(res, case, known_gaps=()):
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
        q = run([QEMU_IMG] + case.argv, cwd=qd, stdin=case.stdin)
        o = run([OURS] + case.argv, cwd=od, stdin=case.stdin)
        qn = (q[0], normalize(q[1], case.collapse_progress), normalize(q[2], True))
        on = (o[0], normalize(o[1], case.collapse_progress), normalize(o[2], True))
        if not case.compare_stdout:
            qn, on = (qn[0], "", qn[2]), (on[0], "", on[2])
        qs, os_ = snapshot_dir(qd, case.files), snapshot_dir(od, case.files)
        posts = []
        for argv in case.post:
            if callable(argv):
                posts.append((getattr(argv, "__name__", "check"), argv(qd), argv(od)))
                continue
            a = run([tool(argv[0])] + list(argv[1:]), cwd=qd)
            b = run([tool(argv[0])] + list(argv[1:]), cwd=od)
            filt = getattr(argv, "filt", None)
            if filt:
                a = (a[0], filt(a[1]), a[2])
                b = (b[0], filt(b[1]), b[2])
            posts.append((list(argv), a, b))
        ok = qn == on and qs == os_ and all(a == b for _, a, b in posts)
        detail = (f"  argv {case.argv}\n"
                  f"  qemu rc={q[0]} out={q[1]!r} err={q[2]!r}\n"
                  f"  ours rc={o[0]} out={o[1]!r} err={o[2]!r}\n")
        if qs != os_:
            detail += f"  qemu files={qs}\n  ours files={os_}\n"
        for argv, a, b in posts:
            if a != b:
                detail += f"  post {argv}:\n    qemu {a}\n    ours {b}\n"
        if case.name in known_gaps:
            print(f"{'XPASS' if ok else 'KNOWN GAP'} {case.name}")
            if not ok and os.environ.get("VERBOSE"):
                print(detail)
            return
        res.check(case.name, ok, detail)


def run_all(name, cases, known_gaps=()):
    args = parse_args()
    setup_globals(args)
    res = Results(name)
    for case in cases():
        run_case(res, case, known_gaps)
    res.finish()


def qcow2_cases_or_skip(make_cases):
    """The qcow2 cases, or none (with the reason printed) when our build cannot make qcow2."""
    ok, why = qcow2_available(OURS)
    if not ok:
        print(f"SKIP qcow2 cases: our qemu-img cannot create qcow2 images yet ({why})")
        return []
    return make_cases()


# ---- setup helpers ----

def write_file(name, chunks, size=None):
    """A file made of (offset, bytes) chunks, sparse elsewhere, of the given size."""
    def step(d):
        with open(os.path.join(d, name), "wb") as f:
            end = 0
            for off, data in chunks:
                f.seek(off)
                f.write(data)
                end = max(end, off + len(data))
            f.truncate(size if size is not None else end)
    return step


def pattern(n, seed):
    return bytes((i * 7 + seed) & 0xff for i in range(n))


def raw_img(name="a.img", size=1 << 20):
    """A raw image with data, zeroes written as data and holes."""
    return write_file(name, [(0, pattern(8192, 1)), (65536, bytes(4096)),
                             (200000, pattern(3000, 2)), (size - 512, pattern(512, 3))], size)


class Post(list):
    """A post-check command whose output goes through filt before comparison."""

    def __init__(self, argv, filt):
        super().__init__(argv)
        self.filt = filt


def no_sizes(text):
    """Drops what depends on how the host file system allocated an image's file."""
    text = re.sub(r'\n *"actual-size": \d+,', "", text)
    return re.sub(r"\ndisk size: [^\n]*", "", text)


def no_offsets(text):
    """A JSON map without host offsets (where a format placed clusters), adjacent entries that
    then look alike merged."""
    import json
    try:
        entries = json.loads(text)
    except ValueError:
        return text
    out = []
    for e in entries:
        e.pop("offset", None)
        if out and all(out[-1][k] == e[k] for k in e if k not in ("start", "length")) and \
                out[-1]["start"] + out[-1]["length"] == e["start"]:
            out[-1]["length"] += e["length"]
        else:
            out.append(e)
    return json.dumps(out)


def no_fragmentation(text):
    """check output without the cluster statistics line (layout-dependent)."""
    return re.sub(r"\d+/\d+ = [^\n]*clusters\n", "", text)


def guest_hash(image):
    """A post check: the guest-visible content of an image (read by QEMU's qemu-img)."""
    def check(d):
        out = os.path.join(d, ".guest.raw")
        p = subprocess.run([QEMU_IMG, "convert", "-O", "raw", image, out], cwd=d,
                           capture_output=True)
        if p.returncode:
            return p.stderr.decode()
        h = sparse_hash(out)
        os.unlink(out)
        return h
    check.__name__ = f"guest content of {image}"
    return check


def qimg(*argv, filt=None):
    return Post(["QIMG"] + list(argv), filt) if filt else ["QIMG"] + list(argv)


def qio(*argv):
    return ["QIO"] + list(argv)


def qcow2_img(name="t.qcow2", size="4M", extra=(), writes=()):
    steps = [qimg("create", "-q", "-f", "qcow2", *extra, name, size)]
    if writes:
        cmd = ["QIO", "-f", "qcow2"]
        for w in writes:
            cmd += ["-c", w]
        steps.append(cmd + [name])
    return steps


def chain_setup():
    """base.img (raw) <- mid.qcow2 <- top.qcow2, each with some data of its own."""
    return [raw_img("base.img", 4 << 20),
            qimg("create", "-q", "-f", "qcow2", "-b", "base.img", "-F", "raw", "mid.qcow2"),
            qio("-f", "qcow2", "-c", "write -P 5 64k 64k", "-c", "write -z 1M 64k",
                "-c", "write -P 6 2M 128k", "mid.qcow2"),
            qimg("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "top.qcow2"),
            qio("-f", "qcow2", "-c", "write -P 7 128k 64k", "-c", "write -z 2M 64k",
                "-c", "write -P 8 3M 4k", "top.qcow2")]


# ---- cases: info, check, map, measure, create ----

def raw_cases():
    a = [raw_img()]
    cases = []
    for argv in (["info", "a.img"], ["info", "--output=json", "a.img"],
                 ["info", "--output", "human", "-f", "raw", "a.img"],
                 ["info", "-U", "a.img"], ["info", "--backing-chain", "a.img"],
                 ["info", "--backing-chain", "--output=json", "a.img"],
                 ["info", "-f", "file", "a.img"], ["info", "--output=xml", "a.img"],
                 ["info", "--output=xml"], ["info", "a.img", "b.img"],
                 ["info", "nonexistent.img"], ["info", "-f", "bogus", "a.img"],
                 ["info", "-f", "qcow2", "a.img"],
                 ["info", "--image-opts", "driver=raw,file.filename=a.img"],
                 ["info", "--image-opts", "file.filename=a.img"],
                 ["info", "--image-opts", "driver=file,filename=a.img"],
                 ["info", "--image-opts", "a.img"],
                 ["info", "--image-opts", "-f", "raw", "driver=raw,file.filename=a.img"],
                 ["info", "--image-opts", "driver=qcow2,file.filename=a.img"],
                 ["info", "-x", "a.img"], ["info", "--bogus", "a.img"],
                 ["check", "a.img"], ["check", "-f", "raw", "a.img"],
                 ["check", "--output=json", "a.img"], ["check", "-q", "a.img"],
                 ["check", "-r", "leaks", "a.img"], ["check", "-r", "all", "-f", "raw", "a.img"],
                 ["check", "-r", "foo", "a.img"], ["check", "--output=xml", "a.img"],
                 ["check", "-T", "foo", "a.img"], ["check", "-T", "none", "a.img"],
                 ["check"], ["check", "nonexistent.img"], ["check", "-f", "qcow2", "a.img"],
                 ["map", "a.img"], ["map", "--output=json", "a.img"],
                 ["map", "-f", "raw", "--output=json", "--start-offset=4096", "a.img"],
                 ["map", "--output=json", "--start-offset", "64k", "--max-length", "200k",
                  "a.img"],
                 ["map", "--max-length=0", "--output=json", "a.img"],
                 ["map", "--start-offset=2M", "--output=json", "a.img"],
                 ["map", "--start-offset=x", "a.img"], ["map", "--max-length=-1", "a.img"],
                 ["map", "--output=xml", "a.img"], ["map"], ["map", "nonexistent.img"],
                 ["map", "-f", "file", "--output=json", "a.img"],
                 ["measure", "a.img"], ["measure", "--output=json", "a.img"],
                 ["measure", "-f", "raw", "-O", "raw", "a.img"],
                 ["measure", "--size", "1G"], ["measure", "--size", "1000"],
                 ["measure", "--size", "1G", "--output=json"],
                 ["measure", "--size", "1G", "-o", "preallocation=full"],
                 ["measure", "--size", "1G", "-o", "size=2G"],
                 ["measure", "--size", "1G", "-o", "bogus=1"],
                 ["measure", "--size", "1G", "-O", "foo"],
                 ["measure", "--size", "x"], ["measure", "--size", "1G", "a.img"],
                 ["measure"], ["measure", "-f", "raw"], ["measure", "--image-opts"],
                 ["measure", "a.img", "b.img"], ["measure", "--output=xml", "--size", "1G"],
                 ["measure", "-l", "foo", "a.img"], ["measure", "-l", "snapshot.id=1", "a.img"],
                 ["measure", "-l", "snapshot.foo=1", "a.img"], ["measure", "nonexistent.img"],
                 ["measure", "--size", "1G", "-O", "file"],
                 ["measure", "-o", ",x", "--size", "1G"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    # An image whose length is not a multiple of 512.
    odd = [write_file("odd.bin", [(0, pattern(1000, 9))])]
    for argv in (["info", "odd.bin"], ["map", "--output=json", "odd.bin"],
                 ["measure", "odd.bin"]):
        cases.append(Case(" ".join(argv), argv, setup=odd))
    # A fully allocated image and an empty one.
    full = [write_file("f.img", [(0, pattern(1 << 20, 4))])]
    for argv in (["map", "f.img"], ["map", "--output=json", "f.img"]):
        cases.append(Case(" ".join(argv) + " (full)", argv, setup=full))
    empty = [write_file("e.img", [], 0)]
    for argv in (["map", "e.img"], ["map", "--output=json", "e.img"], ["info", "e.img"],
                 ["measure", "e.img"]):
        cases.append(Case(" ".join(argv) + " (empty)", argv, setup=empty))
    return cases


def qcow2_cases():
    cases = []
    t = qcow2_img(writes=["write -P 1 0 64k", "write -z 1M 64k", "write -P 2 3M 4k"])
    for argv in (["info", "t.qcow2"], ["info", "--output=json", "t.qcow2"],
                 ["info", "-f", "qcow2", "--backing-chain", "t.qcow2"],
                 ["info", "-f", "raw", "t.qcow2"],
                 ["info", "--image-opts", "driver=qcow2,file.filename=t.qcow2"],
                 ["check", "t.qcow2"], ["check", "--output=json", "t.qcow2"],
                 ["check", "-q", "t.qcow2"], ["check", "-r", "leaks", "t.qcow2"],
                 ["check", "-r", "all", "--output=json", "t.qcow2"],
                 ["map", "t.qcow2"], ["map", "--output=json", "t.qcow2"],
                 ["map", "--output=json", "--start-offset=1M", "--max-length=100000",
                  "t.qcow2"],
                 ["measure", "t.qcow2"], ["measure", "-O", "qcow2", "t.qcow2"],
                 ["measure", "-O", "qcow2", "--output=json", "t.qcow2"],
                 ["measure", "-O", "raw", "--output=json", "t.qcow2"]):
        cases.append(Case(" ".join(argv), argv, setup=t))
    a = [raw_img()]
    for argv in (["measure", "-O", "qcow2", "a.img"],
                 ["measure", "-O", "qcow2", "--size", "1G"],
                 ["measure", "-O", "qcow2", "--size", "1G", "-o", "cluster_size=1k"],
                 ["measure", "-O", "qcow2", "--size", "1G", "-o", "preallocation=full"],
                 ["measure", "-O", "qcow2", "--size", "1G", "-o", "compat=0.10"],
                 ["measure", "-O", "qcow2", "--size", "10T", "--output=json"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    # Backing chains.
    ch = chain_setup()
    for argv in (["info", "top.qcow2"], ["info", "--backing-chain", "top.qcow2"],
                 ["info", "--backing-chain", "--output=json", "top.qcow2"],
                 ["map", "top.qcow2"], ["map", "--output=json", "top.qcow2"],
                 ["map", "--output=json", "mid.qcow2"], ["check", "top.qcow2"],
                 ["measure", "-O", "qcow2", "top.qcow2"]):
        cases.append(Case(" ".join(argv) + " (chain)", argv, setup=ch))
    # A chain in a subdirectory: actual paths differ from the stored names.
    sub = [lambda d: os.mkdir(os.path.join(d, "sub")),
           qimg("create", "-q", "-f", "qcow2", "sub/b.qcow2", "1M"),
           qimg("create", "-q", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", "sub/t.qcow2")]
    for argv in (["info", "sub/t.qcow2"], ["info", "--backing-chain", "sub/t.qcow2"],
                 ["info", "--output=json", "--backing-chain", "sub/t.qcow2"],
                 ["map", "--output=json", "sub/t.qcow2"]):
        cases.append(Case(" ".join(argv) + " (subdir)", argv, setup=sub))
    # A missing backing file: info works (it opens layers alone), others fail to open.
    gone = [qimg("create", "-q", "-f", "qcow2", "b.qcow2", "1M"),
            qimg("create", "-q", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", "t.qcow2"),
            lambda d: os.unlink(os.path.join(d, "b.qcow2"))]
    for argv in (["info", "t.qcow2"], ["info", "--backing-chain", "t.qcow2"],
                 ["map", "t.qcow2"], ["check", "t.qcow2"]):
        cases.append(Case(" ".join(argv) + " (missing backing)", argv, setup=gone))
    # A loop in the chain.
    loop = [qimg("create", "-q", "-f", "qcow2", "a.qcow2", "1M"),
            qimg("create", "-q", "-f", "qcow2", "-u", "-b", "a.qcow2", "-F", "qcow2", "b.qcow2",
                 "1M"),
            qimg("rebase", "-u", "-b", "b.qcow2", "-F", "qcow2", "a.qcow2")]
    cases.append(Case("info --backing-chain (loop)", ["info", "--backing-chain", "a.qcow2"],
                      setup=loop))
    # Snapshots and format-specific details.
    sn = qcow2_img(writes=["write -P 1 0 64k"]) + [
        qimg("snapshot", "-c", "first", "t.qcow2"),
        qio("-c", "write -P 2 0 64k", "t.qcow2"),
        qimg("snapshot", "-c", "a rather long snapshot name here", "t.qcow2")]
    for argv in (["info", "t.qcow2"], ["info", "--output=json", "t.qcow2"],
                 ["snapshot", "-l", "t.qcow2"], ["check", "t.qcow2"]):
        cases.append(Case(" ".join(argv) + " (snapshots)", argv, setup=sn))
    for extra in (["-o", "compat=0.10"], ["-o", "lazy_refcounts=on"],
                  ["-o", "refcount_bits=1"], ["-o", "extended_l2=on"],
                  ["-o", "compression_type=zstd"], ["-o", "cluster_size=512"],
                  ["-o", "data_file=d.raw,data_file_raw=on"],
                  ["-o", "preallocation=metadata"]):
        s = qcow2_img(extra=extra, writes=["write -P 3 0 8k"])
        for argv in (["info", "t.qcow2"], ["info", "--output=json", "t.qcow2"],
                     ["map", "--output=json", "t.qcow2"], ["check", "t.qcow2"]):
            cases.append(Case(" ".join(argv) + " " + " ".join(extra), argv, setup=s))
    # Compressed clusters: the human map cannot show them.
    comp = [raw_img("a.img", 1 << 20), qimg("convert", "-c", "-O", "qcow2", "a.img", "c.qcow2")]
    for argv in (["map", "c.qcow2"], ["map", "--output=json", "c.qcow2"], ["check", "c.qcow2"],
                 ["check", "--output=json", "c.qcow2"]):
        cases.append(Case(" ".join(argv) + " (compressed)", argv, setup=comp))
    # A leaked cluster: the L2 entry of a written cluster cleared behind QEMU's back.
    def leak(d):
        p = os.path.join(d, "t.qcow2")
        with open(p, "r+b") as f:
            f.seek(40)
            l1_off = int.from_bytes(f.read(8), "big")
            f.seek(l1_off)
            l2_off = int.from_bytes(f.read(8), "big") & 0x00fffffffffffe00
            f.seek(l2_off)
            f.write(bytes(8))
    lk = qcow2_img(writes=["write -P 1 0 64k", "write -P 2 64k 64k"]) + [leak]
    for argv in (["check", "t.qcow2"], ["check", "--output=json", "t.qcow2"],
                 ["check", "-r", "leaks", "t.qcow2"], ["check", "-r", "all", "t.qcow2"],
                 ["check", "-r", "leaks", "--output=json", "t.qcow2"],
                 ["check", "-q", "-r", "all", "t.qcow2"]):
        cases.append(Case(" ".join(argv) + " (leak)", argv, setup=lk))
    # A corruption: a data cluster referenced twice.
    def corrupt(d):
        p = os.path.join(d, "t.qcow2")
        with open(p, "r+b") as f:
            f.seek(40)
            l1_off = int.from_bytes(f.read(8), "big")
            f.seek(l1_off)
            l2_off = int.from_bytes(f.read(8), "big") & 0x00fffffffffffe00
            f.seek(l2_off)
            first = f.read(8)
            f.write(first)
    cr = qcow2_img(writes=["write -P 1 0 64k", "write -P 2 64k 64k"]) + [corrupt]
    for argv in (["check", "t.qcow2"], ["check", "--output=json", "t.qcow2"],
                 ["check", "-r", "leaks", "t.qcow2"], ["check", "-r", "all", "t.qcow2"]):
        cases.append(Case(" ".join(argv) + " (corrupt)", argv, setup=cr))

    # dd between formats.
    for argv in (["dd", "-f", "qcow2", "-O", "qcow2", "bs=64k", "count=3", "if=t.qcow2",
                  "of=o.qcow2"],
                 ["dd", "-O", "qcow2", "bs=4k", "skip=2", "if=t.qcow2", "of=o.qcow2"],
                 ["dd", "--image-opts", "if=driver=qcow2,file.filename=t.qcow2", "of=o.img"],
                 ["dd", "-U", "if=t.qcow2", "of=o.img", "bs=1M"],
                 ["dd", "-f", "raw", "if=t.qcow2", "of=o.img", "bs=1M"]):
        cases.append(Case(" ".join(argv), argv, setup=t))

    # create with backing files and qcow2 options.
    b = [raw_img("a.img", 1 << 20)]
    for argv in (["create", "-f", "qcow2", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-b", "a.img", "x.qcow2"],
                 ["create", "-f", "qcow2", "-b", "a.img", "-F", "raw", "x.qcow2"],
                 ["create", "-f", "qcow2", "-b", "a.img", "-F", "raw", "x.qcow2", "2M"],
                 ["create", "-f", "qcow2", "-b", "nope.img", "-F", "raw", "x.qcow2"],
                 ["create", "-f", "qcow2", "-u", "-b", "nope.img", "-F", "raw", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-u", "-b", "nope.img", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-u", "-b", "nope.img", "-F", "raw", "x.qcow2"],
                 ["create", "-f", "qcow2", "-F", "raw", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-b", "x.qcow2", "-F", "raw", "x.qcow2"],
                 ["create", "-f", "qcow2", "-b", "", "-F", "raw", "x.qcow2"],
                 ["create", "-f", "qcow2", "-o", "backing_file=a.img", "x.qcow2"],
                 ["create", "-f", "qcow2", "-o", "backing_file=a.img,backing_fmt=raw", "x.qcow2"],
                 ["create", "-f", "qcow2", "-b", "a.img", "-F", "qcow2", "x.qcow2"],
                 ["create", "-f", "qcow2", "-b", "a.img", "-F", "foo", "x.qcow2"],
                 ["create", "-f", "raw", "-F", "raw", "x.img", "1M"],
                 ["create", "-f", "qcow2", "-o", "help"], ["create", "-f", "qcow2", "-o", "?",
                                                           "x.qcow2"],
                 ["create", "-f", "qcow2", "-o", "cluster_size=4k", "x.qcow2", "1G"],
                 ["create", "-f", "qcow2", "-o", "cluster_size=3k", "x.qcow2", "1G"],
                 ["create", "-f", "qcow2", "-o", "compat=0.10,lazy_refcounts=on", "x.qcow2",
                  "1M"],
                 ["create", "-f", "qcow2", "-o", "preallocation=metadata", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-o", "preallocation=falloc", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-o", "nocow=on,extent_size_hint=1M", "x.qcow2",
                  "1M"],
                 ["create", "-f", "qcow2", "x.qcow2", "16E"],
                 ["create", "-q", "-f", "qcow2", "x.qcow2", "1M"],
                 ["create", "-f", "qcow2", "-o", ",size=1", "x.qcow2"],
                 ["create", "-f", "qcow2", "-o", "size=1,", "x.qcow2"]):
        cases.append(Case(" ".join(argv), argv, setup=b))
    return cases


def cases():
    return raw_cases() + qcow2_cases_or_skip(qcow2_cases)


def main():
    run_all("qemu_img_cmds_vs_qemu72", cases)


if __name__ == "__main__":
    sys.exit(main())
