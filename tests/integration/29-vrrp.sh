#!/usr/bin/env bash
# 29-vrrp: FreeBSD 15's `carpver 3` against keepalived 2.2 (Debian's), IPv4 (vrid 51) and
# at first IPv6 too (vrid 52, sent from the link-local addresses, answered from the RFC's
# IPv6 MAC 00:00:5e:00:02:34): each accepts
# the other's advertisements (keepalived logs no complaint, carpd counts no drop); a
# clean stop hands over within Skew_Time both ways (priority 0, well under the master-down
# interval); equal priorities settle by address; preemption; a CARP vhid beside it on the
# same interface keeps working; keepalived preempting carpd; a link cut timed against the
# master-down interval.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip keepalived
require_carpd

VIP=192.0.2.100 VIP6=2001:db8::52
# ka_start NODE PRIORITY STATE [v6]: keepalived -P (VRRP only) in the foreground, vrid 51,
# and with v6 also vrid 52 over IPv6.
ka_start() {
    local n=$1 d="$T/ka-$1"
    mkdir -p "$d"
    cat >"$d/keepalived.conf" <<CONF
global_defs {
  router_id ka_$n
  vrrp_version 3
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}
vrrp_instance V4 {
  state $3
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int 1
  virtual_ipaddress {
    $VIP/24
  }
}
CONF
    [[ "${4:-}" == v6 ]] && cat >>"$d/keepalived.conf" <<CONF
vrrp_instance V6 {
  state $3
  interface eth0
  virtual_router_id 52
  priority $2
  advert_int 1
  virtual_ipaddress {
    $VIP6/64
  }
}
CONF
    rm -f "$d/ka.pid"
    ip netns exec "$(ns "$n")" keepalived -n -l -D -P -f "$d/keepalived.conf" -p "$d/ka.pid" -r "$d/vrrp.pid" -c "$d/chk.pid" >>"$d/log" 2>&1 &
    track $!
    wait_until 5 test -s "$d/ka.pid" || fail "keepalived did not start: $(tail -3 "$d/log")"
    KA_PID=$(cat "$d/ka.pid")
    log "keepalived on $n: pid $KA_PID, priority $2, $3"
}
ka_master() { has_addr "$1" "${2:-$VIP}" eth0; }
ka_complaints() { grep -E "Invalid|unexpected|invalid TTL|too short|too long|not present|checksum" "$T/ka-$1/log"; }
# ka_stop: SIGTERM (keepalived sends priority 0 on the way out) and wait for it to end.
ka_stop() {
    kill -TERM "$KA_PID"
    wait_until 5 eval "! pid_running $KA_PID" || fail "keepalived $KA_PID did not stop"
    log "keepalived stopped"
}
drops() {
    local c out=""
    for c in badttl badsum badver badlen badvhid badaddrs badauth; do out+="$c=$(carpstat "$1" "$c") "; done
    echo "${out% }"
}
NODROPS="badttl=0 badsum=0 badver=0 badlen=0 badvhid=0 badaddrs=0 badauth=0"

