#!/usr/bin/env bash
# 04-badauth: a (key s3cret, advskew 0) and b (key wrong, advskew 100) share
# vhid 1. Neither accepts the other's adverts (HMAC mismatch), so each counts
# badauth and each becomes MASTER from its own master-down timeout and stays
# MASTER. Then forged adverts (advskew 0, correct checksum, random HMAC) from
# the client change no state and are counted as badauth by both.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

V4=192.0.2.50 V6=2001:db8::50
topology a b c
start_carpd a
start_carpd b

t_a=$(now_ms)
ctl_ok a set carpdev=eth0 vhid=1 advbase=1 advskew=0 key=s3cret addr=$V4/24 addr=$V6/64
wait_state a MASTER 8
d_a=$(($(now_ms) - t_a))

# b starts while a is MASTER and advertising every second: were a's adverts
# accepted, b would stay BACKUP. It must instead reach MASTER through its own
# timeout (3 x 1 s + 100/256 s), and a must stay MASTER all along.
t_b=$(now_ms)
ctl_ok b set carpdev=eth0 vhid=1 advbase=1 advskew=100 key=wrong addr=$V4/24 addr=$V6/64
seq_b=""
while :; do
    sa=$(state a)
    sb=$(state b)
    [[ "${seq_b##* }" == "$sb" ]] || seq_b+=" $sb"
    [[ "$sa" == MASTER ]] || fail "a left MASTER ($sa) while b was starting (b: $seq_b)"
    [[ "$sb" == MASTER ]] && break
    (($(now_ms) - t_b > 8000)) && fail "b did not become MASTER within 8 s (states:$seq_b); did it accept a's adverts?"
    sleep 0.05
done
d_b=$(($(now_ms) - t_b))
log "time to MASTER: a ${d_a} ms, b ${d_b} ms; b went through:$seq_b"
# Own timeout, not a reaction to a packet: not before ~3 s.
((d_b >= 2500)) || fail "b became MASTER after only ${d_b} ms: not its own master-down timeout"
[[ "$seq_b" =~ ^(\ (INIT|BACKUP|NONE))*\ MASTER$ ]] || fail "unexpected state sequence of b:$seq_b"

hold_states 4 "a=MASTER b=MASTER"
ba1=$(carpstat a badauth)
bb1=$(carpstat b badauth)
[[ "$ba1" =~ ^[0-9]+$ && "$bb1" =~ ^[0-9]+$ ]] || fail "stats=1 gives no badauth counters (a: $ba1, b: $bb1)"
((ba1 > 0)) || fail "a counted no badauth while b advertises with another key"
((bb1 > 0)) || fail "b counted no badauth while a advertises with another key"
sleep 3
ba2=$(carpstat a badauth)
bb2=$(carpstat b badauth)
((ba2 > ba1)) || fail "badauth of a does not grow ($ba1 -> $ba2)"
((bb2 > bb1)) || fail "badauth of b does not grow ($bb1 -> $bb2)"
ok "badauth grows on both (a: $ba1 -> $ba2, b: $bb1 -> $bb2), both MASTER"
for c in badsum badver badlen badttl badvhid; do
    assert_eq 0 "$(carpstat a $c)" "$c on a"
    assert_eq 0 "$(carpstat b $c)" "$c on b"
done

# Forged adverts: vhid 1, advbase 1, advskew 0, demote 0, TTL 255, correct
# checksum, random HMAC; 20 over IPv4 to 224.0.0.18 and 20 over IPv6 to
# ff02::12. Accepted, they would push b (advskew 100) to BACKUP.
N=20
ba1=$(carpstat a badauth)
bb1=$(carpstat b badauth)
nsx c "$PYTHON" "$BC_HERE/carp_send.py" --family 4 --vhid 1 --advbase 1 --advskew 0 --count $N --interval 0.02 ||
    fail "carp_send.py IPv4"
nsx c "$PYTHON" "$BC_HERE/carp_send.py" --family 6 --vhid 1 --advbase 1 --advskew 0 --count $N --interval 0.02 ||
    fail "carp_send.py IPv6"
hold_states 3 "a=MASTER b=MASTER"
ba2=$(carpstat a badauth)
bb2=$(carpstat b badauth)
log "badauth around the forged adverts: a $ba1 -> $ba2, b $bb1 -> $bb2 (sent $N IPv4 + $N IPv6)"
# The peers' own adverts add a few more; the forged ones must all be there.
((ba2 - ba1 >= 2 * N)) || fail "a counted $((ba2 - ba1)) badauth for $((2 * N)) forged adverts"
((bb2 - bb1 >= 2 * N)) || fail "b counted $((bb2 - bb1)) badauth for $((2 * N)) forged adverts"
for c in badsum badver badlen badttl badvhid; do
    assert_eq 0 "$(carpstat a $c)" "$c on a after the forged adverts"
    assert_eq 0 "$(carpstat b $c)" "$c on b after the forged adverts"
done
ok "forged adverts changed no state and were counted as badauth"
