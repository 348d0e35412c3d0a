#!/usr/bin/env bash
# 21-split-brain: a (advskew 0) and b (advskew 100) share vhid 1. b's switch port leaves
# the bridge without losing carrier, so b times out and both are MASTER, both sending from
# 00:00:5e:00:01:01. When the port joins again each must hear the other's advertisements,
# which arrive from its own virtual MAC (a private-mode macvlan would swallow them): b
# yields within an advertisement or two, a stays MASTER, and the VIPs are on a only.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

VIPS=(192.0.2.50 2001:db8::50)
topology a b
start_carpd a
start_carpd b
ctl_ok a set carpdev=eth0 vhid=1 advbase=1 advskew=0 key=s3cret addr=192.0.2.50/24 addr=2001:db8::50/64
wait_state a MASTER 8
ctl_ok b set carpdev=eth0 vhid=1 advbase=1 advskew=100 key=s3cret addr=192.0.2.50/24 addr=2001:db8::50/64
wait_state b BACKUP 8
hold_states 2 "a=MASTER b=BACKUP"

ip -n "$SW" link set pb nomaster || fail "taking pb out of br0"
log "b's port left the switch (carrier stays up)"
wait_state b MASTER 6
state_is a MASTER || fail "a left MASTER during the split: $(state a)"
assert_vip_master b 1 "${VIPS[@]}"
ok "split: a and b both MASTER"

ip -n "$SW" link set pb master br0 || fail "putting pb back into br0"
log "b's port is back on the switch"
wait_state b BACKUP 4
hold_states 3 "a=MASTER b=BACKUP"
assert_vip_master a 1 "${VIPS[@]}"
assert_vip_absent b 1 "${VIPS[@]}"
ok "healed: b heard a from the shared virtual MAC and yielded; VIPs on a only"
