#!/usr/bin/env bash
# 13-bootconfig: carpd -f DIR reads OpenBSD hostname.if, FreeBSD rc.conf and sysctl.conf
# and ends in the same runtime state as the equivalent ifconfig/sysctl commands; a bad file
# is reported as FILE:LINE by carpd -n and refused whole at start while the others apply.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip setpriv
require_carpd

topology a b
conf="$T/etc-carp"
mkdir -p "$conf"
cat >"$conf/hostname.carp0" <<'CONF'
# OpenBSD style
inet 192.0.2.10 255.255.255.0 NONE vhid 1 carpdev eth0 pass s3cret advskew 100
inet6 2001:db8::10 prefixlen 64 alias
CONF
cat >"$conf/rc.conf" <<'CONF'
hostname="node-a"
ifconfig_eth0_alias0="inet vhid 2 advskew 50 pass other alias 192.0.2.50/32"
CONF
printf 'net.inet.carp.preempt=1   # take over when preferred\nnet.inet.carp.log=2\n' >"$conf/sysctl.conf"

out=$(ip netns exec "$(ns a)" "$CARPD" -n -f "$conf" 2>&1) || fail "carpd -n on a good directory: $out"
assert_eq "" "$out" "carpd -n output on a good directory"
start_carpd a -f "$conf"

# The same by hand on b.
start_carpd b
bsd_ok b sysctl net.inet.carp.preempt=1 net.inet.carp.log=2
bsd_ok b ifconfig carp0 inet 192.0.2.10 netmask 255.255.255.0 vhid 1 carpdev eth0 pass s3cret advskew 100
bsd_ok b ifconfig carp0 inet6 2001:db8::10 prefixlen 64 alias
bsd_ok b ifconfig eth0 inet vhid 2 advskew 50 pass other alias 192.0.2.50/32

# Without the states and the time of their last change (a second may tick between a and b).
config_of() { ctl "$1" get showkey=1 | grep -v -e '^state=' -e '^errno=' -e '^since=' ; bsd "$1" sysctl net.inet.carp; }
assert_eq "$(config_of b)" "$(config_of a)" "runtime state from the files (a) and from commands (b)"
ok "boot files and the equivalent commands give the same runtime state"

# A bad file: every problem with FILE:LINE; exit status 1.
cat >"$conf/hostname.carp1" <<'CONF'
vhid 300 carpdev eth0
!/bin/echo hello
inet 192.0.2.11/24 advskw 5
CONF
printf 'net.inet.carp.nope=1\n' >>"$conf/sysctl.conf"
printf 'up syncdev eth0 maxupd 300\n' >"$conf/hostname.pfsync0"
out=$(ip netns exec "$(ns a)" "$CARPD" -n -f "$conf" 2>&1)
assert_eq 1 "$?" "carpd -n exit status with bad files"
grep -qx "carpd: $conf/hostname.carp1:1: vhid 300: too large" <<<"$out" || fail "carpd -n: $out"
grep -q "^carpd: $conf/hostname.carp1:2: '!command' lines are not supported" <<<"$out" || fail "carpd -n: $out"
grep -qx "carpd: $conf/hostname.carp1:3: \"advskw\": unknown keyword (did you mean \"advskew\"?)" <<<"$out" || fail "carpd -n: $out"
grep -qx "carpd: $conf/sysctl.conf:3: unknown oid 'net.inet.carp.nope'" <<<"$out" || fail "carpd -n: $out"
grep -qx "carpd: $conf/hostname.pfsync0:1: maxupd 300: too large" <<<"$out" || fail "carpd -n: $out"
rm -f "$conf/hostname.pfsync0"
ok "carpd -n reports every problem as FILE:LINE"

stop_carpd a
rm -f "${CARPD_DIR[a]}/carpd.state"   # no runtime state: a fresh boot
start_carpd a -f "$conf"
grep -q "hostname.carp1:1: vhid 300: too large" "${CARPD_DIR[a]}/carpd.log" || fail "start did not log the bad file"
bsd a ifconfig carp1 >/dev/null 2>&1 && fail "carp1 from the refused file exists"
assert_eq 2 "$(ctl a get | grep -c '^vhid=')" "vhids from the good files"
assert_eq 0 "$(bsd a sysctl -n net.inet.carp.preempt)" "preempt: sysctl.conf has a bad line, so none of it applies"
ok "a bad file is refused whole at start, the others apply"

# netstart: a file changed while carpd runs takes effect (the runtime state still has the
# old one); -n applies nothing; only the interfaces named are touched; the change survives
# a restart; bad names and interfaces no file configures are errors.
sed -i 's/advskew 100/advskew 40/' "$conf/hostname.carp0"
sed -i 's/advskew 50/advskew 60/' "$conf/rc.conf"
out=$(bsd a netstart -n carp0) || fail "netstart -n carp0: $out"
assert_eq "$conf/hostname.carp0:2: inet 192.0.2.10 255.255.255.0 NONE vhid 1 carpdev eth0 pass s3cret advskew 40
$conf/hostname.carp0:3: inet6 2001:db8::10 prefixlen 64 alias" "$out" "netstart -n carp0"
assert_eq 100 "$(field a advskew get ifname=carp0)" "advskew after netstart -n"
bsd_ok a netstart carp0
assert_eq 40 "$(field a advskew get ifname=carp0)" "advskew after netstart carp0"
assert_eq 50 "$(field a advskew get carpdev=eth0 vhid=2)" "vhid 2 (rc.conf, eth0) after netstart carp0"
bsd_ok a netstart eth0
assert_eq 60 "$(field a advskew get carpdev=eth0 vhid=2)" "vhid 2 after netstart eth0"
stop_carpd a
start_carpd a -f "$conf"
assert_eq 40 "$(field a advskew get ifname=carp0)" "advskew after netstart and a restart"
ok "netstart applies a changed file while carpd runs, and the change is kept"

out=$(bsd a netstart 2>&1)
assert_eq 1 "$?" "netstart of every interface with a bad file"
grep -qx "netstart: $conf/hostname.carp1:1: vhid 300: too large" <<<"$out" || fail "netstart: $out"
grep -q "sysctl.conf" <<<"$out" && fail "netstart reported sysctl.conf: $out"
out=$(bsd a netstart carp7 2>&1)
assert_eq 1 "$?" "netstart of an interface no file configures"
assert_eq "netstart: $conf/hostname.carp7:0: carp7: not configured (no hostname.carp7, no ifconfig_carp7 in rc.conf)" "$out" "netstart carp7"
out=$(bsd a netstart 'carp/0' 2>&1)
assert_eq 1 "$?" "netstart with a bad interface name"
assert_eq "netstart: carp/0: bad interface name" "$(head -1 <<<"$out")" "netstart carp/0"
# Not for other users, -n neither: the lines carry the keys. (A copy of the client runs as
# nobody: the checkout may be where only root can enter.)
chmod 755 "$T" "${CARPD_DIR[a]}"
install -m 644 "$BC_HERE/ctl.py" "$T/ctl.py"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PYTHON" "$T/ctl.py" "${CARPD_DIR[a]}/carpd.sock" \
    netstart ifname=carp0 dryrun=1 2>&1)
assert_eq 1 "$?" "netstart -n as nobody"
grep -q "Operation not permitted" <<<"$out" || fail "netstart -n as nobody: $out"
grep -q "s3cret" <<<"$out" && fail "netstart -n showed nobody the key"
ok "netstart's errors: bad files, unconfigured and bad names, not root"
