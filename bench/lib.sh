# shellcheck shell=bash
# bench/lib.sh: what bench/failover, bench/scenarios and bench/footprint share: the
# binaries, the namespaces, waiting, the client's ping and its gaps, medians and the table.
# It sources daemons.sh (carpd, ucarp, keepalived) and run.sh (one two-node repetition).
#
# A script sets NAME (for messages) and PFX (namespace prefix), sources this file, parses
# its options, then calls bench_init. bench_init makes the temp dir $T, copies carpd and
# the BSD tools into $T/bin (others may rebuild .build meanwhile), and sets the
# EXIT/INT/TERM trap: one SIGTERM to every process started here and to anything left in
# our namespaces (SIGKILL 5 s later), namespaces deleted, $T removed unless KEEP=1.
#
# Namespaces: $P-sw (bridge br0, the switch) and $P-<node>, node a = 192.0.2.1 and
# 2001:db8::1, b = .2/::2, c = .3/::3, each with eth0 in br0. $P = $PFX<pid>.
# Addresses: 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32 (and the CARP/VRRP groups).
set -u -o pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
CTLPY=$REPO/tests/integration/ctl.py
PYTHON=python3
P=$PFX$$
T=""
R=""
KEEP=0
PIDS=()
declare -A DPID=() # node -> main pid of the daemon under test

die() { echo "$NAME: $*" >&2; exit 1; }
msg() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stamp() { date +%s.%N; } # the clock of ping -D (CLOCK_REALTIME)
ms_since() { awk -v a="$1" -v b="$(stamp)" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

# now_ms, wait_until (every 20 ms here), hold_for and pid_running: shared with the tests.
WAIT_STEP=0.02
source "$REPO/tests/integration/wait.sh"
alive() { pid_running "$1"; }
dead() { ! alive "$1"; }
# reap PID: wait for it (bounded by T_EXIT); RC = its exit status, or "alive".
RC=""
reap() {
    if wait_until "${T_EXIT:-5}" dead "$1"; then
        wait "$1" 2>/dev/null
        RC=$?
    else RC=alive; fi
}

# ------------------------------------------------------------------ setup and cleanup

bench_init() { # TOOL... that must be on PATH besides ip, ping, python3, awk
    local t b src=${CARPD:-}
    [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
    for t in ip ping python3 awk "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "'$t' is missing (apt-get install iproute2 iputils-ping python3 ucarp keepalived)"
    done
    if [[ -z $src ]]; then
        if [[ -x $REPO/.build/release/carpd ]]; then src=$REPO/.build/release/carpd; else src=$REPO/.build/debug/carpd; fi
    fi
    [[ -x $src ]] || die "no carpd at $src (make release)"
    [[ -r $CTLPY ]] || die "no $CTLPY"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    T=$(mktemp -d "${TMPDIR:-/tmp}/$P.XXXXXX") || exit 1
    mkdir -p "$T/bin" "$T/etc-empty"
    for b in carpd ifconfig sysctl netstat; do
        cp "$(dirname "$src")/$b" "$T/bin/$b" || die "cannot copy $b from $(dirname "$src")"
    done
    CARPD_FROM=$src
    CARPD=$T/bin/carpd
    BIN=$T/bin
    write_scripts
}

our_netns() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$P-" || true; }

kill_all() {
    local pid pids="" nsn i
    # One SIGTERM per process: ours first, then anything else left in our namespaces.
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for nsn in $(our_netns); do
        for pid in $(ip netns pids "$nsn" 2>/dev/null); do
            [[ " ${PIDS[*]} " == *" $pid "* ]] || kill -TERM "$pid" 2>/dev/null
        done
    done
    for ((i = 0; i < 50; i++)); do
        pids=""
        for pid in "${PIDS[@]}"; do alive "$pid" && pids+="$pid "; done
        for nsn in $(our_netns); do pids+="$(ip netns pids "$nsn" 2>/dev/null | tr '\n' ' ')"; done
        [[ -z "${pids// /}" ]] && break
        sleep 0.1
    done
    if [[ -n "${pids// /}" ]]; then
        msg "cleanup: SIGKILL to $pids(still running 5 s after SIGTERM)"
        { kill -KILL $pids; sleep 0.2; } 2>/dev/null
    fi
    for pid in "${PIDS[@]}"; do wait "$pid"; done 2>/dev/null
    PIDS=()
    DPID=()
}

teardown() {
    local nsn
    kill_all
    for nsn in $(our_netns | sort -r); do # nodes first (their veths go with them), then sw
        [[ $nsn == "$P-sw" ]] && continue
        ip netns del "$nsn" 2>/dev/null || msg "cleanup: cannot delete netns $nsn"
    done
    ip netns del "$P-sw" 2>/dev/null || true
}

bench_cleanup() {
    local rc=$?
    trap '' INT TERM
    trap - EXIT
    exec 2>/dev/null 3>&1
    teardown
    if [[ -n "$T" && -d "$T" ]]; then
        if ((KEEP)); then echo "kept $T" >&3; else rm -rf "$T"; fi
    fi
    [[ -z "$(our_netns)" ]] || echo "$NAME: namespaces left: $(our_netns | tr '\n' ' ')" >&3
    exit "$rc"
}

node_ip() { case $1 in a) echo 192.0.2.1 ;; b) echo 192.0.2.2 ;; c) echo 192.0.2.3 ;; esac; }
node_ip6() { case $1 in a) echo 2001:db8::1 ;; b) echo 2001:db8::2 ;; c) echo 2001:db8::3 ;; esac; }

