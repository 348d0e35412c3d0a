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
for n in a b; do
    nsx "$n" "$PYTHON" "$BALANCE" serve "$n" 8080 >/dev/null 2>&1 &
    track $!
    start_carpd "$n"
done
bsd_ok a ifconfig carp0 carpnodes 1:0,2:100 balancing arp carpdev eth0 pass s3cret "$VIP/24"
bsd_ok b ifconfig carp0 carpnodes 1:100,2:0 balancing arp carpdev eth0 pass s3cret "$VIP/24"
wait_state a MASTER 6 1
wait_state b MASTER 6 2
grep -qxF "	carp: carpdev eth0 advbase 1 balancing arp" <<<"$(bsd a ifconfig carp0)" || fail "ifconfig carp0: $(bsd a ifconfig carp0)"

declare -A OWNER=()
while read -r mac idx; do OWNER[$mac]=$idx; done < <("$PYTHON" "$BALANCE" arphash s3cret 2 "${MACS[@]}")
# check WHO0 WHO1: each client answered by the owner of its carpnode's index.
check() {
    local dev got i=0
    while read -r dev got; do
        want=$([[ ${OWNER[${MACS[i]}]} == 0 ]] && echo "$1" || echo "$2")
        [[ $got == "$want" ]] || { log "$dev (${MACS[i]}): answered by '$got', expected $want"; return 1; }
        i=$((i + 1))
    done < <(nsx c "$PYTHON" "$BALANCE" askdev "$VIP" 8080 "${DEVS[@]}")
}
wait_until 5 check a b || fail "the clients do not land where carp_hash puts them"
for i in "${!DEVS[@]}"; do
    want=$(printf '00:00:5e:00:01:%02x' $((${OWNER[${MACS[i]}]} + 1)))
    got=$(ip -n "$(ns c)" neigh show "$VIP" dev "${DEVS[i]}" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
    assert_eq "$want" "$got" "${DEVS[i]}'s neighbour entry for $VIP"
done
ok "six clients: each answered with its carpnode's MAC by that carpnode's MASTER ($(for m in "${MACS[@]}"; do printf '%s ' "${OWNER[$m]}"; done))"

link_down b
wait_state a MASTER 6 2
wait_until 5 check a a || fail "after b's cut not every client reaches a"
ok "b's link cut: a MASTER of both, b's clients reach a without asking again"
