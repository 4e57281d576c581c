#!/usr/bin/env python3
"""Differential test of the gdbstub: the same `gdb -batch -nx` scripts debug a program under
QEMU 7.2's `qemu-x86_64 -g` and under ours (both backends); gdb's transcripts, the program's
output and the emulators' exit codes must be identical once the few things that legitimately
differ are masked (see mask()). Also: bad input on the socket, a port in use, a socket path
that cannot be created, and the protocol's raw replies to a list of packets."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

from qemu72 import Results, parse_args, require_qemu

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "qemu_x86_64_gdb", "target.c")

# name, program variant, program argument, gdb commands
SCENARIOS = [
    ("break-step-finish", "static", "main", [
        "break add", "continue", "info registers rip rsp", "p $rsp == $sp", "x/8xb &buf",
        "p counter", "stepi", "info registers rip", "stepi", "next", "info registers rip",
        "set $rax = 0x1234", "p/x $rax", "set var counter = 100", "p counter",
        "set var buf[0] = 'J'", "x/s buf", "p $eflags", "finish", "break twice", "continue",
        "bt", "up", "info frame", "down", "finish", "watch counter", "delete", "continue"]),
    ("threads", "static", "main", [
        "break worker", "continue", "info threads", "bt 1", "thread 1", "delete", "continue"]),
    ("tbreak-until", "static", "main", [
        "tbreak twice", "continue", "until", "advance add", "info registers rip",
        "p $pc", "x/3i $pc", "continue"]),
    ("segv", "static", "segv", ["continue", "info registers rip", "continue"]),
    ("segv-nopass", "static", "segv", [
        "handle SIGSEGV nopass", "continue", "set $pc = 0", "continue"]),
    ("usr1", "static", "usr1", ["continue", "continue"]),
    ("usr1-nopass", "static", "usr1", ["handle SIGUSR1 nopass", "continue", "continue"]),
    ("syscall-stepi", "static", "sys", [
        "break *sys_label", "continue", "info registers rip", "stepi", "info registers rip",
        "stepi", "info registers rip", "continue"]),
    ("kill", "static", "main", ["break add", "continue", "kill"]),
    ("detach", "static", "main", ["break add", "continue", "detach"]),
    ("static-pie", "pie", "main", [
        "break add", "continue", "info registers rip", "bt", "finish", "continue"]),
    # The general and vector registers' values at a breakpoint depend on what libc's start-up
    # did with the environment and the CPU features it was shown: these are the others, and
    # vector/x87 registers written through gdb and read back.
    ("registers", "static", "main", [
        "break add", "continue",
        "info registers rip eflags cs ss ds es fs gs gs_base k_gs_base cr0 cr2 cr3 cr4 cr8 efer",
        "info registers fctrl fstat ftag fiseg fioff foseg fooff fop mxcsr",
        "p $fs_base != 0", "set $xmm3.v2_int64[0] = 0x1122334455667788", "p/x $xmm3.v2_int64",
        "set $st0 = 1.5", "p $st0", "set $mxcsr = 0x1f80", "p $mxcsr", "set $eflags = 0x246",
        "p $eflags", "set $r12 = -2", "p $r12", "continue"]),
]


def mask(text):
    # Thread ids are the host's (QEMU and we both report the kernel's tid); `info threads`
    # pads its columns to their width, which changes when the pids cross a power of ten.
    text = re.sub(r"Thread 1\.\d+", "Thread 1.TID", text)
    text = re.sub(r"^.*(Target Id|Thread 1\.TID).*$", lambda m: re.sub(" {2,}", " ", m.group(0)),
                  text, flags=re.M)
    # The stack is placed differently (QEMU 7.2 under its guest base at 0x40........, ours
    # where the kernel would put it, 0x7f..........), and so is a PIE (QEMU: 0x4000000000,
    # ours: 0x555555554000): such addresses and the registers holding stack addresses differ.
    text = re.sub(r"0x0*(40[0-9a-f]{8}|7f[0-9a-f]{10}|5555[0-9a-f]{8})\b *", "HIGHADDR ", text)
    text = re.sub(r"^(r(sp|bp|di|si|dx|cx|ax|8|9|1[0-5])\s+)\S+\s+\S+.*$", r"\1MASKED", text,
                  flags=re.M)
    # fs_base: the TLS block sits in the heap or the stack, placed differently.
    text = re.sub(r"^(fs_base\s+)\S+\s+\S+", r"\1MASKED", text, flags=re.M)
    # `info frame` prints frame addresses (stack).
    text = re.sub(r"frame at \S+", "frame at ADDR", text)
    return text


def build(d):
    exes = {}
    for variant, flags in (("static", ["-static"]), ("pie", ["-static-pie", "-fPIE"])):
        exe = os.path.join(d, "target-" + variant)
        subprocess.run(["gcc", "-g", "-O1", "-pthread"] + flags + ["-o", exe, SRC], check=True)
        exes[variant] = exe
    return exes


def wait_for_path(path, proc, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) or proc.poll() is not None:
            return
        time.sleep(0.02)


_socks = 0


def debug(emulator, env, exe, arg, cmds, d, tag):
    """Runs exe under the emulator waiting on a Unix socket and gdb's batch script against it;
    returns (gdb transcript, program stdout, emulator stderr, emulator exit code)."""
    global _socks
    _socks += 1
    sock = os.path.join(d, f"gdb-{tag}{_socks}.sock")
    p = subprocess.Popen([emulator, "-g", sock, exe, arg], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=d)
    wait_for_path(sock, p)
    argv = ["gdb", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set width 0",
            "-ex", "target remote " + sock]
    for c in cmds:
        argv += ["-ex", c]
    argv.append(exe)
    try:
        g = subprocess.run(argv, capture_output=True, timeout=120, cwd=d)
        transcript = g.stdout.decode(errors="replace") + g.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        transcript = "gdb timed out"
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    # QEMU 7.2 reports a guest's death by a signal on stderr; our user mode does not (with or
    # without gdb), as the kernel does not: not the gdbstub's business.
    err = re.sub(rb"qemu: uncaught target signal [^\n]*\n", b"", err)
    return transcript, out.decode(errors="replace"), err.decode(errors="replace"), p.returncode


def listening(port):
    """Whether something listens on TCP port (from /proc, without connecting to it)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].split(":")[1], 16) == port:
                return True
    return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raw_session(emulator, env, exe, d, data_list):
    """Connects over TCP, sends each bytes object and collects what comes back after each."""
    port = free_port()
    p = subprocess.Popen([emulator, "-g", str(port), exe, "main"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=d)
    end = time.time() + 20
    while time.time() < end and not listening(port) and p.poll() is None:
        time.sleep(0.02)
    replies = []
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    for i, data in enumerate(data_list):
        s.sendall(data)
        got = b""
        # Everything until a short silence after a complete reply (or a lone ack/nak), each
        # packet acknowledged: QEMU 7.2 waits for the ack of each reply (and sends vKill's W00
        # only after the ack of its OK).
        wait = 1.0
        while True:
            s.settimeout(wait)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                # The stub's process exited (vKill) while our last ack was on its way.
                break
            if not chunk:
                break
            got += chunk
            if re.search(rb"#[0-9a-f]{2}$", got):
                s.sendall(b"+")
                wait = 0.5 if i == len(data_list) - 1 else 0.05
        replies.append(got)
    s.close()
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return replies, out.decode(errors="replace"), err.decode(errors="replace"), p.returncode


def pkt(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xff)


# Packets whose replies must be byte-identical (thread ids masked).
RAW = [
    b"garbage\xff$zz#00",
    pkt(b"qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386"),
    pkt(b"?"), pkt(b"qC"), pkt(b"qAttached:1"), pkt(b"qOffsets"), pkt(b"qfThreadInfo"),
    pkt(b"qsThreadInfo"), pkt(b"Hg0"), pkt(b"Hg1"), pkt(b"Hgp1.-1"), pkt(b"Hx"), pkt(b"T1"),
    pkt(b"p10"), pkt(b"qXfer:features:read:target.xml:0,ffb"),
    pkt(b"qXfer:features:read:x.xml:0,10"),
    pkt(b"qXfer:features:read:target.xml:1000,10"), pkt(b"qXfer:features:read:target.xml"),
    pkt(b"p10"), pkt(b"p11"), pkt(b"p12"), pkt(b"p1b"), pkt(b"p29"), pkt(b"p41"), pkt(b"p42"),
    pkt(b"P99=00"), pkt(b"Pzz"), pkt(b"m0,4"), pkt(b"m401000"), pkt(b"mzz"),
    pkt(b"m401000,0"), pkt(b"m401000,1000"), pkt(b"M0,1:00"), pkt(b"M401000,1:00"),
    pkt(b"X401000,1:a"), pkt(b"vCont?"), pkt(b"vMustReplyEmpty"), pkt(b"QStartNoAckMode"),
    pkt(b"qTStatus"), pkt(b"qSymbol::"), pkt(b"Z0"), pkt(b"Z0,zz,1"), pkt(b"Z2,401000,4"),
    pkt(b"Z0,401000,1"), pkt(b"z0,401000,1"), pkt(b"z0,401000,1"), pkt(b"xyz"),
    pkt(b"qRcmd,68656c70"), b"-", pkt(b"g")[:-2] + b"00", pkt(b"vKill;1"),
]


# The register description gdb reads: our own document, not QEMU's bytes, so it is compared by
# what gdb takes from it (registers in order with size, type and group; flag fields in order;
# vector and union types), read in chunks.
XML_CHUNKS = [pkt(b"qXfer:features:read:i386-64bit.xml:%x,400" % (i * 0x400)) for i in range(16)]


def description(replies):
    import xml.etree.ElementTree as ET
    doc = b""
    for r in replies:
        m = re.search(rb"\$([ml])(.*)#[0-9a-f]{2}", r, re.S)
        if not m:
            return ("bad reply", r[:80])
        doc += m.group(2)
        if m.group(1) == b"l":
            break
    doc = re.sub(rb"<!DOCTYPE[^>]*>", b"", doc)
    root = ET.fromstring(doc)
    regs = [(e.get("name"), e.get("bitsize"), e.get("type"), e.get("group"))
            for e in root.iter("reg")]
    flags = [(e.get("id"), e.get("size"),
              [(f.get("name"), f.get("start"), f.get("end")) for f in e.iter("field")])
             for e in root.iter("flags")]
    vectors = sorted((e.get("id"), e.get("type"), e.get("count")) for e in root.iter("vector"))
    unions = [(e.get("id"), [(f.get("name"), f.get("type")) for f in e.iter("field")])
              for e in root.iter("union")]
    return (root.tag, root.get("name"), regs, flags, vectors, unions)


def mask_raw(b):
    b = re.sub(rb"thread:p01\.[0-9a-f]+;", b"thread:p01.TID;", b)
    b = re.sub(rb"thread:[0-9a-f]+;", b"thread:TID;", b)
    b = re.sub(rb"(QC|m)p01\.[0-9a-f]+", rb"\1p01.TID", b)
    return re.sub(rb"#[0-9a-f]{2}", b"#CS", b)


def main():
    args = parse_args()
    qemu = require_qemu("qemu-x86_64")
    ours = os.path.join(args.build, "qemu-x86_64")
    res = Results("qemu_x86_64_gdb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QEMU_")}
    with tempfile.TemporaryDirectory() as d:
        exes = build(d)
        for name, variant, arg, cmds in SCENARIOS:
            exe = exes[variant]
            q = debug(qemu, env, exe, arg, cmds, d, "q")
            qm = (mask(q[0]), q[1], q[2], q[3])
            for backend in ["x86_64", "interp"]:
                o = debug(ours, dict(env, QEMU_JIT_BACKEND=backend), exe, arg, cmds, d, "o")
                om = (mask(o[0]), o[1], o[2], o[3])
                detail = ""
                if om != qm:
                    import difflib
                    detail = "".join(difflib.unified_diff(
                        qm[0].splitlines(True), om[0].splitlines(True), "qemu", "ours"))
                    detail += f"\n  qemu: out={q[1]!r} err={q[2]!r} rc={q[3]}"
                    detail += f"\n  ours: out={o[1]!r} err={o[2]!r} rc={o[3]}"
                    if args.verbose:
                        detail += "\n--- ours in full:\n" + o[0]
                res.check(f"{name} ({backend})", om == qm, detail)

        # Raw packets, one at a time (each reply compared).
        q = raw_session(qemu, env, exes["static"], d, RAW)
        o = raw_session(ours, env, exes["static"], d, RAW)
        for i, data in enumerate(RAW):
            a, b = mask_raw(q[0][i]), mask_raw(o[0][i])
            res.check(f"packet {data[:40]!r}", a == b, f"  qemu: {a[:300]!r}\n  ours: {b[:300]!r}")
        res.check("vKill exit", q[1:] == o[1:], f"  qemu: {q[1:]!r}\n  ours: {o[1:]!r}")
        a = description(raw_session(qemu, env, exes["static"], d, XML_CHUNKS)[0])
        b = description(raw_session(ours, env, exes["static"], d, XML_CHUNKS)[0])
        res.check("i386-64bit.xml describes the same registers", a == b and len(a[2]) == 66,
                  f"  qemu: {a!r}\n  ours: {b!r}")

        # A TCP port in use, a socket path that cannot be made.
        busy = socket.socket()
        busy.bind(("0.0.0.0", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        for what, target in (("port in use", str(port)), ("bad path", d + "/no/such/dir/s")):
            rq = subprocess.run([qemu, "-g", target, exes["static"]], capture_output=True,
                                timeout=30, env=env)
            ro = subprocess.run([ours, "-g", target, exes["static"]], capture_output=True,
                                timeout=30, env=env)
            a = (rq.returncode, rq.stdout, rq.stderr.replace(str(port).encode(), b"PORT"))
            b = (ro.returncode, ro.stdout, ro.stderr.replace(str(port).encode(), b"PORT"))
            res.check(what, a == b, f"  qemu: {a!r}\n  ours: {b!r}")
        busy.close()

        # QEMU_GDB is -g's environment variable; gdb going away lets the program finish.
        sock = os.path.join(d, "env.sock")
        p = subprocess.Popen([ours, exes["static"], "main"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(env, QEMU_GDB=sock))
        wait_for_path(sock, p)
        c = socket.socket(socket.AF_UNIX)
        c.connect(sock)
        c.close()
        out, err = p.communicate(timeout=30)
        res.check("QEMU_GDB, then disconnect", p.returncode == 7 and b"counter=47" in out,
                  f"  rc={p.returncode} out={out!r} err={err!r}")
    res.finish()


if __name__ == "__main__":
    main()
