#!/usr/bin/env python3
"""Differential test of qemu-img's block-layer infrastructure against QEMU 7.2: image locking
(OFD byte-range locks, across processes in both directions and within one qemu-img), json:
filenames, --object, and the size-valued driver options of --image-opts.

Every case runs QEMU's qemu-img and ours in twin directories prepared identically (by QEMU's
tools) and compares exit status, stdout and stderr. Locking cases first start a holder in the
background (QEMU's qemu-io or qemu-system-x86_64, or our qemu-img bench), wait until it holds
its locks, run the client, and kill the holder; the holder's lock bytes (from /proc/locks) are
also compared between QEMU's holders and ours in the same state."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from qemu72 import Results, parse_args, require_qemu, run

K32 = "0123456789abcdef0123456789abcdef"


def make_template(d, qemu_img):
    def q(*a):
        rc, _, err = run([qemu_img, *a], cwd=d)
        assert rc == 0, (a, err)
    q("create", "-q", "-f", "qcow2", "t.qcow2", "1M")
    q("create", "-q", "-f", "qcow2", "-b", "t.qcow2", "-F", "qcow2", "o.qcow2")
    q("create", "-q", "-f", "raw", "r.raw", "1M")
    q("create", "-q", "-f", "qcow2", "-o", "data_file=df.raw", "dd.qcow2", "1M")
    q("create", "-q", "-f", "qcow2", "-b", "r.raw", "-F", "raw", "or.qcow2")


def lock_bytes(path):
    """The byte ranges locked on a file, as (type, start, end) sorted."""
    ino = os.stat(path).st_ino
    out = []
    with open("/proc/locks") as f:
        for line in f:
            parts = line.split()
            if parts[1] == "->":
                parts = parts[:1] + parts[2:]
            dev_ino = parts[5].split(":")
            if int(dev_ino[2]) == ino:
                out.append((parts[1], parts[3], int(parts[6]), int(parts[7])))
    return sorted(out)


class Holder:
    """A process holding an image in the background, killed on exit (never left running)."""

    def __init__(self, argv, cwd, image, expect_locks=True):
        self.p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        self.path = os.path.join(cwd, image)
        self.locks = []
        deadline = time.time() + 10
        while time.time() < deadline:
            self.locks = lock_bytes(self.path)
            if (self.locks or not expect_locks) and self.p.poll() is None:
                time.sleep(0.05)
                self.locks = lock_bytes(self.path)
                break
            if self.p.poll() is not None:
                break
            time.sleep(0.02)

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGKILL)
        self.p.wait(timeout=10)


def main():
    args = parse_args()
    qemu_img = require_qemu("qemu-img")
    qemu_io = require_qemu("qemu-io")
    qemu_sys = require_qemu("qemu-system-x86_64")
    ours = f"{args.build}/qemu-img"
    res = Results("qemu_img_infra_vs_qemu72")

    base = tempfile.mkdtemp(prefix="infra72-")
    template = os.path.join(base, "template")
    os.mkdir(template)
    make_template(template, qemu_img)
    counter = [0]

    def fresh():
        counter[0] += 1
        d = os.path.join(base, f"w{counter[0]}")
        shutil.copytree(template, d)
        return d

    def client(prog, argv, d):
        rc, out, err = run([prog, *argv], cwd=d, timeout=60)
        return rc, out, err

    def compare(case, argv, holder=None):
        """Runs argv through both qemu-imgs (each in a fresh twin directory, with the holder
        started there first if given) and compares."""
        got = []
        for prog in (qemu_img, ours):
            d = fresh()
            h = None
            if holder:
                argv_h, image = holder
                argv_h = [ours if a == "@OURS" else a for a in argv_h]
                h = Holder(argv_h, d, image)
                if not h.alive():
                    h.stop()
                    res.check(case, False, f"  holder {argv_h} did not start")
                    return
            try:
                got.append(client(prog, argv, d))
            finally:
                if h:
                    h.stop()
            shutil.rmtree(d, ignore_errors=True)
        ok = got[0] == got[1]
        res.check(case, ok, f"  argv {argv}\n  qemu {got[0]!r}\n  ours {got[1]!r}")

    # ---- Locking: lock bytes of holders in equivalent states ----
    pairs = [
        ("read-only", [qemu_io, "-r", "-c", "sleep 100000", "t.qcow2"],
         ["@OURS", "bench", "-c", "2000000000", "-d", "1", "-s", "512", "t.qcow2"]),
        ("read-write", [qemu_io, "-c", "sleep 100000", "t.qcow2"],
         ["@OURS", "bench", "-w", "-c", "2000000000", "-d", "1", "-s", "512", "t.qcow2"]),
        ("force-share", [qemu_io, "-r", "-U", "-c", "sleep 100000", "t.qcow2"],
         ["@OURS", "bench", "-U", "-c", "2000000000", "-d", "1", "-s", "512", "t.qcow2"]),
        ("raw read-only", [qemu_io, "-r", "-f", "raw", "-c", "sleep 100000", "r.raw"],
         ["@OURS", "bench", "-f", "raw", "-c", "2000000000", "-d", "1", "-s", "512", "r.raw"]),
        ("raw read-write", [qemu_io, "-f", "raw", "-c", "sleep 100000", "r.raw"],
         ["@OURS", "bench", "-w", "-f", "raw", "-c", "2000000000", "-d", "1", "-s", "512",
          "r.raw"]),
        ("backing", [qemu_io, "-c", "sleep 100000", "o.qcow2"],
         ["@OURS", "bench", "-w", "-c", "2000000000", "-d", "1", "-s", "512", "o.qcow2"]),
        ("data file", [qemu_io, "-c", "sleep 100000", "dd.qcow2"],
         ["@OURS", "bench", "-w", "-c", "2000000000", "-d", "1", "-s", "512", "dd.qcow2"]),
    ]
    for name, qh, oh in pairs:
        image = qh[-1]
        watched = {"backing": ["o.qcow2", "t.qcow2"], "data file": ["dd.qcow2", "df.raw"]}.get(
            name, [image])
        seen = []
        for argv_h in (qh, [ours if a == "@OURS" else a for a in oh]):
            d = fresh()
            h = Holder(argv_h, d, watched[-1])
            try:
                # A holder still opening its image may hold extra locks for a moment (QEMU
                # opens some files twice): sample until two samples in a row agree.
                prev = None
                for _ in range(30):
                    time.sleep(0.1)
                    cur = [[(t, a, b) for (_, t, a, b) in lock_bytes(os.path.join(d, w))]
                           for w in watched]
                    if cur == prev:
                        break
                    prev = cur
                seen.append(cur if h.alive() else "holder died")
            finally:
                h.stop()
        res.check(f"lock bytes {name}", seen[0] == seen[1] and seen[0] != "holder died",
                  f"  qemu {seen[0]}\n  ours {seen[1]}")

    # ---- Locking: clients against holders, both directions ----
    holders = {
        "qemu-io rw": ([qemu_io, "-c", "sleep 100000", "t.qcow2"], "t.qcow2"),
        "qemu-io ro": ([qemu_io, "-r", "-c", "sleep 100000", "t.qcow2"], "t.qcow2"),
        "qemu-io ro -U": ([qemu_io, "-r", "-U", "-c", "sleep 100000", "t.qcow2"], "t.qcow2"),
        "qemu-io rw overlay": ([qemu_io, "-c", "sleep 100000", "o.qcow2"], "o.qcow2"),
        "qemu-io rw data file": ([qemu_io, "-c", "sleep 100000", "dd.qcow2"], "dd.qcow2"),
        "qemu-io raw rw": ([qemu_io, "-f", "raw", "-c", "sleep 100000", "r.raw"], "r.raw"),
        "ours bench ro": (["@OURS", "bench", "-c", "2000000000", "-d", "1", "-s", "512",
                           "t.qcow2"], "t.qcow2"),
        "ours bench rw": (["@OURS", "bench", "-w", "-c", "2000000000", "-d", "1", "-s", "512",
                           "t.qcow2"], "t.qcow2"),
        "ours bench -U": (["@OURS", "bench", "-U", "-c", "2000000000", "-d", "1", "-s", "512",
                           "t.qcow2"], "t.qcow2"),
        "ours bench rw overlay": (["@OURS", "bench", "-w", "-c", "2000000000", "-d", "1", "-s",
                                   "512", "o.qcow2"], "o.qcow2"),
        "ours bench rw data file": (["@OURS", "bench", "-w", "-c", "2000000000", "-d", "1",
                                     "-s", "512", "dd.qcow2"], "dd.qcow2"),
    }
    clients = [
        ["info", "t.qcow2"], ["info", "-U", "t.qcow2"], ["check", "t.qcow2"],
        ["check", "-U", "t.qcow2"], ["resize", "t.qcow2", "2M"], ["snapshot", "-l", "t.qcow2"],
        ["snapshot", "-c", "s", "t.qcow2"], ["create", "-q", "-f", "qcow2", "t.qcow2", "1M"],
        ["convert", "-O", "qcow2", "r.raw", "t.qcow2"],
        ["convert", "-n", "-O", "qcow2", "r.raw", "t.qcow2"],
        ["compare", "-U", "t.qcow2", "r.raw"], ["compare", "t.qcow2", "r.raw"],
        ["map", "t.qcow2"], ["check", "o.qcow2"], ["check", "-r", "all", "o.qcow2"],
        ["commit", "o.qcow2"], ["convert", "-O", "raw", "o.qcow2", "x.raw"],
        ["info", "--backing-chain", "o.qcow2"], ["check", "dd.qcow2"],
        ["resize", "dd.qcow2", "2M"], ["info", "r.raw"], ["dd", "if=r.raw", "of=x.raw"],
        ["convert", "-n", "-f", "raw", "-O", "raw", "t.qcow2", "r.raw"],
        ["info", "--image-opts", "driver=qcow2,file.filename=t.qcow2,file.locking=off"],
        ["resize", "--image-opts", "driver=qcow2,file.filename=t.qcow2,file.locking=off", "2M"],
        ["resize", "--image-opts", "driver=qcow2,file.filename=t.qcow2,file.locking=on", "2M"],
        ["check", "--image-opts", "driver=qcow2,file.filename=t.qcow2,force-share=on"],
        ["info", 'json:{"driver":"qcow2","file":{"driver":"file","filename":"t.qcow2"}}'],
        ["info", 'json:{"driver":"qcow2","file":{"driver":"file","filename":"t.qcow2",'
                 '"locking":"off"}}'],
    ]
    for hname, holder in holders.items():
        for argv in clients:
            compare(f"[{hname}] {' '.join(argv)}", argv, holder)

    # A QEMU guest holding the image.
    for ro in ("", ",readonly=on"):
        holder = ([qemu_sys, "-nodefaults", "-display", "none", "-machine", "none", "-drive",
                   f"file=t.qcow2,if=none,id=d0{ro}"], "t.qcow2")
        for argv in (["info", "t.qcow2"], ["check", "t.qcow2"], ["resize", "t.qcow2", "2M"],
                     ["check", "-U", "t.qcow2"]):
            compare(f"[qemu-system{ro}] {' '.join(argv)}", argv, holder)

    # ---- Locking within one qemu-img, and -U with writing ----
    for argv in (
            ["compare", "t.qcow2", "t.qcow2"], ["convert", "-O", "qcow2", "t.qcow2", "t.qcow2"],
            ["convert", "-n", "-O", "qcow2", "t.qcow2", "t.qcow2"],
            ["convert", "-O", "qcow2", "o.qcow2", "t.qcow2"],
            ["convert", "-n", "-O", "raw", "r.raw", "r.raw"], ["compare", "o.qcow2", "t.qcow2"],
            ["rebase", "-b", "t.qcow2", "-F", "qcow2", "o.qcow2"],
            ["dd", "if=r.raw", "of=r.raw", "-O", "raw"],
            ["bitmap", "--add", "--merge", "b", "-b", "t.qcow2", "t.qcow2", "b"],
            ["convert", "-U", "-O", "raw", "t.qcow2", "x.raw"],
            ["snapshot", "-U", "-c", "s1", "t.qcow2"], ["snapshot", "-U", "-l", "t.qcow2"],
            ["bench", "-w", "-U", "-c", "1", "t.qcow2"],
            ["snapshot", "--image-opts", "-c", "s1",
             "driver=qcow2,file.filename=t.qcow2,force-share=on"],
            ["info", "-U", "--image-opts", "driver=qcow2,file.filename=t.qcow2,force-share=off"],
            ["info", "--image-opts", "driver=qcow2,file.filename=t.qcow2,file.locking=xx"],
            ["info", "--image-opts", "driver=file,filename=t.qcow2,locking=auto"],
            ["info", "--image-opts", "driver=file,filename=t.qcow2,locking=bad"]):
        compare(" ".join(argv), argv)

    # ---- json: filenames ----
    f_t = '{"driver":"file","filename":"t.qcow2"}'
    f_o = '{"driver":"file","filename":"o.qcow2"}'
    jsons = [
        f'json:{{"driver":"qcow2","file":{f_t}}}', 'json:{"driver":"qcow2","file.filename":"t.qcow2"}',
        'json:{"file.filename":"t.qcow2"}', 'json:{"file":{"filename":"t.qcow2"}}',
        'json:{"driver":"file","filename":"t.qcow2"}', 'json:{"filename":"t.qcow2"}',
        f'json:{{"driver":"raw","file":{f_t}}}', f'json:{{"driver":"qcow2","file":{f_t},"foo":1}}',
        'json:{"driver":"qcow2","file":{"driver":"file","filename":"t.qcow2","bar":1}}',
        'json:{"driver":"qcow2","file":{"driver":"file","filename":"t.qcow2"}', 'json:[1]',
        'json:', 'json:  ', 'json:{}', 'json:"str"', 'json:{"a":}', 'json:{"a" 1}', 'json:{a:1}',
        'json:{"driver":"qcow2"}x', f'json:{{"driver":"qcow2","file":{f_o}}}',
        f'json:{{"driver":"qcow2","l2-cache-size":"1M","file":{f_t}}}',
        f'json:{{"driver":"qcow2","l2-cache-size":1048576,"file":{f_t}}}',
        f'json:{{"driver":"qcow2","file":{f_t},"l2-cache-size":1.5}}',
        f'json:{{"driver":"qcow2","file":{f_t},"l2-cache-size":-1}}',
        f'json:{{"driver":"qcow2","file":{f_t},"l2-cache-size":null}}',
        f'json:{{"driver":"qcow2","file":{f_t},"l2-cache-size":[1]}}',
        f'json:{{"driver":"qcow2","file":{f_t},"driver":"raw"}}',
        f'json:{{"driver":"qcow2","file":{f_t},"lazy-refcounts":"xx"}}',
        f'json:{{"driver":"qcow2","file":{f_t},"lazy-refcounts":true}}',
        f'json:{{"driver":"qcow2","file":{f_t},"force-share":true}}',
        'json:{"driver":"qcow2","file":{"driver":"file","filename":"t.qcow2","locking":"xx"}}',
        'json:{"driver":"nosuch","file":"t.qcow2"}', 'json:{"driver":"qcow2","file":"t.qcow2"}',
        'json:{"driver":"qcow2","file":{"driver":"file","filename":"nonexist"}}',
        "json:{'driver':'qcow2','file.filename':'t.qcow2'}",
        'json:{"driver":"raw","offset":"512","file":{"driver":"file","filename":"t.qcow2"}}',
    ]
    for j in jsons:
        compare(f"info {j}", ["info", j])
    j_o = f'json:{{"driver":"qcow2","file":{f_o}}}'
    j_t = f'json:{{"driver":"qcow2","file":{f_t}}}'
    for argv in (["info", "--output=json", j_o], ["info", "--backing-chain", j_o],
                 ["check", j_t], ["check", "--output=json", j_o], ["map", j_o],
                 ["map", "--output=json", j_o], ["compare", j_o, "t.qcow2"],
                 ["compare", "t.qcow2", j_t], ["convert", "-O", "raw", j_o, "x.raw"],
                 ["measure", "-O", "qcow2", j_o], ["snapshot", "-l", j_t],
                 ["info", "-U", j_t], ["resize", j_t, "2M"],
                 ["info", "--image-opts", "driver=raw,file.filename=t.qcow2,offset=512"],
                 ["info", "--image-opts", "driver=raw,file.filename=t.qcow2,size=1024"],
                 ["info", "--image-opts", "driver=qcow2,file.filename=t.qcow2,foo=1"],
                 ["info", "--image-opts", "driver=qcow2,file.filename=t.qcow2,file.bar=1"],
                 ["info", "--image-opts", "driver=file,filename=t.qcow2,foo=1"],
                 ["info", "--image-opts", "foo=bar"], ["info", "--image-opts", "a.img"]):
        compare(" ".join(argv), argv)

    # ---- --object ----
    objs = [
        ["secret,id=s0,data=abc"], ["secret,id=s0"], ["secret,data=abc"], ["nosuch,id=x"],
        ["secret,id=s0,data=a", "secret,id=s0,data=b"], ["secret,id=s0,data=a,format=base64"],
        ["secret,id=s0,data=a,format=xx"], ["secret,id=s0,file=/nonexist"],
        ["secret,id=s0,data=a,file=/etc/hostname"], ["secret,id=s0,data=a,foo=1"], ["help"],
        ["secret,help"], ["id=x"], ["secret,id=0bad,data=a"], ["secret,id=s,data=a,,b"], [""],
        ["secret,id=s0,data=a,keyid=k"], ["secret,id=s0,data=a,iv=abc"],
        ["qom-type=secret,id=a,data=x"], ["secret,id=a,data=x,loaded=on"],
        ["secret,id=a,data.x=1"], ["secret,id=a,data=x,id=b"], ["secret,id=a,file=/etc/hostname"],
        ["secret,id=a,data=x", "secret,id=b,data=x,keyid=a"],
        [f"secret,id=a,data={K32}", "secret,id=b,data=x,keyid=a"],
        [f"secret,id=a,data={K32}", "secret,id=b,data=x,keyid=a,iv=abc"],
        [f"secret,id=a,data={K32}", "secret,id=b,data=eA==,keyid=a,iv=MDEy"],
        [f"secret,id=a,data={K32}", "secret,id=b,data=eA==,keyid=a,"
                                    "iv=MDEyMzQ1Njc4OWFiY2RlZg=="],
    ]
    for o in objs:
        argv = ["info"]
        for x in o:
            argv += ["--object", x]
        compare(" ".join(argv + ["t.qcow2"]), argv + ["t.qcow2"])
    for sub in (["check", "t.qcow2"], ["map", "t.qcow2"], ["compare", "t.qcow2", "t.qcow2"],
                ["convert", "t.qcow2", "x.raw"], ["create", "-f", "qcow2", "z.qcow2", "1M"],
                ["measure", "--size", "1M", "-O", "qcow2"], ["dd", "if=t.qcow2", "of=x.raw"],
                ["snapshot", "-l", "t.qcow2"], ["resize", "t.qcow2", "2M"],
                ["rebase", "-u", "-b", "", "o.qcow2"], ["commit", "o.qcow2"],
                ["amend", "-o", "lazy_refcounts=on", "t.qcow2"],
                ["bitmap", "--add", "t.qcow2", "b"]):
        for o in ("nosuch,id=x", "secret,id=s0", "secret,id=s0,data=x"):
            argv = [sub[0], "--object", o] + sub[1:]
            compare(" ".join(argv), argv)

    # ---- Size-valued driver options ----
    for o in ("l2-cache-size=1M", "l2-cache-size=1x", "l2-cache-size=-1", "l2-cache-size=",
              "l2-cache-size=0x10000", "l2-cache-size=1.5k", "l2-cache-size=1",
              "l2-cache-size=1E", "l2-cache-size=16E", "l2-cache-size=18446744073709551616",
              "refcount-cache-size=64k", "refcount-cache-size=1", "refcount-cache-size=1E",
              "cache-size=1M", "cache-size=1k", "cache-size=1E", "cache-size=1M,l2-cache-size=2M",
              "cache-size=1M,refcount-cache-size=2M",
              "cache-size=1M,l2-cache-size=512k,refcount-cache-size=512k",
              "cache-size=2M,l2-cache-size=512k", "l2-cache-entry-size=1000",
              "l2-cache-entry-size=4096", "l2-cache-entry-size=256",
              "cache-clean-interval=abc", "cache-clean-interval=1k", "cache-clean-interval=0x10",
              "cache-clean-interval=", "cache-clean-interval=-1", "cache-clean-interval=600",
              "cache-clean-interval=4294967296", "lazy-refcounts=xx", "lazy-refcounts=on"):
        spec = f"driver=qcow2,file.filename=t.qcow2,{o}"
        compare(f"info --image-opts {spec}", ["info", "--image-opts", spec])
        compare(f"check --image-opts {spec}", ["check", "--image-opts", spec])
    spec = "driver=qcow2,file.filename=o.qcow2,l2-cache-size=2M,refcount-cache-size=64k"
    for argv in (["convert", "--image-opts", "-O", "raw", spec, "x.raw"],
                 ["map", "--image-opts", spec], ["compare", "--image-opts", spec, spec]):
        compare(" ".join(argv), argv)

    shutil.rmtree(base, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
