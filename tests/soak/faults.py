"""The faults of the soak. Each takes (soak, rng), draws every random choice it needs
from rng first (so a seed replays the same sequence), does the fault, undoes it, and
returns what it did as one line."""

import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from checks import Snapshot, node_addrs, parse_records
from soaklib import CARPD_NODES, HERE, NODES, VHOSTS, SetupError, ctl, tail

RELAY = os.path.join(HERE, "relay.py")
GARBAGE_PREFIX = b"\x00soak-garbage"  # a first line that is never a command: garbage cannot change anything


def secs(rng):
    return round(rng.uniform(1, 6), 1)


# ---------------------------------------------------------------- network faults

def link_flap(soak, rng):
    node, dur = rng.choice(NODES), secs(rng)
    soak.port(node, False)
    try:
        time.sleep(dur)
    finally:
        soak.port(node, True)
    return "link flap: %s's switch port down for %.1f s" % (node, dur)


def loss(soak, rng):
    pct, target, dur = rng.randint(10, 60), rng.choice((None,) + NODES), secs(rng)
    drop = "numgen random mod 100 < %d drop" % pct
    rules = [drop] if target is None else ['iifname "p%s" %s' % (target, drop), 'oifname "p%s" %s' % (target, drop)]
    # Bridge family, forward hook: every frame between two ports (flooded copies one by one).
    table = "table bridge soak {\n chain loss {\n  type filter hook forward priority 0; policy accept;\n%s\n }\n}\n" % (
        "\n".join("  " + r for r in rules))
    soak.nsx("sw", ["nft", "-f", "-"], input=table)
    try:
        time.sleep(dur)
    finally:
        soak.nsx("sw", ["nft", "delete", "table", "bridge", "soak"])
    return "loss: %d %% of the frames %s dropped for %.1f s" % (pct, "of %s's port" % target if target else "of all ports", dur)


