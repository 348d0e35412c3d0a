#!/usr/bin/env bash
# 07-unicast: OpenBSD carppeer / FreeBSD peer, peer6. a and b advertise vhid 3
# to each other by unicast (IPv4 and IPv6); nothing goes to 224.0.0.18 or ff02::12;
# cutting a's link still makes b MASTER, and c reaches the VIP on b.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping tcpdump
require_carpd

V4=192.0.2.53 V6=2001:db8::53
topology a b c
start_carpd a
start_carpd b
ctl_ok a set carpdev=eth0 vhid=3 advskew=0 key=s3cret peer=192.0.2.2 peer6=2001:db8::2 addr=$V4/24 addr=$V6/64
ctl_ok b set carpdev=eth0 vhid=3 advskew=100 key=s3cret peer=192.0.2.1 peer6=2001:db8::1 addr=$V4/24 addr=$V6/64
assert_eq 192.0.2.2 "$(field a peer get carpdev=eth0 vhid=3)" "peer reported by a"
assert_eq 2001:db8::2 "$(field a peer6 get carpdev=eth0 vhid=3)" "peer6 reported by a"

wait_state a MASTER 8 3
hold_states 2 "a=MASTER b=BACKUP" 3

# What b receives from a: unicast only, for both families.
nsx b timeout 3 tcpdump -n -l -i eth0 'ip proto 112 or ip6 proto 112' >"$T/b.tcpdump" 2>/dev/null
grep -q '192.0.2.1 > 192.0.2.2' "$T/b.tcpdump" || fail "no unicast IPv4 advertisement from a to b: $(head -3 "$T/b.tcpdump")"
grep -q '2001:db8::1 > 2001:db8::2' "$T/b.tcpdump" || fail "no unicast IPv6 advertisement from a to b: $(head -3 "$T/b.tcpdump")"
if grep -E -q '> (224\.0\.0\.18|ff02::12)' "$T/b.tcpdump"; then fail "multicast advertisements with unicast peers: $(grep -E '224.0.0.18|ff02::12' "$T/b.tcpdump" | head -2)"; fi
ok "a advertises vhid 3 to b by unicast, IPv4 and IPv6"
assert_eq 0 "$(carpstat b badauth)" "badauth on b"
assert_eq 0 "$(carpstat b badttl)" "badttl on b"

link_down a
wait_state b MASTER 6 3
assert_vip_master b 3 $V4 $V6
wait_until 3 ping4 c $V4 || fail "c cannot ping $V4 on b"
ok "b took vhid 3 over with unicast peers"
