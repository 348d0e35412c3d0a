#!/usr/bin/env python3
"""Poll a carpd vhid's state as fast as possible; optionally send a signal first.

usage: pollstate.py SOCKET STATE TIMEOUT_SECONDS [--kill PID] [--signal NAME] [key=value ...]

The key=value arguments select the vhid for "get=1" (e.g. carpdev=eth0 vhid=1).
With --kill, the start time is taken (time.time_ns(), the clock of
`date +%s%N`) immediately before os.kill(PID, signal) (default SIGTERM);
without it the start time is the first poll.

Prints one line:
  start_ns=N seen_ns=N elapsed_ms=F polls=N state=STATE
and exits 0 when STATE was seen, 1 on timeout (seen_ns=0, state=last seen),
or the ctl.py error status when the socket fails for the whole period.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctl  # noqa: E402


def main(argv):
    args = argv[1:]
    if len(args) < 3:
        sys.stderr.write(__doc__)
        return 2
    sock, want, timeout = args[0], args[1].upper(), float(args[2])
    kill_pid = None
    signame = "SIGTERM"
    sel = []
    i = 3
    while i < len(args):
        if args[i] == "--kill":
            kill_pid = int(args[i + 1])
            i += 2
        elif args[i] == "--signal":
            signame = args[i + 1]
            if not signame.startswith("SIG"):
                signame = "SIG" + signame
            i += 2
        else:
            sel.append(args[i])
            i += 1
    sig = getattr(signal, signame)
    data = ctl.build("get", sel)

    start = time.time_ns()
    if kill_pid is not None:
        os.kill(kill_pid, sig)
    deadline = start + int(timeout * 1e9)
    polls = 0
    last = "NONE"
    last_err = None
    while True:
        polls += 1
        try:
            lines, err, _ = ctl.parse(ctl.exchange(sock, data, 2.0))
            if err == 0:
                st = ctl.field(lines, "state")
                last = (st or "NONE").upper()
                last_err = None
            else:
                last_err = None
                last = "ERRNO%d" % err
        except ctl.CtlError as e:
            last_err = e
        now = time.time_ns()
        if last == want and last_err is None:
            print("start_ns=%d seen_ns=%d elapsed_ms=%.1f polls=%d state=%s"
                  % (start, now, (now - start) / 1e6, polls, last))
            return 0
        if now >= deadline:
            print("start_ns=%d seen_ns=0 elapsed_ms=%.1f polls=%d state=%s"
                  % (start, (now - start) / 1e6, polls, last))
            if last_err is not None and last == "NONE":
                sys.stderr.write("pollstate.py: %s\n" % last_err)
                return last_err.code
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
