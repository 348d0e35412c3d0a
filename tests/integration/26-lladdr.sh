#!/usr/bin/env bash
# 26-lladdr: OpenBSD's `lladdr` on a carp interface. A unicast MAC of its own becomes the
# macvlan's: advertisements and ARP come from it, clients learn it, and the HMAC covers it
# as OpenBSD's does (two nodes with different lladdrs count badauth). The carpdev's own MAC
# is refused with the reason; a plain link's lladdr is its MAC.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping
require_carpd

MAC=02:00:5e:10:00:51 VIP=192.0.2.51
topology a b c
start_carpd a
start_carpd b
bsd_ok a ifconfig carp1 vhid 51 carpdev eth0 pass s3cret lladdr $MAC $VIP/24
bsd_ok b ifconfig carp1 vhid 51 carpdev eth0 pass s3cret advskew 50 lladdr 02:00:5e:10:00:52 $VIP/24
status() { bsd "$1" ifconfig carp1 | awk '$1 == "status:" {print $2}'; }
wait_until 8 eval '[[ "$(status a)" == master ]]' || fail "a is $(status a)"
wait_until 5 eval '(( $(carpstat b badauth) > 0 ))' || fail "b accepted a's advertisements with another lladdr (badauth $(carpstat b badauth))"
ok "different lladdrs do not authenticate each other (badauth $(carpstat b badauth) on b)"

bsd_ok b ifconfig carp1 lladdr $MAC
before=$(carpstat b badauth)
wait_until 8 eval '[[ "$(status a) $(status b)" == "master backup" ]]' || fail "a=$(status a) b=$(status b)"
hold_for 2 eval '[[ "$(carpstat b badauth)" == "$before" ]]' || fail "badauth still rising on b with the same lladdr"
assert_eq "	lladdr $MAC" "$(bsd a ifconfig carp1 | grep lladdr)" "lladdr line of carp1"
assert_eq $MAC "$(link_mac a carp1)" "the macvlan's MAC"
wait_until 3 ping4 c $VIP || fail "c cannot reach $VIP"
assert_eq $MAC "$(neigh_mac c $VIP)" "c's neighbour entry for $VIP"
ok "carp1 answers from its lladdr, and the same lladdr on both nodes authenticates"

restart_carpd a KILL
assert_eq "	lladdr $MAC" "$(bsd a ifconfig carp1 | grep lladdr)" "lladdr after a restart"
# b took over while a was gone; without preempt a comes back as its backup.
wait_until 8 eval '[[ "$(status a) $(status b)" == "backup master" ]]' || fail "a=$(status a) b=$(status b) after the restart"
ok "the lladdr survives a restart, and a rejoins b's group"

own=$(link_mac a eth0)
out=$(bsd a ifconfig carp1 lladdr "$own" 2>&1) && fail "lladdr of eth0 accepted"
assert_eq "ifconfig: lladdr $own: the MAC of eth0 itself is not supported yet (Linux refuses it for a macvlan)" "$out" "carpdev's MAC"
out=$(bsd a ifconfig carp1 lladdr 01:00:5e:00:00:01 2>&1) && fail "multicast lladdr accepted"
assert_eq "ifconfig: lladdr 01:00:5e:00:00:01: not a unicast address" "$out" "multicast lladdr"
out=$(bsd a ifconfig carp1 lladdr 02:00 2>&1) && fail "short lladdr accepted"
assert_eq "ifconfig: lladdr 02:00: malformed link-level address" "$out" "malformed lladdr"
bsd_ok c ifconfig eth0 lladdr 02:00:00:00:00:cc
assert_eq 02:00:00:00:00:cc "$(link_mac c eth0)" "plain link's MAC"
ok "bad lladdrs are refused with their reason; a plain link takes its lladdr"
