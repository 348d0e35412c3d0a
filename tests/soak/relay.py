#!/usr/bin/env python3
"""Delay line of the soak (the kernel here has no netem): relays Ethernet frames both
ways between two interfaces, holding each DELAY_MS milliseconds and, with DUP=1,
sending each twice. Run inside the switch namespace; stops on SIGTERM.

usage: relay.py IF_A IF_B DELAY_MS DUP

Prints "ready" once both packet sockets are open, and on SIGTERM "relayed IF_A:N
IF_B:M" (frames received on each) before it exits. Frames the kernel shows us as
PACKET_OUTGOING are our own sends (or the port's): skipped, so nothing loops."""

import heapq
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 3
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_OUTGOING = 4


def open_port(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, ETH_P_ALL))
    # Promiscuous: frames for any MAC (the nodes', the virtual MACs, 01:00:5e:00:00:12, 33:33:00:00:00:12).
    mreq = struct.pack("iHH8s", socket.if_nametoindex(ifname), PACKET_MR_PROMISC, 0, b"")
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.setblocking(False)
    return s


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    a, b = open_port(argv[1]), open_port(argv[2])
    hold, copies = int(argv[3]) / 1000.0, 2 if argv[4] == "1" else 1
    other = {a.fileno(): (a, b), b.fileno(): (b, a)}
    queue, seq = [], 0  # heap of (due, seq, out socket, frame)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    counts = {argv[1]: 0, argv[2]: 0}  # frames received per interface
    poller = select.poll()
    for s in (a, b):
        poller.register(s, select.POLLIN)
    print("ready", flush=True)
    while not stop:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass  # a port down, a frame too large: lost, as on a wire
        timeout = max(0, int((queue[0][0] - now) * 1000) + 1) if queue else 200
        for fd, _ in poller.poll(timeout):
            src, dst = other[fd]
            while True:
                try:
                    frame, addr = src.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                counts[addr[0]] += 1
                due = time.monotonic() + hold
                for _ in range(copies):
                    heapq.heappush(queue, (due, seq, dst, frame))
                    seq += 1
    print("relayed %s" % " ".join("%s:%d" % kv for kv in counts.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
