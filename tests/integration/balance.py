#!/usr/bin/env python3
"""Helpers of 30-balancing: which node takes which flow.

  balance.py serve NAME PORT           answer every TCP connection (any address) with NAME
  balance.py ask ADDRESS PORT SRC...   connect to ADDRESS:PORT from each SRC, print "SRC NAME"
                                       ("SRC -" when nobody answered within 3 s)
  balance.py predict ADDRESS LSCOUNT SRC...
                                       print "SRC INDEX": OpenBSD's fold of source and
                                       destination modulo LSCOUNT (the carpnode, by vhid order)
"""
import ipaddress
import socket
import socketserver
import sys


class Name(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(self.server.name.encode() + b"\n")


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve(name, port):
    family = socket.AF_INET6
    Server.address_family = family
    with Server(("::", int(port)), Name) as server:  # dual stack: IPv4 too
        server.name = name
        server.serve_forever()


def ask(address, port, sources):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    for source in sources:
        answer = "-"
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(3)
                s.bind((source, 0))
                s.connect((address, int(port)))
                answer = s.recv(64).decode().strip() or "-"
        except OSError:
            pass
        print(source, answer, flush=True)


def fold(source, destination):
    s, d = ipaddress.ip_address(source).packed, ipaddress.ip_address(destination).packed
    value = 0
    for word in range(0, len(s), 4):
        value ^= int.from_bytes(bytes(a ^ b for a, b in zip(s[word:word + 4], d[word:word + 4])), "big")
    return value


def predict(address, lscount, sources):
    for source in sources:
        print(source, fold(source, address) % int(lscount))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "serve":
        serve(*args)
    elif command == "ask":
        ask(args[0], args[1], args[2:])
    elif command == "predict":
        predict(args[0], args[1], args[2:])
    else:
        sys.exit(__doc__)