class DelayLine:
    """relay.py in the switch namespace between node's port pX and the spare veth qX
    (whose peer rX joins br0 in place of pX); pX goes back into br0 at the end."""

    def __init__(self, soak, node, delay_ms, dup):
        self.soak, self.node, self.delay_ms, self.dup = soak, node, delay_ms, dup
        self.proc = None

    def batch(self, cmds):
        self.soak.run(["ip", "-n", self.soak.sw, "-batch", "-"], input="".join(c + "\n" for c in cmds))

    def __enter__(self):
        n = self.node
        log = os.path.join(self.soak.tmp, "relay-%s.log" % n)
        args = ["ip", "netns", "exec", self.soak.sw, sys.executable, RELAY, "p" + n, "q" + n,
                str(self.delay_ms), "1" if self.dup else "0"]
        self.proc = self.soak.popen(args, log, stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        if not ready or self.proc.stdout.readline().strip() != b"ready":
            raise SetupError("delay line for %s did not start: %s" % (n, tail(log, 10)))
        # pX out first, then rX in: never both in br0 while the relay runs (a loop).
        self.batch(["link set p%s nomaster" % n, "link set r%s master br0" % n])
        return self

    def __exit__(self, *exc):
        n = self.node
        self.batch(["link set r%s nomaster" % n, "link set p%s master br0" % n])
        self.proc.terminate()
        self.stats = self.proc.stdout.read().decode(errors="replace").strip()  # "relayed pX:N qX:M"
        self.proc.wait(5)
        self.proc.stdout.close()

    def ping(self):
        """Two pings from the node across the delay line: proof that it relays (RTT, DUPs)."""
        dst = "192.0.2.1" if self.node != "a" else "192.0.2.2"
        out = self.soak.nsx(self.node, ["ping", "-n", "-q", "-c", "2", "-i", "0.2", "-W", "2", dst], check=False)
        m = re.search(r"(\d+) received(, \+(\d+) duplicates)?", out)
        rtt = re.search(r"= [\d.]+/([\d.]+)/", out)
        return "ping %s: %s received%s%s" % (dst, m.group(1) if m else "0", ", +%s dup" % m.group(3) if m and m.group(3) else "",
                                            ", avg %s ms" % rtt.group(1) if rtt else "")


def delay(soak, rng):
    node, ms, dur = rng.choice(NODES), rng.randint(20, 400), secs(rng)
    with DelayLine(soak, node, ms, dup=False) as line:
        t0 = time.monotonic()
        pinged = line.ping()
        time.sleep(max(0, dur - (time.monotonic() - t0)))
    return "delay: %d ms on %s's port for %.1f s (%s; %s)" % (ms, node, dur, pinged, line.stats)


def duplicate(soak, rng):
    node, dur = rng.choice(NODES), secs(rng)
    with DelayLine(soak, node, 0, dup=True) as line:
        t0 = time.monotonic()
        pinged = line.ping()
        time.sleep(max(0, dur - (time.monotonic() - t0)))
    return "duplication: every frame of %s's port sent twice for %.1f s (%s; %s)" % (node, dur, pinged, line.stats)


# ---------------------------------------------------------------- carpd restarts

def no_leftovers(soak, node, when):
    """After carpd stopped (or carpd -C): no macvlan and no VIP of its vhids on the node."""
    mv = soak.run(["ip", "-n", soak.ns(node), "-o", "link", "show", "type", "macvlan"], check=False).strip()
    vips = {ip for v in VHOSTS.values() if node in v.members for ip in v.vips}
    held = sorted(set(node_addrs(soak, node)) & vips)
    if mv or held:
        soak.violation("%s left things on %s" % (when, node), "macvlans: %s\nVIPs: %s" % (mv or "none", held or "none"))
    soak.count_check()


def restart(soak, c):
    """Start carpd on its old socket: its configuration must come back from the runtime state."""
    c.start()
    recs = parse_records(c.ok("get"))
    for v in VHOSTS.values():
        if c.node in v.carpd_members:
            r = recs.get(v.vhid)
            if not r or r.get("advskew") != str(v.skew[c.node]) or sorted(r["addr"]) != sorted(v.addrs):
                soak.violation("carpd on %s lost vhid %d's configuration over a restart" % (c.node, v.vhid),
                               "record after the restart: %s" % r)
    preempt = ctl.field(c.ok("sysctl", ["name=net.inet.carp.preempt"]), "value")
    if preempt != "1":
        soak.violation("carpd on %s has net.inet.carp.preempt=%s after a restart" % (c.node, preempt))
    soak.count_check()


def kill9(soak, rng):
    node, down = rng.choice(CARPD_NODES), secs(rng)
    c = soak.carpd[node]
    old = c.pid
    c.stop(signal.SIGKILL, 5)
    rc, out = c.crash_cleanup()
    if rc != 0:
        soak.violation("carpd -C on %s after kill -9 exited with status %d" % (node, rc), out)
    no_leftovers(soak, node, "kill -9 and carpd -C")
    time.sleep(down)
    restart(soak, c)
    return "kill -9 of carpd on %s (pid %d), carpd -C, started again after %.1f s (pid %d)" % (node, old, down, c.pid)


def sigterm(soak, rng):
    node, down = rng.choice(CARPD_NODES), secs(rng)
    c = soak.carpd[node]
    old = c.pid
    t0 = time.monotonic()
    rc = c.stop(signal.SIGTERM, 10)
    took = time.monotonic() - t0
    if rc is None:
        soak.violation("carpd on %s (pid %d) did not exit within 10 s of SIGTERM" % (node, old), tail(c.log))
        c.stop(signal.SIGKILL, 5)
        c.crash_cleanup()
    elif rc != 0:
        soak.violation("carpd on %s (pid %d) exited with status %d on SIGTERM" % (node, old, rc), tail(c.log))
    no_leftovers(soak, node, "SIGTERM")
    time.sleep(down)
    restart(soak, c)
    return "SIGTERM to carpd on %s (pid %d, exit %s in %.1f s), started again after %.1f s (pid %d)" % (
        node, old, rc, took, down, c.pid)


# ---------------------------------------------------------------- control requests

def set_advskew(soak, node, vhid, skew):
    try:
        _, err, msg = soak.carpd[node].request("set", ["carpdev=eth0", "vhid=%d" % vhid, "advskew=%d" % skew])
    except ctl.CtlError as e:
        err, msg = -1, str(e)
    if err:
        soak.violation("set advskew=%d of vhid %d on %s failed: %s %s" % (skew, vhid, node, err, msg))


def reconfigure(soak, rng):
    """Cut a vhid's MASTER's link; while the others take over, change a backup's advskew."""
    v = VHOSTS[rng.choice(sorted(VHOSTS))]
    wait, pick, new, hold = rng.uniform(0, v.bound), rng.random(), rng.randint(0, 254), secs(rng)
    skew_first, gap = rng.random() < 0.5, rng.uniform(0, 2)
    snap = Snapshot(soak)
    masters = [n for n in v.members if snap.state(n, v.vhid) == "MASTER"]
    m = masters[0] if len(masters) == 1 else v.expected_master()
    backups = [n for n in v.carpd_members if n != m]
    b = backups[int(pick * len(backups))]
    orig = v.skew[b]
    soak.port(m, False)
    link_back = skew_back = False
    try:
        time.sleep(wait)
        set_advskew(soak, b, v.vhid, new)
        time.sleep(hold)
        if skew_first:
            set_advskew(soak, b, v.vhid, orig)
            skew_back = True
        soak.port(m, True)
        link_back = True
        time.sleep(gap)
    finally:
        if not link_back:
            soak.port(m, True)
        if not skew_back:
            set_advskew(soak, b, v.vhid, orig)
    return "reconfigure: vhid %d's MASTER %s cut; %.1f s later advskew of %s %d -> %d for %.1f s; %s" % (
        v.vhid, m, wait, b, orig, new, hold,
        "advskew back, then the link" if skew_first else "link back, advskew %.1f s later" % gap)


def demote_adjust(soak, node, n):
    try:
        lines, err, msg = soak.carpd[node].request("demote", ["group=carp", "adjust=%d" % n])
    except ctl.CtlError as e:
        lines, err, msg = [], -1, str(e)
    if err:
        soak.violation("demote adjust=%d on %s failed: %s %s" % (n, node, err, msg))
    return ctl.field(lines, "demote")


def demote(soak, rng):
    node, n, hold = rng.choice(CARPD_NODES), rng.randint(1, 240), secs(rng)
    first = demote_adjust(soak, node, n)
    time.sleep(hold)
    last = demote_adjust(soak, node, -n)
    if (first, last) != (str(n), "0"):
        soak.violation("demotion on %s: counter %s after +%d, %s after -%d (expected %d, 0)" % (node, first, n, last, n, n))
    return "demotion: group carp on %s demoted by %d for %.1f s" % (node, n, hold)


# ---------------------------------------------------------------- control-socket abuse

def garbage(r, kind):
    """Bytes that are never a valid request (see GARBAGE_PREFIX)."""
    if kind == "binary":
        return GARBAGE_PREFIX + r.randbytes(r.randint(0, 2000)) + b"\x00\n\n"
    if kind == "lines":
        keys = ["vhid", "state", "advskew", "addr", "key", "get", "set", "", "=", "x" * 300]
        body = "".join("%s=%s\n" % (r.choice(keys), r.choice(["master", "1", "-5", "255", "\t", "\u00e9"]))
                       for _ in range(r.randint(1, 30)))
        return GARBAGE_PREFIX + b"\n" + body.encode() + b"\n"
    if kind == "oversized":
        return GARBAGE_PREFIX + r.randbytes(r.randint(65 * 1024, 200 * 1024)).replace(b"\n", b"\x00")
    return GARBAGE_PREFIX + r.randbytes(r.randint(0, 4000)).replace(b"\n", b"")  # no empty line


def read_reply(s):
    buf = b""
    while not buf.endswith(b"\n\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


def send_garbage(soak, c, r, stats):
    kind = r.choice(["binary", "lines", "oversized", "unterminated", "half", "empty"])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(c.sock)
        stats[kind] = stats.get(kind, 0) + 1
        if kind == "empty":
            return
        try:
            s.sendall(garbage(r, kind))
        except OSError:
            pass  # carpd may answer an oversized request and close before we finish sending
        if kind == "half":
            time.sleep(r.uniform(0.1, 1.0))
        elif kind in ("binary", "lines", "oversized"):
            raw = read_reply(s)
            lines, err, msg = ctl.parse(raw)
            stats["refused"] = stats.get("refused", 0) + 1
            if err == 0:
                soak.violation("carpd on %s accepted a garbage request (%s)" % (c.node, kind), raw.decode(errors="replace"))
    except (OSError, ctl.CtlError) as e:
        if kind in ("binary", "lines"):  # a small complete request must always be answered
            soak.violation("carpd on %s: no proper reply to a %s garbage request: %s" % (c.node, kind, e))
    finally:
        s.close()


def probe(c):
    """One `get`: (ok, seconds, what went wrong)."""
    t = time.monotonic()
    try:
        _, err, msg = ctl.request(c.sock, "get", [], timeout=2)
        why = "errno %d %s" % (err, msg) if err else ""
    except ctl.CtlError as e:
        why = str(e)
    dt = time.monotonic() - t
    return not why and dt <= 2, dt, why


def abuse(soak, rng):
    node, dur, silent_n, senders_n, seed = (rng.choice(CARPD_NODES), secs(rng), rng.randint(2, 6),
                                           rng.randint(1, 3), rng.getrandbits(64))
    c, stop, stats = soak.carpd[node], threading.Event(), {}

    def sender(r):
        while not stop.is_set():
            send_garbage(soak, c, r, stats)

    silent = []
    for _ in range(silent_n):  # connected, never sending a byte
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        silent.append(s)
        try:
            s.connect(c.sock)
        except OSError as e:
            soak.violation("carpd on %s: cannot connect to its control socket: %s" % (node, e))
    threads = [threading.Thread(target=sender, args=(random.Random(seed + i),), daemon=True) for i in range(senders_n)]
    for t in threads:
        t.start()
    probes, worst, end = 0, 0.0, time.monotonic() + dur
    try:
        while time.monotonic() < end:
            ok, dt, why = probe(c)
            probes, worst = probes + 1, max(worst, dt)
            soak.count_check()
            if not ok:
                soak.violation("carpd on %s did not answer a get within 2 s under abuse (%.2f s: %s)" % (node, dt, why))
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        for s in silent:
            s.close()
    sent = ", ".join("%s %d" % kv for kv in sorted(stats.items()))
    return "control-socket abuse of %s for %.1f s: %d silent connections, %d garbage senders (%s), %d gets, slowest %.0f ms" % (
        node, dur, silent_n, senders_n, sent, probes, worst * 1000)


def ucarp_restart(soak, rng):
    down = secs(rng)
    rc = soak.ucarp.stop()
    time.sleep(down)
    soak.ucarp.start()
    return "ucarp restart: SIGTERM (exit %s), started again after %.1f s" % (rc, down)


FAULTS = [(link_flap, 3), (loss, 2), (delay, 2), (duplicate, 2), (kill9, 1), (sigterm, 1),
          (reconfigure, 2), (demote, 2), (abuse, 2), (ucarp_restart, 0.5)]
