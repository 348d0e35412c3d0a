#!/usr/bin/env bash
# 15-notify: every executable in notify.d runs on each state change with
# "<vhid>@<carpdev> <STATE>", one at a time and in order; a failing hook is logged and
# blocks nothing; subscribers to the event stream get every transition once, in order.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a b
conf="$T/etc-carp"
mkdir -p "$conf/notify.d"
events="$T/hooks.log"
for name in 10-first 20-second; do
    printf '#!/bin/sh\necho "%s $1 $2 start" >>%s\nsleep 0.2\necho "%s $1 $2 end" >>%s\n' "$name" "$events" "$name" "$events" >"$conf/notify.d/$name"
    chmod +x "$conf/notify.d/$name"
done
printf '#!/bin/sh\nexit 3\n' >"$conf/notify.d/30-fails"; chmod +x "$conf/notify.d/30-fails"
printf 'not executable\n' >"$conf/notify.d/40-ignored"

start_carpd a -f "$conf"
start_carpd b
# The event stream of a, from before any transition.
"$PYTHON" - "${CARPD_DIR[a]}/carpd.sock" >"$T/stream" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"subscribe=1\n\n")
s.settimeout(12)
try:
    while True:
        data = s.recv(4096)
        if not data:
            break
        sys.stdout.write(data.decode()); sys.stdout.flush()
except socket.timeout:
    pass
PY
track $!
sleep 0.3
bsd_ok a ifconfig eth0 vhid 1 pass s3cret alias 192.0.2.50/24
bsd_ok b ifconfig eth0 vhid 1 advskew 100 pass s3cret alias 192.0.2.50/24
wait_state a MASTER 8
# a becomes the less preferred node; b preempts it.
bsd_ok b sysctl net.inet.carp.preempt=1
bsd_ok a ifconfig eth0 vhid 1 advskew 200
wait_state b MASTER 4
wait_until 5 eval '[[ $(wc -l <"$events") -ge 12 ]]' || fail "hooks ran $(wc -l <"$events") lines: $(cat "$events")"
expected="10-first 1@eth0 BACKUP start
10-first 1@eth0 BACKUP end
20-second 1@eth0 BACKUP start
20-second 1@eth0 BACKUP end
10-first 1@eth0 MASTER start
10-first 1@eth0 MASTER end
20-second 1@eth0 MASTER start
20-second 1@eth0 MASTER end
10-first 1@eth0 BACKUP start
10-first 1@eth0 BACKUP end
20-second 1@eth0 BACKUP start
20-second 1@eth0 BACKUP end"
assert_eq "$expected" "$(cat "$events")" "hook runs, in order, one at a time"
grep -q "notify: $conf/notify.d/30-fails: exit status 3" "${CARPD_DIR[a]}/carpd.log" || fail "the failing hook was not logged"
ok "hooks ran one at a time, in order, with <vhid>@<carpdev> <STATE>; a failure was logged"

wait_until 3 eval 'grep -c "^to=" "$T/stream" | grep -qx 3' || fail "event stream: $(tr '\n' ' ' <"$T/stream")"
assert_eq "errno=0" "$(head -1 "$T/stream")" "subscription reply"
assert_eq "1 2 3" "$(grep '^seq=' "$T/stream" | cut -d= -f2 | tr '\n' ' ' | sed 's/ $//')" "event sequence numbers"
assert_eq "INIT>BACKUP BACKUP>MASTER MASTER>BACKUP" \
    "$(paste -d'>' <(grep '^from=' "$T/stream" | cut -d= -f2) <(grep '^to=' "$T/stream" | cut -d= -f2) | tr '\n' ' ' | sed 's/ $//')" "transitions"
grep -qx "reason=more frequent advertisement received" "$T/stream" || fail "reason missing from the stream"
ok "the event stream carried each transition once, in order"
