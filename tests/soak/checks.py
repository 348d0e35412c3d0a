"""The soak's invariants: what the nodes look like (Snapshot), convergence after a
fault (settle), liveness and resources of every carpd (Monitor), and the final stop."""

import os
import re
import threading
import time
import traceback

from soaklib import CARPD_NODES, NODES, UCARP_NODE, UCARP_RELINK_BOUND, VHOSTS, ctl, tail, wait_until

SETTLE_GRACE = 5.0  # poll this long past a vhid's protocol bound before calling it a violation
SETTLE_HOLD = 1.0  # the right state must hold this long (not a passing moment)
WARMUP = 30.0  # resource baseline: samples after this much of a process's life
LONG_LIVED = 120.0  # only processes that lived this long are judged for leaks
WINDOW = 10  # samples (0.5 s apart) per baseline / final window; the minimum of each is used
RSS_LIMIT_KB = 4096
FD_LIMIT = 8
SYSCTL_KEEP = re.compile(r"net\.ipv4\.conf\.|net\.ipv6\.conf\.|net\.ipv4\.igmp_max_memberships$"
                         r"|net\.netfilter\.nf_conntrack_tcp_be_liberal$")


def parse_records(lines):
    """A `get` reply: {vhid: {key: value, 'addr': [...]}}."""
    recs, cur = {}, None
    for ln in lines:
        k, _, v = ln.partition("=")
        if k == "vhid":
            cur = recs[int(v)] = {"addr": []}
        elif cur is not None and k == "addr":
            cur["addr"].append(v)
        elif cur is not None:
            cur[k] = v
    return recs


def node_addrs(soak, node):
    """{address: interface} of every address in the node's namespace."""
    out = soak.run(["ip", "-n", soak.ns(node), "-o", "addr", "show"], check=False)
    addrs = {}
    for ln in out.splitlines():
        f = ln.split()
        if len(f) >= 4 and f[2] in ("inet", "inet6"):
            addrs[f[3].split("/")[0]] = f[1].split("@")[0]
    return addrs


class Snapshot:
    """Every node at one moment: carpd's records, the addresses, ucarp's last event."""

    def __init__(self, soak):
        self.soak = soak
        self.t = soak.elapsed()
        self.carpd = {n: self.carpd_view(c) for n, c in soak.carpd.items()}
        self.addrs = {n: node_addrs(soak, n) for n in NODES}
        self.ucarp_event = soak.ucarp.last_event() if soak.ucarp else "none"
        self.ports = soak.run(["ip", "-n", soak.sw, "-br", "link"], check=False)

    @staticmethod
    def carpd_view(c):
        if not c.expected:
            return "stopped"
        try:
            lines, err, msg = c.request("get", timeout=2)
        except ctl.CtlError as e:
            return "no reply (%s)" % e
        return parse_records(lines) if err == 0 else "errno %d %s" % (err, msg)

    def record(self, node, vhid):
        view = self.carpd.get(node)
        return view.get(vhid) if isinstance(view, dict) else None

    def state(self, node, vhid):
        if node == UCARP_NODE:
            # ucarp: its last script run, and the VIP on its eth0.
            on = self.addrs[node].get(VHOSTS[vhid].vips[0]) == "eth0"
            return "MASTER" if self.ucarp_event == "up" and on else "BACKUP"
        if not isinstance(self.carpd.get(node), dict):
            return "NONE"
        r = self.record(node, vhid)
        return r.get("state", "?").upper() if r else "ABSENT"

    def problems(self, v):
        """What is wrong with vhid v now (an empty list once it converged)."""
        exp = v.expected_master()
        states = {n: self.state(n, v.vhid) for n in v.members}
        masters = [n for n in v.members if states[n] == "MASTER"]
        out = []
        if masters != [exp]:
            out.append("vhid %d: MASTER on %s, expected %s only" % (v.vhid, masters or "no node", exp))
        for n in v.carpd_members:
            r = self.record(n, v.vhid)
            if n != exp and states[n] != "BACKUP":
                out.append("vhid %d: %s is %s, expected BACKUP" % (v.vhid, n, states[n]))
            if r and r.get("advskew") != str(v.skew[n]):
                out.append("vhid %d: %s has advskew %s, configured %d" % (v.vhid, n, r.get("advskew"), v.skew[n]))
            if r and r.get("demote", "0") != "0":
                out.append("vhid %d: %s is demoted (%s)" % (v.vhid, n, r.get("demote")))
        for vip in v.vips:
            holders = [n for n in NODES if vip in self.addrs[n]]
            if holders != [exp]:
                out.append("vhid %d: VIP %s on %s, expected on %s only" % (v.vhid, vip, holders or "no node", exp))
            elif exp in CARPD_NODES and self.addrs[exp][vip] != v.macvlan:
                out.append("vhid %d: VIP %s on %s's %s, not %s" % (v.vhid, vip, exp, self.addrs[exp][vip], v.macvlan))
        return out

    def describe(self):
        """Every node's state, for a violation report."""
        lines = []
        for v in VHOSTS.values():
            parts = []
            for n in v.members:
                r = self.record(n, v.vhid) or {}
                parts.append("%s=%s(skew %s)" % (n, self.state(n, v.vhid), r.get("advskew", v.skew[n])))
            lines.append("vhid %d: %s; expected MASTER %s" % (v.vhid, " ".join(parts), v.expected_master()))
        vips = {ip for v in VHOSTS.values() for ip in v.vips}
        for n in NODES:
            view = self.carpd.get(n)
            extra = ""
            if isinstance(view, dict):
                extra = "demote %s, " % ",".join(sorted({r.get("demote", "?") for r in view.values()}))
            elif n in CARPD_NODES:
                extra = "carpd %s, " % view
            else:
                extra = "ucarp last event %s, " % self.ucarp_event
            held = " ".join("%s@%s" % (a, d) for a, d in sorted(self.addrs[n].items()) if a in vips)
            lines.append("%s: %sVIPs: %s" % (n, extra, held or "none"))
        lines.append("switch ports: " + " | ".join(" ".join(ln.split()[:2]) for ln in self.ports.splitlines()))
        return "\n".join(lines)


