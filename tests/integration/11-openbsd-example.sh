#!/usr/bin/env bash
# 11-openbsd-example: the OpenBSD way, typed as written: a carp0 interface with a carpdev,
# a password and an address; the host with the lower advskew is MASTER; then
# `ifconfig carp0 advskew 100` on it moves mastership to the other host (preempt on).
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping
require_carpd

topology a b c
start_carpd a
start_carpd b
for n in a b; do bsd_ok $n sysctl net.inet.carp.preempt=1; done
bsd_ok a ifconfig carp0 create
bsd_ok a ifconfig carp0 vhid 1 carpdev eth0 pass s3cret 192.0.2.10/24
bsd_ok b ifconfig carp0 vhid 1 carpdev eth0 pass s3cret advskew 50 192.0.2.10/24

status() { bsd "$1" ifconfig carp0 | awk '$1 == "status:" {print $2}'; }
wait_until 8 eval '[[ "$(status a) $(status b)" == "master backup" ]]' || fail "status: a=$(status a) b=$(status b)"
out=$(bsd a ifconfig carp0)
grep -q "^carp0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500$" <<<"$out" || fail "flags line: $out"
grep -q "	lladdr 00:00:5e:00:01:01" <<<"$out" || fail "lladdr line: $out"
grep -q "	carp: MASTER carpdev eth0 vhid 1 advbase 1 advskew 0$" <<<"$out" || fail "carp line: $out"
grep -q "	inet 192.0.2.10 netmask 0xffffff00 broadcast 192.0.2.255" <<<"$out" || fail "inet line: $out"
grep -q "	carp: BACKUP carpdev eth0 vhid 1 advbase 1 advskew 50$" <<<"$(bsd b ifconfig carp0)" || fail "b: $(bsd b ifconfig carp0)"
wait_until 3 ping4 c 192.0.2.10 || fail "c cannot reach 192.0.2.10"
ok "carp0 is master on a and backup on b, shown the OpenBSD way"
json=$(bsd a ifconfig --libxo json carp0) || fail "ifconfig --libxo json carp0: $json"
assert_eq "MASTER 1 0 192.0.2.10" "$(python3 -c 'import json, sys
i = json.load(sys.stdin)["interface-information"]["interface"][0]
c = i["carp"][0]
print(c["carp-state"], c["vhid"], c["advskew"], i["address"][0]["address"])' <<<"$json")" "carp0 in ifconfig --libxo json"
ok "ifconfig --libxo json carp0 gives the same state to a script"
summary=$(bsd a netstat -p carp)
grep -Eq '^carp0 +1 +MASTER +1 +0 +0 +[0-9]{2}:[0-9]{2}:[0-9]{2} +master timed out +192\.0\.2\.10/24$' <<<"$summary" ||
    fail "netstat -p carp on a: $summary"
ok "netstat -p carp lists carp0: state, timing, since when and why, address"

bsd_ok a ifconfig carp0 advskew 100
wait_until 5 eval '[[ "$(status a) $(status b)" == "backup master" ]]' || fail "after advskew 100: a=$(status a) b=$(status b)"
wait_until 3 ping4 c 192.0.2.10 || fail "c cannot reach 192.0.2.10 on b"
ok "ifconfig carp0 advskew 100 moved mastership to b"

bsd_ok b ifconfig carp0 down
wait_until 3 eval '[[ "$(status a)" == master ]]' || fail "a did not take over when b's carp0 went down"
assert_eq invalid "$(status b)" "status of b's carp0 when down"
bsd_ok b ifconfig carp0 destroy
bsd b ifconfig carp0 >/dev/null 2>&1 && fail "carp0 still exists on b after destroy"
link_exists b carp0 && fail "b still has a carp0 link"
ok "down bows out, destroy removes carp0"
