# shellcheck shell=bash
# bench/daemons.sh: the daemons under test (carpd, ucarp, keepalived) for bench/lib.sh:
# start, configure, state, restart and demote, one set of functions per kind.

# ------------------------------------------------------------------ the daemons

# Parameters of a two-node run (set by params): ADVBASE SKEW_A SKEW_B PREEMPT for carpd and
# ucarp; KA_VER KA_INT KA_PRIO_A KA_PRIO_B for keepalived (priority 256 - advskew, except
# 255 which VRRP keeps for the address owner). VIP is 192.0.2.50/24, key s3cret.
VIP=192.0.2.50
KEY=s3cret
kind() { case $1 in carpd*) echo carpd ;; ucarp*) echo ucarp ;; ka*) echo ka ;; esac; }

write_scripts() {
    local plen
    for plen in 24 32; do
        cat >"$T/ucarp-up$plen" <<EOF
#!/bin/sh
# ucarp upscript: \$1 interface, \$2 VIP, \$3 event file (-x)
ip addr add "\$2/$plen" dev "\$1"
[ "\$3" = - ] || echo "up \$(date +%s.%N)" >>"\$3"
EOF
        cat >"$T/ucarp-down$plen" <<EOF
#!/bin/sh
ip addr del "\$2/$plen" dev "\$1" 2>/dev/null
[ "\$3" = - ] || echo "down \$(date +%s.%N)" >>"\$3"
EOF
    done
    chmod +x "$T"/ucarp-up* "$T"/ucarp-down*
}

# carpd: one process per node, state and socket in $R/NODE.
ctl() { local n=$1; shift; CTL_TIMEOUT=2 "$PYTHON" "$CTLPY" "$R/$n/carpd.sock" "$@"; }
bsd() { local n=$1 tool=$2; shift 2; ip netns exec "$P-$n" env CARPD_SOCKET="$R/$n/carpd.sock" "$BIN/$tool" "$@"; }
carpd_state() {
    local s
    s=$(ctl "$1" get carpdev=eth0 vhid=1 2>/dev/null | sed -n 's/^state=//p' | head -n1)
    s=${s^^}
    echo "${s:-NONE}"
}
carpd_start() { # NODE: start carpd (the runtime state in $R/NODE comes back, if any)
    local n=$1
    mkdir -p "$R/$n"
    ip netns exec "$P-$n" "$CARPD" -d -f "$T/etc-empty" -s "$R/$n/carpd.sock" 2>>"$R/$n/carpd.log" &
    DPID[$n]=$!
    PIDS+=("$!")
    wait_until 10 eval "ctl $n stats >/dev/null 2>&1" || { msg "carpd on $n does not answer"; return 1; }
}
carpd_configure() { # NODE ADVSKEW (VRRP, CARPVER=3: keepalived's priorities and interval)
    local n=$1 words
    if ((PREEMPT)); then bsd "$n" sysctl net.inet.carp.preempt=1 >/dev/null || return 1; fi
    if ((CARPVER == 3)); then
        words="carpver=3 vrrpprio=$([[ $n == a ]] && echo "$KA_PRIO_A" || echo "$KA_PRIO_B") vrrpinterval=$(awk -v i="$KA_INT" 'BEGIN { printf "%.0f", i * 100 }')"
    else
        words="advbase=$ADVBASE advskew=$2 key=$KEY"
    fi
    # shellcheck disable=SC2086 # words are key=value pairs
    ctl "$n" set carpdev=eth0 vhid=1 $words addr="$VIP/24" >/dev/null ||
        { msg "carpd on $n refused the vhid"; return 1; }
}
carpd_up() {
    carpd_start a && carpd_start b || return 1
    carpd_configure a "$SKEW_A" && carpd_configure b "$SKEW_B"
}
carpd_restart() { carpd_start "$1"; } # the vhid comes back from the runtime state
carpd_states_ok() { [[ $(carpd_state a) == MASTER && $(carpd_state b) == BACKUP ]] && has_vip a && ! has_vip b; }
carpd_states() { echo "a=$(carpd_state a) b=$(carpd_state b) vip_a=$(has_vip a && echo y || echo n) vip_b=$(has_vip b && echo y || echo n)"; }
carpd_pids() { echo "${DPID[$1]}"; }
carpd_demote() { bsd "$1" sysctl net.inet.carp.demotion=240 >/dev/null; }
carpd_after_kill() { ip netns exec "$P-$1" "$CARPD" -C -s "$R/$1/carpd.sock" 2>>"$R/$1/carpd.log"; }

