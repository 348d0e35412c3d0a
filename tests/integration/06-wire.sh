#!/usr/bin/env bash
# 06-wire: a alone, MASTER of vhid 7 (advbase 1, advskew 30, dual-stack VIPs);
# its adverts captured on the client c decode with tcpdump -T carp -v as
# "CARPv2-advertise 36: vhid=7 advbase=1 advskew=30" over IPv4 and IPv6, with
# TTL/hop limit 255 and no "bad carp cksum"; tshark -d ip.proto==112,carp
# (which also covers IPv6's next header) finds every checksum Good. Both
# families carry DSCP 56 (tos / class 0xe0, FreeBSD's default), IPv4 has DF
# set; after sysctl net.inet.carp.dscp=0 the next adverts carry class 0.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip tcpdump tshark
require_carpd

topology a c
start_carpd a
ctl_ok a set carpdev=eth0 vhid=7 advbase=1 advskew=30 key=s3cret addr=192.0.2.57/24 addr=2001:db8::57/64
wait_state a MASTER 8 7
assert_vip_master a 7 192.0.2.57 2001:db8::57

capture_start c "$T/wire.pcap" 4
capture_wait 10
check_wire "$T/wire.pcap" 7 1 30

# The adverts leave from the VMAC.
src=$(tcpdump -r "$T/wire.pcap" -e -n 2>/dev/null | awk '{print $2}' | sort -u | tr '\n' ' ')
assert_eq "00:00:5e:00:01:07 " "$src" "source MAC of the adverts"
ok "adverts sent from 00:00:5e:00:01:07"

# The IP header fields the frame builder sets (doc/protocol.md §1.1).
txt=$(tcpdump -r "$T/wire.pcap" -n -v 2>/dev/null)
v4=$(grep ' IP (' <<<"$txt"); v6=$(grep ' IP6 (' <<<"$txt")
grep -v -q 'tos 0xe0, ttl 255, id 0, offset 0, flags \[DF\]' <<<"$v4" \
    && fail "an IPv4 advert lacks tos 0xe0 / DF: $v4"
grep -v -q 'class 0xe0, hlim 255' <<<"$v6" && fail "an IPv6 advert lacks class 0xe0: $v6"
ok "DSCP 56 on both families, DF on IPv4"

assert_eq "net.inet.carp.dscp: 56 -> 0" "$(bsd a sysctl net.inet.carp.dscp=0)" "sysctl net.inet.carp.dscp=0"
capture_start c "$T/dscp0.pcap" 4
capture_wait 10
txt=$(tcpdump -r "$T/dscp0.pcap" -n -v 2>/dev/null)
v4=$(grep ' IP (' <<<"$txt"); v6=$(grep ' IP6 (' <<<"$txt")
[[ -n "$v4" && -n "$v6" ]] || fail "no adverts after the DSCP change: $txt"
grep -q 'tos 0xe0\|class 0xe0' <<<"$txt" && fail "DSCP 56 still sent after dscp=0: $txt"
grep -v -q 'ttl 255, id 0, offset 0, flags \[DF\]' <<<"$v4" && fail "IPv4 adverts changed beyond the TOS: $v4"
ok "net.inet.carp.dscp=0 clears the TOS and the traffic class"
