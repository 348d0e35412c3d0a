#!/usr/bin/env bash
# 00-ucarp-pair: ucarp against ucarp, no carpd: checks the ucarp helpers and
# scripts of lib.sh that 05-ucarp uses. a (advskew 0) becomes master and runs
# its upscript (VIP on a's eth0), b stays backup; cutting a's link makes b
# master (VIP on b, reachable from c); stopping b's ucarp runs its downscript.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping ucarp stdbuf

VIP=192.0.2.50
topology a b c

start_ucarp a 1 "$VIP" 0
start_ucarp b 1 "$VIP" 100

wait_until 8 ucarp_is_master a "$VIP" || fail "ucarp on a did not become master (no $VIP on a)"
ok "ucarp a is master: $VIP on a's eth0"
hold_for 4 eval "! has_addr b $VIP" || fail "ucarp b took $VIP while a is master"
assert_eq up "$(ucarp_last_event a)" "last script run on a"
assert_ne up "$(ucarp_last_event b)" "last script run on b"
wait_until 5 ping4 c "$VIP" || fail "c cannot reach $VIP on a"
ok "b stays backup, c reaches $VIP"

link_down a
wait_until 6 ucarp_is_master b "$VIP" || fail "ucarp on b did not take over within 6 s"
assert_eq up "$(ucarp_last_event b)" "last script run on b"
wait_until 5 ping4 c "$VIP" || fail "c cannot reach $VIP on b"
ok "b took over after a's link was cut; c reaches $VIP"

stop_ucarp b TERM
assert_false "$VIP still on b after ucarp stopped (--shutdown downscript)" has_addr b "$VIP"
assert_eq down "$(ucarp_last_event b)" "last script run on b"
ok "stopping ucarp b ran its downscript"
