#!/usr/bin/env bash
# 01-failover: a (advskew 0) and b (advskew 100) share vhid 1 with dual-stack
# VIPs; a wins the election, c reaches both VIPs through the VMAC; cutting a's
# link makes b MASTER within 6 s and c reaches both VIPs again.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping
require_carpd

V4=192.0.2.50 V6=2001:db8::50 VMAC=00:00:5e:00:01:01
topology a b c
start_carpd a
start_carpd b

# Configure a first, b right after: both start the election within a few ms;
# a's master-down timer (3 x advbase + 0/256 s) expires before b's (+100/256 s).
ctl_ok a set carpdev=eth0 vhid=1 advbase=1 advskew=0 key=s3cret addr=$V4/24 addr=$V6/64
ctl_ok b set carpdev=eth0 vhid=1 advbase=1 advskew=100 key=s3cret addr=$V4/24 addr=$V6/64

wait_state a MASTER 8
assert_eq BACKUP "$(state b)" "state of b after the election"
hold_states 3 "a=MASTER b=BACKUP"
assert_vip_master a 1 $V4 $V6
assert_vip_absent b 1 $V4 $V6

wait_until 5 ping4 c $V4 || fail "c cannot ping $V4 (a MASTER)"
wait_until 5 ping6 c $V6 || fail "c cannot ping $V6 (a MASTER)"
assert_eq $VMAC "$(neigh_mac c $V4)" "MAC c learnt for $V4"
assert_eq $VMAC "$(neigh_mac c $V6)" "MAC c learnt for $V6"
ok "c reaches $V4 and $V6 via $VMAC on a"

link_down a
t0=$(now_ms)
wait_state b MASTER 6
log "failover took $(($(now_ms) - t0)) ms after the link cut"
assert_vip_master b 1 $V4 $V6
wait_until 3 ping4 c $V4 || fail "c cannot ping $V4 after the failover"
wait_until 3 ping6 c $V6 || fail "c cannot ping $V6 after the failover"
assert_eq $VMAC "$(neigh_mac c $V4)" "MAC c uses for $V4 after the failover"
ok "c reaches $V4 and $V6 on b after a's link was cut"
assert_ne MASTER "$(state a)" "state of a with its link cut"
