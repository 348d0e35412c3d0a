#!/usr/bin/env bash
# 32-balancing-arp: OpenBSD 4.5-5.8's `balancing arp`. Six clients with their own MACs
# (02:00:00:00:00:01..06) ask for the address; each is answered by the MASTER of the
# carpnode carp_hash of its MAC picks, with that carpnode's MAC 00:00:5e:00:01:<vhid>,
# and its TCP connections land there. When b's link is cut a becomes MASTER of b's
# carpnode too: its advertisements from that MAC move the switch's entry, and b's clients
# reach a without asking again.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip python3 nft
require_carpd
BALANCE="$BC_HERE/balance.py"
VIP=192.0.2.10

topology a b c
mac_clients 6
balanced_nodes a b
bsd_ok a ifconfig carp0 carpnodes 1:0,2:100 balancing arp carpdev eth0 pass s3cret "$VIP/24"
bsd_ok b ifconfig carp0 carpnodes 1:100,2:0 balancing arp carpdev eth0 pass s3cret "$VIP/24"
wait_state a MASTER 6 1
wait_state b MASTER 6 2
grep -qxF "	carp: carpdev eth0 advbase 1 balancing arp" <<<"$(bsd a ifconfig carp0)" || fail "ifconfig carp0: $(bsd a ifconfig carp0)"

WANT=($("$PYTHON" "$BALANCE" arphash s3cret 2 "${MACS[@]}" | awk '{ print $2 }'))
wait_until 5 clients_check a b || fail "the clients do not land where carp_hash puts them"
clients_neighbours
ok "six clients: each answered with its carpnode's MAC by that carpnode's MASTER (${WANT[*]})"

link_down b
wait_state a MASTER 6 2
wait_until 5 clients_check a a || fail "after b's cut not every client reaches a"
ok "b's link cut: a MASTER of both, b's clients reach a without asking again"
