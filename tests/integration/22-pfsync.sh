#!/usr/bin/env bash
# 22-pfsync: a stateful NAT firewall pair keeps its TCP connections through failover with
# pfsync0 (carpd's conntrackd), and loses them without it.
#
#   c 192.0.2.100 ── br0 (LAN) ──┬─ a lan0 .2 ─┐ sync0 203.0.113.1/30 ── .2 sync0 ┌─ b lan0 .3
#     gw 192.0.2.1 (carp0)       │             a wan0 .2 ─┐          b wan0 .3 ──┘
#   s 198.51.100.100 ── br1 (WAN) ────────────────────────┴────────────────────────┘
#
# carp0 vhid 1 on lan0 (192.0.2.1/24) and carp1 vhid 2 on wan0 (198.51.100.1/24), a preferred
# (advskew 0, b 100), preempt on both, so that a link cut moves both (carp(4) EXAMPLES).
# nftables on a and b: forward policy drop, established/related accepted, new TCP only as a
# SYN from the LAN (what c sends to its gateway, the VIP, arrives on carp0: the macvlan owns
# the virtual MAC), SNAT to the WAN VIP. A line every 20 ms from c to s and back.
source "$(dirname "$0")/lib.sh"
require_root
require_tool nft conntrackd python3 curl
require_carpd

STREAM="$PYTHON $BC_HERE/tcpstream.py"

netns_add sw
for br in br0 br1; do
    ip -n "$SW" link add $br type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || fail "bridge $br"
    ip -n "$SW" link set $br up || fail "$br up"
done
# port NODE IF BRIDGE ADDR: a veth from NODE's IF into BRIDGE, switch side "<node>-<if>".
port() {
    local n=$1 dev=$2 br=$3 addr=$4
    ip -n "$SW" link add "$n-$dev" type veth peer name "$dev" netns "$(ns "$n")" || fail "veth $n $dev"
    ip -n "$SW" link set "$n-$dev" master "$br" up || fail "$n-$dev into $br"
    ip -n "$(ns "$n")" addr add "$addr" dev "$dev" || fail "$addr on $n"
    ip -n "$(ns "$n")" link set "$dev" up || fail "$dev up on $n"
}
for n in a b c s; do netns_add "$n"; done
port c eth0 br0 192.0.2.100/24
port s eth0 br1 198.51.100.100/24
port a lan0 br0 192.0.2.2/24
port b lan0 br0 192.0.2.3/24
port a wan0 br1 198.51.100.2/24
port b wan0 br1 198.51.100.3/24
ip link add sync0 netns "$(ns a)" type veth peer name sync0 netns "$(ns b)" || fail "sync link"
ip -n "$(ns a)" addr add 203.0.113.1/30 dev sync0 && ip -n "$(ns a)" link set sync0 up || fail "sync0 on a"
ip -n "$(ns b)" addr add 203.0.113.2/30 dev sync0 && ip -n "$(ns b)" link set sync0 up || fail "sync0 on b"
ip -n "$(ns c)" route add default via 192.0.2.1 || fail "c's default route"
NODES=(a b c s)
for n in a b; do
    nsx "$n" sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward on $n"
    nsx "$n" nft -f - <<'NFT' || fail "nftables on $n"
table inet fw {
    chain forward {
        type filter hook forward priority filter; policy drop;
        ct state established,related accept
        ct state invalid drop
        iifname { "lan0", "carp0" } oifname "wan0" tcp flags & (syn|ack|fin|rst) == syn ct state new accept
    }
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan0" snat ip to 198.51.100.1
    }
}
NFT
done
log "firewall pair up: LAN br0, WAN br1, sync link 203.0.113.0/30"

nsx s $STREAM serve 7000 >"$T/server.log" 2>&1 &
track $!

start_carpd a -m 9100
start_carpd b
for n in a b; do
    skew=0; [[ $n == b ]] && skew=100
    bsd_ok $n sysctl net.inet.carp.preempt=1
    bsd_ok $n ifconfig carp0 vhid 1 carpdev lan0 advskew $skew pass s3cret 192.0.2.1/24
    bsd_ok $n ifconfig carp1 vhid 2 carpdev wan0 advskew $skew pass s3cret 198.51.100.1/24
done
cstate() { field "$1" state get ifname="$2"; }
both() { [[ "$(cstate "$1" carp0) $(cstate "$1" carp1)" == "$2 $2" ]]; }
wait_until 8 both a MASTER || fail "a is not MASTER of both: $(cstate a carp0) $(cstate a carp1)"
wait_until 3 both b BACKUP || fail "b is not BACKUP of both"

