#!/usr/bin/env bash
# 05-ucarp: carpd on a (advskew 0) and ucarp on b (-k 100), vhid 1, pass
# s3cret, one IPv4 VIP (the only case where ucarp's HMAC equals the BSD one).
#   1. carpd MASTER, ucarp backup (its upscript never runs);
#   2. a's link cut: ucarp takes over (upscript: VIP on b's eth0, c reaches it);
#   3. a's link back: carpd hears ucarp's adverts, accepts them and stays BACKUP
#      (no preemption);
#   4. ucarp stopped (SIGTERM with --shutdown: downscript): carpd MASTER again,
#      c reaches the VIP on a.
# carpd's badauth, badsum, badver, badlen, badttl and badvhid stay 0 throughout,
# and it does receive ucarp's adverts (ipackets grows).
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping ucarp stdbuf
require_carpd

VIP=192.0.2.50
topology a b c
start_carpd a

check_counters() {
    local c v
    for c in badauth badsum badver badlen badttl badvhid; do
        v=$(carpstat a $c)
        [[ "$v" == 0 ]] || fail "carpd on a: $c=$v ($1); stats: $(ctl a stats 2>&1 | tr '\n' ' ')"
    done
}

ctl_ok a set carpdev=eth0 vhid=1 advbase=1 advskew=0 key=s3cret addr=$VIP/24
wait_state a MASTER 8
start_ucarp b 1 "$VIP" 100
# ucarp's master-down time is 3 x 1 s + 100/256 s: it would have taken over
# by now if it rejected carpd's adverts ("Bad digest" in its log).
# a_and_b STATE_OF_A VIP_ON_B(yes|no): logs what differs
a_and_b() {
    local s
    s=$(state a)
    [[ "$s" == "$1" ]] || { log "state of a is $s, not $1"; return 1; }
    if [[ $2 == yes ]]; then
        has_addr b $VIP || { log "$VIP is not on b"; return 1; }
    else
        ! has_addr b $VIP || { log "$VIP is on b"; return 1; }
    fi
}
hold_for 6 a_and_b MASTER no ||
    fail "ucarp on b did not stay backup (events of b: $(tr '\n' ';' <"$T/ucarp-b.events"))"
assert_ne up "$(ucarp_last_event b)" "last script run by ucarp on b"
if grep -qi 'bad digest' "$T/ucarp-b.log"; then fail "ucarp rejects carpd's HMAC: $(grep -i -m1 'bad digest' "$T/ucarp-b.log")"; fi
assert_vip_master a 1 $VIP
wait_until 5 ping4 c $VIP || fail "c cannot ping $VIP on a"
check_counters "carpd MASTER, ucarp backup"
ok "1. carpd MASTER, ucarp backup"

link_down a
wait_until 6 ucarp_is_master b $VIP || fail "ucarp on b did not take over within 6 s of a's link cut"
assert_eq up "$(ucarp_last_event b)" "last script run by ucarp on b"
wait_until 5 ping4 c $VIP || fail "c cannot ping $VIP on b (ucarp)"
ok "2. ucarp took over after a's link was cut"

ip1=$(carpstat a ipackets)
link_up a
wait_until 3 link_running a eth0 || fail "a's eth0 has no carrier after link_up"
wait_state a BACKUP 6
# Longer than carpd's master-down time: it must keep accepting ucarp's adverts.
hold_for 6 a_and_b BACKUP yes || fail "carpd did not stay BACKUP behind ucarp"
ip2=$(carpstat a ipackets)
((ip2 - ip1 >= 3)) || fail "carpd received $((ip2 - ip1)) adverts from ucarp in 6 s (ipackets $ip1 -> $ip2)"
assert_vip_absent a 1 $VIP
check_counters "carpd BACKUP behind ucarp"
ok "3. carpd BACKUP behind ucarp, accepting its adverts (ipackets $ip1 -> $ip2)"

stop_ucarp b TERM
assert_false "$VIP still on b after ucarp's downscript" has_addr b $VIP
wait_state a MASTER 6
assert_vip_master a 1 $VIP
# c still has b's eth0 MAC for the VIP: carpd's gratuitous ARP must fix that.
wait_until 5 ping4 c $VIP || fail "c cannot ping $VIP on a after ucarp left"
check_counters "carpd MASTER again"
ok "4. carpd MASTER again after ucarp left; counters clean throughout"
