#!/usr/bin/env bash
# 34-arpbalance: FreeBSD's (before 10) and pfSense's ARP balancing. Two vhids carry the same
# address; with `sysctl net.inet.arpbalance=1` (the seed's spelling of
# net.inet.carp.arpbalance) each client's ARP request is answered by the MASTER of the vhid
# its address picks (ntohl(sender) % 2, by vhid), with that vhid's MAC, and its TCP
# connections land there. Without the sysctl the second vhid is refused the address. When
# b's link is cut its clients reach a without asking again.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip python3 nft
require_carpd
VIP=192.0.2.10

topology a b c
mac_clients 4
WANT=(1 0 1 0)  # 192.0.2.201..204 as numbers, modulo 2: the index of the vhid each picks
balanced_nodes a b
bsd_ok a ifconfig eth0 vhid 1 pass s3cret alias "$VIP/24"
out=$(bsd a ifconfig eth0 vhid 2 advskew 100 pass s3cret alias "$VIP/24" 2>&1) && fail "a shared address accepted without arpbalance"
assert_eq "ifconfig: $VIP: already in use by vhid 1@eth0" "$out" "the shared address without arpbalance"
for n in a b; do
    bsd_ok "$n" sysctl net.inet.arpbalance=1
    assert_eq 1 "$(bsd "$n" sysctl -n net.inet.carp.arpbalance)" "net.inet.carp.arpbalance on $n"
done
bsd_ok a ifconfig eth0 vhid 2 advskew 100 pass s3cret alias "$VIP/24"
bsd_ok b ifconfig eth0 vhid 1 advskew 100 pass s3cret alias "$VIP/24"
bsd_ok b ifconfig eth0 vhid 2 pass s3cret alias "$VIP/24"
wait_state a MASTER 6 1
wait_state b MASTER 6 2

wait_until 5 clients_check a b || fail "the clients do not land where their addresses put them"
clients_neighbours
ok "four clients: each answered with the MAC of the vhid its address picks, by that vhid's MASTER"

link_down b
wait_state a MASTER 6 2
wait_until 5 clients_check a a || fail "after b's cut not every client reaches a"
ok "b's link cut: a MASTER of both vhids, b's clients reach a without asking again"
