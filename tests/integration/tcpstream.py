#!/usr/bin/env python3
"""A TCP stream that shows whether a firewall pair keeps its connections. Standard library only.

usage: tcpstream.py serve PORT
       tcpstream.py send HOST PORT STOPFILE [INTERVAL_MS]

serve: accepts connections on PORT and echoes every line back.

send: connects to HOST:PORT and sends a numbered line ("<n>\\n") every INTERVAL_MS (default
20) until STOPFILE exists (then 3 s more for the last echoes), reading the echoes meanwhile.
Then prints one line and exits 0:
  sent=N echoed=N missing=N duplicates=N reordered=N longest_gap_ms=F error=NAME|none
where missing counts the lines sent but never echoed, and longest_gap_ms is the longest time
between two echoes in a row. A reset or a closed connection ends the run early with
error=ConnectionResetError (or the exception's name).
"""

import os
import select
import socket
import sys
import time


def serve(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(8)
    clients = []
    while True:
        ready, _, _ = select.select([listener] + clients, [], [])
        for sock in ready:
            if sock is listener:
                conn, _ = listener.accept()
                clients.append(conn)
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                clients.remove(sock)
                sock.close()
                continue
            sock.sendall(data)


def send(host, port, stopfile, interval_ms):
    sock = socket.create_connection((host, port), timeout=5)
    sock.setblocking(False)
    sent = 0
    echoed = set()
    duplicates = reordered = 0
    last_seen = -1
    buffer = b""
    error = "none"
    last_echo = time.monotonic()
    longest_gap = 0.0
    next_send = time.monotonic()
    stop_at = None
    while True:
        now = time.monotonic()
        if stop_at is None and os.path.exists(stopfile):
            stop_at = now + 3.0
        if stop_at is not None and (now >= stop_at or len(echoed) == sent):
            break
        if stop_at is None and now >= next_send:
            try:
                sock.sendall(b"%d\n" % sent)
            except BlockingIOError:
                pass  # the kernel's buffer is full: the network holds it
            except OSError as e:
                error = type(e).__name__
                break
            sent += 1
            next_send += interval_ms / 1000.0
        timeout = max(0.0, min(next_send - time.monotonic(), 0.05))
        ready, _, _ = select.select([sock], [], [], timeout)
        if not ready:
            continue
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            continue
        except OSError as e:
            error = type(e).__name__
            break
        if not data:
            error = "ConnectionClosed"
            break
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            n = int(line)
            now = time.monotonic()
            longest_gap = max(longest_gap, now - last_echo)
            last_echo = now
            if n in echoed:
                duplicates += 1
            if n < last_seen:
                reordered += 1
            last_seen = max(last_seen, n)
            echoed.add(n)
    sock.close()
    print("sent=%d echoed=%d missing=%d duplicates=%d reordered=%d longest_gap_ms=%.0f error=%s"
          % (sent, len(echoed), sent - len(echoed), duplicates, reordered, longest_gap * 1000, error))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]) if len(sys.argv) == 6 else 20)
    else:
        sys.exit(__doc__)