topology a b
start_carpd b
bsd_ok b ifconfig eth0 vhid 51 carpver 3 vrrpprio 100 vrrpinterval 100 alias "$VIP/24"
bsd_ok b ifconfig eth0 inet6 vhid 52 carpver 3 alias "$VIP6/64"
assert_eq "	vrrp: BACKUP vrid 51 prio 100 interval 100" "$(bsd b ifconfig eth0 | grep vrrp: | head -1)" "b's status line"
ka_start a 150 BACKUP v6
wait_until 8 ka_master a || fail "keepalived did not become MASTER"
wait_until 3 ka_master a "$VIP6" || fail "keepalived did not become MASTER of vrid 52"
wait_state b BACKUP 2 51
hold_for 3 states_are "b=BACKUP" 51 || fail "carpd left BACKUP of vrid 51 under keepalived's advertisements"
hold_for 1 states_are "b=BACKUP" 52 || fail "carpd left BACKUP of vrid 52 under keepalived's advertisements"
assert_eq "$NODROPS" "$(drops b)" "carpd's drop counters"
[[ -z "$(ka_complaints a)" ]] || fail "keepalived complains: $(ka_complaints a | head -3)"
ok "keepalived 150 MASTER, carpd 100 BACKUP, IPv4 and IPv6, no complaint either way"
mac_of() { ip -n "$(ns "$1")" -o link show "$2" | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p'; }
assert_eq "00:00:5e:00:01:33 00:00:5e:00:02:34" "$(mac_of b vh51-eth0) $(mac_of b vh52-eth0)" "carpd's virtual MACs (IPv4 vrid 51, IPv6 vrid 52)"

t0=$(now_ms)
ka_stop
wait_state b MASTER 3 51
took=$(($(now_ms) - t0))
((took < 2000)) || fail "carpd took over ${took} ms after keepalived's priority 0 (master down would be 3609 ms)"
wait_state b MASTER 1 52
assert_vip_master b 51 "$VIP"
VMAC_BLOCK=02 assert_vip_master b 52 "$VIP6"
ok "keepalived's clean stop: carpd MASTER of both after ${took} ms (Skew_Time 609 ms, master down 3609 ms)"
# The IPv6 virtual router answers with the RFC's MAC, 00:00:5e:00:02:<vrid>.
ip netns exec "$(ns a)" ping -6 -n -q -c 1 -W 2 "$VIP6" >/dev/null || fail "a cannot reach $VIP6 on carpd"
assert_eq "00:00:5e:00:02:34" "$(ip -n "$(ns a)" -6 neigh show "$VIP6" | awk '{ print $5 }')" "a's neighbour entry for $VIP6"

# Equal priorities: keepalived (192.0.2.1) and carpd (192.0.2.2) both MASTER while a's
# port is out of the switch; once it is back the higher address keeps it and keepalived yields.
ka_start a 100 BACKUP v6
hold_for 5 states_are "b=MASTER" 51 || fail "carpd lost MASTER to keepalived's equal priority"
states_are "b=MASTER" 52 && ! ka_master a "$VIP6" || fail "vrid 52: carpd $(state b 52), keepalived has the VIP: $(ka_master a "$VIP6" && echo yes)"
ip -n "$SW" link set pa nomaster || fail "taking pa out of br0"
log "a's port left the switch (carrier stays up)"
wait_until 6 ka_master a || fail "keepalived did not become MASTER alone"
ip -n "$SW" link set pa master br0 || fail "pa back into br0"
log "a's port is back"
wait_until 3 eval '! ka_master a' || fail "keepalived kept the VIP against an equal priority from a higher address"
hold_for 3 state_is b MASTER 51 || fail "carpd lost MASTER to an equal priority from a lower address"
grep -q "higher IP address than ours" "$T/ka-a/log" || fail "keepalived did not yield by address: $(tail -3 "$T/ka-a/log")"
[[ -z "$(ka_complaints a)" ]] || fail "keepalived complains: $(ka_complaints a | head -3)"
# vrid 52 settles by the link-local addresses (random MACs): one master, either one.
one_master52() { if state_is b MASTER 52; then ! ka_master a "$VIP6"; else ka_master a "$VIP6"; fi; }
hold_for 2 one_master52 || fail "vrid 52 after the split: carpd $(state b 52), keepalived VIP $(ka_master a "$VIP6" && echo yes || echo no)"
ok "two masters at equal priority 100 after a split: the higher address (carpd) stays, keepalived yields; vrid 52 has one master ($(state_is b MASTER 52 && echo carpd || echo keepalived))"

# carpd's clean stop: priority 0, keepalived takes over after its skew.
t0=$(now_ms)
stop_carpd b TERM
wait_until 3 ka_master a || fail "keepalived did not take over after carpd's stop"
took=$(($(now_ms) - t0))
wait_until 2 ka_master a "$VIP6" || fail "keepalived did not take vrid 52 over after carpd's stop"
((took < 2000)) || fail "keepalived took over ${took} ms after carpd's stop"
grep -q "priority 0" "$T/ka-a/log" || log "note: keepalived did not log priority 0"
ok "carpd's clean stop: keepalived MASTER after ${took} ms"

# Preemption the RFC way: carpd 200 with net.inet.carp.preempt=1 takes over from keepalived
# 100 when its master-down interval runs out; without preempt it would stay BACKUP.
start_carpd b
bsd_ok b sysctl net.inet.carp.preempt=1
bsd_ok b ifconfig eth0 vhid 51 carpver 3 vrrpprio 200 alias "$VIP/24"
bsd_ok b ifconfig eth0 inet6 vhid 52 carpver 3 vrrpprio 200 alias "$VIP6/64"
wait_state b MASTER 6 51
wait_state b MASTER 2 52
# keepalived's vrid 52 advertisements may reach the restarted carpd before its vrid 52
# exists (counted badvhid, rightly): the drops from here on are what counts.
DROPS_BASE=$(drops b)
wait_until 3 eval '! ka_master a' || fail "keepalived kept the VIP against priority 200"
ok "preempt: carpd 200 took over from keepalived 100"

# keepalived preempts too (its default): with 250 it takes vrid 51 back from carpd's 200
# after its own master-down interval, and carpd yields to the higher priority.
ka_stop
ka_start a 250 BACKUP
wait_until 6 ka_master a || fail "keepalived 250 did not preempt carpd 200"
wait_state b BACKUP 2 51
ok "keepalived 250 preempted carpd 200; carpd yielded to the higher priority"

# A link cut on keepalived's side: carpd takes over when the master-down interval runs
# out (3 x 1 s + (256 - 200)/256 s = 3.22 s after keepalived's last advertisement).
t0=$(now_ms)
ip -n "$SW" link set pa nomaster || fail "taking pa out of br0"
wait_state b MASTER 6 51
took=$(($(now_ms) - t0))
((took > 2000 && took < 4500)) || fail "carpd took over ${took} ms after the cut (master down 3219 ms, less the time since the last advertisement)"
ip -n "$SW" link set pa master br0 || fail "pa back into br0"
wait_until 6 ka_master a || fail "keepalived 250 did not take vrid 51 back"
wait_state b BACKUP 2 51
ok "link cut: carpd MASTER after ${took} ms (master down 3219 ms); keepalived took it back when the link returned"

# A CARP vhid on the same interface, and the protocol of a vhid stays what it was.
bsd_ok b ifconfig eth0 vhid 1 pass s3cret alias 192.0.2.50/24
wait_state b MASTER 6 1
out=$(bsd b ifconfig eth0 vhid 51 carpver 2 2>&1) && fail "carpver 2 on the VRRP vhid accepted"
assert_eq "ifconfig: SIOCSVH: Invalid argument" "$out" "changing the protocol"
hold_for 2 state_is b BACKUP 51 || fail "the VRRP vhid left BACKUP"
assert_eq "$DROPS_BASE" "$(drops b)" "drops with CARP and VRRP side by side"
[[ $DROPS_BASE == *"badver=0"* && $DROPS_BASE == *"badsum=0"* && $DROPS_BASE == *"badttl=0"* ]] || fail "drops at the restart: $DROPS_BASE"
ok "CARP vhid 1 and VRRP vrid 51 on one interface; carpver cannot change"
ka_stop
