# shellcheck shell=bash
# lib.sh: sourced by every tests/integration/NN-*.sh script.
#
# Everything a test creates lives under a per-run prefix $P (default bc<pid>,
# or $BC_PREFIX when tests/integration/run sets it): network namespaces
# "$P-sw" (a Linux bridge br0, the switch) and "$P-<node>" (one per node, each
# with eth0 = one end of a veth whose other end, "p<node>", is a port of br0),
# and one temp dir $T = $BC_TMPDIR/$P.XXXXXX. The EXIT/INT/TERM trap kills
# every process started and every process left inside those namespaces,
# deletes the namespaces and $T, and, when the test failed, first prints the
# state of the nodes and every log under $T (carpd's stderr included).
#
# The host's own interfaces are never touched: every link is created inside a
# test namespace. Addresses used: 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32
# and the CARP groups 224.0.0.18 / ff02::12 only.
#
# Exit statuses of a test: 0 pass, 1 fail, 77 skip ("SKIP: reason" on stdout).
#
# Environment:
#   CARPD       carpd binary (default <repo>/.build/debug/carpd)
#   CI          "true": a missing tool is a failure instead of a skip
#   BC_PREFIX   name prefix (set by run); BC_TMPDIR (default $TMPDIR or /tmp)
#   BC_KEEP=1   keep $T after the test (logs, captures)

set -u -o pipefail

