#!/usr/bin/env python3
"""Differential test of the qemu-img subcommands that compare or modify images: compare,
resize, snapshot, commit, rebase, amend, bitmap and bench, QEMU 7.2 against ours in twin
directories (exit status, output, and the images left behind)."""
import os
import re
import sys

from qemu_img_cmds_vs_qemu72_test import (Case, chain_setup, guest_hash, no_fragmentation,
                                          no_offsets, no_sizes, pattern,
                                          qcow2_cases_or_skip, qcow2_img, qimg, qio, raw_img,
                                          run_all, write_file)


def compare_cases():
    cases = []
    a = [raw_img("a.img"), raw_img("b.img")]
    diff = [raw_img("a.img"), raw_img("b.img"),
            write_file("c.img", [(0, pattern(8192, 1)), (200000, pattern(3000, 2)),
                                 (300001, b"x"), ((1 << 20) - 512, pattern(512, 3))], 1 << 20)]
    sizes = [raw_img("a.img", 1 << 20), raw_img("big.img", 2 << 20),
             write_file("bigz.img", [(0, pattern(8192, 1)), (200000, pattern(3000, 2)),
                                     ((1 << 20) - 512, pattern(512, 3)), ((2 << 20) - 1, b"\0")]),
             write_file("bigd.img", [(0, pattern(8192, 1)), (200000, pattern(3000, 2)),
                                     ((1 << 20) - 512, pattern(512, 3)),
                                     ((1 << 20) + 1000, b"y"), ((2 << 20) - 1, b"\0")])]
    alloc = [write_file("h.img", [(0, pattern(4096, 1))], 1 << 20),
             write_file("z.img", [(0, pattern(4096, 1)), (4096, bytes(1 << 20) [4096:])]),
             write_file("d.img", [(0, pattern(1 << 20, 1))])]
    for argv, setup in ((["compare"], a), (["compare", "a.img"], a),
                        (["compare", "a.img", "b.img"], a),
                        (["compare", "a.img", "b.img", "c.img"], a),
                        (["compare", "-q", "a.img", "b.img"], a),
                        (["compare", "-p", "a.img", "b.img"], a),
                        (["compare", "-s", "a.img", "b.img"], a),
                        (["compare", "-f", "raw", "-F", "raw", "a.img", "b.img"], a),
                        (["compare", "-U", "-T", "none", "a.img", "b.img"], a),
                        (["compare", "-T", "foo", "a.img", "b.img"], a),
                        (["compare", "a.img", "nope.img"], a),
                        (["compare", "nope.img", "a.img"], a),
                        (["compare", "-f", "qcow2", "a.img", "b.img"], a),
                        (["compare", "-F", "bogus", "a.img", "b.img"], a),
                        (["compare", "--image-opts", "driver=raw,file.filename=a.img",
                          "file.filename=b.img"], a),
                        (["compare", "a.img", "c.img"], diff),
                        (["compare", "-q", "a.img", "c.img"], diff),
                        (["compare", "-p", "c.img", "a.img"], diff),
                        (["compare", "-s", "a.img", "c.img"], diff),
                        (["compare", "a.img", "big.img"], sizes),
                        (["compare", "big.img", "a.img"], sizes),
                        (["compare", "a.img", "bigz.img"], sizes),
                        (["compare", "bigd.img", "a.img"], sizes),
                        (["compare", "-p", "a.img", "bigd.img"], sizes),
                        (["compare", "-s", "a.img", "bigz.img"], sizes),
                        (["compare", "h.img", "z.img"], alloc),
                        (["compare", "-s", "h.img", "z.img"], alloc),
                        (["compare", "-s", "z.img", "h.img"], alloc),
                        (["compare", "h.img", "d.img"], alloc),
                        (["compare", "-s", "d.img", "d.img"], alloc),
                        (["compare", "-x", "a.img", "b.img"], a)):
        cases.append(Case(" ".join(argv), argv, setup=setup))
    return cases