# topology NODE...: the switch namespace with br0, and each NODE with eth0 in br0.
topology() {
    local n
    ip netns add "$P-sw" || return 1
    ip netns exec "$P-sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$P-sw" link set lo up
    ip -n "$P-sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
    ip -n "$P-sw" link set br0 up || return 1
    for n in "$@"; do
        ip netns add "$P-$n" || return 1
        ip -n "$P-$n" link set lo up
        ip -n "$P-sw" link add "p$n" type veth peer name eth0 netns "$P-$n" || return 1
        ip -n "$P-sw" link set "p$n" master br0 up || return 1
        ip -n "$P-$n" addr add "$(node_ip "$n")/24" dev eth0 || return 1
        ip -n "$P-$n" addr add "$(node_ip6 "$n")/64" dev eth0 nodad || return 1
        ip -n "$P-$n" link set eth0 up || return 1
    done
    for n in "$@"; do
        wait_until 5 eval "ip -n $P-$n -o link show dev eth0 | grep -q LOWER_UP" || return 1
    done
}

# has_vip NODE: the node holds $VIP (on any interface).
has_vip() { ip -n "$P-$1" -o -4 addr show 2>/dev/null | grep -q "inet $VIP/"; }

# ------------------------------------------------------------------ the client

# ping_start SECONDS: c pings $VIP every $PING_I s into $R/ping (stops by itself after SECONDS).
ping_start() {
    ip netns exec "$P-c" ping -n -D -i "$PING_I" -W 0.1 -w "$1" "$VIP" >"$R/ping" 2>&1 &
    PING_PID=$!
    PIDS+=("$PING_PID")
}
ping_stop() {
    kill -INT "$PING_PID" 2>/dev/null
    wait_until 3 dead "$PING_PID" || kill -KILL "$PING_PID" 2>/dev/null
    wait "$PING_PID" 2>/dev/null
}
# ping_gaps EVENT_EPOCH: "replies before after gap_ms evgap_ms spacing_ms lost" from $R/ping.
ping_gaps() {
    awk '/bytes from/ { print substr($1, 2, length($1) - 2) }' "$R/ping" |
        reply_gaps "$1" "$(awk '/ packets transmitted/ { print $1 }' "$R/ping")"
}
# reply_gaps EVENT_EPOCH SENT [FROM_EPOCH]: the same from the replies' times on stdin, one per
# line in order: the longest gap between consecutive replies, the longest one ending after
# EVENT (counted from FROM instead of its first reply when given), the median spacing (0.1
# ms bins) and the probes lost of SENT.
reply_gaps() {
    awk -v ev="$1" -v sent="${2:-0}" -v from="${3:-}" '
        { t = $1 + 0
          if (n) { d = t - last; if (d > gap) gap = d
                   if (t >= ev && d > evgap) { evgap = d; evend = t }
                   h[int(d * 10000 + 0.5)]++; m++ }
          last = t; n++; if (t < ev) before++; else after++ }
        END { if (from != "" && evend) evgap = evend - from
              c = 0; for (k = 0; c * 2 < m && k < 1e7; k++) c += h[k]
              printf "%d %d %d %.1f %.1f %.1f %d\n", n, before, after, gap * 1000, evgap * 1000, (k - 1) / 10, sent - n }'
}

