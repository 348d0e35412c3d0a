#!/usr/bin/env bash
# 17-demo: the README's demo (make demo) runs to the end: node a MASTER then cut, node b
# MASTER, the client's outage within the protocol bound, both VIPs answering.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping
require_carpd

out=$(cd "$BC_REPO" && CARPD="$CARPD" timeout 60 ./scripts/demo 2>&1) || fail "demo failed: $out"
echo "$out" | sed 's/^/    /'
grep -q "carp: MASTER carpdev eth0 vhid 1 advbase 1 advskew 0" <<<"$out" || fail "no MASTER a before the cut"
grep -q "carp: BACKUP carpdev eth0 vhid 1 advbase 1 advskew 100" <<<"$out" || fail "no BACKUP b before the cut"
grep -q "carp: MASTER carpdev eth0 vhid 1 advbase 1 advskew 100" <<<"$out" || fail "b is not MASTER after the cut"
outage=$(sed -n 's/.*longest outage \([0-9]*\) ms.*/\1/p' <<<"$out")
[[ -n "$outage" && "$outage" -le 3500 ]] || fail "client outage '$outage' ms is over the 3391 ms bound (+ probe spacing)"
grep -q "2001:db8::50 answers" <<<"$out" || fail "IPv6 VIP does not answer after the failover"
ip netns list | grep -q '^demo' && fail "the demo left namespaces: $(ip netns list | grep '^demo')"
ok "make demo: failover in ${outage} ms, seen by the client"