def bound(v, cut):
    """How long vhid v may take to settle, given the nodes whose link was cut."""
    return max(v.bound, UCARP_RELINK_BOUND) if UCARP_NODE in cut and UCARP_NODE in v.members else v.bound


def settle(soak, label):
    """Poll until every vhid has its expected master holding its VIPs (for SETTLE_HOLD s);
    a vhid still wrong SETTLE_GRACE s past its bound is a violation. Returns seconds taken."""
    t0 = time.monotonic()
    deadline = {v.vhid: t0 + bound(v, soak.cut) + SETTLE_GRACE for v in VHOSTS.values()}
    soak.cut = set()
    good_since = None
    while True:
        snap = Snapshot(soak)
        soak.count_check()
        now = time.monotonic()
        bad = {v.vhid: p for v in VHOSTS.values() for p in [snap.problems(v)] if p}
        if not bad:
            good_since = good_since or now
            if now - good_since >= SETTLE_HOLD:
                return good_since - t0
        else:
            good_since = None
            late = [vh for vh in bad if now > deadline[vh]]
            if late:
                msgs = [m for vh in late for m in bad[vh]]
                soak.violation("%s: not converged %.1f s after the fault was undone (bound + %g s): %s"
                               % (label, now - t0, SETTLE_GRACE, "; ".join(msgs)), snap.describe())
                return None
        time.sleep(0.25)


