#!/usr/bin/env bash
# 18-hook-timeout: a notify.d hook that hangs is killed after its 10 s limit and logged;
# the hooks after it still run, and the protocol is never held up meanwhile.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a
conf="$T/etc-carp"
mkdir -p "$conf/notify.d"
printf '#!/bin/sh\nexec sleep 60\n' >"$conf/notify.d/10-hangs"
printf '#!/bin/sh\necho "$1 $2 $(date +%%s)" >>%s\n' "$T/after.log" >"$conf/notify.d/20-after"
chmod +x "$conf/notify.d/10-hangs" "$conf/notify.d/20-after"
start_carpd a -f "$conf"
t0=$(date +%s)
bsd_ok a ifconfig eth0 vhid 1 pass s3cret alias 192.0.2.50/24
# The protocol goes on while the first hook hangs: INIT -> BACKUP -> MASTER in ~3 s.
wait_state a MASTER 6
[[ ! -s "$T/after.log" ]] || fail "20-after ran before 10-hangs ended: $(cat "$T/after.log")"
wait_until 15 eval '[[ -s "$T/after.log" ]]' || fail "20-after never ran"
read -r _ state t1 <"$T/after.log"
assert_eq BACKUP "$state" "first event the later hook saw"
(( t1 - t0 >= 9 )) || fail "20-after ran $((t1 - t0)) s after the change, before the 10 s limit"
grep -q "notify: $conf/notify.d/10-hangs: killed after 10 s" "${CARPD_DIR[a]}/carpd.log" || fail "the kill was not logged"
ok "a hanging hook was killed after 10 s and logged; the next hook then ran; the protocol went on"
