#!/usr/bin/env bash
# 20-bowout-burst: a MASTER of 200 dual-stack vhids stopped with SIGTERM bows out of all
# of them at once; the BACKUP takes every one over on its bow-out ("master will time out"),
# none by waiting for master-down, and its receive sockets drop nothing.
# Two causes of lost bow-outs this has caught: the kernel's default receive queue
# (~208 KiB: 104 of 200 went on the bow-out), and private-mode macvlans that joined the
# CARP groups: each one b had just taken over got its own copy of every later bow-out,
# and that flood overflowed even 2 MiB (the last 4-14 % went at master-down).
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

N=${BURST_VHIDS:-200}
topology a b
start_carpd a
start_carpd b
# One python process configures every vhid (one ctl.py run per vhid would take minutes).
configure() { # NODE ADVSKEW
    "$PYTHON" - "${CARPD_DIR[$1]}/carpd.sock" "$N" "$2" "$BC_HERE" <<'PY' || fail "configuring $N vhids on $1"
import sys
sock, n, skew, here = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sys.path.insert(0, here)
import ctl
for i in range(1, n + 1):
    args = ["carpdev=eth0", "vhid=%d" % i, "advbase=1", "advskew=" + skew, "key=s3cret",
            "addr=198.51.100.%d/32" % i, "addr=2001:db8:1::%x/64" % i]
    lines, err, message = ctl.request(sock, "set", args, 10.0)
    if err:
        sys.exit("vhid %d: errno %d %s" % (i, err, message))
PY
    log "$N vhids on $1 (advskew $2)"
}
count() { ctl "$1" get 2>/dev/null | grep -c "^state=$2\$"; }
configure a 0
wait_until 10 eval '(( $(count a MASTER) == N ))' || fail "a is MASTER of $(count a MASTER) of $N vhids"
configure b 100
wait_until 10 eval '(( $(count b BACKUP) == N ))' || fail "b is BACKUP of $(count b BACKUP) of $N vhids"
hold_for 2 eval '(( $(count a MASTER) == N && $(count b BACKUP) == N ))' || fail "states did not hold"
ok "a MASTER and b BACKUP of all $N vhids"

stop_carpd a TERM 30
[[ "$CARPD_RC" == 0 ]] || fail "a's carpd exit status after SIGTERM: $CARPD_RC"
wait_until 10 eval '(( $(count b MASTER) == N ))' || fail "b is MASTER of $(count b MASTER) of $N vhids"
log="${CARPD_DIR[b]}/carpd.log"
bowout=$(grep -c 'BACKUP -> MASTER (master will time out)' "$log")
timedout=$(grep -c 'BACKUP -> MASTER (master timed out)' "$log")
drops=$(nsx b cat /proc/net/raw /proc/net/raw6 | awk 'NR > 1 && $NF ~ /^[0-9]+$/ { s += $NF } END { print s + 0 }')
echo "MEASURED takeovers on bow-out: $bowout, by master-down: $timedout (of $N); b's raw sockets dropped $drops"
((bowout + timedout == N)) || fail "b logged $bowout + $timedout takeovers for $N vhids"
((bowout == N)) || fail "only $bowout of $N vhids went over on a's bow-out ($timedout at master-down, $drops drops)"
((drops == 0)) || fail "b's raw sockets dropped $drops datagrams"
ok "b took over all $N vhids on a's bow-out, nothing dropped"
