#!/usr/bin/env bash
# 24-routed-peers: unicast peers with a router between them. Every advertisement
# reaches the other node with TTL / hop limit 254; FreeBSD checks the TTL in
# multicast mode only, so the nodes must still agree: vhid 3 (IPv4, peer) and
# vhid 4 (IPv6, peer6) have one MASTER, nothing is dropped for its TTL, b takes
# over when a's link is cut and gives back when it returns (preempt=1).
#
#   a eth0 192.0.2.1/24 2001:db8:1::1/64 -- ra  r  rb -- eth0 198.51.100.2/24 2001:db8:2::2/64 b
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip tcpdump
require_carpd

for n in a b r; do netns_add "$n"; done
ip link add ra netns "$(ns r)" type veth peer name eth0 netns "$(ns a)" || fail "veth r-a"
ip link add rb netns "$(ns r)" type veth peer name eth0 netns "$(ns b)" || fail "veth r-b"
NODES=(a b r)
# keep_addr_on_down: r's side of a's link goes down to cut it, and must keep its IPv6 address.
nsx r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.keep_addr_on_down=1 \
    net.ipv6.conf.ra.keep_addr_on_down=1 || fail "forwarding on r"
addrs() { # NODE DEV V4 V6
    ip -n "$(ns "$1")" addr add "$3" dev "$2" || fail "$3 on $1"
    ip -n "$(ns "$1")" addr add "$4" dev "$2" nodad || fail "$4 on $1"
    ip -n "$(ns "$1")" link set "$2" up || fail "$2 up on $1"
}
addrs r ra 192.0.2.254/24 2001:db8:1::ff/64
addrs r rb 198.51.100.254/24 2001:db8:2::ff/64
addrs a eth0 192.0.2.1/24 2001:db8:1::1/64
addrs b eth0 198.51.100.2/24 2001:db8:2::2/64
ip -n "$(ns a)" route add 198.51.100.0/24 via 192.0.2.254 || fail "route on a"
ip -n "$(ns a)" -6 route add 2001:db8:2::/64 via 2001:db8:1::ff || fail "route6 on a"
ip -n "$(ns b)" route add 192.0.2.0/24 via 198.51.100.254 || fail "route on b"
ip -n "$(ns b)" -6 route add 2001:db8:1::/64 via 2001:db8:2::ff || fail "route6 on b"
for n in a b r; do wait_until 5 no_tentative "$n" || fail "addresses of $n still tentative"; done
wait_until 5 eval "nsx a ping -c1 -W1 198.51.100.2 >/dev/null && nsx a ping -6 -c1 -W1 2001:db8:2::2 >/dev/null" ||
    fail "a cannot reach b through r"

start_carpd a
start_carpd b
for n in a b; do ctl_ok "$n" sysctl name=net.inet.carp.preempt value=1; done
ctl_ok a set carpdev=eth0 vhid=3 advskew=0 key=s3cret peer=198.51.100.2 addr=203.0.113.10/32
ctl_ok b set carpdev=eth0 vhid=3 advskew=100 key=s3cret peer=192.0.2.1 addr=203.0.113.10/32
ctl_ok a set carpdev=eth0 vhid=4 advskew=0 key=s3cret peer6=2001:db8:2::2 addr=2001:db8:ff::10/128
ctl_ok b set carpdev=eth0 vhid=4 advskew=100 key=s3cret peer6=2001:db8:1::1 addr=2001:db8:ff::10/128

for v in 3 4; do wait_state a MASTER 8 "$v"; done
for v in 3 4; do hold_states 2 "a=MASTER b=BACKUP" "$v"; done

# The hop is real: what b receives was forwarded once.
nsx b timeout 3 tcpdump -v -n -l -i eth0 'ip proto 112 or ip6 proto 112' >"$T/b.tcpdump" 2>/dev/null
grep -q 'ttl 254' "$T/b.tcpdump" || fail "no IPv4 advertisement with TTL 254 at b: $(head -2 "$T/b.tcpdump")"
grep -q 'hlim 254' "$T/b.tcpdump" || fail "no IPv6 advertisement with hop limit 254 at b: $(head -4 "$T/b.tcpdump")"
assert_eq 0 "$(carpstat b badttl)" "badttl on b"
assert_eq 0 "$(carpstat a badttl)" "badttl on a"
ok "advertisements across a router (TTL 254) are accepted in unicast mode, IPv4 and IPv6"

ip -n "$(ns r)" link set ra down || fail "cut r-a"
log "link of a cut at the router"
for v in 3 4; do wait_state b MASTER 6 "$v"; done
ip -n "$(ns r)" link set ra up || fail "restore r-a"
log "link of a restored"
for v in 3 4; do wait_state b BACKUP 8 "$v"; done
for v in 3 4; do hold_states 2 "a=MASTER b=BACKUP" "$v"; done
ok "b took over across the router and gave back when a returned"
