#!/usr/bin/env bash
# 03-bowout: SIGTERM to the MASTER's carpd makes it bow out (one advert with
# advbase 255 / advskew 255): the BACKUP takes over at once (within 100 ms of
# the kill, measured while polling `get` as fast as possible); the stopped
# carpd exits 0 and leaves no vh1-eth0 and no VIP behind.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

V4=192.0.2.50 V6=2001:db8::50
LIMIT_MS=${BOWOUT_LIMIT_MS:-100}
topology a b c
start_carpd a
start_carpd b
ctl_ok a set carpdev=eth0 vhid=1 advbase=1 advskew=0 key=s3cret addr=$V4/24 addr=$V6/64
wait_state a MASTER 8
ctl_ok b set carpdev=eth0 vhid=1 advbase=1 advskew=100 key=s3cret addr=$V4/24 addr=$V6/64
wait_state b BACKUP 3
hold_states 2 "a=MASTER b=BACKUP"

# pollstate.py takes the time (time.time_ns(), the clock of date +%s%N), sends
# SIGTERM to a's carpd and polls b's `get` in a loop without sleeping.
t_shell=$(date +%s%N)
res=$("$PYTHON" "$BC_HERE/pollstate.py" "${CARPD_DIR[b]}/carpd.sock" MASTER 5 \
    --kill "${CARPD_PID[a]}" carpdev=eth0 vhid=1)
prc=$?
log "pollstate: $res (date +%s%N before starting it: $t_shell)"
elapsed=$(sed -n 's/.*elapsed_ms=\([0-9.]*\).*/\1/p' <<<"$res")
polls=$(sed -n 's/.*polls=\([0-9]*\).*/\1/p' <<<"$res")
((prc == 0)) || fail "b did not become MASTER within 5 s of the SIGTERM to a ($res)"
echo "MEASURED bow-out takeover: ${elapsed} ms after SIGTERM ($polls polls of b's get)"
awk -v e="$elapsed" -v l="$LIMIT_MS" 'BEGIN { exit !(e <= l) }' ||
    fail "b became MASTER ${elapsed} ms after the SIGTERM to a (limit ${LIMIT_MS} ms): no bow-out?"
ok "b MASTER ${elapsed} ms after SIGTERM to a"
t_vip=$(now_ms)
wait_until 2 vip_master_ok b 1 $V4 $V6 || fail "$(vip_master_problem b 1 $V4 $V6)"
log "b's VIPs in place $(($(now_ms) - t_vip)) ms after pollstate saw MASTER (plus the time to start this check)"

wait_carpd a 10
[[ "$CARPD_RC" == 0 ]] || fail "a's carpd exit status after SIGTERM: $CARPD_RC"
assert_false "a still has a vh1-eth0 link after carpd exited" link_exists a vh1-eth0
assert_false "a still has $V4 after carpd exited ($(addr_dev a $V4))" has_addr a $V4
assert_false "a still has $V6 after carpd exited ($(addr_dev a $V6))" has_addr a $V6
ok "a's carpd exited 0 and left no vh1-eth0 and no VIP"
assert_vip_master b 1 $V4 $V6
wait_until 5 ping4 c $V4 || fail "c cannot ping $V4 on b"
wait_until 5 ping6 c $V6 || fail "c cannot ping $V6 on b"
ok "c reaches both VIPs on b"
