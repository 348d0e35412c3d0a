#!/usr/bin/env bash
# 27-maintenance: pfSense's persistent CARP maintenance mode as a sysctl. On a, the master,
# `sysctl net.inet.carp.maintenance=1` hands vhid 1 to b at once (without preempt: the
# demote count does it) and shows in netstat -p carp; it survives a kill -9 and restart and
# a reboot (fresh runtime state, same configuration directory); =0 lifts it.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a b
mkdir -p "$T/conf-a" "$T/conf-b"
start_carpd a -f "$T/conf-a"
start_carpd b -f "$T/conf-b"
ctl_ok a set carpdev=eth0 vhid=1 advskew=0 key=s3cret addr=192.0.2.50/24
ctl_ok b set carpdev=eth0 vhid=1 advskew=100 key=s3cret addr=192.0.2.50/24
wait_state a MASTER 8
hold_states 1 "a=MASTER b=BACKUP"

assert_eq "net.inet.carp.maintenance: 0 -> 1" "$(bsd a sysctl net.inet.carp.maintenance=1)" "entering maintenance"
wait_state b MASTER 3
[[ -f "$T/conf-a/maintenance" ]] || fail "no maintenance file in a's configuration directory"
assert_eq "CARP: allow 1 preempt 0 demotion 240 MAINTENANCE MODE" "$(bsd a netstat -p carp | head -1)" "netstat -p carp on a"
ok "maintenance mode handed vhid 1 to b and shows"

restart_carpd a KILL
assert_eq 1 "$(bsd a sysctl -n net.inet.carp.maintenance)" "maintenance after kill -9 and restart"
hold_states 2 "a=BACKUP b=MASTER"
stop_carpd a TERM
start_carpd a -f "$T/conf-a"
assert_eq 1 "$(bsd a sysctl -n net.inet.carp.maintenance)" "maintenance after a reboot (fresh runtime state)"
ctl_ok a set carpdev=eth0 vhid=1 advskew=0 key=s3cret addr=192.0.2.50/24
hold_states 2 "a=BACKUP b=MASTER"
ok "maintenance mode outlives a restart and a reboot"

for n in a b; do bsd_ok $n sysctl net.inet.carp.preempt=1; done
assert_eq "net.inet.carp.maintenance: 1 -> 0" "$(bsd a sysctl net.inet.carp.maintenance=0)" "leaving maintenance"
[[ -e "$T/conf-a/maintenance" ]] && fail "the maintenance file is still there"
wait_state a MASTER 5
assert_eq 0 "$(bsd a sysctl -n net.inet.carp.demotion)" "demotion after maintenance"
ok "net.inet.carp.maintenance=0 lifts it; with preempt a is master again"
