# shellcheck shell=bash
# bench/run.sh: one two-node repetition (bench/failover, bench/scenarios) for bench/lib.sh.

# ------------------------------------------------------------------ one two-node repetition

# Time limits (seconds): election, states holding before the event, client pinging before
# the event (plus a random 0..one advertisement interval, so that the event falls at a
# random point of the cycle), event -> takeover, pinging after it, SIGTERM -> exit, and
# for kill9 how long to watch both nodes after the restart.
T_ELECT=12 T_HOLD=1 T_PRE=1 T_TAKEOVER=10 T_POST=1 T_EXIT=5 T_WATCH=5
TK=none
holds_a_only() { has_vip a && ! has_vip b; }
holds_b_only() { has_vip b && ! has_vip a; }
one_holder() { local x=0; has_vip a && x=$((x + 1)); has_vip b && x=$((x + 1)); ((x == 1)); }

# monitors_start: timestamped address events of a and b (ip -ts monitor, in UTC).
monitors_start() {
    local n
    for n in a b; do
        TZ=UTC ip -n "$P-$n" -ts monitor address >"$R/mon-$n" 2>&1 &
        MON[$n]=$!
        PIDS+=("$!")
    done
}
declare -A MON=()
monitors_stop() { local n; for n in a b; do kill "${MON[$n]}" 2>/dev/null; wait "${MON[$n]}" 2>/dev/null; done; }
# dup_window EVENT END: "dup_ms a_released_ms b_gained_ms both_at_end" from the monitors,
# with a holding $VIP and b not at EVENT (checked just before it); -1 = never.
dup_window() {
    local n
    for n in a b; do
        awk -v n=$n -v vip="$VIP" 'index($0, "inet " vip "/") {
            split(substr($1, 2, length($1) - 2), p, /[-T:]/)
            y = p[1]; m = p[2]; d = p[3]; y -= (m <= 2); era = int(y / 400); yoe = y - era * 400
            doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
            days = era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
            printf "%.6f %s %d\n", days * 86400 + p[4] * 3600 + p[5] * 60 + p[6], n, ($2 == "Deleted") ? 0 : 1 }' "$R/mon-$n"
    done | sort -n | awk -v ev="$1" -v end="$2" 'BEGIN { h["a"] = 1; h["b"] = 0; last = ev; rel = -1; gain = -1 }
        $1 < ev { next }
        { if (h["a"] && h["b"]) dup += $1 - last
          last = $1; h[$2] = $3
          if ($2 == "a" && !$3 && rel < 0) rel = ($1 - ev) * 1000
          if ($2 == "b" && $3 && gain < 0) gain = ($1 - ev) * 1000 }
        END { if (h["a"] && h["b"]) dup += end - last
              printf "%.0f %.0f %.0f %d\n", dup * 1000, rel, gain, h["a"] && h["b"] }'
}

