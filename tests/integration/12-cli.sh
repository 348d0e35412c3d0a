#!/usr/bin/env bash
# 12-cli: every error path of ifconfig, sysctl, netstat and carpd prints the BSD message
# on stderr and exits 1; plain interfaces work through netlink with no carpd at all.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

topology a

# expect_error NODE "MESSAGE" TOOL ARGS...: exit status 1, stderr's first line is MESSAGE, nothing on stdout.
expect_error() {
    local n=$1 message=$2 out err rc
    shift 2
    out=$(bsd "$n" "$@" 2>"$T/stderr")
    rc=$?
    err=$(head -1 "$T/stderr")
    assert_eq 1 "$rc" "exit status of '$*'"
    assert_eq "$message" "$err" "stderr of '$*'"
    assert_eq "" "$out" "stdout of '$*'"
}

# Without carpd: one clear line, and plain interfaces still work.
sock="$T/a.none/carpd.sock"
expect_error a "ifconfig: carpd is not running (no daemon on $sock)" ifconfig carp0 vhid 1 carpdev eth0 192.0.2.10/24
expect_error a "sysctl: carpd is not running (no daemon on $sock)" sysctl net.inet.carp.preempt
expect_error a "netstat: carpd is not running (no daemon on $sock)" netstat -s -p carp
bsd_ok a ifconfig eth0 inet 198.51.100.5/24 alias
has_addr a 198.51.100.5 eth0 || fail "198.51.100.5 not added to eth0"
grep -q "inet 198.51.100.5 netmask 0xffffff00 broadcast 198.51.100.255" <<<"$(bsd a ifconfig eth0)" || fail "ifconfig eth0 lacks the alias"
bsd_ok a ifconfig eth0 inet 198.51.100.5 -alias
has_addr a 198.51.100.5 && fail "198.51.100.5 still there after -alias"
bsd_ok a ifconfig eth0 mtu 1400
grep -q "^eth0: flags=.* mtu 1400$" <<<"$(bsd a ifconfig eth0)" || fail "mtu not 1400: $(bsd a ifconfig eth0 | sed -n 1p)"
bsd_ok a ifconfig eth0 down
grep -q "<UP" <<<"$(bsd a ifconfig eth0 | sed -n 1p)" && fail "eth0 still UP"
bsd_ok a ifconfig eth0 up
grep -q "^lo: flags=" <<<"$(bsd a ifconfig -a)" || fail "ifconfig -a lacks lo"
assert_eq 0 "$(bsd a sysctl -n net.inet.ip.forwarding)" "net.inet.ip.forwarding"
assert_eq "net.inet.ip.forwarding: 0 -> 1" "$(bsd a sysctl net.inet.ip.forwarding=1)" "write of a mapped name"
assert_eq 1 "$(nsx a cat /proc/sys/net/ipv4/ip_forward)" "ip_forward after the mapped write"
assert_eq "net.ipv4.ip_forward = 1" "$(bsd a sysctl net.ipv4.ip_forward)" "pass-through to Linux sysctl"
ok "plain interfaces and Linux sysctls work without carpd; carpd's absence is one clear line"

start_carpd a
bsd_ok a ifconfig eth0 vhid 1 pass s3cret alias 192.0.2.50/32
expect_error a "ifconfig: vhid 300: too large" ifconfig eth0 vhid 300
expect_error a "ifconfig: vhid 0: too small" ifconfig eth0 vhid 0
expect_error a "ifconfig: advskew 255: too large" ifconfig eth0 vhid 1 advskew 255
expect_error a "ifconfig: advskew requires vhid" ifconfig eth0 advskew 100
expect_error a "ifconfig: state requires vhid" ifconfig eth0 state master
expect_error a "ifconfig: 'advskew' requires argument" ifconfig eth0 vhid 1 advskew
expect_error a "ifconfig: \"advskw\": unknown keyword (did you mean \"advskew\"?)" ifconfig eth0 vhid 1 advskw 100
expect_error a "ifconfig: non parsable arg: 2-100" ifconfig carp0 carpnodes 1:0,2-100
expect_error a "ifconfig: balancing round-robin: unknown mode" ifconfig carp0 balancing round-robin
expect_error a "ifconfig: carpnodes: only a carp interface balances (OpenBSD's carpN)" ifconfig eth0 carpnodes 1:0,2:100
expect_error a "ifconfig: carpnodes: not with carpver 3" ifconfig carp9 carpnodes 11:0,12:0 carpver 3 carpdev eth0 192.0.2.60/32
expect_error a "ifconfig: carppeer: only IPv4 addresses are supported" ifconfig carp0 carppeer 2001:db8::2
expect_error a "ifconfig: nosuch0: no such interface" ifconfig nosuch0 up
expect_error a "ifconfig: nosuch0: no such interface" ifconfig nosuch0
expect_error a "ifconfig: carp7: no such interface" ifconfig carp7 destroy
expect_error a "ifconfig: 192.0.2.99: Can't assign requested address" ifconfig eth0 vhid 1 inet 192.0.2.99 -alias
expect_error a "ifconfig: carpdemote 200: too large" ifconfig -g carp carpdemote 200
expect_error a "ifconfig: egress: no such group" ifconfig -g egress
expect_error a "ifconfig: unknown option -- x" ifconfig -x
expect_error a "sysctl: unknown oid 'net.inet.carp.nope'" sysctl net.inet.carp.nope
expect_error a "sysctl: net.inet.carp.preempt: 2: out of range (0-1)" sysctl net.inet.carp.preempt=2
expect_error a "sysctl: net.inet.carp.dscp: 64: out of range (0-63)" sysctl net.inet.carp.dscp=64
expect_error a "sysctl: net.inet.carp.allow: yes: invalid integer" sysctl net.inet.carp.allow=yes
expect_error a "sysctl: unknown option -- x" sysctl -x
expect_error a "netstat: only \"netstat -s -p carp\" and \"-p pfsync\" are provided; use ss(8), ip(8) or nstat(8)" netstat
expect_error a "netstat: tcp: protocol statistics are not provided here; see nstat(8)" netstat -s -p tcp
ok "every error path prints its BSD message and exits 1"