BC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BC_REPO=$(cd "$BC_HERE/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)
P=${BC_PREFIX:-bc$$}
BC_TMPDIR=${BC_TMPDIR:-${TMPDIR:-/tmp}}
CARPD=${CARPD:-$BC_REPO/.build/debug/carpd}
# A relative $CARPD: from the current directory, else from the repo root, else on PATH.
if [[ "$CARPD" != /* ]]; then
    if [[ -e "$PWD/$CARPD" ]]; then CARPD=$PWD/$CARPD
    elif [[ -e "$BC_REPO/$CARPD" ]]; then CARPD=$BC_REPO/$CARPD
    elif command -v "$CARPD" >/dev/null 2>&1; then CARPD=$(command -v "$CARPD")
    fi
fi
# The BSD tools, beside carpd.
BSDBIN=${BSDBIN:-$(dirname "$CARPD")}
if [[ -x /usr/bin/python3 ]]; then PYTHON=${PYTHON:-/usr/bin/python3}; else PYTHON=${PYTHON:-python3}; fi
SW="$P-sw"

BC_NETNS=()          # namespaces created, in creation order
BC_PIDS=()           # background processes started
NODES=()             # node names of the topology
declare -A CARPD_PID=() CARPD_DIR=() CARPD_N=() CARPD_ARGS=() UCARP_PID=()
T=""

# Note: with pipefail, never end a pipeline with "grep -q" or "head": the
# producer may die of SIGPIPE and fail the whole pipeline.

# ---------------------------------------------------------------- messages

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S.%3N)" "$TEST_NAME" "$*"; }
# fail and the cleanup write to the test's original stderr (fd $BC_ERR), even
# when called under a redirection.
exec {BC_ERR}>&2
fail() { printf '%s %s: FAIL: %s\n' "$(date +%H:%M:%S.%3N)" "$TEST_NAME" "$*" >&"$BC_ERR"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
ok() { log "ok: $*"; }

# skip_or_fail REASON: a missing prerequisite skips locally but fails under CI.
skip_or_fail() {
    if [[ "${CI:-}" == "true" ]]; then fail "$* (CI=true: missing prerequisites are failures)"; fi
    skip "$*"
}

# assert_eq EXPECTED ACTUAL WHAT / assert_ne UNEXPECTED ACTUAL WHAT
assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-assert_eq}: expected '$1', got '$2'"; }
assert_ne() { [[ "$1" != "$2" ]] || fail "${3:-assert_ne}: did not expect '$2'"; }
# assert_true WHAT COMMAND... / assert_false WHAT COMMAND...
assert_true() { local w=$1; shift; "$@" || fail "$w"; }
assert_false() { local w=$1; shift; if "$@"; then fail "$w"; fi; }

# ---------------------------------------------------------------- prerequisites

require_root() {
    [[ $(id -u) -eq 0 ]] || skip_or_fail "needs root (ip netns add)"
}

# require_tool NAME...: every NAME must be on PATH.
require_tool() {
    local t missing=()
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
    ((${#missing[@]} == 0)) || skip_or_fail "missing tool(s): ${missing[*]}"
}

# require_carpd: the daemon under test must exist. Not a "tool": always a failure.
require_carpd() {
    [[ -x "$CARPD" ]] || fail "carpd binary not found at $CARPD (build it with swift build, or set CARPD)"
}

# ---------------------------------------------------------------- waiting

# now_ms, wait_until, hold_for, pid_running (shared with bench/lib.sh).
source "$BC_HERE/wait.sh"

# track PID: remember a background process for the cleanup.
track() { BC_PIDS+=("$1"); }

# ---------------------------------------------------------------- namespaces

ns() { echo "$P-$1"; }
# nsx NODE COMMAND...: run COMMAND inside NODE's namespace.
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

netns_add() {
    ip netns add "$P-$1" || fail "ip netns add $P-$1"
    BC_NETNS+=("$P-$1")
    ip -n "$P-$1" link set lo up || fail "lo up in $P-$1"
}

# node_index NODE: a=1, b=2, ... (the last byte of the node's addresses)
node_index() {
    local c
    c=$(printf '%d' "'$1")
    echo $((c - 96))
}
node_ip4() { echo "192.0.2.$(node_index "$1")"; }
node_ip6() { echo "2001:db8::$(node_index "$1")"; }

# topology N | topology NODE...: the switch namespace with bridge br0, then one
# namespace per node (nodes a, b, c... for N, or single lowercase letters),
# each with eth0 in br0, 192.0.2.<i>/24 and 2001:db8::<i>/64 (nodad), lo up.
topology() {
    local nodes=() i n nsn
    if [[ $# -eq 1 && $1 =~ ^[0-9]+$ ]]; then
        local letters=(a b c d e f g h i j k l m n o p q r s t u v w x y z)
        for ((i = 0; i < $1; i++)); do nodes+=("${letters[i]}"); done
    else
        nodes=("$@")
    fi
    for n in "${nodes[@]}"; do [[ $n =~ ^[a-z]$ ]] || fail "topology: node names are single letters a..z, not '$n'"; done
    [[ -n "$T" ]] || fail "topology called before the temp dir exists"

    netns_add sw
    ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
        fail "sysctl in $SW"
    ip -n "$SW" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
        fail "bridge in $SW"
    ip -n "$SW" link set br0 up || fail "br0 up"
    for n in "${nodes[@]}"; do
        nsn=$(ns "$n")
        netns_add "$n"
        ip -n "$SW" link add "p$n" type veth peer name eth0 netns "$nsn" || fail "veth for $n"
        ip -n "$SW" link set "p$n" master br0 || fail "p$n into br0"
        ip -n "$SW" link set "p$n" up || fail "p$n up"
        ip -n "$nsn" addr add "$(node_ip4 "$n")/24" dev eth0 || fail "IPv4 address on $n"
        ip -n "$nsn" addr add "$(node_ip6 "$n")/64" dev eth0 nodad || fail "IPv6 address on $n"
        ip -n "$nsn" link set eth0 up || fail "eth0 up on $n"
        NODES+=("$n")
    done
    # Carrier on every eth0, and the link-local addresses past DAD.
    for n in "${nodes[@]}"; do
        wait_until 5 link_running "$n" eth0 || fail "eth0 of $n has no carrier"
        wait_until 5 no_tentative "$n" || fail "addresses of $n still tentative"
    done
    log "topology up: switch $SW, nodes ${nodes[*]}"
}

no_tentative() { [[ -z "$(ip -n "$(ns "$1")" -6 addr show tentative 2>/dev/null)" ]]; }

# link_down NODE / link_up NODE: the node's port on the switch (cuts its link;
# the node's eth0 loses its carrier).
link_down() { ip -n "$SW" link set "p$1" down || fail "link_down $1"; log "link of $1 cut"; }
link_up() { ip -n "$SW" link set "p$1" up || fail "link_up $1"; log "link of $1 restored"; }

# ---------------------------------------------------------------- link / address probes

link_exists() { ip -n "$(ns "$1")" link show dev "$2" >/dev/null 2>&1; }
# link_is_up NODE IF: administratively UP (IFF_UP)
link_is_up() { ip -n "$(ns "$1")" -o link show dev "$2" 2>/dev/null | grep '[<,]UP[,>]' >/dev/null; }
# link_running NODE IF: UP with carrier (LOWER_UP)
link_running() { ip -n "$(ns "$1")" -o link show dev "$2" 2>/dev/null | grep 'LOWER_UP' >/dev/null; }
link_mac() { ip -n "$(ns "$1")" -o link show dev "$2" 2>/dev/null | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
# has_addr NODE ADDR [IF]: ADDR (no prefix length) is configured (on IF, or anywhere)
has_addr() {
    ip -n "$(ns "$1")" -o addr show ${3:+dev "$3"} 2>/dev/null | grep "inet6\? $2/" >/dev/null
}
# addr_dev NODE ADDR: the interface(s) carrying ADDR
addr_dev() { ip -n "$(ns "$1")" -o addr show 2>/dev/null | awk -v a="$2" '{ split($4, x, "/"); if (x[1] == a) print $2 }'; }
ping4() { nsx "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1; }
ping6() { nsx "$1" ping -6 -n -q -c 1 -W 1 "$2" >/dev/null 2>&1; }
# neigh_mac NODE ADDR: the link-layer address NODE learnt for ADDR
neigh_mac() { ip -n "$(ns "$1")" neigh show "$2" 2>/dev/null | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p' | sed -n 1p; }

# ---------------------------------------------------------------- carpd

# start_carpd NODE [ARGS...]: start `carpd -d -s DIR/carpd.sock ARGS` in NODE's
# namespace, DIR = $T/NODE.<n> (a fresh one per start), stderr to DIR/carpd.log;
# waits until the control socket answers.
start_carpd() {
    local n=$1 d pid
    shift
    require_carpd
    CARPD_N[$n]=$((${CARPD_N[$n]:-0} + 1))
    d="$T/$n.${CARPD_N[$n]}"
    mkdir -p "$d" || fail "mkdir $d"
    CARPD_DIR[$n]=$d
    CARPD_ARGS[$n]=""
    if (($# > 0)); then CARPD_ARGS[$n]=$(printf '%q ' "$@"); fi
    (cd "$d" && exec ip netns exec "$(ns "$n")" "$CARPD" -d -s "$d/carpd.sock" "$@") >>"$d/carpd.log" 2>&1 &
    pid=$!
    CARPD_PID[$n]=$pid
    track "$pid"
    log "carpd on $n: pid $pid, dir $d"
    wait_until 15 carpd_answers "$n" || {
        pid_running "$pid" || fail "carpd on $n exited during startup (see $d/carpd.log)"
        fail "carpd on $n does not answer on $d/carpd.sock"
    }
}

carpd_answers() {
    pid_running "${CARPD_PID[$1]}" || return 1
    CTL_TIMEOUT=2 ctl "$1" stats >/dev/null 2>&1
}

# stop_carpd NODE [SIGNAL [TIMEOUT]]: signal carpd (default TERM) and wait for it
# (default 10 s); sets CARPD_RC to its exit status (or "timeout"); returns it.
CARPD_RC=""
stop_carpd() {
    local n=$1 sig=${2:-TERM} to=${3:-10} pid=${CARPD_PID[$1]:-}
    [[ -n "$pid" ]] || fail "stop_carpd: no carpd started on $n"
    kill "-$sig" "$pid" 2>/dev/null
    wait_carpd "$n" "$to"
}

# restart_carpd NODE SIGNAL: stop carpd with SIGNAL, run `carpd -C`, start it again on the
# same directory: its configuration comes back from the runtime state there.
restart_carpd() {
    local n=$1 dir=${CARPD_DIR[$1]}
    kill "-$2" "${CARPD_PID[$n]}"
    wait_carpd "$n" 10 || true
    ip netns exec "$(ns "$n")" "$CARPD" -C -s "$dir/carpd.sock" || fail "carpd -C on $n"
    # shellcheck disable=SC2086 # the options start_carpd was given, quoted by printf %q
    (cd "$dir" && eval exec ip netns exec "$(ns "$n")" "$CARPD" -d -s "$dir/carpd.sock" ${CARPD_ARGS[$n]:-}) >>"$dir/carpd.log" 2>&1 &
    CARPD_PID[$n]=$!
    track $!
    wait_until 10 carpd_answers "$n" || fail "carpd on $n did not come back"
}

# wait_carpd NODE TIMEOUT: wait for carpd to exit; CARPD_RC = exit status or "timeout".
wait_carpd() {
    local n=$1 to=$2 pid=${CARPD_PID[$1]}
    if ! wait_until "$to" eval "! pid_running $pid"; then
        CARPD_RC=timeout
        return 124
    fi
    wait "$pid"
    CARPD_RC=$?
    log "carpd on $n (pid $pid) exited with status $CARPD_RC"
    return "$CARPD_RC"
}

# ctl NODE COMMAND [key=value...]: one control request to NODE's carpd (see ctl.py).
# The socket is a filesystem path: no need to enter the namespace.
ctl() {
    local n=$1
    shift
    "$PYTHON" "$BC_HERE/ctl.py" "${CARPD_DIR[$n]:-$T/$n.none}/carpd.sock" "$@"
}

# ctl_ok NODE COMMAND [key=value...]: like ctl, but fails the test on a non-zero errno.
ctl_ok() {
    local out rc
    out=$(ctl "$@" 2>&1)
    rc=$?
    ((rc == 0)) || fail "ctl $* -> status $rc: $(echo "$out" | tr '\n' ' ')"
    log "ctl $* -> ok"
}

# field NODE KEY COMMAND [key=value...]: the first KEY= value in the reply.
field() {
    local n=$1 key=$2
    shift 2
    ctl "$n" "$@" 2>/dev/null | awk -v k="$key=" 'index($0, k) == 1 && !done { print substr($0, length(k) + 1); done = 1 }'
}

# state NODE [VHID]: state of vhid VHID (default 1) on eth0: MASTER, BACKUP,
# INIT, or NONE when the daemon does not answer or does not know the vhid.
state() {
    local s
    s=$(field "$1" state get carpdev=eth0 "vhid=${2:-1}")
    s=${s^^}
    echo "${s:-NONE}"
}
# state_is NODE STATE [VHID]
state_is() { [[ "$(state "$1" "${3:-1}")" == "$2" ]]; }
# states_are "a=MASTER b=BACKUP" [VHID]
states_are() {
    local kv
    for kv in $1; do state_is "${kv%%=*}" "${kv#*=}" "${2:-1}" || return 1; done
}
# carpstat NODE NAME: one carpstats counter (NONE when unavailable)
carpstat() { local v; v=$(field "$1" "$2" stats); echo "${v:-NONE}"; }

# wait_state NODE STATE TIMEOUT [VHID]: fail the test unless NODE reaches STATE in time.
wait_state() {
    local t0 t1
    t0=$(now_ms)
    wait_until "$3" state_is "$1" "$2" "${4:-1}" ||
        fail "$1 did not become $2 within $3 s (state $(state "$1" "${4:-1}"))"
    t1=$(now_ms)
    log "$1 is $2 (after $((t1 - t0)) ms)"
}

# hold_states SECONDS "a=MASTER b=BACKUP" [VHID]: fail unless the states hold throughout.
hold_states() {
    hold_for "$1" states_are "$2" "${3:-1}" ||
        fail "states '$2' did not hold for $1 s (now: $(all_states "${3:-1}"))"
    ok "states $2 held for $1 s"
}

all_states() {
    local n out=""
    for n in "${!CARPD_DIR[@]}"; do out+="$n=$(state "$n" "${1:-1}") "; done
    echo "${out% }"
}

# vip_master_problem NODE VHID ADDR...: prints what is wrong (nothing when
# vh<VHID>-eth0 exists, is UP, has the VMAC 00:00:5e:00:01:<VHID> and carries
# every ADDR); returns 1 when something is. VMAC_BLOCK=02 expects the IPv6 VRRP MAC.
vip_master_problem() {
    local n=$1 v=$2 a ifn mac m
    shift 2
    ifn="vh$v-eth0"
    mac=$(printf "00:00:5e:00:${VMAC_BLOCK:-01}:%02x" "$v")
    link_exists "$n" "$ifn" || { echo "$n: no link $ifn"; return 1; }
    link_is_up "$n" "$ifn" || { echo "$n: $ifn is not UP"; return 1; }
    m=$(link_mac "$n" "$ifn")
    [[ "$m" == "$mac" ]] || { echo "$n: MAC of $ifn is '$m', not $mac"; return 1; }
    for a in "$@"; do
        has_addr "$n" "$a" "$ifn" || { echo "$n: $a not on $ifn (on: '$(addr_dev "$n" "$a")')"; return 1; }
    done
    return 0
}

vip_master_ok() { vip_master_problem "$@" >/dev/null; }

# assert_vip_master NODE VHID ADDR...: within 1 s (the state may be reported a
# moment before the addresses are in place), vh<VHID>-eth0 exists, is UP, has
# the VMAC 00:00:5e:00:01:<VHID> and carries every ADDR.
assert_vip_master() {
    local t0
    t0=$(now_ms)
    wait_until 1 vip_master_ok "$@" || fail "$(vip_master_problem "$@")"
    log "ok: $1 carries ${*:3} on UP vh$2-eth0 ($(printf "00:00:5e:00:${VMAC_BLOCK:-01}:%02x" "$2")) (after $(($(now_ms) - t0)) ms)"
}

# assert_vip_absent NODE VHID ADDR...: no ADDR anywhere on NODE, and
# vh<VHID>-eth0 (if it exists) is not UP.
assert_vip_absent() {
    local n=$1 v=$2 a ifn
    shift 2
    ifn="vh$v-eth0"
    for a in "$@"; do
        has_addr "$n" "$a" && fail "$n: $a is configured on $(addr_dev "$n" "$a") but $n is not MASTER"
    done
    if link_exists "$n" "$ifn" && link_is_up "$n" "$ifn"; then
        fail "$n: $ifn is UP but $n is not MASTER"
    fi
    ok "$n carries none of $* and $ifn is not UP"
}

# ---------------------------------------------------------------- ucarp

# start_ucarp NODE VHID VIP ADVSKEW [EXTRA ucarp ARGS...]: ucarp on NODE's eth0,
# password s3cret (override with UCARP_PASS), with up/down scripts that add /
# remove VIP/24 on eth0 and append "up|down IF VIP TIME_NS" to $T/ucarp-NODE.events.
UCARP_PASS=${UCARP_PASS:-s3cret}
start_ucarp() {
    local n=$1 vhid=$2 vip=$3 skew=$4 pid
    shift 4
    write_ucarp_scripts
    : >"$T/ucarp-$n.events"
    (exec ip netns exec "$(ns "$n")" stdbuf -oL -eL ucarp --interface=eth0 --srcip="$(node_ip4 "$n")" \
        --vhid="$vhid" --pass="$UCARP_PASS" --addr="$vip" --advskew="$skew" \
        --upscript="$T/ucarp-up.sh" --downscript="$T/ucarp-down.sh" --xparam="$T/ucarp-$n.events" \
        --shutdown --facility=none "$@") >>"$T/ucarp-$n.log" 2>&1 &
    pid=$!
    UCARP_PID[$n]=$pid
    track "$pid"
    log "ucarp on $n: pid $pid (vhid $vhid, vip $vip, advskew $skew $*)"
    sleep 0.2
    pid_running "$pid" || fail "ucarp on $n exited at once: $(cat "$T/ucarp-$n.log")"
}

# stop_ucarp NODE [SIGNAL]: default TERM (with --shutdown, ucarp runs its downscript).
stop_ucarp() {
    local pid=${UCARP_PID[$1]:-}
    [[ -n "$pid" ]] || fail "stop_ucarp: no ucarp on $1"
    kill "-${2:-TERM}" "$pid" 2>/dev/null
    wait_until 5 eval "! pid_running $pid" || fail "ucarp on $1 did not exit"
    wait "$pid" 2>/dev/null
    log "ucarp on $1 stopped (status $?)"
}

# ucarp_last_event NODE: "up" or "down" (last script run), or "none"
ucarp_last_event() {
    local e
    e=$(tail -n1 "$T/ucarp-$1.events" 2>/dev/null | cut -d' ' -f1)
    echo "${e:-none}"
}
# ucarp_is_master NODE VIP: its upscript has run last (and finished) and VIP is on eth0
ucarp_is_master() { [[ "$(ucarp_last_event "$1")" == up ]] && has_addr "$1" "$2" eth0; }
ucarp_count_events() { grep -c "^$2 " "$T/ucarp-$1.events" 2>/dev/null; }

write_ucarp_scripts() {
    [[ -x "$T/ucarp-up.sh" ]] && return 0
    cat >"$T/ucarp-up.sh" <<'EOF'
#!/bin/sh
# ucarp upscript: $1 interface, $2 VIP, $3 event file (--xparam)
ip addr add "$2/24" dev "$1" 2>/dev/null
echo "up $1 $2 $(date +%s%N)" >>"$3"
EOF
    cat >"$T/ucarp-down.sh" <<'EOF'
#!/bin/sh
# ucarp downscript: $1 interface, $2 VIP, $3 event file (--xparam)
ip addr del "$2/24" dev "$1" 2>/dev/null
echo "down $1 $2 $(date +%s%N)" >>"$3"
EOF
    chmod +x "$T/ucarp-up.sh" "$T/ucarp-down.sh"
}

# ---------------------------------------------------------------- wire capture

# capture_start NODE FILE COUNT: tcpdump on NODE's eth0 writing COUNT CARP
# packets (IPv4 or IPv6 protocol 112) to FILE, in the background; returns once
# tcpdump listens. CAPTURE_PID is its pid.
CAPTURE_PID=""
capture_start() {
    local n=$1 f=$2 c=$3
    (exec ip netns exec "$(ns "$n")" tcpdump -i eth0 -Z root -n -U --immediate-mode -c "$c" -w "$f" \
        'ip proto 112 or ip6 proto 112') >"$f.log" 2>&1 &
    CAPTURE_PID=$!
    track "$CAPTURE_PID"
    wait_until 5 grep -q 'listening on' "$f.log" || fail "tcpdump did not start: $(cat "$f.log")"
}

# capture_wait TIMEOUT: wait for the capture to finish; kill it after TIMEOUT s.
capture_wait() {
    if ! wait_until "$1" eval "! pid_running $CAPTURE_PID"; then
        kill -INT "$CAPTURE_PID" 2>/dev/null
        wait_until 3 eval "! pid_running $CAPTURE_PID"
        log "capture stopped after $1 s before reaching its packet count"
    fi
    wait "$CAPTURE_PID" 2>/dev/null
    return 0
}

# carp_tcpdump FILE: tcpdump -T carp -v text of FILE, one packet per line.
carp_tcpdump() {
    tcpdump -r "$1" -T carp -v -n 2>/dev/null |
        awk '/^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next } { if (line != "") print line; line = $0 } END { if (line != "") print line }'
}

# carp_tshark FILE: one CSV line per packet: ip.version,ipv6.nxt,carp.vhid,
# carp.advskew,carp.checksum.status (1 = Good, 0 = Bad, 2 = Unverified in
# tshark 4.0's proto_checksum_enum_e). "-d ip.proto==112,carp" applies to IPv6
# too: IPv6 next headers use the same "ip.proto" table (tshark 4.0 has no
# "ipv6.nxt" decode-as table: "Unknown layer type -- ipv6.nxt").
carp_tshark() {
    tshark -r "$1" -n -d ip.proto==112,carp -T fields -E separator=, -E occurrence=f \
        -e ip.version -e ipv6.nxt -e carp.vhid -e carp.advskew -e carp.checksum.status 2>/dev/null
}

# check_wire FILE VHID ADVBASE ADVSKEW: every packet of FILE is a CARP advert
# decoded by tcpdump -T carp -v as "CARPv2-advertise 36: vhid=VHID advbase=..
# advskew=..", TTL / hop limit 255, no "bad carp cksum", seen for IPv4 and for
# IPv6; and tshark says the checksum is correct for every packet, both families.
check_wire() {
    local f=$1 vhid=$2 base=$3 skew=$4 txt v4 v6 want tv n4 n6 verbose
    txt=$(carp_tcpdump "$f")
    log "tcpdump -T carp -v -r $(basename "$f"):"
    printf '%s\n' "$txt" | sed 's/^/    /'
    [[ -n "$txt" ]] || fail "capture $f is empty"
    want="CARPv2-advertise 36: vhid=$vhid advbase=$base advskew=$skew "
    if grep -q 'bad carp cksum' <<<"$txt"; then fail "tcpdump reports a bad CARP checksum"; fi
    v4=$(grep '^[0-9:.]* IP (' <<<"$txt")
    v6=$(grep '^[0-9:.]* IP6 (' <<<"$txt")
    [[ -n "$v4" ]] || fail "no IPv4 CARP advert captured"
    [[ -n "$v6" ]] || fail "no IPv6 CARP advert captured"
    grep -v -F -q "$want" <<<"$v4" && fail "an IPv4 packet does not decode as '$want'"
    grep -v -F -q "$want" <<<"$v6" && fail "an IPv6 packet does not decode as '$want'"
    grep -v -q '> 224\.0\.0\.18: ' <<<"$v4" && fail "an IPv4 advert is not sent to 224.0.0.18"
    grep -v -q '> ff02::12: ' <<<"$v6" && fail "an IPv6 advert is not sent to ff02::12"
    grep -v -q 'ttl 255,' <<<"$v4" && fail "an IPv4 advert has a TTL other than 255"
    grep -v -q 'hlim 255,' <<<"$v6" && fail "an IPv6 advert has a hop limit other than 255"
    ok "tcpdump: $(wc -l <<<"$v4") IPv4 and $(wc -l <<<"$v6") IPv6 adverts '$want', TTL 255, no bad cksum"

    # tshark: decode protocol 112 as CARP (the VRRP dissector wins otherwise).
    # IPv6 next headers go through the same "ip.proto" table.
    tv=$(carp_tshark "$f")
    log "tshark -d ip.proto==112,carp fields (ip.version ipv6.nxt carp.vhid carp.advskew carp.checksum.status):"
    printf '%s\n' "$tv" | sed 's/^/    /'
    # Good = 1 (tshark -T fields prints the number; accept the name as well).
    n4=$(awk -F, -v v="$vhid" -v s="$skew" '$1 == 4 && $3 == v && $4 == s && ($5 == 1 || $5 == "Good")' <<<"$tv" | wc -l)
    n6=$(awk -F, -v v="$vhid" -v s="$skew" '$1 == 6 && $2 == 112 && $3 == v && $4 == s && ($5 == 1 || $5 == "Good")' <<<"$tv" | wc -l)
    local total good
    total=$(grep -c . <<<"$tv")
    good=$((n4 + n6))
    ((n4 > 0)) || fail "tshark: no IPv4 CARP packet with a good checksum"
    ((n6 > 0)) || fail "tshark: no IPv6 CARP packet with a good checksum"
    ((good == total)) || fail "tshark: only $good of $total packets decode as CARP vhid $vhid advskew $skew with a good checksum"
    verbose=$(tshark -r "$f" -n -V -d ip.proto==112,carp 2>/dev/null)
    if grep -q -i 'Checksum Status: Bad\|incorrect, should be' <<<"$verbose"; then
        fail "tshark -V reports a bad CARP checksum"
    fi
    ok "tshark: $n4 IPv4 and $n6 IPv6 CARP packets, checksum Good"
}

# ---------------------------------------------------------------- cleanup

bc_dump_state() {
    local n f
    echo "===== $TEST_NAME failed: state of $P ====="
    for n in "${NODES[@]}"; do
        echo "--- node $n ($(ns "$n")):"
        ip -n "$(ns "$n")" -br link 2>&1 | sed 's/^/    /'
        ip -n "$(ns "$n")" -br addr 2>&1 | sed 's/^/    /'
        if [[ -n "${CARPD_PID[$n]:-}" ]] && pid_running "${CARPD_PID[$n]}"; then
            echo "    carpd get / stats:"
            CTL_TIMEOUT=2 ctl "$n" get 2>&1 | sed 's/^/      /'
            CTL_TIMEOUT=2 ctl "$n" stats 2>&1 | tr '\n' ' ' | sed 's/^/      /'
            echo
        fi
    done
    if [[ -n "$T" && -d "$T" ]]; then
        while IFS= read -r f; do
            echo "===== $f (last 300 lines) ====="
            tail -n 300 "$f"
        done < <(find "$T" \( -name '*.log' -o -name '*.events' \) -type f | sort)
    fi
    echo "===== end of $TEST_NAME logs ====="
}

bc_cleanup() {
    local rc=$? pid n nsn pids i
    trap '' INT TERM
    trap - EXIT
    if ((rc != 0 && rc != 77)); then
        bc_dump_state >&"$BC_ERR" 2>&1
    fi
    exec 2>/dev/null # no "Killed" job notices; cleanup messages go to $BC_ERR
    # Processes started by this test, then anything still inside its namespaces.
    for pid in "${BC_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for nsn in "${BC_NETNS[@]}"; do
        pids=$(ip netns pids "$nsn" 2>/dev/null)
        # shellcheck disable=SC2086 # one argument per pid
        [[ -n "$pids" ]] && kill -TERM $pids 2>/dev/null
    done
    for ((i = 0; i < 30; i++)); do
        pids=""
        for pid in "${BC_PIDS[@]}"; do pid_running "$pid" && pids+="$pid "; done
        for nsn in "${BC_NETNS[@]}"; do pids+="$(ip netns pids "$nsn" 2>/dev/null | tr '\n' ' ')"; done
        [[ -z "${pids// /}" ]] && break
        sleep 0.1
    done
    if [[ -n "${pids// /}" ]]; then
        echo "cleanup: SIGKILL to $pids" >&"$BC_ERR"
        # shellcheck disable=SC2086 # one argument per pid
        kill -KILL $pids 2>/dev/null
        sleep 0.2
    fi
    for pid in "${BC_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    # Nodes first (their veth ends go with them), then the switch.
    for ((i = ${#BC_NETNS[@]} - 1; i >= 0; i--)); do
        ip netns del "${BC_NETNS[i]}" 2>/dev/null || echo "cleanup: cannot delete netns ${BC_NETNS[i]}" >&"$BC_ERR"
    done
    if [[ -n "$T" && -d "$T" ]]; then
        if [[ "${BC_KEEP:-0}" == 1 ]]; then echo "kept $T" >&"$BC_ERR"; else rm -rf "$T"; fi
    fi
    exit "$rc"
}

trap bc_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T=$(mktemp -d "$BC_TMPDIR/$P.XXXXXX") || fail "mktemp in $BC_TMPDIR"

# ---------------------------------------------------------------- BSD tools

# bsd NODE TOOL ARGS...: run ifconfig, sysctl or netstat in NODE's namespace against
# NODE's carpd; stdout and stderr pass through, the exit status is the tool's.
bsd() {
    local n=$1 tool=$2
    shift 2
    ip netns exec "$(ns "$n")" env CARPD_SOCKET="${CARPD_DIR[$n]:-$T/$n.none}/carpd.sock" "$BSDBIN/$tool" "$@"
}

# bsd_ok NODE TOOL ARGS...: like bsd, but fails the test on a non-zero exit status.
bsd_ok() {
    local out
    out=$(bsd "$@" 2>&1) || fail "$2 ${*:3} on $1 failed: $out"
    log "$1: $2 ${*:3} -> ok"
}

# rename_eth NODE NEW: rename the node's eth0 (for the BSD examples' em0/em1).
rename_eth() {
    local nsn
    nsn=$(ns "$1")
    ip -n "$nsn" link set eth0 down && ip -n "$nsn" link set eth0 name "$2" && ip -n "$nsn" link set "$2" up ||
        fail "rename eth0 to $2 on $1"
}

# carpnodes_split: a MASTER of carpnode 1 and b of carpnode 2 (a has 1:0,2:100, b the
# reverse), the split held for 2 s.
carpnodes_split() {
    wait_state a MASTER 6 1
    wait_state b MASTER 6 2
    hold_for 2 states_are "a=MASTER b=BACKUP" 1 || fail "vhid 1: a $(state a 1), b $(state b 1)"
    states_are "a=BACKUP b=MASTER" 2 || fail "vhid 2: a $(state a 2), b $(state b 2)"
    ok "a MASTER of vhid 1, b of vhid 2"
}

# ifconfig_shows NODE IFNAME LINE...: `ifconfig IFNAME` on NODE prints every LINE whole.
ifconfig_shows() {
    local n=$1 ifname=$2 out line
    shift 2
    out=$(bsd "$n" ifconfig "$ifname")
    for line; do
        grep -qxF "$line" <<<"$out" || fail "ifconfig $ifname on $n lacks '$line':
$out"
    done
}

# balanced_nodes NODE...: on each, balance.py's name server on port 8080 and a carpd.
balanced_nodes() {
    local n
    for n; do
        nsx "$n" "$PYTHON" "$BC_HERE/balance.py" serve "$n" 8080 >/dev/null 2>&1 &
        track $!
        start_carpd "$n"
    done
}

# fold_check OWNER...: `balancing ip` - each source of SOURCES4 (to $VIP) and SOURCES6 (to
# $VIP6) on node c is answered on port 8080 (balance.py serve) by OWNER i, i the carpnode
# index OpenBSD's fold gives it over as many carpnodes as OWNERs.
fold_check() {
    local owners=("$@") address src idx got
    for address in "$VIP" "$VIP6"; do
        local sources=("${SOURCES4[@]}")
        [[ $address == "$VIP6" ]] && sources=("${SOURCES6[@]}")
        local -A want=()
        while read -r src idx; do want[$src]=${owners[idx]}; done < <("$PYTHON" "$BC_HERE/balance.py" predict "$address" "${#owners[@]}" "${sources[@]}")
        while read -r src got; do
            [[ $got == "${want[$src]}" ]] || { log "$src -> $address: answered by '$got', expected ${want[$src]}"; return 1; }
        done < <(nsx c "$PYTHON" "$BC_HERE/balance.py" ask "$address" 8080 "${sources[@]}")
    done
}

# clients_check OWNER...: the hashed modes - client i of mac_clients reaches $VIP:8080 on
# OWNER WANT[i] (WANT: the index each client's hash picks).
clients_check() {
    local owners=("$@") dev got i=0
    while read -r dev got; do
        [[ $got == "${owners[WANT[i]]}" ]] || { log "$dev (${MACS[i]}): answered by '$got', expected ${owners[WANT[i]]}"; return 1; }
        i=$((i + 1))
    done < <(nsx c "$PYTHON" "$BC_HERE/balance.py" askdev "$VIP" 8080 "${DEVS[@]}")
}

# clients_neighbours: each client's neighbour entry for $VIP is the MAC of the vhid
# WANT[i] + 1 (the carpnodes and vhids of these tests are 1 and 2).
clients_neighbours() {
    local i want got
    for i in "${!DEVS[@]}"; do
        want=$(printf '00:00:5e:00:01:%02x' $((WANT[i] + 1)))
        got=$(ip -n "$(ns c)" neigh show "$VIP" dev "${DEVS[i]}" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
        assert_eq "$want" "$got" "${DEVS[i]}'s neighbour entry for $VIP"
    done
}

# mac_clients N: N clients on node c, each a macvlan cmI of c's eth0 with its own MAC
# 02:00:00:00:00:0I and address 192.0.2.20I/24 (one neighbour entry per client, as separate
# hosts have); each answers ARP for its own address only. Sets DEVS and MACS.
mac_clients() {
    local i mac
    DEVS=() MACS=()
    nsx c sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || fail "sysctl on c"
    for ((i = 1; i <= $1; i++)); do
        mac=02:00:00:00:00:0$i
        ip -n "$(ns c)" link add "cm$i" link eth0 address "$mac" type macvlan mode bridge || fail "client cm$i"
        nsx c sysctl -qw "net.ipv4.conf.cm$i.rp_filter=0"
        ip -n "$(ns c)" addr add "192.0.2.20$i/24" dev "cm$i" || fail "address of cm$i"
        ip -n "$(ns c)" link set "cm$i" up || fail "cm$i up"
        DEVS+=("cm$i") MACS+=("$mac")
    done
}
