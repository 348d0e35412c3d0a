#!/usr/bin/env bash
# 28-metrics: carpd -m and rc.conf's carpd_metrics serve Prometheus metrics that promtool
# accepts and that follow the nodes (states, counters, a takeover and its reason); idle,
# surplus and garbage HTTP clients are dropped while advertisements go on; a port in use
# leaves carpd running without metrics. The example alerting rules pass promtool's checks
# and their own tests, and a wrong expectation in those tests fails.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip python3 curl
require_carpd
PROMTOOL=$(command -v promtool || echo "$BC_REPO/.build/tools/promtool")
[[ -x "$PROMTOOL" ]] || skip_or_fail "promtool missing (scripts/install-deps unpacks it into .build/tools)"
CLIENTS="$BC_HERE/httpclients.py"

rules="$BC_REPO/examples/prometheus"
out=$("$PROMTOOL" check rules "$rules/carp-alerts.yml" 2>&1) || fail "promtool check rules: $out"
out=$(cd "$rules" && "$PROMTOOL" test rules carp-alerts.test.yml 2>&1) || fail "promtool test rules: $out"
cp "$rules/carp-alerts.yml" "$T/"
sed 's/summary: "vhid 1 has 2 masters"/summary: "vhid 1 has 3 masters"/' "$rules/carp-alerts.test.yml" >"$T/wrong.test.yml"
(cd "$T" && "$PROMTOOL" test rules wrong.test.yml >/dev/null 2>&1) && fail "promtool test rules passed a wrong expectation"
ok "alerting rules: promtool check rules and test rules pass, a wrong case fails"

# The words carpd refuses before it starts.
out=$("$CARPD" -d -m 0 -s "$T/x.sock" 2>&1) && fail "carpd -m 0 started"
assert_eq "carpd: -m 0: port must be a number from 1 to 65535" "$(head -1 <<<"$out")" "carpd -m 0"
mkdir -p "$T/conf-bad" && echo 'carpd_metrics="nine"' >"$T/conf-bad/rc.conf"
out=$("$CARPD" -n -f "$T/conf-bad" 2>&1) && fail "carpd -n accepted carpd_metrics=nine"
assert_eq "carpd: $T/conf-bad/rc.conf:1: carpd_metrics: nine: port must be a number from 1 to 65535" "$out" "carpd -n"

topology a b
mkdir -p "$T/conf-a" "$T/conf-b"
echo 'carpd_metrics="[::1]:9101"' >"$T/conf-b/rc.conf"
start_carpd a -f "$T/conf-a" -m 9100
start_carpd b -f "$T/conf-b"
ctl_ok a set carpdev=eth0 vhid=1 advskew=0 key=s3cret addr=192.0.2.50/24
ctl_ok b set carpdev=eth0 vhid=1 advskew=100 key=s3cret addr=192.0.2.50/24
wait_state a MASTER 8
hold_states 1 "a=MASTER b=BACKUP"

URL_a=http://127.0.0.1:9100/metrics URL_b=http://[::1]:9101/metrics
scrape() { local url="URL_$1"; nsx "$1" curl -gsf --max-time 3 "${!url}"; }
# metric NODE SERIES: the value of one series (the line's start), or NONE.
metric() { local v; v=$(scrape "$1" | awk -v s="$2" 'index($0, s " ") == 1 { print $NF }'); echo "${v:-NONE}"; }
V='{ifname="vh1-eth0",carpdev="eth0",vhid="1"'

for n in a b; do
    out=$(scrape "$n") || fail "no metrics from $n"
    lint=$("$PROMTOOL" check metrics <<<"$out" 2>&1) || fail "promtool check metrics on $n: $lint"
done
assert_eq 1 "$(metric a "carp_vhid_state$V,state=\"MASTER\"}")" "a MASTER in its metrics"
assert_eq 1 "$(metric b "carp_vhid_state$V,state=\"BACKUP\"}")" "b BACKUP in its metrics"
assert_eq 100 "$(metric b "carp_vhid_advskew$V}")" "b's advskew"
assert_eq 1 "$(metric a 'carp_build_info{version="1.1-dev"}')" "build info"
sent=$(metric a "carp_vhid_advertisements_sent_total$V}")
((sent > 0)) || fail "a sent no advertisements: $sent"
# The same counter as netstat's, read between two netstat readings (advertisements go on).
opackets() { bsd a netstat -s -p carp | awk '/packets sent \(IPv4\)/ { print $1 }'; }
n1=$(opackets) m=$(metric a carp_opackets_total) n2=$(opackets)
((n1 <= m && m <= n2)) || fail "carp_opackets_total $m, netstat $n1 then $n2"
ok "carpd -m and carpd_metrics=[::1]:9101 serve metrics promtool accepts, with the nodes' states"

