#!/usr/bin/env bash
# 30-balancing: OpenBSD's `carpnodes 1:0,2:100 balancing ip` on two nodes (a prefers vhid 1,
# b vhid 2). Eight IPv4 and four IPv6 client sources: every TCP connection lands on the
# node OpenBSD's fold predicts; the client's neighbour entries for the addresses are
# 01:00:5e:00:01:01; ping gets no duplicate; `ifconfig carp0` shows every carpnode as
# OpenBSD prints them; a node's link cut moves all its sources to the other within the
# protocol's bound and its return (preempt) restores the split; a node in INIT
# (net.inet.carp.allow=0) takes no flow; `balancing ip-stealth` keeps the split with a
# unicast MAC the switch never learns; after kill -9, carpd -C removes the table and the
# addresses and a restart brings the carpnodes back; a stopped carpd leaves no table, no
# address and no multicast membership behind, and the carpdev's sysctls as they were.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip python3 nft ping bridge
require_carpd

VIP=192.0.2.10 VIP6=2001:db8::10
SOURCES4=(192.0.2.100 192.0.2.101 192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 192.0.2.107)
SOURCES6=(2001:db8::100 2001:db8::101 2001:db8::102 2001:db8::103)

topology a b c
for s in "${SOURCES4[@]}"; do ip -n "$(ns c)" addr add "$s/24" dev eth0 || fail "source $s"; done
for s in "${SOURCES6[@]}"; do ip -n "$(ns c)" addr add "$s/64" dev eth0 nodad || fail "source $s"; done
# The sysctls carpd tunes on a carpdev (arp_ignore, arp_filter, arp_announce): back at its exit.
tuned() { nsx a sysctl -n net.ipv4.conf.eth0.arp_ignore net.ipv4.conf.eth0.arp_filter net.ipv4.conf.eth0.arp_announce | tr '\n' ' '; }
SYSCTLS_BEFORE=$(tuned)
balanced_nodes a b
for n in a b; do bsd_ok "$n" sysctl net.inet.carp.preempt=1; done
bsd_ok a ifconfig carp0 carpnodes 1:0,2:100 balancing ip carpdev eth0 pass s3cret "$VIP/24"
bsd_ok a ifconfig carp0 inet6 "$VIP6/64" alias
bsd_ok b ifconfig carp0 carpnodes 1:100,2:0 carpdev eth0 pass s3cret "$VIP/24"
bsd_ok b ifconfig carp0 inet6 "$VIP6/64" alias
carpnodes_split
[[ $(tuned) != "$SYSCTLS_BEFORE" ]] || fail "carpd did not tune a's eth0 (arp_ignore, arp_filter, arp_announce: $(tuned))"
ifconfig_shows a carp0 "	lladdr 01:00:5e:00:01:01" "	carp: carpdev eth0 advbase 1 balancing ip" \
    "		state MASTER vhid 1 advskew 0" "		state BACKUP vhid 2 advskew 100" "	status: master"
ok "ifconfig carp0 shows the carpnodes, the mode and the group MAC"

wait_until 5 fold_check a b || fail "the flows do not land where OpenBSD's hash puts them (index 0: a, 1: b)"
ok "8 IPv4 and 4 IPv6 sources: each TCP connection on the node the fold predicts"

assert_eq "01:00:5e:00:01:01" "$(neigh_mac c "$VIP")" "c's neighbour entry for $VIP"
assert_eq "01:00:5e:00:01:01" "$(neigh_mac c "$VIP6")" "c's neighbour entry for $VIP6"
out=$(nsx c ping -n -c 3 -i 0.2 -I 192.0.2.100 "$VIP" 2>&1)
grep -q " 3 received" <<<"$out" || fail "ping: $out"
grep -q "duplicates" <<<"$out" && fail "duplicate replies: $out"
out=$(nsx c ping -6 -n -c 3 -i 0.2 -I 2001:db8::101 "$VIP6" 2>&1)
grep -q " 3 received" <<<"$out" || fail "ping6: $out"
grep -q "duplicates" <<<"$out" && fail "duplicate replies (IPv6): $out"
ip -n "$(ns a)" maddr show dev eth0 | grep -q 01:00:5e:00:01:01 || fail "a's eth0 does not receive 01:00:5e:00:01:01"
ok "neighbour entries 01:00:5e:00:01:01; pings answered once; a's eth0 joined the group MAC"

# b's link cut: a becomes MASTER of vhid 2 within 3 x advbase + 100/256 s, and takes every flow.
t0=$(now_ms)
link_down b
wait_state a MASTER 6 2
took=$(($(now_ms) - t0))
((took < 3700)) || fail "a took vhid 2 after ${took} ms (bound 3391 ms plus polling)"
wait_until 3 fold_check a a || fail "after b's cut, not every flow reaches a"
ok "b's link cut: a MASTER of both after ${took} ms, every source on a"