# ucarp: one process per vhid; the VIP on eth0 by its up/down scripts.
ucarp_start() { # NODE ADVSKEW
    local n=$1 popt=()
    ((PREEMPT)) && popt=(-P)
    mkdir -p "$R/$n"
    touch "$R/$n/events"
    ip netns exec "$P-$n" ucarp -i eth0 -s "$(node_ip "$n")" -v 1 -p "$KEY" -a "$VIP" -b "$ADVBASE" -k "$2" \
        "${popt[@]}" -u "$T/ucarp-up24" -d "$T/ucarp-down24" -x "$R/$n/events" -z -f none \
        >>"$R/$n/ucarp.log" 2>&1 &
    DPID[$n]=$!
    PIDS+=("$!")
    sleep 0.2
    alive "${DPID[$n]}" || { msg "ucarp on $n exited at once: $(cat "$R/$n/ucarp.log")"; return 1; }
}
ucarp_up() { ucarp_start a "$SKEW_A" && ucarp_start b "$SKEW_B"; }
ucarp_restart() { if [[ $1 == a ]]; then ucarp_start a "$SKEW_A"; else ucarp_start b "$SKEW_B"; fi; }
ucarp_last() { local e; e=$(tail -n1 "$R/$1/events" 2>/dev/null | cut -d' ' -f1); echo "${e:-none}"; }
ucarp_states_ok() { [[ $(ucarp_last a) == up && $(ucarp_last b) != up ]] && has_vip a && ! has_vip b; }
ucarp_states() { echo "a=$(ucarp_last a) vip_a=$(has_vip a && echo y || echo n) b=$(ucarp_last b) vip_b=$(has_vip b && echo y || echo n)"; }
ucarp_pids() { echo "${DPID[$1]}"; }
ucarp_after_kill() { :; }

# keepalived: keepalived -P (VRRP only) -n, one parent and its VRRP child per node.
# ka_conf NODE PRIORITY COUNT [fp]: COUNT instances (vrid i) with VIP $VIP/24, a track_file
# and a notify script (the two-node runs), or with fp 198.51.100.i/32 plus 2001:db8:1::i/64
# (excluded: not in the advertisement, as VRRPv2 carries IPv4 only).
ka_conf() {
    local n=$1 prio=$2 count=$3 fp=${4:-} i
    {
        echo "global_defs {"
        echo "  router_id $P-$n"
        echo "  script_user root"
        echo "  enable_script_security"
        echo "  max_auto_priority -1"
        echo "  vrrp_version $KA_VER"
        echo "}"
        echo "track_file demote { file \"$R/$n/demote\" }"
        for ((i = 1; i <= count; i++)); do
            echo "vrrp_instance v$i {"
            echo "  state BACKUP"
            echo "  interface eth0"
            echo "  virtual_router_id $i"
            echo "  priority $prio"
            echo "  advert_int $KA_INT"
            ((PREEMPT)) || echo "  nopreempt"
            if [[ -z $fp ]]; then
                echo "  virtual_ipaddress { $VIP/24 }"
                echo "  track_file { demote weight -1 }"
                echo "  notify \"$R/$n/notify\""
            else
                echo "  virtual_ipaddress { 198.51.100.$i/32 }"
                printf '  virtual_ipaddress_excluded { 2001:db8:1::%x/64 }\n' "$i"
            fi
            echo "}"
        done
    } >"$R/$n/keepalived.conf"
    echo 0 >"$R/$n/demote"
    printf '#!/bin/sh\necho "$3 $(date +%%s.%%N)" >>"%s"\n' "$R/$n/events" >"$R/$n/notify"
    chmod +x "$R/$n/notify"
    touch "$R/$n/events"
}
ka_start() { # NODE [COUNT]
    local n=$1
    mkdir -p "$R/$n"
    [[ -s $R/$n/keepalived.conf ]] || ka_conf "$n" "$([[ $n == a ]] && echo "$KA_PRIO_A" || echo "$KA_PRIO_B")" "${2:-1}"
    rm -f "$R/$n/keepalived.pid" "$R/$n/vrrp.pid"
    ip netns exec "$P-$n" keepalived -n -l -G -P -f "$R/$n/keepalived.conf" -p "$R/$n/keepalived.pid" \
        -r "$R/$n/vrrp.pid" -i "$P-$n" >>"$R/$n/keepalived.log" 2>&1 &
    DPID[$n]=$!
    PIDS+=("$!")
    wait_until 5 test -s "$R/$n/vrrp.pid" || { msg "keepalived on $n: no VRRP child: $(tail -n 5 "$R/$n/keepalived.log")"; return 1; }
}
ka_up() { ka_start a && ka_start b; }
ka_restart() { ka_start "$1"; }
ka_last() { local e; e=$(tail -n1 "$R/$1/events" 2>/dev/null | cut -d' ' -f1); echo "${e:-none}"; }
ka_states_ok() { [[ $(ka_last a) == MASTER && $(ka_last b) == BACKUP ]] && has_vip a && ! has_vip b; }
ka_states() { echo "a=$(ka_last a) vip_a=$(has_vip a && echo y || echo n) b=$(ka_last b) vip_b=$(has_vip b && echo y || echo n)"; }
ka_pids() { echo "${DPID[$1]} $(cat "$R/$1/vrrp.pid" 2>/dev/null)"; }
ka_demote() { echo 240 >"$R/$1/demote.new" && mv "$R/$1/demote.new" "$R/$1/demote"; }
ka_after_kill() { :; }

