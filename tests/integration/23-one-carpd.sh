#!/usr/bin/env bash
# 23-one-carpd: one carpd per network namespace. A second one (another socket, so another
# runtime directory) and a `carpd -C` beside a running carpd are refused with a message that
# names the running one, and touch nothing of it; once it is gone, both work again.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a
start_carpd a
ctl_ok a set carpdev=eth0 vhid=1 key=s3cret addr=192.0.2.50/24
wait_state a MASTER 8
first=${CARPD_PID[a]} sock="${CARPD_DIR[a]}/carpd.sock"
other="$T/other"
mkdir -p "$other"

# The second start: exit status 1 at once, one line naming the first, nothing changed.
timeout 10 ip netns exec "$(ns a)" "$CARPD" -d -s "$other/carpd.sock" >"$T/out" 2>"$T/err"
assert_eq 1 "$?" "exit status of a second carpd"
assert_eq "carpd: another carpd is running in this network namespace (pid $first, socket $sock)" \
    "$(head -1 "$T/err")" "a second carpd's message"
[[ -e "$other/carpd.sock" ]] && fail "the refused carpd left a socket"
link_exists a vh1-eth0 || fail "the refused carpd removed the first one's macvlan"
has_addr a 192.0.2.50 || fail "the refused carpd removed the VIP"
assert_eq MASTER "$(state a)" "the first carpd's state"
ok "a second carpd in the namespace is refused and changes nothing"

# carpd -C beside a running carpd would remove its macvlans: refused as well.
ip netns exec "$(ns a)" "$CARPD" -C -s "$other/carpd.sock" 2>"$T/err"
assert_eq 1 "$?" "exit status of carpd -C beside a running carpd"
grep -q "another carpd is running in this network namespace (pid $first, socket $sock); nothing removed" "$T/err" \
    || fail "carpd -C's message: $(cat "$T/err")"
link_exists a vh1-eth0 || fail "carpd -C removed a running carpd's macvlan"
assert_eq MASTER "$(state a)" "the first carpd's state after carpd -C"
ok "carpd -C beside a running carpd is refused and changes nothing"

# A stop (even by SIGKILL) frees the namespace at once: -C and a new start work.
stop_carpd a KILL 5 || true
ip netns exec "$(ns a)" "$CARPD" -C -s "$sock" 2>"$T/err" || fail "carpd -C after kill -9: $(cat "$T/err")"
link_exists a vh1-eth0 && fail "carpd -C after kill -9 left vh1-eth0"
start_carpd a
ok "after kill -9 the namespace is free: carpd -C and a new carpd run"
