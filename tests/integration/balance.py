#!/usr/bin/env python3
"""Helpers of 30-balancing: which node takes which flow.

  balance.py serve NAME PORT           answer every TCP connection (any address) with NAME
  balance.py ask ADDRESS PORT SRC...   connect to ADDRESS:PORT from each SRC, print "SRC NAME"
                                       ("SRC -" when nobody answered within 3 s)
  balance.py predict ADDRESS LSCOUNT SRC...
                                       print "SRC INDEX": OpenBSD's fold of source and
                                       destination modulo LSCOUNT (the carpnode, by vhid order)
  balance.py askdev ADDRESS PORT DEV...
                                       as ask, from each client interface DEV (SO_BINDTODEVICE)
  balance.py arphash PASS LSCOUNT MAC...
                                       print "MAC INDEX": carp_hash of `balancing arp` (OpenBSD
                                       4.5-5.8, little-endian hosts) modulo LSCOUNT
"""
import hashlib
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


def ask(address, port, clients, bind):
    """Connect from each client (bind(socket, client) picks where from), print who answered."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    for client in clients:
        answer = "-"
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(3)
                bind(s, client)
                s.connect((address, int(port)))
                answer = s.recv(64).decode().strip() or "-"
        except OSError:
            pass
        print(client, answer, flush=True)


def from_address(s, source):
    s.bind((source, 0))


def from_device(s, device):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())


def carp_hash(passphrase, mac):
    """carp_hash as doc/balancing.md describes it (the key is the passphrase, NUL-padded to 20)."""
    key = passphrase.encode()[:19].ljust(20, b"\0")
    digest = hashlib.sha1(bytes(b ^ 0x36 for b in key.ljust(64, b"\0")) + bytes([2, 1])).digest()
    word = [int.from_bytes(digest[4 * i:4 * i + 4], "little") for i in range(4)]
    m = 0xFFFFFFFF
    a = (0x9E3779B9 + (mac[3] << 24) + (mac[2] << 16) + (mac[1] << 8) + mac[0]) & m
    b = ((word[0] ^ word[1]) + (mac[5] << 8) + mac[4]) & m
    c = ((word[2] ^ word[3]) + (key[3] << 24) + (key[2] << 16) + (key[1] << 8) + key[0]) & m
    for sa, sb, sc in ((13, 8, 13), (12, 16, 5), (3, 10, 15)):
        a = (a - b - c) & m; a ^= c >> sa
        b = (b - c - a) & m; b ^= (a << sb) & m
        c = (c - a - b) & m; c ^= b >> sc
    return c


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
        ask(args[0], args[1], args[2:], from_address)
    elif command == "predict":
        predict(args[0], args[1], args[2:])
    elif command == "askdev":
        ask(args[0], args[1], args[2:], from_device)
    elif command == "arphash":
        for text in args[2:]:
            print(text, carp_hash(args[0], bytes(int(x, 16) for x in text.split(":"))) % int(args[1]))
    else:
        sys.exit(__doc__)
