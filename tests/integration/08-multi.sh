#!/usr/bin/env bash
# 08-multi: several vhids per carpdev, several addresses per vhid, several carpdevs.
# eth0: vhid 1 (a preferred, three VIPs) and vhid 2 (b preferred); eth1: vhid 4
# (a preferred). Cutting a's eth1 moves vhid 4 to b, and, because the carpdev
# demotion is advertised (advskew 240 and the demote byte), vhid 1 follows as a group.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping
require_carpd

topology a b c
# A second segment: bridge br1 in the switch namespace, eth1 on a and b.
ip -n "$SW" link add br1 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || fail "br1"
ip -n "$SW" link set br1 up || fail "br1 up"
for n in a b; do
    ip -n "$SW" link add "q$n" type veth peer name eth1 netns "$(ns "$n")" || fail "eth1 on $n"
    ip -n "$SW" link set "q$n" master br1 up || fail "q$n into br1"
    ip -n "$(ns "$n")" addr add "198.51.100.$(node_index "$n")/24" dev eth1 || fail "198.51.100.x on $n"
    ip -n "$(ns "$n")" link set eth1 up || fail "eth1 up on $n"
done
wait_until 5 link_running a eth1 || fail "eth1 of a has no carrier"

start_carpd a
start_carpd b
for n in a b; do
    skew1=0 skew2=100
    [[ $n == b ]] && skew1=100 skew2=0
    ctl_ok $n set carpdev=eth0 vhid=1 advskew=$skew1 key=one addr=192.0.2.50/24 addr=192.0.2.51/24 addr=2001:db8::50/64
    ctl_ok $n set carpdev=eth0 vhid=2 advskew=$skew2 key=two addr=192.0.2.52/24
    ctl_ok $n set carpdev=eth1 vhid=4 advskew=$skew1 key=four addr=198.51.100.50/24
done
wait_state a MASTER 8 1
wait_state b MASTER 8 2
wait_until 8 eval '[[ "$(field a state get carpdev=eth1 vhid=4)" == MASTER ]]' || fail "a is not MASTER of vhid 4 on eth1"
hold_states 2 "a=MASTER b=BACKUP" 1
hold_states 1 "a=BACKUP b=MASTER" 2
assert_vip_master a 1 192.0.2.50 192.0.2.51 2001:db8::50
assert_vip_master b 2 192.0.2.52
for v in 192.0.2.50 192.0.2.51 192.0.2.52; do wait_until 3 ping4 c $v || fail "c cannot ping $v"; done
wait_until 3 ping6 c 2001:db8::50 || fail "c cannot ping 2001:db8::50"
ok "two vhids on eth0 with different masters, three addresses on vhid 1, all reachable"

ip -n "$SW" link set qa down || fail "cut a's eth1"
wait_until 6 eval '[[ "$(field b state get carpdev=eth1 vhid=4)" == MASTER ]]' || fail "b did not take vhid 4 over"
assert_eq 240 "$(field a value sysctl name=net.inet.carp.demotion)" "demotion on a with eth1 down"
wait_state b MASTER 3 1
assert_vip_master b 1 192.0.2.50 192.0.2.51 2001:db8::50
assert_eq BACKUP "$(state a 1)" "vhid 1 on a after the group failover"
assert_eq MASTER "$(state b 2)" "vhid 2 on b"
wait_until 3 ping4 c 192.0.2.51 || fail "c cannot ping 192.0.2.51 on b"
ok "eth1 down on a: vhid 4 and, demoted as a group, vhid 1 moved to b"
