"""Shared pieces of the soak (tests/soak/soak.py): the virtual hosts, the run context
(log lines, violations, counters), commands, the topology and the daemons it runs.
Python 3 standard library only."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import ctl  # noqa: E402  tests/integration/ctl.py, the control-socket client

CARPD_NODES = ("a", "b", "c")
UCARP_NODE = "u"
NODES = CARPD_NODES + (UCARP_NODE,)
HOST = {"a": 1, "b": 2, "c": 3, "u": 21}  # last byte of each node's own addresses
UCARP_PASS = "s3cret"  # lib.sh's UCARP_PASS: ucarp's HMAC equals carpd's for one IPv4 VIP
# Once ucarp sees its link down it sleeps 10 s (SECONDS_TO_WAIT_AFTER_INTERFACE_IS_DOWN)
# before it looks again: after a cut of u's link its vhid may take up to ~10 s to return.
UCARP_RELINK_BOUND = 11.0


class Vhost:
    """One vhid of the group: its settings per member (advskew) and its VIPs."""

    def __init__(self, vhid, advbase, skew, addrs, key=None, ifname=None, peers=None):
        self.vhid, self.advbase, self.skew, self.addrs = vhid, advbase, skew, addrs
        self.key, self.ifname, self.peers = key, ifname, peers or {}
        # The protocol's bound (3 x advbase + advskew/256 s) rounded up, at least 4 s.
        self.bound = 4.0 if advbase <= 1 else 3.0 * advbase + 2

    @property
    def members(self):
        return sorted(self.skew)

    @property
    def carpd_members(self):
        return [n for n in self.members if n in CARPD_NODES]

    @property
    def vips(self):
        return [a.split("/")[0] for a in self.addrs]

    @property
    def macvlan(self):
        return self.ifname or "vh%d-eth0" % self.vhid

    def expected_master(self):
        # preempt=1 everywhere and every fault undone: the lowest advskew wins.
        return min(self.members, key=lambda n: self.skew[n])

    def set_pairs(self, node):
        """The control `set` keys that create this vhid on carpd node `node`."""
        p = ["ifname=" + self.ifname] if self.ifname else []
        p += ["carpdev=eth0", "vhid=%d" % self.vhid, "advbase=%d" % self.advbase,
              "advskew=%d" % self.skew[node]]
        p += ["key=" + self.key] if self.key else []
        p += ["peer=" + self.peers[node]] if node in self.peers else []
        return p + ["addr=" + a for a in self.addrs]


VHOSTS = {
    # FreeBSD dialect, dual stack.
    1: Vhost(1, 1, {"a": 0, "b": 50, "c": 100}, ["192.0.2.101/24", "2001:db8::101/64"], key="s3cret"),
    # OpenBSD dialect, sub-second advbase 0, no passphrase.
    2: Vhost(2, 0, {"a": 100, "b": 20, "c": 60}, ["192.0.2.102/24"], ifname="carp2"),
    # OpenBSD dialect, IPv6 only; a passphrase longer than the 19 bytes CARP uses.
    3: Vhost(3, 2, {"a": 60, "b": 100, "c": 0}, ["2001:db8::103/64"],
             key="passphrase-longer-than-19-bytes", ifname="carp3"),
    # FreeBSD dialect, unicast peers a <-> b.
    4: Vhost(4, 1, {"a": 10, "b": 90}, ["192.0.2.104/24"], key="s3cret",
             peers={"a": "192.0.2.2", "b": "192.0.2.1"}),
    # carpd a, b and ucarp u in one group.
    5: Vhost(5, 1, {"a": 200, "b": 220, "u": 100}, ["192.0.2.105/24"], key=UCARP_PASS),
}


class SetupError(Exception):
    pass


class Interrupted(BaseException):
    """SIGINT/SIGTERM/SIGHUP: a BaseException so no `except Exception` swallows it."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Soak:
    """The run: names, temp dir, output, violations and counters, child processes."""

    def __init__(self, seed, seconds, keep, carpd_src):
        self.seed, self.seconds, self.keep = seed, seconds, keep
        self.prefix = "sk%d" % os.getpid()
        self.tmp = tempfile.mkdtemp(prefix=self.prefix + ".", dir=os.environ.get("TMPDIR", "/tmp"))
        # Run a copy: a rebuild during the run must not change the binary under test.
        self.carpd_bin = os.path.join(self.tmp, "carpd")
        shutil.copy2(carpd_src, self.carpd_bin)
        self.t0 = time.monotonic()
        self.lock = threading.RLock()
        self.violations = []
        self.checks = 0
        self.faults = 0
        self.cut = set()  # nodes whose link was cut since the last settle check
        self.netns = []  # created, in order
        self.procs = []  # every Popen started (cleanup)
        self.carpd = {}  # node -> Carpd
        self.ucarp = None
        self.debug = open(os.path.join(self.tmp, "soak.log"), "a", buffering=1)

    # ------------------------------------------------------------ output

    def stamp(self):
        return "%s +%.1fs" % (time.strftime("%H:%M:%S"), time.monotonic() - self.t0)

    def say(self, msg):
        with self.lock:
            print("%s soak: %s" % (self.stamp(), msg), flush=True)
            self.debug.write("%s %s\n" % (self.stamp(), msg))

    def note(self, msg):
        """Details for the soak log only (tmp/soak.log)."""
        with self.lock:
            self.debug.write("%s %s\n" % (self.stamp(), msg))

    def violation(self, msg, detail=""):
        with self.lock:
            self.violations.append(msg)
            print("soak: VIOLATION: %s (%s)" % (msg, self.stamp()), flush=True)
            if detail:
                print("".join("    %s\n" % ln for ln in detail.rstrip("\n").split("\n")), end="", flush=True)
            self.debug.write("VIOLATION %s %s\n%s\n" % (self.stamp(), msg, detail))

    def count_check(self, n=1):
        with self.lock:
            self.checks += n

    def elapsed(self):
        return time.monotonic() - self.t0

    # ------------------------------------------------------------ commands

    def ns(self, node):
        return "%s-%s" % (self.prefix, node)

    @property
    def sw(self):
        return self.ns("sw")

    def run(self, args, check=True, timeout=30, input=None):
        """Run a command; return its stdout. A failure raises SetupError when `check`."""
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise SetupError("%s -> %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
        return r.stdout

    def nsx(self, node, args, **kw):
        return self.run(["ip", "netns", "exec", self.ns(node)] + args, **kw)

    def popen(self, args, log_path, **kw):
        """A child in its own session (a terminal's Ctrl-C reaches only us), logged to log_path."""
        with open(log_path, "ab") as logf:
            p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=kw.pop("stdout", logf),
                                 stderr=logf, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    # ------------------------------------------------------------ topology

    def netns_add(self, name):
        self.run(["ip", "netns", "add", self.ns(name)])
        self.netns.append(self.ns(name))
        self.run(["ip", "-n", self.ns(name), "link", "set", "lo", "up"])

    def build_topology(self):
        """Switch br0 with one port pX per node, and a spare veth qX/rX per node for
        the delay line (rX joins br0 only while the delay line replaces pX)."""
        self.netns_add("sw")
        self.nsx("sw", ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1"])
        sw = ["ip", "-n", self.sw]
        self.run(sw + ["link", "add", "br0", "type", "bridge", "stp_state", "0",
                       "forward_delay", "0", "mcast_snooping", "0"])
        self.run(sw + ["link", "set", "br0", "up"])
        for n in NODES:
            nsn = self.ns(n)
            self.netns_add(n)
            self.run(sw + ["link", "add", "p" + n, "type", "veth", "peer", "name", "eth0", "netns", nsn])
            self.run(sw + ["link", "set", "p" + n, "master", "br0", "up"])
            self.run(sw + ["link", "add", "q" + n, "type", "veth", "peer", "name", "r" + n])
            self.run(sw + ["link", "set", "q" + n, "up"])
            self.run(sw + ["link", "set", "r" + n, "up"])
            self.run(["ip", "-n", nsn, "addr", "add", "192.0.2.%d/24" % HOST[n], "dev", "eth0"])
            if n in CARPD_NODES:
                self.run(["ip", "-n", nsn, "addr", "add", "2001:db8::%d/64" % HOST[n], "dev", "eth0", "nodad"])
            self.run(["ip", "-n", nsn, "link", "set", "eth0", "up"])
        for n in NODES:
            if not wait_until(5, lambda: self.link_running(n) and self.no_tentative(n)):
                raise SetupError("eth0 of %s has no carrier or tentative addresses" % n)

    def link_running(self, node):
        return "LOWER_UP" in self.run(["ip", "-n", self.ns(node), "-o", "link", "show", "dev", "eth0"], check=False)

    def no_tentative(self, node):
        return not self.run(["ip", "-n", self.ns(node), "-6", "addr", "show", "tentative"], check=False).strip()

    def port(self, node, up):
        """The node's switch port down/up: its eth0 loses/regains its carrier."""
        self.run(["ip", "-n", self.sw, "link", "set", "p" + node, "up" if up else "down"])
        if not up:
            self.cut.add(node)  # for the settle bound (see UCARP_RELINK_BOUND)

    # ------------------------------------------------------------ cleanup

    def cleanup(self):
        """Every child and every process in our namespaces gone, then the namespaces."""
        for p in self.procs:
            if p.poll() is None:
                try_kill(p.pid, signal.SIGTERM)
        for nsn in self.netns:
            for pid in netns_pids(nsn):
                try_kill(pid, signal.SIGTERM)
        end = time.monotonic() + 3
        while time.monotonic() < end and self.leftovers():
            time.sleep(0.1)
        for pid in self.leftovers():
            print("soak: cleanup: SIGKILL to %d" % pid, flush=True)
            try_kill(pid, signal.SIGKILL)
        for p in self.procs:
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        for nsn in reversed(self.netns):  # nodes first (their veth ends go too), the switch last
            if subprocess.run(["ip", "netns", "del", nsn], capture_output=True).returncode != 0:
                print("soak: cleanup: cannot delete netns %s" % nsn, flush=True)
        self.netns = []

    def leftovers(self):
        pids = {p.pid for p in self.procs if p.poll() is None}
        for nsn in self.netns:
            pids.update(netns_pids(nsn))
        return sorted(pids)


def netns_pids(nsn):
    r = subprocess.run(["ip", "netns", "pids", nsn], capture_output=True, text=True)
    return [int(x) for x in r.stdout.split()]


def try_kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def wait_until(timeout, cond, step=0.05):
    """Poll cond() until true (True) or timeout seconds pass (False)."""
    end = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(step)


def tail(path, n=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e)