# 16 silent clients fill the endpoint and a 17th is turned away; the silent ones are
# dropped after 2 s; meanwhile a keeps advertising and b keeps hearing it.
before=$(metric b "carp_vhid_advertisements_received_total$V}")
nsx a python3 "$CLIENTS" idle 127.0.0.1 9100 17 5 >"$T/idle.out" &
idle=$!
track $idle
hold_states 2 "a=MASTER b=BACKUP"
wait "$idle" || fail "httpclients.py idle failed"
read -r opened closed refused longest < <(sed 's/[a-z_]*=//g' "$T/idle.out")
assert_eq "17 17 1" "$opened $closed $refused" "idle clients opened, closed, refused at once ($(cat "$T/idle.out"))"
awk -v l="$longest" 'BEGIN { exit !(l >= 1.5 && l < 3.5) }' || fail "silent clients closed after ${longest}s, not about 2 s"
after=$(metric b "carp_vhid_advertisements_received_total$V}")
((after - before >= 2)) || fail "b accepted $((after - before)) advertisements while a held 16 clients"
assert_eq 16 "$(metric a 'carp_metrics_dropped_total{why="timeout"}')" "clients dropped for silence"
assert_eq 1 "$(metric a 'carp_metrics_dropped_total{why="limit"}')" "clients dropped over the limit"
ok "silent clients dropped after ${longest}s, the 17th at once; $((after - before)) advertisements meanwhile"

reply() { nsx a python3 "$CLIENTS" send 127.0.0.1 9100 "$1" | head -1 | tr -d '\r'; }
assert_eq "HTTP/1.1 404 Not Found" "$(reply 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')" "another path"
assert_eq "HTTP/1.1 405 Method Not Allowed" "$(reply 'DELETE /metrics HTTP/1.1\r\n\r\n')" "another method"
assert_eq "HTTP/1.1 400 Bad Request" "$(reply '\x16\x03\x01\x02\x00\x01\x00\n')" "a TLS hello"
nsx a python3 "$CLIENTS" send 127.0.0.1 9100 'HEAD /metrics HTTP/1.0\r\n\r\n' >"$T/head.out"
grep -q "^HTTP/1.1 200 OK" "$T/head.out" || fail "HEAD: $(cat "$T/head.out")"
[[ "$(tail -c 4 "$T/head.out" | od -An -c | tr -d ' \n')" == '\r\n\r\n' ]] || fail "HEAD has a body: $(tail -c 40 "$T/head.out")"
assert_eq 1 "$(metric a 'carp_metrics_replies_total{code="405"}')" "405 counted"
ok "404, 405, 400 for a TLS hello, HEAD without a body"

link_down a
wait_state b MASTER 5
assert_eq 1 "$(metric b "carp_vhid_transitions_total$V,to=\"MASTER\",reason=\"master timed out\"}")" "b's takeover and its reason"
assert_eq 1 "$(metric b "carp_vhid_state$V,state=\"MASTER\"}")" "b MASTER in its metrics"
since=$(metric b "carp_vhid_last_transition_timestamp_seconds$V}")
(($(date +%s) - since < 10)) || fail "last transition at $since"
link_up a
ok "a takeover shows in b's metrics with its reason and time"

# A port in use: carpd says so and runs on without metrics.
stop_carpd b TERM
wait_state a MASTER 3
# (SO_REUSEADDR: b's own connections may still be in TIME_WAIT on that port.)
nsx b python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::1", 9101)); s.listen(1); open(sys.argv[1], "w").close(); time.sleep(60)' "$T/squatting" &
track $!
wait_until 5 test -e "$T/squatting" || fail "nothing holds [::1]:9101"
start_carpd b -f "$T/conf-b"
grep -q "metrics: bind \[::1\]:9101: Address already in use; serving no metrics" "${CARPD_DIR[b]}/carpd.log" ||
    fail "no word of the port in use: $(tail -3 "${CARPD_DIR[b]}/carpd.log")"
ctl_ok b set carpdev=eth0 vhid=1 advskew=100 key=s3cret addr=192.0.2.50/24
hold_states 1 "a=MASTER b=BACKUP"
ok "a metrics port in use is logged and carpd runs on"
