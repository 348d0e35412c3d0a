#!/usr/bin/env bash
# 02-preempt: with net.inet.carp.preempt=1 on both nodes, a (advskew 0) takes
# MASTER back from b (advskew 100) when its link returns, and b sends no MLD report
# from the virtual MAC after it yields; with preempt=0 (fresh
# daemons), a stays BACKUP after its link returns and b stays MASTER.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip tcpdump
require_carpd

V4=192.0.2.50 V6=2001:db8::50
topology a b c

# set_preempt NODE VALUE: write it, read it back.
set_preempt() {
    ctl_ok "$1" sysctl name=net.inet.carp.preempt value="$2"
    assert_eq "$2" "$(field "$1" value sysctl name=net.inet.carp.preempt)" "net.inet.carp.preempt on $1"
}
configure() {
    ctl_ok "$1" set carpdev=eth0 vhid=1 advbase=1 advskew="$2" key=s3cret addr=$V4/24 addr=$V6/64
}

log "part 1: preempt=1"
start_carpd a
start_carpd b
set_preempt a 1
set_preempt b 1
configure a 0
wait_state a MASTER 8
configure b 100
wait_state b BACKUP 3
hold_states 2 "a=MASTER b=BACKUP"

# Everything b sends from the virtual MAC while it is MASTER and after it yields.
(exec ip netns exec "$SW" tcpdump -i pb -Q in -Z root -n -U --immediate-mode -w "$T/vmac.pcap" \
    ether src 00:00:5e:00:01:01) >"$T/vmac.log" 2>&1 &
VMAC_CAPTURE=$!
track "$VMAC_CAPTURE"
wait_until 5 grep -q 'listening on' "$T/vmac.log" || fail "tcpdump did not start: $(cat "$T/vmac.log")"
link_down a
wait_state b MASTER 6
link_up a
wait_state a MASTER 8
wait_state b BACKUP 3
hold_states 3 "a=MASTER b=BACKUP"
kill -INT "$VMAC_CAPTURE"
wait "$VMAC_CAPTURE" 2>/dev/null
# Once b has yielded nothing may leave it from the virtual MAC, or the switch moves the
# VMAC back to b until a's next advertisement: b deleting its IPv6 VIP on an up macvlan
# sent MLD reports (a 1 s outage in bench/scenarios' "return").
frames=$(tcpdump -r "$T/vmac.pcap" -n -T carp 2>/dev/null)
log "frames from b's virtual MAC:"
printf '%s\n' "$frames" | sed 's/^/    /'
grep -q 'CARPv2-advertise' <<<"$frames" || fail "no advertisement from b's virtual MAC captured"
after=$(awk '/CARPv2-advertise/ { n = NR } { line[NR] = $0 } END { for (i = n + 1; i <= NR; i++) print line[i] }' <<<"$frames")
if grep -q 'multicast listener report' <<<"$after"; then fail "b sent MLD reports from the virtual MAC after its last advertisement: $after"; fi
ok "nothing but advertisements and announcements left b's virtual MAC; no MLD report after it yielded"
assert_vip_master a 1 $V4 $V6
assert_vip_absent b 1 $V4 $V6
ok "preempt=1: a took MASTER back after its link returned"

log "part 2: preempt=0, fresh daemons"
stop_carpd a
assert_eq 0 "$CARPD_RC" "exit status of a's carpd after SIGTERM"
stop_carpd b
assert_eq 0 "$CARPD_RC" "exit status of b's carpd after SIGTERM"
start_carpd a
start_carpd b
set_preempt a 0
set_preempt b 0
configure a 0
wait_state a MASTER 8
configure b 100
wait_state b BACKUP 3
hold_states 2 "a=MASTER b=BACKUP"

link_down a
wait_state b MASTER 6
link_up a
wait_until 3 link_running a eth0 || fail "a's eth0 has no carrier after link_up"
wait_state a BACKUP 6
# Several advertisement intervals (and more than a's 3 s master-down time):
# a hears b's slower adverts and, without preemption, must not take over.
hold_states 6 "a=BACKUP b=MASTER"
assert_vip_master b 1 $V4 $V6
assert_vip_absent a 1 $V4 $V6
ok "preempt=0: a stayed BACKUP after its link returned"
