#!/usr/bin/env bash
# 19-linklocal: carpdevs with no global IPv6 address (only their link-local one): IPv6
# advertisements still go out (sourced from the carpdev's link-local address, copied onto
# the macvlan while MASTER), so the backup never sees the IPv6 master time out.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping tcpdump
require_carpd

topology a b c
for n in a b; do ip -n "$(ns "$n")" addr del "$(node_ip6 "$n")/64" dev eth0 || fail "remove global IPv6 on $n"; done
start_carpd a
start_carpd b
bsd_ok a ifconfig eth0 vhid 5 pass s3cret alias 192.0.2.55/24
bsd_ok a ifconfig eth0 inet6 2001:db8::55/64 vhid 5 alias
bsd_ok b ifconfig eth0 vhid 5 advskew 100 pass s3cret alias 192.0.2.55/24
bsd_ok b ifconfig eth0 inet6 2001:db8::55/64 vhid 5 alias
wait_state a MASTER 8 5
nsx b timeout 3 tcpdump -n -l -i eth0 'ip6 proto 112' >"$T/b6" 2>/dev/null
grep -q 'fe80::.* > ff02::12' "$T/b6" || fail "no IPv6 advertisement from a link-local source: $(head -3 "$T/b6")"
hold_states 4 "a=MASTER b=BACKUP" 5
assert_eq 0 "$(carpstat b badauth)" "badauth on b"
wait_until 3 ping6 c 2001:db8::55 || fail "c cannot reach 2001:db8::55"
ok "IPv6 advertisements from the carpdev's link-local address keep b BACKUP"
