# shellcheck shell=bash
# tests/integration/wait.sh: polling helpers shared by tests/integration/lib.sh and
# bench/lib.sh. WAIT_STEP (seconds, default 0.05) is how often wait_until polls.

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# wait_until TIMEOUT_SECONDS COMMAND...: run COMMAND every WAIT_STEP until it succeeds.
# Returns 1 when TIMEOUT (may be fractional) elapses first.
wait_until() {
    local end
    end=$(($(now_ms) + $(awk -v t="$1" 'BEGIN { printf "%d", t * 1000 }')))
    shift
    while :; do
        "$@" && return 0
        (($(now_ms) >= end)) && return 1
        sleep "${WAIT_STEP:-0.05}"
    done
}

# hold_for SECONDS COMMAND...: COMMAND must succeed at every check (every 100 ms)
# during SECONDS. Returns 1 at the first failed check.
hold_for() {
    local end
    end=$(($(now_ms) + $(awk -v t="$1" 'BEGIN { printf "%d", t * 1000 }')))
    shift
    while :; do
        "$@" || return 1
        (($(now_ms) >= end)) && return 0
        sleep 0.1
    done
}

# pid_running PID: the process exists and is neither a zombie nor dead.
pid_running() {
    local st
    [[ -r /proc/$1/stat ]] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [[ -n "$st" && "$st" != Z && "$st" != X ]]
}
