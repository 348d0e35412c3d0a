#!/usr/bin/env bash
# 33-balancing-three: `balancing ip` over three nodes with three carpnodes, OpenBSD's usual
# setup (the fold modulo 3: nftables' remainder maps). Eight IPv4 and four IPv6 sources
# land where the fold predicts; when d's link is cut its carpnode goes to a (the next
# preferred) within the protocol's bound, and d's return (preempt) takes it back.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip python3 nft
require_carpd
BALANCE="$BC_HERE/balance.py"
VIP=192.0.2.10 VIP6=2001:db8::10
SOURCES4=(192.0.2.100 192.0.2.101 192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 192.0.2.107)
SOURCES6=(2001:db8::100 2001:db8::101 2001:db8::102 2001:db8::103)

topology a b c d
for s in "${SOURCES4[@]}"; do ip -n "$(ns c)" addr add "$s/24" dev eth0 || fail "source $s"; done
for s in "${SOURCES6[@]}"; do ip -n "$(ns c)" addr add "$s/64" dev eth0 nodad || fail "source $s"; done
# carpnodes 1..3: a prefers 1, b 2, d 3; a is next for d's.
declare -A PREFER=([a]=1:0,2:100,3:50 [b]=1:100,2:0,3:100 [d]=1:100,2:100,3:0)
for n in a b d; do
    nsx "$n" "$PYTHON" "$BALANCE" serve "$n" 8080 >/dev/null 2>&1 &
    track $!
    start_carpd "$n"
    bsd_ok "$n" sysctl net.inet.carp.preempt=1
    bsd_ok "$n" ifconfig carp0 carpnodes "${PREFER[$n]}" carpdev eth0 pass s3cret "$VIP/24"
    bsd_ok "$n" ifconfig carp0 inet6 "$VIP6/64" alias
done
wait_state a MASTER 8 1
wait_state b MASTER 8 2
wait_state d MASTER 8 3

wait_until 5 fold_check a b d || fail "the flows do not land where the fold puts them (a b d)"
ok "three nodes, three carpnodes: 8 IPv4 and 4 IPv6 sources on the node the fold predicts"

t0=$(now_ms)
link_down d
wait_state a MASTER 6 3
took=$(($(now_ms) - t0))
((took < 3800)) || fail "a took carpnode 3 after ${took} ms (bound 3 x 1 s + 50/256 s)"
wait_until 3 fold_check a b a || fail "after d's cut its sources do not reach a"
ok "d's link cut: a takes its carpnode after ${took} ms, its sources follow"
link_up d
wait_state d MASTER 8 3
wait_until 5 fold_check a b d || fail "after d's return the split is not restored"
ok "d's return restores the split"
