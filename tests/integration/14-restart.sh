#!/usr/bin/env bash
# 14-restart: runtime changes survive a restart of carpd; kill -9 of a MASTER followed by
# the systemd cleanup (carpd -C) and a new start: the configuration is back, the node
# rejoins as BACKUP, and only one node ever holds the VIP; a stop with no start leaves
# no VIP, no macvlan and the carpdev's sysctls as they were.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip ping
require_carpd

topology a b c
orig_arp_ignore=$(nsx a cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)
start_carpd a
start_carpd b
bsd_ok a ifconfig eth0 vhid 1 pass s3cret alias 192.0.2.50/24
bsd_ok b ifconfig eth0 vhid 1 advskew 100 pass s3cret alias 192.0.2.50/24
wait_state a MASTER 8
bsd_ok a sysctl net.inet.carp.log=2 net.inet.carp.demotion=10
bsd_ok a ifconfig -g carp carpdemote 3

# Restart a's carpd on the same socket: its configuration comes back from the runtime state.
restart_carpd a TERM
wait_state b MASTER 2
assert_eq 1 "$(ctl a get | grep -c '^vhid=1$')" "vhid 1 after a restart"
assert_eq 2 "$(bsd a sysctl -n net.inet.carp.log)" "net.inet.carp.log after a restart"
assert_eq 10 "$(bsd a sysctl -n net.inet.carp.demotion)" "demotion set by hand after a restart"
assert_eq "carp: carp demote count 3" "$(bsd a ifconfig -g carp)" "group demotion after a restart"
ok "runtime changes survive a restart of carpd"

# Make a MASTER again, then kill -9 it.
bsd_ok a sysctl net.inet.carp.demotion=-10
bsd_ok a ifconfig -g carp -carpdemote 3
bsd_ok a ifconfig eth0 vhid 1 state master
wait_state a MASTER 3
wait_state b BACKUP 3
restart_carpd a KILL
assert_eq BACKUP "$(state a)" "a rejoins as BACKUP"
assert_vip_absent a 1 192.0.2.50
# Then the ordinary election: whoever wins, one MASTER and never two VIP holders.
one_master() { [[ "$(state a) $(state b)" == "MASTER BACKUP" || "$(state a) $(state b)" == "BACKUP MASTER" ]]; }
wait_until 5 one_master || fail "no single MASTER after the restart: a=$(state a) b=$(state b)"
hold_for 3 eval '! { has_addr a 192.0.2.50 && has_addr b 192.0.2.50; }' || fail "a and b hold the VIP at once"
wait_until 3 ping4 c 192.0.2.50 || fail "c cannot reach the VIP"
ok "kill -9 and restart: configuration back, a rejoined as BACKUP, one VIP holder"

# A stop that is not followed by a start.
kill -KILL "${CARPD_PID[b]}"
wait_carpd b 5 || true
ip netns exec "$(ns b)" "$CARPD" -C -s "${CARPD_DIR[b]}/carpd.sock" || fail "carpd -C on b"
has_addr b 192.0.2.50 && fail "b still holds the VIP after kill -9 and cleanup"
link_exists b vh1-eth0 && fail "b still has vh1-eth0 after cleanup"
assert_eq "$orig_arp_ignore" "$(nsx b cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)" "arp_ignore of b's eth0 after cleanup"
ok "kill -9 then cleanup leaves no VIP, no macvlan, sysctls restored"