link_up b
wait_state b MASTER 8 2
wait_state a BACKUP 2 2
wait_until 5 fold_check a b || fail "after b's return the split is not restored"
ok "b's return (preempt) restores the split"

# INIT takes nothing: with CARP off on b (pfSense's "temporarily disable CARP") its carpnodes
# bow out, a takes every flow and b's table drops the group's frames.
bsd_ok b sysctl net.inet.carp.allow=0
wait_state a MASTER 3 2
wait_state b INIT 2 2
wait_until 3 fold_check a a || fail "with b in INIT, not every flow reaches a alone"
bsd_ok b sysctl net.inet.carp.allow=1
wait_state b MASTER 8 2
wait_until 5 fold_check a b || fail "after CARP is back on b the split is not restored"
ok "b in INIT takes no flow; CARP back on restores the split"

# ip-stealth: the unicast 00:00:5e:00:01:01, never a source, so the switch keeps flooding it.
bsd_ok a ifconfig carp0 balancing ip-stealth
bsd_ok b ifconfig carp0 balancing ip-stealth
wait_state a MASTER 6 1
wait_state b MASTER 6 2
ip -n "$(ns c)" neigh flush dev eth0
wait_until 5 fold_check a b || fail "ip-stealth: the flows do not land where OpenBSD's hash puts them"
assert_eq "00:00:5e:00:01:01" "$(neigh_mac c "$VIP")" "c's neighbour entry for $VIP (ip-stealth)"
assert_eq "00:00:5e:00:01:01" "$(neigh_mac c "$VIP6")" "c's neighbour entry for $VIP6 (ip-stealth)"
grep -qxF "	lladdr 00:00:5e:00:01:01" <<<"$(bsd a ifconfig carp0)" || fail "ifconfig carp0: $(bsd a ifconfig carp0)"
[[ -z "$(bridge -n "$SW" fdb show | grep -i 00:00:5e:00:01:01)" ]] || fail "the switch learned the stealth MAC: $(bridge -n "$SW" fdb show | grep -i 00:00:5e)"
[[ -z "$(ip -n "$(ns a)" maddr show dev eth0 | grep 01:00:5e:00:01:01)" ]] || fail "a's eth0 still receives 01:00:5e:00:01:01"
ok "ip-stealth: the split holds, clients use 00:00:5e:00:01:01, the switch never learns it"

# kill -9 leaves b's table and addresses behind; carpd -C takes them away, a restart
# brings the carpnodes back from the saved state.
stop_carpd b KILL || true
nsx b nft list tables | grep -q "netdev carpd" || fail "b's table is gone after kill -9 (nothing to check -C with)"
has_addr b "$VIP" lo || fail "$VIP is gone from b's loopback after kill -9"
nsx b "$CARPD" -C -s "${CARPD_DIR[b]}/carpd.sock" || fail "carpd -C on b"
[[ -z "$(nsx b nft list tables | grep carpd)" ]] || fail "carpd -C left b's table"
has_addr b "$VIP" lo && fail "carpd -C left $VIP on b's loopback"
start_carpd_again() { # NODE: a new carpd on the node's directory (its saved state)
    local dir=${CARPD_DIR[$1]}
    (cd "$dir" && exec ip netns exec "$(ns "$1")" "$CARPD" -d -s "$dir/carpd.sock") >>"$dir/carpd.log" 2>&1 &
    CARPD_PID[$1]=$!
    track $!
    wait_until 10 carpd_answers "$1" || fail "carpd on $1 did not come back"
}
start_carpd_again b
wait_state b MASTER 8 2
ip -n "$(ns c)" neigh flush dev eth0
wait_until 5 fold_check a b || fail "after b's restart the split is not restored"
ok "kill -9 of b: carpd -C removes its table and addresses, a restart brings its carpnodes back"

stop_carpd a || fail "carpd on a exited with $CARPD_RC"
[[ -z "$(nsx a nft list tables 2>/dev/null | grep carpd)" ]] || fail "carpd's table left on a: $(nsx a nft list tables)"
has_addr a "$VIP" lo && fail "$VIP left on a's loopback"
assert_eq "$SYSCTLS_BEFORE" "$(tuned)" "a's eth0 arp_ignore, arp_filter, arp_announce after carpd's exit"
wait_state b MASTER 6 1
wait_until 5 fold_check b b || fail "with a gone, not every flow reaches b"
ok "a stopped: nothing left behind on a, b takes every flow"
