#!/usr/bin/env python3
"""Chaos soak of carpd (tests/soak/README.md).

usage: soak.py [--seconds N] [--seed S] [--keep]

Three carpd nodes and a ucarp node on one bridge, five vhids; random faults one
after another for N seconds (link flaps, loss, delay, duplication, kill -9 and
SIGTERM restarts, reconfiguration mid-failover, demotion, control-socket abuse,
ucarp restarts), each undone and followed by a convergence check, with carpd's
liveness, RSS and descriptors watched throughout and a clean final stop checked.
Exit status 0 only when there was no violation."""

import argparse
import os
import random
import signal
import shutil
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from soaklib import CARPD_NODES, REPO, Interrupted, SetupError, Soak, ctl, tail  # noqa: E402
from daemons import Carpd, Ucarp  # noqa: E402
from checks import Monitor, final_checks, settle, sysctls  # noqa: E402
import faults  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "600")),
                   help="length of the fault phase (default $SOAK_SECONDS or 600)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default $SOAK_SEED or random)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, runtime state)")
    a = p.parse_args()
    if a.seed is None:
        env = os.environ.get("SOAK_SEED", "")
        a.seed = int(env) if env else random.SystemRandom().randrange(1, 2 ** 31)
    return a


def carpd_path():
    """$CARPD (relative: to the current directory, else the repo), else the debug build."""
    path = os.environ.get("CARPD", os.path.join(REPO, ".build", "debug", "carpd"))
    if not os.path.isabs(path) and not os.path.exists(path):
        path = os.path.join(REPO, path)
    return os.path.abspath(path)


def setup(soak, monitor):
    """Topology, three carpd and ucarp configured, converged; the sysctls before carpd."""
    soak.build_topology()
    before = {n: sysctls(soak, n) for n in CARPD_NODES}
    for n in CARPD_NODES:
        soak.carpd[n] = Carpd(soak, n)
        soak.carpd[n].start()
    for n in CARPD_NODES:
        soak.carpd[n].configure()
    soak.ucarp = Ucarp(soak)
    soak.ucarp.start()
    monitor.start()
    if settle(soak, "setup") is None:
        raise SetupError("the group did not converge after setup")
    # ucarp and carpd must accept each other's HMAC (as tests/integration/05-ucarp.sh checks).
    with open(soak.ucarp.log, errors="replace") as f:
        if "bad digest" in f.read().lower():
            raise SetupError("ucarp rejects carpd's advertisements (Bad digest in %s)" % soak.ucarp.log)
    for n in ("a", "b"):
        bad = ctl.field(soak.carpd[n].ok("stats"), "badauth")
        if bad != "0":
            raise SetupError("carpd on %s: badauth=%s after setup (ucarp's HMAC refused?)" % (n, bad))
    soak.say("setup done: nodes a b c (carpd) u (ucarp), vhids 1-5 converged")
    return before


def revive(soak, monitor):
    """Restart what died on its own (already reported), so the soak goes on."""
    while monitor.dead:
        c = soak.carpd[monitor.dead.pop()]
        c.crash_cleanup()
        c.start()
        soak.say("carpd on %s started again after its death (pid %d)" % (c.node, c.pid))
    if soak.ucarp.expected and soak.ucarp.proc.poll() is not None:
        soak.say("warning: ucarp died on its own (status %s); started again" % soak.ucarp.proc.returncode)
        soak.ucarp.start()


def fault_loop(soak, rng, monitor):
    end = time.monotonic() + soak.seconds
    funcs, weights = zip(*faults.FAULTS)
    while time.monotonic() < end:
        revive(soak, monitor)
        fault = rng.choices(funcs, weights)[0]
        soak.faults += 1
        stamp = soak.stamp()
        desc = fault(soak, rng)
        soak.note("fault %d: %s" % (soak.faults, desc))
        took = settle(soak, "fault %d (%s)" % (soak.faults, fault.__name__))
        result = "NOT settled" if took is None else "settled in %.1f s" % took
        with soak.lock:
            print("%s soak: fault %d: %s; %s" % (stamp, soak.faults, desc, result), flush=True)


def final_stop(soak, monitor, before):
    """SIGTERM every carpd (exit 0 within 10 s), stop ucarp, then nothing may be left."""
    revive(soak, monitor)  # a carpd that died on its own is reported already: judge a running one
    monitor.halt.set()
    monitor.join()
    growth = monitor.judge()
    seen = len(soak.violations)
    for n in CARPD_NODES:
        c = soak.carpd[n]
        rc = c.stop(signal.SIGTERM, 10)
        if rc is None:
            soak.violation("final stop: carpd on %s did not exit within 10 s of SIGTERM" % n, tail(c.log))
            c.stop(signal.SIGKILL, 5)
        elif rc != 0:
            soak.violation("final stop: carpd on %s exited with status %d" % (n, rc), tail(c.log))
    soak.ucarp.stop()
    final_checks(soak, before)
    if len(soak.violations) == seen:
        soak.say("final stop: every carpd exited 0; no VIP, macvlan, nftables table or process left; sysctls as before")
    return growth


def main():
    args = parse_args()
    if os.geteuid() != 0:
        print("soak: must run as root (network namespaces)", file=sys.stderr)
        return 1
    src = carpd_path()
    if not os.access(src, os.X_OK):
        print("soak: no carpd binary at %s (set CARPD)" % src, file=sys.stderr)
        return 1
    print("soak: seed=%d seconds=%g" % (args.seed, args.seconds), flush=True)

    def on_signal(signum, _frame):
        raise Interrupted(signum)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    rng = random.Random(args.seed)
    soak = Soak(args.seed, args.seconds, args.keep, src)
    monitor = Monitor(soak)
    growth, status = (0, 0), 0
    try:
        soak.say("carpd %s (copied to %s), temp dir %s, prefix %s" % (src, soak.carpd_bin, soak.tmp, soak.prefix))
        before = setup(soak, monitor)
        fault_loop(soak, rng, monitor)
        growth = final_stop(soak, monitor, before)
    except (SetupError, ctl.CtlError) as e:
        soak.violation("aborted: %s" % e)
    except Interrupted as e:
        print("soak: interrupted by %s" % e, flush=True)
        status = 128 + e.signum
    except Exception:  # a bug of the soak itself: still clean up and fail
        soak.violation("aborted: internal error of the soak", traceback.format_exc())
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # the cleanup must run to its end
        monitor.halt.set()
        soak.cleanup()
    failed = bool(soak.violations) or status != 0
    if args.keep or failed:
        print("soak: temp dir kept: %s" % soak.tmp, flush=True)
    else:
        shutil.rmtree(soak.tmp, ignore_errors=True)
    print("soak: faults=%d violations=%d seed=%d seconds=%g checks=%d rss_growth_kb=%d fd_growth=%d"
          % (soak.faults, len(soak.violations), args.seed, args.seconds, soak.checks, growth[0], growth[1]), flush=True)
    return status or (1 if soak.violations else 0)


if __name__ == "__main__":
    sys.exit(main())
