#!/usr/bin/env bash
# 10-freebsd-example: the EXAMPLES of FreeBSD's carp(4), typed as written on two hosts
# whose interfaces are em0 and em1 (addresses moved into the documentation ranges):
# with net.inet.carp.preempt=1 on both, host A is MASTER of both vhids; when A's em0
# fails, the demotion makes B preempt A on both interfaces, not just the failed one.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a b
for n in a b; do rename_eth "$n" em0; done
# em1 on a second bridge, each host with its own address there.
ip -n "$SW" link add br1 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || fail "br1"
ip -n "$SW" link set br1 up || fail "br1 up"
for n in a b; do
    ip -n "$SW" link add "q$n" type veth peer name em1 netns "$(ns "$n")" || fail "em1 on $n"
    ip -n "$SW" link set "q$n" master br1 up || fail "q$n"
    ip -n "$(ns "$n")" addr add "198.51.100.1$(node_index "$n")/24" dev em1 || fail "em1 address on $n"
    ip -n "$(ns "$n")" link set em1 up || fail "em1 up on $n"
done
wait_until 5 link_running a em1 || fail "em1 of a has no carrier"
start_carpd a
start_carpd b

# Enable preemption on both hosts.
bsd_ok a sysctl net.inet.carp.preempt=1
bsd_ok b sysctl net.inet.carp.preempt=1
# Host A, the preferred master.
bsd_ok a ifconfig em0 vhid 1 pass mekmitasdigoat 192.0.2.100/24
bsd_ok a ifconfig em1 vhid 2 pass mekmitasdigoat 198.51.100.100/24
# Host B: identical, with a higher advskew.
bsd_ok b ifconfig em0 vhid 1 advskew 100 pass mekmitasdigoat 192.0.2.100/24
bsd_ok b ifconfig em1 vhid 2 advskew 100 pass mekmitasdigoat 198.51.100.100/24

carp_line() { bsd "$1" ifconfig "$2" | grep -E "^\s+carp: [A-Z]+ vhid $3 " | awk '{print $2}'; }
wait_until 8 eval '[[ "$(carp_line a em0 1)" == MASTER && "$(carp_line a em1 2)" == MASTER ]]' ||
    fail "A is not MASTER of both vhids: $(bsd a ifconfig em0 | grep carp:) / $(bsd a ifconfig em1 | grep carp:)"
assert_eq BACKUP "$(carp_line b em0 1)" "vhid 1 on B"
assert_eq BACKUP "$(carp_line b em1 2)" "vhid 2 on B"
grep -q "inet 192.0.2.100 netmask 0xffffff00 broadcast 192.0.2.255 vhid 1" <<<"$(bsd a ifconfig em0)" ||
    fail "em0 on A does not show its vhid address: $(bsd a ifconfig em0)"
ok "A is MASTER of vhid 1 (em0) and vhid 2 (em1), B is BACKUP of both"

link_down a   # A's em0 fails
wait_until 6 eval '[[ "$(carp_line b em1 2)" == MASTER ]]' || fail "B did not preempt A on em1: $(bsd b ifconfig em1 | grep carp:)"
wait_until 6 eval '[[ "$(carp_line b em0 1)" == MASTER ]]' || fail "B did not take over em0"
assert_eq BACKUP "$(carp_line a em1 2)" "vhid 2 on A once demoted"
assert_eq 240 "$(bsd a sysctl -n net.inet.carp.demotion)" "demotion on A"
ok "A's em0 failed: B preempted A on both interfaces"