def qcow2_compare_cases():
    cases = []
    ch = chain_setup() + [qimg("convert", "top.qcow2", "top.raw"),
                          qimg("convert", "-O", "qcow2", "top.qcow2", "flat.qcow2"),
                          qio("-c", "write -P 9 3M 512", "flat.qcow2"),
                          raw_img("a.img"), qimg("convert", "-O", "qcow2", "a.img", "a.qcow2"),
                          qimg("create", "-q", "-f", "qcow2", "empty.qcow2", "1M"),
                          qimg("create", "-q", "-f", "raw", "empty.img", "1M")]
    for argv in (["compare", "top.qcow2", "top.raw"], ["compare", "-s", "top.qcow2", "top.raw"],
                 ["compare", "top.raw", "flat.qcow2"], ["compare", "-p", "top.qcow2", "flat.qcow2"],
                 ["compare", "-f", "qcow2", "-F", "raw", "top.qcow2", "top.raw"],
                 ["compare", "-f", "raw", "top.qcow2", "top.raw"],
                 ["compare", "a.img", "a.qcow2"], ["compare", "-s", "a.img", "a.qcow2"],
                 ["compare", "-s", "a.qcow2", "a.qcow2"], ["compare", "mid.qcow2", "top.qcow2"],
                 ["compare", "empty.qcow2", "empty.img"],
                 ["compare", "-s", "empty.qcow2", "empty.img"],
                 ["compare", "empty.qcow2", "a.qcow2"], ["compare", "a.qcow2", "top.qcow2"]):
        cases.append(Case(" ".join(argv) + " (qcow2)", argv, setup=ch))
    return cases