assert_eq "net.inet.carp.preempt: 0 -> 1" "$(bsd a sysctl net.inet.carp.preempt=1)" "sysctl write"
assert_eq "net.inet.carp.demotion: 0 -> 240" "$(bsd a sysctl net.inet.carp.demotion=240)" "demotion write adds"
assert_eq "net.inet.carp.demotion: 240 -> 200" "$(bsd a sysctl net.inet.carp.demotion=-40)" "demotion write adds a negative"
assert_eq 9 "$(bsd a sysctl net.inet.carp | wc -l)" "lines of sysctl net.inet.carp"
assert_eq "net.pfsync.carp_demotion_factor=240" "$(bsd a sysctl net.pfsync)" "sysctl net.pfsync"
[[ -n "$(bsd a sysctl -q net.inet.carp.preempt=0)" ]] && fail "-q printed a write"
assert_eq "carp: carp demote count 0" "$(bsd a ifconfig -g carp)" "ifconfig -g carp"
bsd_ok a ifconfig -g carp carpdemote 5
assert_eq "carp: carp demote count 5" "$(bsd a ifconfig -g carp)" "after carpdemote 5"
bsd_ok a ifconfig -g carp -carpdemote
assert_eq "carp: carp demote count 4" "$(bsd a ifconfig -g carp)" "after -carpdemote"
grep -qx "carp:" <<<"$(bsd a netstat -s -p carp | sed -n 1p)" || fail "netstat -s -p carp"
out=$(ip netns exec "$(ns a)" "$CARPD" -x 2>&1)
assert_eq 1 "$?" "carpd -x exit status"
assert_eq "carpd: unknown option -- x" "$(head -1 <<<"$out")" "carpd -x message"
ok "sysctl, ifconfig -g and netstat answer as the BSDs do"

# FreeBSD's inet6 options: each a net.ipv6.conf sysctl, set before the line's addresses.
v6conf() { nsx a cat "/proc/sys/net/ipv6/conf/eth0/$1"; }
bsd_ok a ifconfig eth0 inet6 2001:db8::99/64 up no_dad
assert_eq 0 "$(v6conf accept_dad)" "accept_dad after no_dad"
# Whole outputs, no `| grep -q`: with pipefail, ip's SIGPIPE after grep quits fails the line.
grep -q '2001:db8::99/64' <<<"$(ip -n "$(ns a)" -6 addr show dev eth0)" || fail "no_dad line did not add 2001:db8::99"
grep -q "2001:db8::99" <<<"$(ip -n "$(ns a)" -6 addr show dev eth0 tentative)" && fail "2001:db8::99 is tentative after no_dad"
grep -q 'nd6 options=.*NO_DAD' <<<"$(bsd a ifconfig eth0)" || fail "ifconfig eth0 shows no NO_DAD: $(bsd a ifconfig eth0 | tail -1)"
bsd_ok a ifconfig eth0 inet6 -no_dad accept_rtadv no_radr -auto_linklocal
assert_eq "1 1 0 1" "$(v6conf accept_dad) $(v6conf accept_ra) $(v6conf accept_ra_defrtr) $(v6conf addr_gen_mode)" \
    "accept_dad accept_ra accept_ra_defrtr addr_gen_mode"
assert_eq "	nd6 options=43<PERFORMNUD,ACCEPT_RTADV,NO_RADR>" "$(bsd a ifconfig eth0 | tail -1)" "nd6 line"
bsd_ok a ifconfig eth0 inet6 -accept_rtadv -no_radr auto_linklocal nud
assert_eq "	nd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>" "$(bsd a ifconfig eth0 | tail -1)" "nd6 line back"
bsd_ok a ifconfig eth0 inet6 2001:db8::99 -alias
expect_error a "ifconfig: -nud: ioctl(SIOCSIFINFO_IN6): Operation not supported (Linux always performs NUD)" ifconfig eth0 inet6 -nud
expect_error a "ifconfig: carp0: no_dad: set it on the carpdev" ifconfig carp0 no_dad
ok "FreeBSD's inet6 options set their sysctls and show as nd6 options"

# FreeBSD's libxo output: JSON and XML that parsers read, FreeBSD's key names.
out=$(bsd a netstat --libxo json -s -p carp) || fail "netstat --libxo json: $out"
assert_eq "$(carpstat a ipackets)" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["statistics"]["carp"]["received-inet-packets"])' <<<"$out")" \
    "received-inet-packets in JSON"
out=$(bsd a netstat --libxo=xml,pretty -s -p carp) || fail "netstat --libxo xml: $out"
python3 -c 'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); assert r.find("carp/sent-inet-packets") is not None' <<<"$out" ||
    fail "netstat --libxo=xml,pretty is not the XML expected: $out"
expect_error a "netstat: --libxo: yaml: unknown option (json, xml, text, pretty)" netstat --libxo yaml -s -p carp
ok "netstat --libxo json and xml"
