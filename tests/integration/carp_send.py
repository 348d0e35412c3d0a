#!/usr/bin/env python3
"""Send hand-made CARP advertisements (IP protocol 112) from a raw socket.

usage: carp_send.py [options]   (run inside a test namespace: needs CAP_NET_RAW)

  --family 4|6        IPv4 to 224.0.0.18 or IPv6 to ff02::12 (default 4)
  --dst ADDR          another destination (default the CARP group)
  --iface NAME        outgoing interface (default eth0)
  --vhid N            (default 1)
  --advbase N         (default 1)
  --advskew N         (default 0)
  --demote N          byte 4 of the header (default 0)
  --version N --type N  (defaults 2 and 1)
  --ttl N             TTL / hop limit (default 255)
  --counter N         64-bit replay counter (default: a random start, +1 per packet)
  --hmac HEX          40 hex digits (default: 20 random bytes, i.e. a bad HMAC)
  --bad-cksum         write a wrong checksum instead of the correct one
  --count N           number of packets (default 1)
  --interval S        seconds between packets (default 0.05)

The checksum is the BSD one: the Internet checksum over the 36 CARP bytes only,
no pseudo-header, for both families. The HMAC is never computed: this tool
forges adverts, it does not speak for a real virtual host.
Only the documentation ranges and the CARP groups are accepted as destinations.
"""

import argparse
import ipaddress
import os
import random
import socket
import struct
import sys
import time

IPPROTO_CARP = 112
ALLOWED = [ipaddress.ip_network(n) for n in
           ("192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32", "224.0.0.18/32", "ff02::12/128")]


def cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def advert(a, counter, md):
    hdr = struct.pack("!BBBBBBHQ20s", (a.version << 4) | a.type, a.vhid, a.advskew, 7,
                      a.demote, a.advbase, 0, counter, md)
    c = cksum(hdr)
    if a.bad_cksum:
        c ^= 0xDEAD
    return hdr[:6] + struct.pack("!H", c) + hdr[8:]


def main():
    p = argparse.ArgumentParser(description="send forged CARP adverts")
    p.add_argument("--family", type=int, choices=(4, 6), default=4)
    p.add_argument("--dst")
    p.add_argument("--iface", default="eth0")
    p.add_argument("--vhid", type=int, default=1)
    p.add_argument("--advbase", type=int, default=1)
    p.add_argument("--advskew", type=int, default=0)
    p.add_argument("--demote", type=int, default=0)
    p.add_argument("--version", type=int, default=2)
    p.add_argument("--type", type=int, default=1)
    p.add_argument("--ttl", type=int, default=255)
    p.add_argument("--counter", type=int)
    p.add_argument("--hmac")
    p.add_argument("--bad-cksum", action="store_true")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.05)
    a = p.parse_args()

    dst = a.dst or ("224.0.0.18" if a.family == 4 else "ff02::12")
    ip = ipaddress.ip_address(dst)
    if ip.version != a.family or not any(ip in n for n in ALLOWED):
        sys.exit("carp_send.py: refusing destination %s" % dst)
    ifindex = socket.if_nametoindex(a.iface)
    counter = a.counter if a.counter is not None else random.getrandbits(63)

    if a.family == 4:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_CARP)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xE0)
        # struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; }
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                     struct.pack("4s4si", b"\0" * 4, b"\0" * 4, ifindex))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
        addr = (dst, 0)
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_CARP)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, a.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, a.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0xE0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
        addr = (dst, 0, 0, ifindex if ip.is_link_local or ip.is_multicast else 0)

    for i in range(a.count):
        md = bytes.fromhex(a.hmac) if a.hmac else os.urandom(20)
        if len(md) != 20:
            sys.exit("carp_send.py: --hmac needs 40 hex digits")
        s.sendto(advert(a, (counter + i) & (2**64 - 1), md), addr)
        if i + 1 < a.count:
            time.sleep(a.interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
