#!/usr/bin/env bash
# 06-wire: a alone, MASTER of vhid 7 (advbase 1, advskew 30, dual-stack VIPs);
# its adverts captured on the client c decode with tcpdump -T carp -v as
# "CARPv2-advertise 36: vhid=7 advbase=1 advskew=30" over IPv4 and IPv6, with
# TTL/hop limit 255 and no "bad carp cksum"; tshark -d ip.proto==112,carp
# (which also covers IPv6's next header) finds every checksum Good.
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