def resize_cases():
    cases = []
    a = [raw_img()]
    for argv in (["resize"], ["resize", "a.img"], ["resize", "a.img", "2M"],
                 ["resize", "-f", "raw", "a.img", "2M"], ["resize", "a.img", "+1M"],
                 ["resize", "a.img", "+1.5M"], ["resize", "-q", "a.img", "+1M"],
                 ["resize", "a.img", "-512k"], ["resize", "--shrink", "a.img", "-512k"],
                 ["resize", "-f", "raw", "--shrink", "a.img", "100k"],
                 ["resize", "a.img", "1M"], ["resize", "a.img", "-1M"],
                 ["resize", "--shrink", "a.img", "-2M"], ["resize", "a.img", "0"],
                 ["resize", "a.img", "x"], ["resize", "a.img", "+x"], ["resize", "a.img", "1000"],
                 ["resize", "a.img", "16E"], ["resize", "a.img", "8E"],
                 ["resize", "--preallocation=full", "a.img", "2M"],
                 ["resize", "--preallocation=falloc", "a.img", "+1M"],
                 ["resize", "--preallocation=metadata", "a.img", "+1M"],
                 ["resize", "--preallocation=off", "a.img", "+1M"],
                 ["resize", "--preallocation=bad", "a.img", "+1M"],
                 ["resize", "--preallocation=full", "--shrink", "a.img", "512k"],
                 ["resize", "--preallocation=full", "a.img", "1M"],
                 ["resize", "nope.img", "1M"], ["resize", "a.img", "b.img", "1M"],
                 ["resize", "-x", "a.img", "1M"],
                 ["resize", "--image-opts", "driver=raw,file.filename=a.img", "2M"],
                 ["resize", "--image-opts", "driver=raw,file.filename=a.img,offset=4096", "2M"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


def qcow2_resize_cases():
    cases = []
    t = qcow2_img(writes=["write -P 1 0 64k", "write -P 2 3M 64k"])
    for argv in (["resize", "t.qcow2", "8M"], ["resize", "t.qcow2", "+1G"],
                 ["resize", "t.qcow2", "-1M"], ["resize", "--shrink", "t.qcow2", "-1M"],
                 ["resize", "--shrink", "t.qcow2", "1M"],
                 ["resize", "--preallocation=metadata", "t.qcow2", "8M"],
                 ["resize", "--preallocation=falloc", "t.qcow2", "8M"],
                 ["resize", "--preallocation=full", "t.qcow2", "8M"],
                 ["resize", "-f", "qcow2", "t.qcow2", "4194305"]):
        cases.append(Case(" ".join(argv), argv, setup=t, files="content",
                          post=[qimg("check", "t.qcow2"), qimg("map", "--output=json", "t.qcow2")]))
    sn = t + [qimg("snapshot", "-c", "s", "t.qcow2")]
    cases.append(Case("resize --shrink (snapshot)", ["resize", "--shrink", "t.qcow2", "1M"],
                      setup=sn))
    return cases


def snapshot_cases():
    cases = []
    a = [raw_img()]
    for argv in (["snapshot", "a.img"], ["snapshot", "-l", "a.img"],
                 ["snapshot", "-c", "s1", "a.img"], ["snapshot", "-a", "s1", "a.img"],
                 ["snapshot", "-d", "s1", "a.img"], ["snapshot", "-l", "-c", "x", "a.img"],
                 ["snapshot", "-c", "x", "-d", "y", "a.img"], ["snapshot", "-l"],
                 ["snapshot", "-l", "a.img", "b.img"], ["snapshot", "-c"],
                 ["snapshot", "-q", "-c", "s1", "a.img"], ["snapshot", "-U", "-l", "a.img"],
                 ["snapshot", "-l", "nope.img"],
                 ["snapshot", "--image-opts", "-l", "driver=raw,file.filename=a.img"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


DATE_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def no_dates(text):
    text = no_sizes(DATE_RE.sub("DATE", text))
    return re.sub(r'"date-(n?sec)": \d+', r'"date-\1": N', text)


def qcow2_snapshot_cases():
    cases = []
    sn = qcow2_img(writes=["write -P 1 0 64k"]) + [
        qimg("snapshot", "-c", "first", "t.qcow2"), qio("-c", "write -P 2 0 64k", "t.qcow2"),
        qimg("snapshot", "-c", "second", "t.qcow2"), qio("-c", "write -P 3 0 64k", "t.qcow2")]
    post = [qimg("snapshot", "-l", "t.qcow2", filt=no_dates),
            qimg("check", "t.qcow2"), qimg("map", "--output=json", "t.qcow2"),
            qimg("convert", "t.qcow2", "check.raw"), qimg("info", "--output=json", "t.qcow2",
                                                          filt=no_dates)]
    for argv, files in ((["snapshot", "-l", "t.qcow2"], "bytes"),
                        (["snapshot", "-a", "first", "t.qcow2"], "content"),
                        (["snapshot", "-a", "1", "t.qcow2"], "content"),
                        (["snapshot", "-a", "second", "t.qcow2"], "content"),
                        (["snapshot", "-a", "nope", "t.qcow2"], "content"),
                        (["snapshot", "-d", "first", "t.qcow2"], "content"),
                        (["snapshot", "-d", "2", "t.qcow2"], "content"),
                        (["snapshot", "-d", "nope", "t.qcow2"], "content"),
                        (["snapshot", "-c", "third", "t.qcow2"], "none"),
                        (["snapshot", "-c", "first", "t.qcow2"], "none"),
                        (["snapshot", "-q", "-c", "3", "t.qcow2"], "none"),
                        (["snapshot", "t.qcow2"], "bytes")):
        cases.append(Case(" ".join(argv), argv, setup=sn, files=files, post=post))
    return cases


def commit_cases():
    cases = []
    a = [raw_img()]
    for argv in (["commit"], ["commit", "a.img"], ["commit", "-f", "raw", "a.img"],
                 ["commit", "-t", "foo", "a.img"], ["commit", "-r", "x", "a.img"],
                 ["commit", "nope.img"], ["commit", "a.img", "b.img"],
                 ["commit", "-b", "x", "a.img"], ["commit", "-q", "a.img"],
                 ["commit", "-p", "a.img"], ["commit", "-x", "a.img"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


def qcow2_commit_cases():
    cases = []
    ch = chain_setup()
    # Where the base places the committed clusters depends on the order in which QEMU's
    # asynchronous mirror requests complete: compare maps without host offsets, and content.
    post = [qimg("map", "--output=json", "top.qcow2", filt=no_offsets),
            qimg("map", "--output=json", "mid.qcow2", filt=no_offsets),
            qimg("check", "top.qcow2", filt=no_fragmentation),
            qimg("check", "mid.qcow2", filt=no_fragmentation), guest_hash("top.qcow2"),
            guest_hash("mid.qcow2"), guest_hash("base.img")]
    for argv in (["commit", "top.qcow2"], ["commit", "-d", "top.qcow2"],
                 ["commit", "-q", "top.qcow2"], ["commit", "-p", "top.qcow2"],
                 ["commit", "-f", "qcow2", "-t", "none", "top.qcow2"],
                 ["commit", "-b", "mid.qcow2", "top.qcow2"],
                 ["commit", "-b", "base.img", "top.qcow2"],
                 ["commit", "-b", "top.qcow2", "top.qcow2"],
                 ["commit", "-b", "nope", "top.qcow2"], ["commit", "mid.qcow2"],
                 ["commit", "-r", "1G", "top.qcow2"]):
        cases.append(Case(" ".join(argv), argv, setup=ch, files="none", post=post,
                          collapse_progress="ends"))
    # A base smaller than the top grows; a missing backing file.
    grow = [qimg("create", "-q", "-f", "qcow2", "b.qcow2", "1M"),
            qio("-c", "write -P 1 0 1M", "b.qcow2"),
            qimg("create", "-q", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", "t.qcow2", "3M"),
            qio("-c", "write -P 2 2M 64k", "-c", "write -z 0 64k", "t.qcow2")]
    gone = [qimg("create", "-q", "-f", "qcow2", "b.qcow2", "1M"),
            qimg("create", "-q", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", "t.qcow2"),
            lambda d: os.unlink(os.path.join(d, "b.qcow2"))]
    rawbase = [raw_img("b.img", 1 << 20),
               qimg("create", "-q", "-f", "qcow2", "-b", "b.img", "-F", "raw", "t.qcow2"),
               qio("-c", "write -P 2 64k 64k", "-c", "write -z 0 64k", "t.qcow2")]
    for argv, setup, files in ((["commit", "t.qcow2"], grow, "content"),
                               (["commit", "t.qcow2"], gone, "bytes"),
                               (["commit", "t.qcow2"], rawbase, "bytes"),
                               (["commit", "-d", "t.qcow2"], rawbase, "bytes")):
        cases.append(Case(" ".join(argv) + " " + str(len(setup)), argv, setup=setup, files=files,
                          post=[qimg("check", "t.qcow2")] if setup is not gone else []))
    return cases


def rebase_cases():
    cases = []
    a = [raw_img(), raw_img("b.img")]
    for argv in (["rebase"], ["rebase", "a.img"], ["rebase", "-b", "b.img", "a.img"],
                 ["rebase", "-u", "-b", "b.img", "a.img"],
                 ["rebase", "-u", "-b", "b.img", "-F", "raw", "a.img"],
                 ["rebase", "-f", "raw", "-b", "b.img", "-F", "raw", "a.img"],
                 ["rebase", "-b", "nope.img", "a.img"], ["rebase", "-t", "foo", "-u", "a.img"],
                 ["rebase", "-T", "foo", "-u", "a.img"], ["rebase", "-F", "bogus", "-u", "a.img"],
                 ["rebase", "-u", "-b", "", "a.img"], ["rebase", "-b", "b.img", "nope.img"],
                 ["rebase", "-x", "a.img"], ["rebase", "-b", "b.img", "a.img", "c.img"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


def qcow2_rebase_cases():
    cases = []
    ch = chain_setup() + [write_file("other.img", [(0, pattern(100000, 3)),
                                                    (2 << 20, pattern(70000, 4))], 5 << 20),
                          write_file("small.img", [(0, pattern(4096, 5))], 100000)]
    post = [qimg("info", "top.qcow2", filt=no_sizes), qimg("map", "--output=json", "top.qcow2"),
            qimg("check", "top.qcow2"), qimg("convert", "top.qcow2", "top.raw")]
    for argv in (["rebase", "-b", "other.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-p", "-b", "other.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-q", "-b", "other.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-b", "other.img", "top.qcow2"],
                 ["rebase", "-b", "small.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-b", "base.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-b", "", "top.qcow2"], ["rebase", "-p", "-b", "", "top.qcow2"],
                 ["rebase", "-u", "-b", "other.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-u", "-b", "", "top.qcow2"],
                 ["rebase", "-u", "-b", "nope.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-b", "nope.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-b", "other.img", "-F", "qcow2", "top.qcow2"],
                 ["rebase", "-U", "-b", "other.img", "-F", "raw", "top.qcow2"],
                 ["rebase", "-t", "none", "-T", "none", "-b", "other.img", "-F", "raw",
                  "top.qcow2"]):
        cases.append(Case(" ".join(argv), argv, setup=ch, files="content", post=post))
    gone = [qimg("create", "-q", "-f", "qcow2", "b.qcow2", "1M"),
            qimg("create", "-q", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", "t.qcow2"),
            lambda d: os.rename(os.path.join(d, "b.qcow2"), os.path.join(d, "moved.qcow2"))]
    for argv in (["rebase", "-u", "-b", "moved.qcow2", "-F", "qcow2", "t.qcow2"],
                 ["rebase", "-b", "moved.qcow2", "-F", "qcow2", "t.qcow2"]):
        cases.append(Case(" ".join(argv) + " (moved)", argv, setup=gone))
    return cases


def amend_cases():
    cases = []
    a = [raw_img()]
    for argv in (["amend", "a.img"], ["amend", "-o", "size=1", "a.img"],
                 ["amend", "-o", "help", "a.img"], ["amend", "-f", "raw", "-o", "help"],
                 ["amend", "-f", "bogus", "-o", "help"], ["amend", "-o", "size=1"],
                 ["amend", "-o", ",", "a.img"], ["amend", "-t", "foo", "-o", "size=1", "a.img"],
                 ["amend", "-o", "size=1", "nope.img"], ["amend", "-p", "-o", "size=1", "a.img"],
                 ["amend", "-x", "a.img"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


def qcow2_amend_cases():
    cases = []
    t = qcow2_img(writes=["write -P 1 0 64k"])
    post = [qimg("info", "t.qcow2", filt=no_sizes), qimg("check", "t.qcow2")]
    for argv in (["amend", "-f", "qcow2", "-o", "help"], ["amend", "-o", "help", "t.qcow2"],
                 ["amend", "-o", "cluster_size=4k", "t.qcow2"],
                 ["amend", "-o", "bogus=1", "t.qcow2"],
                 ["amend", "-o", "lazy_refcounts=on", "t.qcow2"],
                 ["amend", "-o", "compat=0.10", "t.qcow2"],
                 ["amend", "-p", "-o", "compat=1.1", "t.qcow2"],
                 ["amend", "-o", "size=8M", "t.qcow2"],
                 ["amend", "-o", "backing_file=x", "t.qcow2"],
                 ["amend", "-o", "refcount_bits=8", "t.qcow2"]):
        cases.append(Case(" ".join(argv), argv, setup=t, files="content", post=post))
    return cases


def bitmap_cases():
    cases = []
    a = [raw_img()]
    for argv in (["bitmap", "a.img", "b"], ["bitmap", "--add", "a.img", "b"],
                 ["bitmap", "--add", "-f", "raw", "a.img", "b"],
                 ["bitmap", "--remove", "a.img", "b"], ["bitmap", "--clear", "a.img", "b"],
                 ["bitmap", "--enable", "a.img", "b"], ["bitmap", "--disable", "a.img", "b"],
                 ["bitmap", "--merge", "x", "a.img", "b"],
                 ["bitmap", "--add", "--merge", "x", "-b", "foo", "a.img", "b"],
                 ["bitmap", "--add", "-g", "64k", "a.img"],
                 ["bitmap", "-g", "1k", "--remove", "a.img", "b"],
                 ["bitmap", "-g", "x", "--add", "a.img", "b"],
                 ["bitmap", "-F", "raw", "--remove", "a.img", "b"],
                 ["bitmap", "-b", "x", "--remove", "a.img", "b"],
                 ["bitmap", "--add", "nope.img", "b"], ["bitmap", "--bogus", "a.img", "b"],
                 ["bitmap", "--merge"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


def qcow2_bitmap_cases():
    cases = []
    t = qcow2_img() + [qimg("bitmap", "--add", "t.qcow2", "b0")]
    for argv in (["bitmap", "--add", "t.qcow2", "b0"], ["bitmap", "--remove", "t.qcow2", "c"],
                 ["bitmap", "--merge", "c", "t.qcow2", "b0"],
                 ["bitmap", "--clear", "t.qcow2", "c"], ["bitmap", "--enable", "t.qcow2", "c"],
                 ["bitmap", "--disable", "t.qcow2", "c"]):
        cases.append(Case(" ".join(argv), argv, setup=t, files="none",
                          post=[qimg("info", "t.qcow2", filt=no_sizes)]))
    post = [qimg("info", "t.qcow2", filt=no_sizes)]
    for argv in (["bitmap", "--add", "t.qcow2", "b1"],
                 ["bitmap", "--add", "-g", "1k", "t.qcow2", "b1"],
                 ["bitmap", "--remove", "t.qcow2", "b0"],
                 ["bitmap", "--disable", "t.qcow2", "b0"],
                 ["bitmap", "--clear", "--enable", "t.qcow2", "b0"],
                 ["bitmap", "--add", "--merge", "b0", "t.qcow2", "b1"]):
        cases.append(Case(" ".join(argv), argv, setup=t, files="content", post=post))
    return cases


def bench_cases():
    cases = []
    a = [raw_img()]
    for argv in (["bench", "-c", "10", "a.img"], ["bench", "-c", "100", "-d", "4", "a.img"],
                 ["bench", "-x", "a.img"], ["bench", "-c"], ["bench", "--foo", "a.img"],
                 ["bench", "-c", "-1", "a.img"], ["bench", "-c", "x", "a.img"],
                 ["bench", "-d", "x", "a.img"], ["bench", "-i", "foo", "a.img"],
                 ["bench", "-i", "threads", "-c", "1", "a.img"], ["bench", "-t", "foo", "a.img"],
                 ["bench", "-s", "0", "-c", "1", "a.img"],
                 ["bench", "-s", "x", "a.img"], ["bench", "-S", "-1", "a.img"],
                 ["bench", "--pattern=256", "a.img"], ["bench", "--flush-interval=5", "a.img"],
                 ["bench", "-w", "--flush-interval=5", "a.img"],
                 ["bench", "-w", "-c", "3", "--flush-interval=64", "--no-drain", "-o", "4k", "-S",
                  "8k", "-s", "1k", "--pattern=0x41", "-f", "raw", "a.img"],
                 ["bench", "-w", "-c", "20", "-d", "1", "-s", "512", "-S", "64k", "--pattern=7",
                  "-f", "raw", "a.img"],
                 ["bench", "-w", "-c", "100", "-d", "8", "--flush-interval=10", "-f", "raw",
                  "a.img"],
                 ["bench", "-q", "-c", "1", "a.img"], ["bench", "-n", "-c", "1", "a.img"],
                 ["bench", "-c", "1", "-o", "2M", "a.img"], ["bench", "a.img", "b.img"],
                 ["bench", "-c", "1", "nope.img"]):
        cases.append(Case(" ".join(argv), argv, setup=a))
    return cases


def qcow2_bench_cases():
    t = qcow2_img(writes=["write -P 1 0 64k"])
    return [Case("bench qcow2 " + " ".join(argv), argv, setup=t, files="content",
                 post=[qimg("check", "t.qcow2")])
            for argv in (["bench", "-c", "100", "t.qcow2"],
                         ["bench", "-w", "-c", "64", "-d", "1", "-s", "64k", "--pattern=3",
                          "-f", "qcow2", "t.qcow2"])]


KNOWN_GAPS = {
    # Persistent bitmaps: the block layer has no bitmap interface yet.
    "bitmap --add t.qcow2 b1", "bitmap --add -g 1k t.qcow2 b1", "bitmap --remove t.qcow2 b0",
    "bitmap --disable t.qcow2 b0", "bitmap --clear --enable t.qcow2 b0",
    "bitmap --add --merge b0 t.qcow2 b1",
    # amend progress: the qcow2 driver reports none yet.
    "amend -p -o compat=1.1 t.qcow2",
}


def cases():
    out = compare_cases() + resize_cases() + snapshot_cases() + commit_cases() + rebase_cases()
    out += amend_cases() + bitmap_cases() + bench_cases()
    out += qcow2_cases_or_skip(lambda: qcow2_compare_cases() + qcow2_resize_cases() +
                               qcow2_snapshot_cases() +
                               qcow2_commit_cases() + qcow2_rebase_cases() +
                               qcow2_amend_cases() + qcow2_bitmap_cases() + qcow2_bench_cases())
    return out


def main():
    run_all("qemu_img_modify_vs_qemu72", cases, KNOWN_GAPS)


if __name__ == "__main__":
    sys.exit(main())
