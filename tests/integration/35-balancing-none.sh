#!/usr/bin/env bash
# 35-balancing-none: OpenBSD's `carpnodes 1:0,2:100 balancing none` on two nodes (a prefers
# vhid 1, b vhid 2). The leader, vhid 1, is an ordinary carp interface: carp0 with
# 00:00:5e:00:01:01 carries the address on its MASTER only; vhid 2 only advertises, from its
# own 00:00:5e:00:01:02 (the switch learns it on b's port), and moves no address. A cut of
# a's link moves the address to b within the protocol's bound, its return (preempt) brings
# it back; `ifconfig carp0` prints OpenBSD's carpnode lines; ping never sees a duplicate.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping bridge
require_carpd

VIP=192.0.2.10

topology a b c
for n in a b; do
    start_carpd "$n"
    bsd_ok "$n" sysctl net.inet.carp.preempt=1
done
bsd_ok a ifconfig carp0 carpnodes 1:0,2:100 balancing none carpdev eth0 pass s3cret "$VIP/24"
bsd_ok b ifconfig carp0 carpnodes 1:100,2:0 balancing none carpdev eth0 pass s3cret "$VIP/24"
carpnodes_split
ifconfig_shows a carp0 "	lladdr 00:00:5e:00:01:01" "	carp: carpdev eth0 advbase 1 balancing none" \
    "		state MASTER vhid 1 advskew 0" "		state BACKUP vhid 2 advskew 100" "	status: master"
ok "ifconfig carp0 shows the carpnodes and balancing none"

# where_vip NODE: the device carrying $VIP on NODE (empty when none).
where_vip() { addr_dev "$1" "$VIP"; }
assert_eq "carp0" "$(where_vip a)" "device of $VIP on a"
assert_eq "" "$(where_vip b)" "device of $VIP on b (MASTER of vhid 2 only)"
assert_eq "00:00:5e:00:01:01" "$(link_mac a carp0)" "carp0's MAC on a"
nsx b nft list tables 2>/dev/null | grep -q carpd && fail "balancing none made an nftables table on b"
# The follower's advertisements leave from its own MAC: the switch learns it on b's port.
learned() { bridge -n "$SW" fdb show 2>/dev/null | grep -i "^$1 dev $2 " >/dev/null; }
wait_until 3 learned 00:00:5e:00:01:02 pb || fail "the switch did not learn 00:00:5e:00:01:02 on pb: $(bridge -n "$SW" fdb show | grep -i 00:00:5e)"
wait_until 3 learned 00:00:5e:00:01:01 pa || fail "the switch did not learn 00:00:5e:00:01:01 on pa"
ok "the address on a's carp0 only; vhid 2 advertises from 00:00:5e:00:01:02 on b's port"

ping_once() { # FROM: three pings to $VIP, all answered, no duplicate
    local out
    out=$(nsx c ping -n -c 3 -i 0.2 -W 1 "$VIP" 2>&1)
    grep -q " 3 received" <<<"$out" || { log "ping: $out"; return 1; }
    ! grep -q "duplicates" <<<"$out" || { log "duplicates: $out"; return 1; }
}
ping_once || fail "ping $VIP from c"
assert_eq "00:00:5e:00:01:01" "$(neigh_mac c "$VIP")" "c's neighbour entry for $VIP"
ok "c reaches $VIP at 00:00:5e:00:01:01, no duplicate"

# a's link cut: b becomes MASTER of vhid 1 within 3 x advbase + 100/256 s and takes the address.
t0=$(now_ms)
link_down a
wait_state b MASTER 6 1
took=$(($(now_ms) - t0))
((took < 3700)) || fail "b took vhid 1 after ${took} ms (bound 3391 ms plus polling)"
wait_until 1 eval '[[ $(where_vip b) == carp0 ]]' || fail "$VIP is not on b's carp0 (on '$(where_vip b)')"
ping_once || fail "ping $VIP after a's cut"
ok "a's cut: b MASTER of vhid 1 after ${took} ms, $VIP on its carp0, ping answered"

link_up a
wait_state a MASTER 8 1
wait_state b BACKUP 3 1
wait_until 2 eval '[[ -z $(where_vip b) ]]' || fail "$VIP stays on b after a's return"
states_are "a=BACKUP b=MASTER" 2 || fail "vhid 2 after a's return: a $(state a 2), b $(state b 2)"
ping_once || fail "ping $VIP after a's return"
ok "a's return (preempt): vhid 1 and $VIP back on a, vhid 2 stays on b"

stop_carpd a || fail "carpd on a exited with $CARPD_RC"
link_exists a carp0 && fail "carp0 left on a after carpd stopped"
wait_state b MASTER 3 1
ok "a stopped: carp0 gone there, b MASTER of both"