# stream NAME: start a stream from c; stream_end NAME: stop it and read its report.
stream() {
    rm -f "$T/$1.stop"
    nsx c $STREAM send 198.51.100.100 7000 "$T/$1.stop" >"$T/$1.out" 2>&1 &
    STREAM_PID=$!
    track $STREAM_PID
    sleep 1
}
stream_end() {
    touch "$T/$1.stop"
    wait_until 8 eval "! pid_running $STREAM_PID" || fail "the stream client did not end"
    REPORT=$(cat "$T/$1.out")
    log "stream $1: $REPORT"
}
# cut_and_return: a's LAN link cut until b holds both, then restored until a holds both again.
cut_and_return() {
    ip -n "$SW" link set a-lan0 down || fail "cut a's LAN link"
    wait_until 8 both b MASTER || fail "b did not take over both: $(cstate b carp0) $(cstate b carp1)"
    sleep 1
    ip -n "$SW" link set a-lan0 up || fail "restore a's LAN link"
    wait_until 10 both a MASTER || fail "a did not take both back: $(cstate a carp0) $(cstate a carp1)"
    sleep 1
}

# 1. Without pfsync the cut kills the stream: the test can fail.
stream nosync
cut_and_return
stream_end nosync
[[ "$REPORT" == *"error=none"* && "$REPORT" == *" missing=0 "* ]] && fail "the stream survived without pfsync: $REPORT"
ok "without pfsync a failover kills the connection ($REPORT)"

# 2. Bad pfsync words get their errors.
expect_error() {
    local want=$1 out
    shift
    out=$(bsd a ifconfig "$@" 2>&1) && fail "ifconfig $* succeeded"
    assert_eq "ifconfig: $want" "$out" "ifconfig $*"
}
expect_error "maxupd 300: too large" pfsync0 maxupd 300
expect_error "syncpeer 224.0.0.1: not a unicast address" pfsync0 syncpeer 224.0.0.1
expect_error "syncdev nosuch0: no such interface" pfsync0 syncdev nosuch0
expect_error "pfsync1: only pfsync0 is provided (one conntrackd per carpd)" pfsync1 syncdev sync0
ok "bad pfsync words are refused"

