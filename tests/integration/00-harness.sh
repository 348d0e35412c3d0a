#!/usr/bin/env bash
# 00-harness: the harness itself, without carpd: namespaces and bridge,
# link_down/link_up, ctl.py against a stand-in control socket, the forged-advert
# sender, and the tcpdump/tshark checks that 06-wire relies on.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping tcpdump tshark timeout stdbuf

topology a b c

# Every node reaches every other over IPv4 and IPv6.
for x in a b c; do
    for y in a b c; do
        [[ $x == "$y" ]] && continue
        ping4 "$x" "$(node_ip4 "$y")" || fail "$x cannot ping $(node_ip4 "$y")"
        ping6 "$x" "$(node_ip6 "$y")" || fail "$x cannot ping $(node_ip6 "$y")"
    done
done
ok "full mesh reachable over IPv4 and IPv6"

# Nothing leaked into the host: our links exist only inside our namespaces.
! ip link show dev pa >/dev/null 2>&1 || fail "switch port pa visible in the host namespace"

# link_down cuts a (no carrier on a's eth0, unreachable), link_up restores it.
link_down a
wait_until 3 eval '! link_running a eth0' || fail "a's eth0 still has carrier after link_down"
ping4 c "$(node_ip4 a)" && fail "c still reaches a after link_down"
ping4 c "$(node_ip4 b)" || fail "c lost b after a's link_down"
link_up a
wait_until 3 link_running a eth0 || fail "a's eth0 has no carrier after link_up"
wait_until 5 ping4 c "$(node_ip4 a)" || fail "c does not reach a after link_up"
ok "link_down / link_up"

# ctl.py: exit 111 without a server; reply lines, errno and message with one.
"$PYTHON" "$BC_HERE/ctl.py" "$T/nothing.sock" get >/dev/null 2>&1
assert_eq 111 $? "ctl.py exit status without a server"
"$PYTHON" - "$T/fake.sock" "$T/fake.requests" <<'PY' &
import os, socket, sys
path, reqlog = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(4)
for _ in range(3):
    c, _ = s.accept()
    buf = b""
    while not buf.endswith(b"\n\n"):
        d = c.recv(4096)
        if not d:
            break
        buf += d
    open(reqlog, "ab").write(buf)
    first = buf.split(b"\n", 1)[0]
    if first == b"get=1":
        c.sendall(b"vhid=1\nstate=BACKUP\nerrno=0\n\n")
    else:
        c.sendall(b"errno=22\nmessage=unknown key 'bogus'\n\n")
    c.close()
PY
track $!
wait_until 5 test -S "$T/fake.sock" || fail "stand-in control socket did not appear"
out=$("$PYTHON" "$BC_HERE/ctl.py" "$T/fake.sock" get carpdev=eth0 vhid=1)
assert_eq 0 $? "ctl.py exit status on errno=0"
assert_eq $'vhid=1\nstate=BACKUP\nerrno=0' "$out" "ctl.py stdout"
CARPD_DIR[f]=$T/fake   # so that the lib's field/state helpers use the stand-in
mv "$T/fake.sock" "$T/fake.sock.tmp" && mkdir -p "$T/fake" && mv "$T/fake.sock.tmp" "$T/fake/carpd.sock"
assert_eq BACKUP "$(state f)" "state helper"
err=$(ctl f set=1 bogus=1 2>&1 >/dev/null)
rc=$?
assert_eq 22 "$rc" "ctl.py exit status on errno=22"
assert_eq "message=unknown key 'bogus'" "$err" "ctl.py stderr"
req=$(cat "$T/fake.requests")
[[ "$req" == $'get=1\ncarpdev=eth0\nvhid=1\n\nget=1\ncarpdev=eth0\nvhid=1\n\nset=1\nbogus=1' ]] ||
    fail "requests sent by ctl.py: $(printf %q "$req")"
unset 'CARPD_DIR[f]'
ok "ctl.py: reply, errno, message, exit statuses"

# Wire tools on hand-made adverts (c sends, a captures): good ones pass
# check_wire, a bad checksum is caught by both tcpdump and tshark.
capture_start a "$T/good.pcap" 4
nsx c "$PYTHON" "$BC_HERE/carp_send.py" --family 4 --vhid 7 --advbase 1 --advskew 30 --count 2 ||
    fail "carp_send.py IPv4"
nsx c "$PYTHON" "$BC_HERE/carp_send.py" --family 6 --vhid 7 --advbase 1 --advskew 30 --count 2 ||
    fail "carp_send.py IPv6"
capture_wait 5
check_wire "$T/good.pcap" 7 1 30

capture_start a "$T/bad.pcap" 2
nsx c "$PYTHON" "$BC_HERE/carp_send.py" --family 4 --vhid 7 --bad-cksum
nsx c "$PYTHON" "$BC_HERE/carp_send.py" --family 6 --vhid 7 --bad-cksum
capture_wait 5
assert_eq 2 "$(carp_tcpdump "$T/bad.pcap" | grep -c 'bad carp cksum')" "tcpdump bad-cksum detections"
assert_eq 2 "$(carp_tshark "$T/bad.pcap" | awk -F, '$5 == 0' | wc -l)" "tshark Bad checksum statuses"
if (check_wire "$T/bad.pcap" 7 1 0) >/dev/null 2>&1; then fail "check_wire accepted bad checksums"; fi
ok "bad checksums are detected"

# Processes inside a namespace are found by the cleanup.
nsx b sleep 300 &
track $!
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[[ -n "$(ip netns pids "$(ns b)")" ]]' || fail "ip netns pids sees nothing in $(ns b)"
ok "harness works"