# ------------------------------------------------------------------ results

# Results: one line "SCENARIO IMPL REP VALUE" per run in $RES, VALUE a number or FAIL.
# MS_DIGITS: decimals of the outages in LINE and the table (a finer client sets it).
MS_DIGITS=0
stats() { # SCENARIO IMPL -> "ok/total median min max" (ms), "-" when none
    awk -v s="$1" -v i="$2" -v f="%.${MS_DIGITS}f" '$1 == s && $2 == i { tot++; if ($4 != "FAIL") v[ok++] = $4 + 0 }
        END {
            if (!ok) { printf "0/%d - - -\n", tot; exit }
            for (x = 0; x < ok; x++) for (y = x + 1; y < ok; y++) if (v[y] < v[x]) { t = v[x]; v[x] = v[y]; v[y] = t }
            med = (ok % 2) ? v[int(ok / 2)] : (v[ok / 2 - 1] + v[ok / 2]) / 2
            printf "%d/%d " f " " f " " f "\n", ok, tot, med, v[0], v[ok - 1]
        }' "$RES"
}
values() { awk -v s="$1" -v i="$2" '$1 == s && $2 == i { printf "%s%s", sep, $4; sep = " " }' "$RES"; }
TABLE_FMT='| %-30s | %-22s | %5s | %9s | %8s | %8s | %-44s |\n'
table_head() {
    printf "$TABLE_FMT" scenario implementation runs "median ms" "min ms" "max ms" "protocol bound / goal"
    printf "$TABLE_FMT" "$(printf -- '-%.0s' {1..30})" "$(printf -- '-%.0s' {1..22})" ----- --------- -------- -------- "$(printf -- '-%.0s' {1..44})" | tr ' ' -
}
declare -A MED=() MAX=() OK=()
table_row() { # SCENARIO IMPL NAME GOAL
    local ok med min max
    read -r ok med min max <<<"$(stats "$1" "$2")"
    MED[$1-$2]=$med MAX[$1-$2]=$max OK[$1-$2]=$ok
    printf "$TABLE_FMT" "$3" "$(impl_label "$2")" "$ok" "$med" "$min" "$max" "$4"
}
verdict() { if eval "$2"; then echo "  met:    $1"; else echo "  MISSED: $1"; fi; }
num() { [[ $1 =~ ^-?[0-9.]+$ ]]; }
allok() { [[ -n ${OK[$1]:-} && ${OK[$1]%%/*} == "${OK[$1]#*/}" && ${OK[$1]%%/*} != 0 ]]; }

print_header() { # TITLE
    echo "$1"
    echo "command:  $CMDLINE"
    echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "machine:  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
    local b=debug
    [[ $CARPD_FROM == */.build/release/* ]] && b=release
    echo "carpd:    $CARPD_FROM ($b build of $(date -u -r "$CARPD_FROM" '+%Y-%m-%d %H:%M UTC'), copied to $BIN)"
    echo "ucarp:    $(dpkg-query -W -f='${Version}' ucarp 2>/dev/null || echo '?');  keepalived: $(dpkg-query -W -f='${Version}' keepalived 2>/dev/null || echo '?');  ping: $(ping -V 2>&1 | head -n1)"
}

# The daemons under test and one two-node repetition live beside this file.
source "$BENCH/daemons.sh"
source "$BENCH/run.sh"