# run_one SCENARIO IMPL REP: a fresh topology and fresh daemons (a MASTER, b BACKUP), the
# client pinging, the event, then every daemon stopped and the topology torn down by the
# caller. Sets LINE to "outage_ms detail", or "FAIL reason" (and returns 1). Runs in the
# main shell, so that every process it starts is in PIDS for the cleanup.
#   cut, subcut  a's switch port down         stop    SIGTERM to a's daemon
#   return       a stopped, b MASTER; event: a's daemon starts again (preemption on)
#   demote       sysctl net.inet.carp.demotion=240 on a / keepalived track_file 240 x -1
#   kill9        SIGKILL to a's daemon, its cleanup (carpd -C), a new daemon on a
# For kill9 LINE is "dup_ms outage_ms detail" (dup: both a and b hold $VIP).
LINE=""
failed() { LINE="FAIL $*"; return 1; }
run_one() {
    local sc=$1 im=$2 rep=$3 k t_ev tk=none extra="" n rc pid ev_ok=holds_a_only done_ok=holds_b_only dup=""
    local replies before after gap evgap spacing lost
    k=$(kind "$im")
    params "$sc" "$im"
    R=$T/$sc-$im-$rep
    mkdir -p "$R"
    topology a b c || { failed topology; return 1; }
    "${k}_up" || { failed start; return 1; }
    wait_until $T_ELECT "${k}_states_ok" || { failed "election ($("${k}_states"))"; return 1; }
    hold_for $T_HOLD "${k}_states_ok" || { failed "states did not hold ($("${k}_states"))"; return 1; }
    wait_until 3 ip netns exec "$P-c" ping -n -q -c 1 -W 0.5 "$VIP" >/dev/null 2>&1 ||
        { failed "c cannot reach $VIP before the event"; return 1; }
    if [[ $sc == return ]]; then
        kill -TERM "${DPID[a]}"
        reap "${DPID[a]}"
        [[ $RC == 0 ]] || extra+=" a-exit=$RC"
        wait_until $T_TAKEOVER holds_b_only || { failed "b did not take over when a stopped ($("${k}_states"))"; return 1; }
        hold_for $T_HOLD holds_b_only || { failed "b did not keep $VIP ($("${k}_states"))"; return 1; }
        ev_ok=holds_b_only done_ok=holds_a_only
    fi
    ping_start $((T_PRE + T_TAKEOVER + T_WATCH + T_POST + 10))
    [[ $sc == kill9 ]] && monitors_start
    sleep "$(awk -v p=$T_PRE -v c="$CYCLE_MS" -v r=$RANDOM 'BEGIN { printf "%.3f", p + c / 1000 * r / 32768 }')"
    $ev_ok || { failed "states changed before the event ($("${k}_states"))"; return 1; }
    t_ev=$(stamp)
    case $sc in
    cut | subcut) ip -n "$P-sw" link set pa down ;;
    stop) kill -TERM "${DPID[a]}" ;;
    return) "${k}_restart" a ;;
    demote) "${k}_demote" a ;;
    kill9)
        pid=$("${k}_pids" a)
        kill -KILL $pid
        # (no "Killed" job notice from bash)
        { for n in $pid; do wait_until 2 dead "$n"; done; wait "${DPID[a]}"; } 2>/dev/null
        "${k}_after_kill" a && "${k}_restart" a
        ;;
    esac || { failed "event ($sc)"; return 1; }
    if [[ $sc == kill9 ]]; then
        sleep "$T_WATCH"
        wait_until 5 one_holder && hold_for 1 one_holder && tk=$(ms_since "$t_ev")
        monitors_stop
        read -r dup rel gain both <<<"$(dup_window "$t_ev" "$(stamp)")"
        extra+=" a_released=${rel}ms b_took=${gain}ms holder=$(has_vip a && echo a)$(has_vip b && echo b)"
        ((both)) && extra+=" BOTH-HOLD-AT-END"
    elif wait_until $T_TAKEOVER $done_ok; then
        tk=$(ms_since "$t_ev")
    fi
    TK=$tk
    sleep $T_POST
    ping_stop
    [[ $tk != none ]] || { failed "no single holder within the time limit ($("${k}_states"))"; return 1; }
    if [[ $sc == stop ]]; then
        reap "${DPID[a]}"
        [[ $RC == 0 ]] || extra+=" a-exit=$RC"
        has_vip a && extra+=" VIP-left-on-a"
    fi
    # Stop the daemons (link restored first): each must exit within T_EXIT of one SIGTERM.
    ip -n "$P-sw" link set pa up
    for n in a b; do alive "${DPID[$n]}" && kill -TERM "${DPID[$n]}"; done
    for n in a b; do
        [[ $sc == stop && $n == a ]] && continue
        reap "${DPID[$n]}"
        case $RC in
        0) ;;
        alive) extra+=" $n-ignored-SIGTERM-${T_EXIT}s" ;;
        *) extra+=" $n-exit=$RC" ;;
        esac
    done
    read -r replies before after gap evgap spacing lost <<<"$(ping_gaps "$t_ev")"
    ((before > 0)) || { failed "no reply before the event"; return 1; }
    ((after > 0)) || { failed "no reply after the event"; return 1; }
    awk -v g="$gap" -v eg="$evgap" -v sp="$spacing" 'BEGIN { exit !(g <= eg + 50 || g < 2.5 * sp) }' ||
        extra+=" longest-gap-before-event=${gap}ms"
    echo "$spacing" >>"$T/spacing"
    LINE=$(printf "%s%.${MS_DIGITS}f lost=%d seen_after=%sms spacing=%.1fms%s" "${dup:+$dup }" "$evgap" "$lost" "$tk" "$spacing" "$extra")
}