# params SCENARIO IMPL: the parameters above, and BOUND_MS, the backup's master-down time
# (3 x advbase + advskew/256 s for CARP; 3 x Adv + Skew_Time for VRRP), SKEWT_MS (VRRP's
# Skew_Time, what a priority-0 advertisement leaves) and CYCLE_MS (the master's
# advertisement interval).
params() {
    local sc=$1 im=$2
    ADVBASE=1 SKEW_A=0 SKEW_B=100 PREEMPT=0 KA_VER=2 KA_INT=1 KA_PRIO_A=254 KA_PRIO_B=156 CARPVER=2
    case $sc in
    return | demote) PREEMPT=1 ;;
    subcut) ADVBASE=0 SKEW_A=10 SKEW_B=20 KA_INT=0.04 KA_PRIO_A=246 KA_PRIO_B=236 ;;
    esac
    if [[ $im == ka-v3 ]]; then KA_VER=3; [[ $sc == subcut ]] || KA_INT=0.1; fi
    # carpd in VRRPv3 mode (bench/vrrp): keepalived's priorities and interval, VRRP's bounds.
    [[ $im == carpd-v3 ]] && CARPVER=3 KA_VER=3 KA_INT=0.1
    if [[ $im == *-v3 && -n ${VRRP_INT:-} ]]; then KA_INT=$VRRP_INT; fi
    local k
    k=$(kind "$im")
    [[ $im == carpd-v3 ]] && k=ka
    read -r BOUND_MS SKEWT_MS CYCLE_MS <<<"$(awk -v k="$k" -v v=$KA_VER -v i=$KA_INT -v p=$KA_PRIO_B \
        -v ab=$ADVBASE -v sa=$SKEW_A -v sb=$SKEW_B 'BEGIN {
        if (k == "ka") { st = (v == 2) ? (256 - p) / 256 : (256 - p) * i / 256; printf "%.0f %.0f %.0f", (3 * i + st) * 1000, st * 1000, i * 1000 }
        else if (ab > 0) printf "%.0f 0 %.0f", (3 * ab + sb / 256) * 1000, ab * 1000
        else printf "%.0f 0 %.0f", 3 * sb / 256 * 1000, sa / 256 * 1000 }')"
}

impl_label() {
    case $1 in
    carpd) echo "carpd" ;;
    ucarp) echo "ucarp" ;;
    ka-v2) echo "keepalived v2 ${KA_INT}s" ;;
    ka-v3) echo "keepalived v3 ${KA_INT}s" ;;
    carpd-v3) echo "carpd v3 ${KA_INT}s" ;;
    esac
}
