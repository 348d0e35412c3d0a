#!/usr/bin/env bash
# 26-lladdr: OpenBSD's `lladdr` on a carp interface. A unicast MAC of its own becomes the
# macvlan's: advertisements and ARP come from it, clients learn it, and the HMAC covers it
# as OpenBSD's does (two nodes with different lladdrs count badauth). With each node's own
# carpdev MAC (switches that refuse foreign MACs) the VIP lives on the carpdev while MASTER,
# the HMAC leaves the MAC out, and nothing stays behind after a stop or a kill -9 and -C.
# A plain link's lladdr is its MAC.
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

out=$(bsd a ifconfig carp1 lladdr 01:00:5e:00:00:01 2>&1) && fail "multicast lladdr accepted"
assert_eq "ifconfig: lladdr 01:00:5e:00:00:01: not a unicast address" "$out" "multicast lladdr"
out=$(bsd a ifconfig carp1 lladdr 02:00 2>&1) && fail "short lladdr accepted"
assert_eq "ifconfig: lladdr 02:00: malformed link-level address" "$out" "malformed lladdr"
bsd_ok c ifconfig eth0 lladdr 02:00:00:00:00:cc
assert_eq 02:00:00:00:00:cc "$(link_mac c eth0)" "plain link's MAC"
ok "bad lladdrs are refused with their reason; a plain link takes its lladdr"

# Each node's own MAC: no macvlan, the VIP on eth0 while MASTER.
V3=192.0.2.53
for n in a b; do
    bsd_ok $n ifconfig carp3 vhid 53 carpdev eth0 pass s3cret advskew $([[ $n == a ]] && echo 0 || echo 50) lladdr "$(link_mac $n eth0)" $V3/24
done
st3() { bsd "$1" ifconfig carp3 | awk '$1 == "status:" {print $2}'; }
wait_until 8 eval '[[ "$(st3 a) $(st3 b)" == "master backup" ]]' || fail "carp3: a=$(st3 a) b=$(st3 b)"
assert_eq eth0 "$(addr_dev a $V3)" "where a holds $V3"
assert_eq "" "$(addr_dev b $V3)" "b holds $V3 as backup"
link_exists a carp3 && fail "a made a carp3 link"
assert_eq "	lladdr $(link_mac a eth0)" "$(bsd a ifconfig carp3 | grep lladdr)" "carp3's lladdr on a"
nsx c ip neigh flush all
wait_until 3 ping4 c $V3 || fail "c cannot reach $V3 on a"
assert_eq "$(link_mac a eth0)" "$(neigh_mac c $V3)" "c's entry for $V3 (a's own MAC)"
before=$(carpstat b badauth)
hold_for 2 eval '[[ "$(carpstat b badauth)" == "$before" ]]' || fail "b rejects a's carp3 advertisements (the real MAC must not be hashed)"
ok "carp3 with each node's own MAC: the VIP on a's eth0, answered from its MAC, authenticated"

link_down a
wait_until 6 eval '[[ "$(st3 b)" == master ]]' || fail "b did not take carp3 over"
assert_eq eth0 "$(addr_dev b $V3)" "where b holds $V3"
wait_until 3 ping4 c $V3 || fail "c cannot reach $V3 on b"
assert_eq "$(link_mac b eth0)" "$(neigh_mac c $V3)" "c's entry for $V3 after the takeover"
link_up a
wait_until 8 eval '[[ "$(st3 a)" == backup ]]' || fail "a's carp3 is $(st3 a) after its link returned"
assert_eq "" "$(addr_dev a $V3)" "a holds $V3 as backup"
ok "b took carp3 over on its own eth0; a returned as backup without the VIP"

stop_carpd b TERM
wait_until 6 eval '[[ "$(st3 a)" == master ]]' || fail "a did not take carp3 back"
assert_eq "" "$(addr_dev b $V3)" "$V3 left on b's eth0 after carpd stopped"
ip -n "$(ns a)" neigh flush all 2>/dev/null
stop_carpd a KILL
assert_eq eth0 "$(addr_dev a $V3)" "a's VIP after kill -9 (still there)"
out=$(ip netns exec "$(ns a)" "$CARPD" -C -s "${CARPD_DIR[a]}/carpd.sock" 2>&1) || fail "carpd -C: $out"
grep -q "removed stale $V3/24 from eth0" <<<"$out" || fail "carpd -C did not say it removed $V3: $out"
assert_eq "" "$(addr_dev a $V3)" "a's VIP after carpd -C"
ok "a stop and a kill -9 with -C leave the VIP on neither eth0"
