#!/usr/bin/env bash
# 09-control: the control socket refuses malformed requests with errno= and message=,
# refuses writes from non-root users and never shows them the key, and stays usable
# for everyone else throughout.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip setpriv
require_carpd

topology a
start_carpd a
ctl_ok a set carpdev=eth0 vhid=1 key=s3cret addr=192.0.2.50/24
SOCK="${CARPD_DIR[a]}/carpd.sock"

# raw TEXT: send TEXT as is, print the reply.
raw() { "$PYTHON" - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
try:
    s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass  # carpd stops reading an oversize request: its reply is still there to read
out = b""
while True:
    try:
        chunk = s.recv(65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
print(out.decode(errors="replace"), end="")
PY
}

expect_refused() {  # TEXT ERRNO MESSAGE-SUBSTRING
    local reply
    reply=$(raw "$1")
    grep -qx "errno=$2" <<<"$reply" || fail "request '$1': expected errno=$2, got: $(tr '\n' ' ' <<<"$reply")"
    grep -q "^message=.*$3" <<<"$reply" || fail "request '$1': message lacks '$3': $(tr '\n' ' ' <<<"$reply")"
}
expect_refused 'garbage\n\n' 22 "expected key=value"
expect_refused 'frobnicate=1\n\n' 22 "unknown command"
expect_refused 'set=1\ncarpdev=eth0\nvhid=300\n\n' 22 "vhid 300: too large"
expect_refused 'set=1\ncarpdev=eth0\nvhid=1\nadvskew=255\n\n' 22 "advskew 255: too large"
expect_refused 'set=1\ncarpdev=eth0\nvhid=1\nbogus=1\n\n' 22 "unknown key 'bogus'"
expect_refused 'set=1\ncarpdev=nosuch0\nvhid=9\naddr=192.0.2.60/24\n\n' 19 "nosuch0: no such interface"
expect_refused 'set=1\ncarpdev=eth0\nvhid=1\ndeladdr=192.0.2.99\n\n' 99 "192.0.2.99"
expect_refused 'sysctl=1\nname=net.inet.carp.preempt\nvalue=2\n\n' 22 "out of range"
expect_refused 'sysctl=1\nname=net.inet.carp.nope\n\n' 2 "unknown oid"
expect_refused 'demote=1\ngroup=carp\nadjust=-1\n\n' 22 "out of range"
expect_refused 'get=1\nvhid=77\ncarpdev=eth0\n\n' 2 "no such virtual host"
ok "malformed requests get errno= and message="

# A request larger than 64 KiB, and a client that connects and says nothing.
big=$("$PYTHON" -c 'print("set=1\\nkey=" + "x" * 70000 + "\\n")')
reply=$(raw "$big\n")
grep -qx "errno=22" <<<"$reply" || fail "oversize request: $(head -c 200 <<<"$reply")"
"$PYTHON" -c "import socket,time; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); time.sleep(3)" &
track $!
sleep 0.2
assert_eq MASTER "$(wait_until 5 state_is a MASTER; state a)" "state while a silent client holds a connection"
ok "oversize and silent clients do not disturb carpd"

# Non-root: may read, may not write, never sees the key. (The test dirs are 0700.) nobody runs
# a copy of the client from the test's own directory: the checkout may sit where only root
# can enter (a clone under /root).
chmod 755 "$T" "${CARPD_DIR[a]}"
install -m 644 "$BC_HERE/ctl.py" "$T/ctl.py"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$PYTHON" "$T/ctl.py" "$SOCK" "$@"; }
out=$(as_nobody get showkey=1) || fail "nobody cannot read status: $out"
grep -q '^vhid=1$' <<<"$out" || fail "nobody's get lacks vhid=1"
grep -q '^key=' <<<"$out" && fail "key shown to nobody"
as_nobody set carpdev=eth0 vhid=1 advskew=50 >/dev/null 2>&1
assert_eq 1 "$?" "errno for a write by nobody (EPERM)"
as_nobody sysctl name=net.inet.carp.preempt value=1 >/dev/null 2>&1
assert_eq 1 "$?" "errno for a sysctl write by nobody"
assert_eq 0 "$(field a advskew get carpdev=eth0 vhid=1)" "advskew after nobody's attempt"
assert_eq s3cret "$(field a key get carpdev=eth0 vhid=1 showkey=1)" "key shown to root with showkey=1"
ok "non-root users read status without keys and cannot change anything"