# 3. pfsync on both: syncdev, syncpeer (UDP unicast), up. a's metrics follow pfsync0.
metric_a() { nsx a curl -sf --max-time 3 http://127.0.0.1:9100/metrics | awk -v s="$1" '$1 == s { print $2 }'; }
assert_eq "0 0" "$(metric_a carp_pfsync_up) $(metric_a carp_pfsync_in_sync)" "a's pfsync metrics before pfsync0"
bsd_ok a ifconfig pfsync0 syncdev sync0 syncpeer 203.0.113.2 up
bsd_ok b ifconfig pfsync0 syncdev sync0 syncpeer 203.0.113.1 up
grep -q "HashSize 32768" "${CARPD_DIR[a]}/conntrackd.conf" || fail "conntrackd.conf lacks HashSize 32768"
grep -q "IPv4_Destination_Address 203.0.113.2" "${CARPD_DIR[a]}/conntrackd.conf" || fail "conntrackd.conf lacks the syncpeer"
syncok() { bsd "$1" ifconfig pfsync0 | grep -qx $'\tsyncok: 1'; }
wait_until 10 syncok a || fail "a not in sync: $(bsd a ifconfig pfsync0)"
wait_until 10 syncok b || fail "b not in sync: $(bsd b ifconfig pfsync0)"
line=$(bsd a ifconfig pfsync0 | grep $'\tpfsync:')
assert_eq $'\tpfsync: syncdev: sync0 syncpeer: 203.0.113.2 maxupd: 128 defer: off' "$line" "ifconfig pfsync0"
assert_eq 0 "$(bsd a sysctl -n net.inet.carp.demotion)" "a's demotion once in sync"
assert_eq "1 1 0" "$(metric_a carp_pfsync_up) $(metric_a carp_pfsync_in_sync) $(metric_a carp_pfsync_demotion)" "a's pfsync metrics in sync"
[[ -n "$(metric_a carp_pfsync_ipackets_total)" ]] || fail "no conntrackd counters in a's metrics"
grep -q '^pfsync0: flags=41<UP,RUNNING>' <<<"$(bsd a ifconfig -a)" || fail "ifconfig -a does not list pfsync0"
ok "pfsync0 up and in sync on both"

# 4. With pfsync: a link cut, the preferred master's return, then kill -9 of a's carpd
# (its conntrackd outlives it), carpd -C, a start: no line lost, nothing reset.
stream sync
cut_and_return
log "a's carpd killed with -9"
kill -KILL "${CARPD_PID[a]}"
wait_carpd a 5 || true
wait_until 8 both b MASTER || fail "b did not take over after a's kill -9"
ip netns exec "$(ns a)" "$CARPD" -C -s "${CARPD_DIR[a]}/carpd.sock" || fail "carpd -C on a"
[[ -e "${CARPD_DIR[a]}/conntrackd.lock" ]] && fail "carpd -C left conntrackd's lock file"
dir=${CARPD_DIR[a]}
(cd "$dir" && exec ip netns exec "$(ns a)" "$CARPD" -d -s "$dir/carpd.sock") >>"$dir/carpd.log" 2>&1 &
CARPD_PID[a]=$!
track $!
wait_until 10 carpd_answers a || fail "carpd on a did not come back"
# Out of sync after the start: demoted (FreeBSD 240, OpenBSD's group 32) until the bulk is in.
demoted=$(bsd a sysctl -n net.inet.carp.demotion)
assert_eq 240 "$demoted" "a's demotion right after its start"
wait_until 15 both a MASTER || fail "a did not take both back after its restart"
assert_eq 0 "$(bsd a sysctl -n net.inet.carp.demotion)" "a's demotion back to 0"
grep -q "carp: demoted by 240 to 240 (pfsync bulk start)" "$dir/carpd.log" || fail "a did not log its pfsync demotion"
grep -q "carp: demoted by -240 to 0 (pfsync bulk done)" "$dir/carpd.log" || fail "a did not log the end of its pfsync demotion"
# The returning firewall preempted only once in sync: after its restart, "bulk done" comes
# before its first transition to MASTER.
order=$(awk '/listening on/ { n++ } n != 2 { next }
    /pfsync bulk done/ && !s { s = 1; printf "sync " } /-> MASTER/ && !m { m = 1; printf "master " }' "$dir/carpd.log")
[[ "$order" == "sync master "* ]] || fail "a preempted before it was in sync (order after its restart: $order)"
sleep 1
stream_end sync
[[ "$REPORT" == *" missing=0 "* && "$REPORT" == *"error=none"* ]] || fail "the stream did not survive with pfsync: $REPORT"
grep -q "ignoring flush command" "${CARPD_DIR[a]}"/conntrackd.log "${CARPD_DIR[b]}"/conntrackd.log &&
    fail "conntrackd ignored a flush (HashSize pitfall)"
grep -q "states committed in" "${CARPD_DIR[b]}/carpd.log" || fail "b did not log its commit"
ok "with pfsync the stream survives a cut, a return and a kill -9 + restart ($REPORT)"

# 4b. A connection made through b while a's LAN link was cut, then a's return: for a moment
# one VIP is on a and the other on b, the connection's two directions cross both firewalls,
# and b sees replies to data it never forwarded (carpd sets liberal TCP tracking for that).
ip -n "$SW" link set a-lan0 down || fail "cut a's LAN link"
wait_until 8 both b MASTER || fail "b did not take over both"
stream crossing
ip -n "$SW" link set a-lan0 up || fail "restore a's LAN link"
wait_until 10 both a MASTER || fail "a did not take both back"
sleep 2
stream_end crossing
[[ "$REPORT" == *" missing=0 "* && "$REPORT" == *"error=none"* ]] || fail "a connection made through b did not survive a's return: $REPORT"
assert_eq 1 "$(nsx b sysctl -n net.netfilter.nf_conntrack_tcp_be_liberal)" "liberal TCP tracking while pfsync0 runs"
ok "a connection made through b survives the preferred master's return ($REPORT)"

# 5. conntrackd killed under carpd: restarted.
pid=$(pgrep -f "conntrackd -C ${CARPD_DIR[b]}/conntrackd.conf")
[[ -n "$pid" ]] || fail "no conntrackd for b"
kill -KILL "$pid"
restarted() { local p; p=$(pgrep -f "conntrackd -C ${CARPD_DIR[b]}/conntrackd.conf"); [[ -n "$p" && "$p" != "$pid" ]]; }
wait_until 5 restarted || fail "b's conntrackd was not restarted"
wait_until 10 syncok b || fail "b not back in sync after its conntrackd's restart"
ok "a conntrackd killed under carpd is restarted"

# 6. netstat -s -p pfsync counts what conntrackd received.
received=$(bsd b netstat -s -p pfsync | sed -n 's/^\t\([0-9]*\) packets* received (IPv4)$/\1/p')
[[ "$received" =~ ^[0-9]+$ && "$received" -gt 0 ]] || fail "netstat -s -p pfsync: $(bsd b netstat -s -p pfsync)"
ok "netstat -s -p pfsync: $received packets received"

# 7. down stops conntrackd; destroy removes pfsync0; a stop leaves nothing.
bsd_ok b ifconfig pfsync0 down
wait_until 5 eval '[[ -z "$(pgrep -f "conntrackd -C ${CARPD_DIR[b]}/conntrackd.conf")" ]]' || fail "conntrackd still runs after down"
bsd_ok b ifconfig pfsync0 destroy
bsd b ifconfig pfsync0 >/dev/null 2>&1 && fail "pfsync0 still exists after destroy"
assert_eq 0 "$(nsx b sysctl -n net.netfilter.nf_conntrack_tcp_be_liberal)" "TCP tracking restored after destroy"
stop_carpd a
[[ -n "$(pgrep -f "conntrackd -C ${CARPD_DIR[a]}/conntrackd.conf")" ]] && fail "a's conntrackd outlived carpd"
ok "down, destroy and exit stop conntrackd"
