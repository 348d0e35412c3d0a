#!/usr/bin/env bash
# 31-balanced-gateway: a balanced gateway pair. a and b route between the clients'
# 192.0.2.0/24 (carp0, gateway 192.0.2.10, carpnodes 1 and 2) and the servers'
# 198.51.100.0/24 (carp1, gateway 198.51.100.10, carpnodes 3 and 4), a preferring the
# first carpnode of each, b the second. Eight client sources connect to a server behind
# the pair: every connection works, and each flow is forwarded by exactly the node
# OpenBSD's fold of (source, server) predicts, both ways (the fold is symmetric).
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip python3 nft
require_carpd
BALANCE="$BC_HERE/balance.py"

GW=192.0.2.10 GW1=198.51.100.10 SERVER=198.51.100.100
SOURCES=(192.0.2.100 192.0.2.101 192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105 192.0.2.106 192.0.2.107)

topology a b c
# The servers' segment: br1 in the switch's namespace, eth1 on a and b, s behind it.
netns_add s
ip -n "$SW" link add br1 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || fail "br1"
ip -n "$SW" link set br1 up || fail "br1 up"
for n in a b s; do
    dev=eth1
    [[ $n == s ]] && dev=eth0
    ip -n "$SW" link add "q$n" type veth peer name "$dev" netns "$(ns "$n")" || fail "veth q$n"
    ip -n "$SW" link set "q$n" master br1 up || fail "q$n into br1"
    ip -n "$(ns "$n")" link set "$dev" up || fail "$dev up on $n"
done
ip -n "$(ns a)" addr add 198.51.100.1/24 dev eth1 || fail "a eth1"
ip -n "$(ns b)" addr add 198.51.100.2/24 dev eth1 || fail "b eth1"
ip -n "$(ns s)" addr add "$SERVER/24" dev eth0 || fail "s eth0"
ip -n "$(ns s)" route add 192.0.2.0/24 via "$GW1" || fail "s's route to the clients"
for src in "${SOURCES[@]}"; do ip -n "$(ns c)" addr add "$src/24" dev eth0 || fail "source $src"; done
ip -n "$(ns c)" route add 198.51.100.0/24 via "$GW" || fail "c's route to the servers"
nsx s "$PYTHON" "$BALANCE" serve s 8080 >/dev/null 2>&1 &
track $!

# Each source's forwarded packets, counted on each node (a table of the test's own).
for n in a b; do
    nsx "$n" sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward on $n"
    rules="table inet t { chain forwarded { type filter hook forward priority 0; policy accept;"
    for src in "${SOURCES[@]}"; do rules+=" ip saddr $src counter; ip daddr $src counter;"; done
    nsx "$n" nft -f - <<<"$rules }; }" || fail "counting table on $n"
    start_carpd "$n"
done
bsd_ok a ifconfig carp0 carpnodes 1:0,2:100 carpdev eth0 pass gw "$GW/24"
bsd_ok a ifconfig carp1 carpnodes 3:0,4:100 carpdev eth1 pass gw "$GW1/24"
bsd_ok b ifconfig carp0 carpnodes 1:100,2:0 carpdev eth0 pass gw "$GW/24"
bsd_ok b ifconfig carp1 carpnodes 3:100,4:0 carpdev eth1 pass gw "$GW1/24"
wait_state a MASTER 6 1
wait_state b MASTER 6 2
wait_until 6 eval '[[ $(field a state get carpdev=eth1 vhid=3) == MASTER && $(field b state get carpdev=eth1 vhid=4) == MASTER ]]' ||
    fail "carp1: a $(field a state get carpdev=eth1 vhid=3) of 3, b $(field b state get carpdev=eth1 vhid=4) of 4"
ok "a MASTER of carpnodes 1 and 3, b of 2 and 4"

# counted NODE SRC DIRECTION: packets of SRC's flow the node forwarded (saddr: out, daddr: back).
counted() {
    nsx "$1" nft list chain inet t forwarded | awk -v m="ip $3 $2 counter" 'index($0, m) { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}
out=$(nsx c "$PYTHON" "$BALANCE" ask "$SERVER" 8080 "${SOURCES[@]}")
while read -r src got; do [[ $got == s ]] || fail "$src -> $SERVER through the pair: '$got'"; done <<<"$out"
while read -r src idx; do
    want=$([[ $idx == 0 ]] && echo a || echo b)
    other=$([[ $want == a ]] && echo b || echo a)
    for dir in saddr daddr; do
        (($(counted "$want" "$src" "$dir") > 0)) || fail "$src ($dir): not forwarded by $want, whose carpnode the fold picks"
        assert_eq 0 "$(counted "$other" "$src" "$dir")" "$src ($dir): packets forwarded by $other"
    done
done < <("$PYTHON" "$BALANCE" predict "$SERVER" 2 "${SOURCES[@]}")
ok "8 connections through the pair: each flow forwarded, both ways, by the one node the fold predicts"
