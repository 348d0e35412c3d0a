#!/usr/bin/env bash
# 25-groups: OpenBSD's interface groups, typed as an OpenBSD script does: carp1 created by
# the ifconfig line that configures it, taken out of group carp and put in fw-a; the
# group's demote counter moves only its members (a more demoted master loses without
# preempt), `ifconfig fw-a` lists them, and a restart keeps groups and counters.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a b
start_carpd a
start_carpd b
for n in a b; do
    bsd_ok $n ifconfig carp1 192.0.2.51/24 vhid 251 carpdev eth0 pass s3cret advskew $([[ $n == a ]] && echo 0 || echo 50) -group carp group fw-a
    bsd_ok $n ifconfig carp2 192.0.2.52/24 vhid 252 carpdev eth0 pass s3cret advskew $([[ $n == a ]] && echo 0 || echo 50)
done
status() { bsd "$1" ifconfig "$2" | awk '$1 == "status:" {print $2}'; }
both() { [[ "$(status a "$1") $(status b "$1")" == "$2" ]]; }
wait_until 8 both carp1 "master backup" || fail "carp1: a=$(status a carp1) b=$(status b carp1)"
wait_until 8 both carp2 "master backup" || fail "carp2: a=$(status a carp2) b=$(status b carp2)"
assert_eq "	groups: fw-a" "$(bsd a ifconfig carp1 | grep groups:)" "groups of carp1"
assert_eq "	groups: carp" "$(bsd a ifconfig carp2 | grep groups:)" "groups of carp2"
assert_eq "carp1" "$(bsd a ifconfig fw-a | awk -F: '/^carp/ {print $1}')" "members of fw-a"
assert_eq "carp2" "$(bsd a ifconfig carp | awk -F: '/^carp/ {print $1}')" "members of carp"
ok "carp1 was created by its first line, left carp and joined fw-a"

# Preempt is off: only the demote count can move a master.
bsd_ok a ifconfig -g fw-a carpdemote 50
assert_eq "fw-a: carp demote count 50" "$(bsd a ifconfig -g fw-a)" "ifconfig -g fw-a"
assert_eq "carp: carp demote count 0" "$(bsd a ifconfig -g carp)" "ifconfig -g carp"
wait_until 5 both carp1 "backup master" || fail "after carpdemote 50: carp1 a=$(status a carp1) b=$(status b carp1)"
hold_for 2 both carp2 "master backup" || fail "carp2 moved with fw-a: a=$(status a carp2) b=$(status b carp2)"
assert_eq 50 "$(field a demote get ifname=carp1)" "carp1's demote count"
assert_eq 0 "$(field a demote get ifname=carp2)" "carp2's demote count"
ok "the fw-a counter moved carp1 to b and left carp2 on a"

restart_carpd a KILL
assert_eq "fw-a: carp demote count 50" "$(bsd a ifconfig -g fw-a)" "fw-a's counter after a restart"
assert_eq "	groups: fw-a" "$(bsd a ifconfig carp1 | grep groups:)" "carp1's groups after a restart"
bsd_ok a ifconfig -g fw-a -carpdemote 50
bsd_ok a ifconfig carp1 group carp
assert_eq "	groups: fw-a carp" "$(bsd a ifconfig carp1 | grep groups:)" "carp1 back in carp"
ok "groups and counters survive a restart; -carpdemote and group change them back"

expect() { # MESSAGE ARGS...
    local want=$1 got
    shift
    got=$(bsd a ifconfig "$@" 2>&1) && fail "ifconfig $* succeeded"
    assert_eq "ifconfig: $want" "$got" "ifconfig $*"
}
expect "setifgroup: group names may not end in a digit" carp1 group fw1
expect "setifgroup: group name too long" carp1 group a-very-long-group
expect "nope: no such group" -g nope carpdemote
expect "eth0: group: interface groups are kept for carp interfaces only on Linux" eth0 group fw-a
ok "bad group words get their errors"
