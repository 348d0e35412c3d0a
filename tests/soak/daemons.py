"""carpd and ucarp as the soak runs them: start, control requests, stop."""

import os
import signal
import subprocess
import time

from soaklib import HOST, UCARP_NODE, UCARP_PASS, VHOSTS, SetupError, ctl, try_kill, wait_until

UP_SCRIPT = """#!/bin/sh
# ucarp upscript: $1 interface, $2 VIP, $3 event file (--xparam)
ip addr add "$2/24" dev "$1" 2>/dev/null
echo "up $1 $2 $(date +%s%N)" >>"$3"
"""
DOWN_SCRIPT = UP_SCRIPT.replace("upscript", "downscript").replace("addr add", "addr del").replace('"up ', '"down ')


class Carpd:
    """One carpd node. Its directory (socket, runtime state, log) is the same for every
    start, so that a restart finds the configuration it had."""

    def __init__(self, soak, node):
        self.soak, self.node = soak, node
        self.dir = os.path.join(soak.tmp, node)
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "carpd.sock")
        self.log = os.path.join(self.dir, "carpd.log")
        self.proc = None
        self.expected = False  # the soak wants it running: the monitor reports a death
        self.started = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self):
        with open(self.log, "a") as f:
            f.write("==== %s soak: start\n" % self.soak.stamp())
        args = ["ip", "netns", "exec", self.soak.ns(self.node), self.soak.carpd_bin, "-d", "-s", self.sock]
        # `ip netns exec` execs carpd itself: the Popen pid is carpd's (RSS, fds, signals).
        self.proc = self.soak.popen(args, self.log, cwd=self.dir)
        self.started = time.monotonic()
        if not wait_until(15, self.answers, 0.1):
            raise SetupError("carpd on %s (pid %d) does not answer on %s (exit status %s)"
                             % (self.node, self.pid, self.sock, self.proc.poll()))
        with self.soak.lock:
            self.expected = True

    def answers(self):
        if self.proc.poll() is not None:
            return False
        try:
            self.request("stats", timeout=2)
            return True
        except ctl.CtlError:
            return False

    def request(self, command, pairs=(), timeout=5.0):
        """(lines, errno, message); raises ctl.CtlError when there is no proper reply."""
        return ctl.request(self.sock, command, list(pairs), timeout)

    def ok(self, command, pairs=()):
        lines, err, msg = self.request(command, pairs)
        if err:
            raise SetupError("ctl %s %s on %s: errno %d %s" % (command, " ".join(pairs), self.node, err, msg))
        return lines

    def stop(self, sig, timeout=10):
        """Signal carpd (the monitor is told first); its exit status, None on timeout."""
        with self.soak.lock:
            self.expected = False
        try_kill(self.pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def crash_cleanup(self):
        """`carpd -C` on the same socket (systemd's ExecStopPost): (status, output)."""
        r = subprocess.run(["ip", "netns", "exec", self.soak.ns(self.node), self.soak.carpd_bin,
                            "-C", "-s", self.sock], capture_output=True, text=True, timeout=30)
        with open(self.log, "a") as f:
            f.write("==== %s soak: carpd -C -> %d\n%s%s" % (self.soak.stamp(), r.returncode, r.stdout, r.stderr))
        return r.returncode, (r.stdout + r.stderr).strip()

    def configure(self):
        """preempt=1 and this node's vhids (setup only)."""
        self.ok("sysctl", ["name=net.inet.carp.preempt", "value=1"])
        for v in VHOSTS.values():
            if self.node in v.carpd_members:
                self.ok("set", v.set_pairs(self.node))


class Ucarp:
    """ucarp on node u for vhid 5, as lib.sh's start_ucarp (with --preempt: it is the
    preferred master, advskew 100, and must take the VIP back after every fault)."""

    def __init__(self, soak):
        self.soak = soak
        self.node = UCARP_NODE
        self.events = os.path.join(soak.tmp, "ucarp-u.events")
        self.log = os.path.join(soak.tmp, "ucarp-u.log")
        self.up = os.path.join(soak.tmp, "ucarp-up.sh")
        self.down = os.path.join(soak.tmp, "ucarp-down.sh")
        for path, text in ((self.up, UP_SCRIPT), (self.down, DOWN_SCRIPT)):
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        open(self.events, "a").close()
        self.proc = None
        self.expected = False

    def start(self):
        v = VHOSTS[5]
        args = ["ip", "netns", "exec", self.soak.ns(self.node), "stdbuf", "-oL", "-eL", "ucarp",
                "--interface=eth0", "--srcip=192.0.2.%d" % HOST[self.node], "--vhid=5",
                "--pass=" + UCARP_PASS, "--addr=" + v.vips[0], "--advskew=%d" % v.skew[self.node],
                "--advbase=%d" % v.advbase, "--upscript=" + self.up, "--downscript=" + self.down,
                "--xparam=" + self.events, "--shutdown", "--facility=none", "--preempt"]
        self.proc = self.soak.popen(args, self.log)
        time.sleep(0.2)
        if self.proc.poll() is not None:
            raise SetupError("ucarp exited at once (status %d); see %s" % (self.proc.returncode, self.log))
        self.expected = True

    def stop(self, timeout=5):
        self.expected = False
        try_kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try_kill(self.proc.pid, signal.SIGKILL)
            return None

    def last_event(self):
        """'up' or 'down': the last script ucarp ran; 'none' before any."""
        try:
            with open(self.events) as f:
                lines = f.read().split("\n")
        except OSError:
            return "none"
        lines = [ln for ln in lines if ln.strip()]
        return lines[-1].split()[0] if lines else "none"
