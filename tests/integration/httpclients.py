#!/usr/bin/env python3
"""Clients a metrics endpoint must survive. Standard library only.

usage: httpclients.py idle HOST PORT COUNT SECONDS
       httpclients.py send HOST PORT TEXT

idle: opens COUNT connections that send nothing and waits up to SECONDS for the server to
close them; prints "opened=N closed=N refused=N longest_s=F" (refused: closed at once,
before a tenth of a second; longest: when the last one was closed).

send: sends TEXT (with \\r and \\n escapes) on one connection and prints what comes back
until the server closes it (at most 5 s).
"""

import select
import socket
import sys
import time


def connect(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect((host, port))
    s.setblocking(False)
    return s


def idle(host, port, count, seconds):
    start = time.monotonic()
    clients = {connect(host, port): start for _ in range(count)}
    opened, closed, refused, longest = len(clients), 0, 0, 0.0
    while clients and time.monotonic() - start < seconds:
        ready, _, _ = select.select(list(clients), [], [], 0.05)
        for s in ready:
            try:
                data = s.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if data:
                continue
            after = time.monotonic() - start
            closed += 1
            refused += after < 0.1
            longest = max(longest, after)
            del clients[s]
            s.close()
    print(f"opened={opened} closed={closed} refused={refused} longest_s={longest:.2f}")


def send(host, port, text):
    s = connect(host, port)
    s.setblocking(True)
    s.settimeout(5)
    s.sendall(text.encode().decode("unicode_escape").encode("latin-1"))
    reply = b""
    try:
        while chunk := s.recv(65536):
            reply += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    sys.stdout.write(reply.decode("latin-1"))


if __name__ == "__main__":
    if sys.argv[1] == "idle":
        idle(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