class Monitor(threading.Thread):
    """Every 0.5 s: each carpd the soak did not stop is alive and answers its control
    socket within 2 s; its RSS and fds are sampled."""

    def __init__(self, soak):
        super().__init__(daemon=True)
        self.soak = soak
        self.halt = threading.Event()
        self.tracks = {}  # pid -> {"node", "samples": [(age, rss_kb, fds)]}
        self.dead = []  # carpd nodes that died on their own, for the main loop to restart
        self.hung = set()  # carpd nodes not answering (reported once until they answer again)

    def run(self):
        try:
            while not self.halt.wait(0.5):
                self.tick()
        except Exception:  # a soak bug must not silently end the liveness checks
            self.soak.violation("the liveness monitor failed", traceback.format_exc())

    def tick(self):
        for node, c in list(self.soak.carpd.items()):
            with self.soak.lock:
                if not c.expected:
                    continue
                proc, started = c.proc, c.started
            if proc.poll() is not None:
                with self.soak.lock:
                    if not c.expected:  # stopped by the soak meanwhile
                        continue
                    c.expected = False
                    self.dead.append(node)
                self.soak.violation("carpd on %s (pid %d) died on its own, status %s"
                                    % (node, proc.pid, proc.returncode),
                                    "last lines of %s:\n%s" % (c.log, tail(c.log)))
                continue
            self.sample(node, proc.pid, time.monotonic() - started)
            self.answers(node, c)
        self.soak.count_check()

    def answers(self, node, c):
        """A `stats` request answered within 2 s: carpd's one reactor thread is not stuck."""
        t, pid = time.monotonic(), c.pid
        try:
            _, err, why = c.request("stats", timeout=2)
            why = "errno %d %s" % (err, why) if err else ""
        except ctl.CtlError as e:
            why = str(e)
        with self.soak.lock:
            if not c.expected or c.pid != pid:  # stopped (or restarted) by the soak meanwhile
                return
            if why and node not in self.hung:
                self.hung.add(node)
                self.soak.violation("carpd on %s (pid %d) did not answer a stats request within 2 s (%.1f s: %s)"
                                    % (node, c.pid, time.monotonic() - t, why), "last lines of %s:\n%s" % (c.log, tail(c.log, 10)))
            elif not why and node in self.hung:
                self.hung.discard(node)
                self.soak.say("carpd on %s answers again" % node)

    def sample(self, node, pid, age):
        try:
            with open("/proc/%d/status" % pid) as f:
                rss = int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))
            fds = len(os.listdir("/proc/%d/fd" % pid))
        except (OSError, AttributeError):
            return  # exited between poll() and here
        self.tracks.setdefault(pid, {"node": node, "samples": []})["samples"].append((age, rss, fds))

    def growth(self):
        """[(node, pid, lifetime, rss_growth_kb, fd_growth)] of every process past its warm-up."""
        rows = []
        for pid, tr in self.tracks.items():
            warm = [s for s in tr["samples"] if s[0] >= WARMUP]
            if len(warm) < 2 * WINDOW:
                continue
            base, last = warm[:WINDOW], warm[-WINDOW:]
            rss = min(s[1] for s in last) - min(s[1] for s in base)
            fds = min(s[2] for s in last) - min(s[2] for s in base)
            rows.append((tr["node"], pid, tr["samples"][-1][0], rss, fds))
        return rows

    def judge(self):
        """Violations for leaks; returns the largest (rss_kb, fds) growth seen."""
        rows = self.growth()
        for node, pid, life, rss, fds in rows:
            self.soak.note("resources: carpd %s pid %d lived %.0f s: RSS %+d KB, fds %+d" % (node, pid, life, rss, fds))
            if life >= LONG_LIVED and (rss > RSS_LIMIT_KB or fds > FD_LIMIT):
                first = self.tracks[pid]["samples"]
                self.soak.violation("carpd on %s (pid %d, %.0f s) grew by %d KB RSS and %d fds (limits %d KB, %d)"
                                    % (node, pid, life, rss, fds, RSS_LIMIT_KB, FD_LIMIT),
                                    "samples (age s, RSS KB, fds): %s ... %s" % (first[:3], first[-3:]))
        return max([r[3] for r in rows], default=0), max([r[4] for r in rows], default=0)


def sysctls(soak, node):
    """The sysctls carpd may change (and must restore) in node's namespace."""
    out = soak.nsx(node, ["sysctl", "-a"], check=False)
    pairs = (ln.partition(" = ") for ln in out.splitlines())
    return {k: v for k, _, v in pairs if SYSCTL_KEEP.match(k)}


def final_checks(soak, before):
    """After every daemon stopped: nothing of carpd left on any node."""
    vips = {ip for v in VHOSTS.values() for ip in v.vips}
    for n in NODES:
        left = sorted(a for a in node_addrs(soak, n) if a in vips)
        if left:
            soak.violation("after the final stop, %s still has VIPs %s" % (n, left))
    for n in CARPD_NODES:
        mv = soak.run(["ip", "-n", soak.ns(n), "-o", "link", "show", "type", "macvlan"], check=False).strip()
        if mv:
            soak.violation("after the final stop, macvlans left on %s" % n, mv)
        after = sysctls(soak, n)
        diff = sorted(k for k in before[n] if before[n][k] != after.get(k))
        extra = sorted({k.split(".")[3] for k in after if k not in before[n]})  # interfaces left behind
        if diff or extra:
            soak.violation("after the final stop, sysctls of %s differ from before carpd started" % n,
                           "\n".join(["%s: %s -> %s" % (k, before[n][k], after.get(k)) for k in diff] +
                                     ["sysctls of interfaces that did not exist before: %s" % " ".join(extra)] * bool(extra)))
        tables = soak.nsx(n, ["nft", "list", "tables"], check=False).strip()
        if tables:
            soak.violation("after the final stop, nftables tables left on %s" % n, tables)
    for n in NODES:
        if not wait_until(3, lambda: not soak_pids(soak, n), 0.1):
            soak.violation("after the final stop, processes left in %s: %s" % (n, soak_pids(soak, n)))
    soak.count_check(5)


def soak_pids(soak, node):
    return soak.run(["ip", "netns", "pids", soak.ns(node)], check=False).split()
