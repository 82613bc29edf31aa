#!/usr/bin/env bash
# Shared state across Kamailio workers: with 4 UDP workers in the IM server,
# two SIPp clients register users and exchange MESSAGEs at the same time; no
# registration is lost and every message is delivered (each request lands on
# whatever worker is free, so each one depends on state other workers wrote).
source "$(dirname "$0")/../lib/lib.sh"
export IM_CHILDREN=4
USERS=40
MESSAGES=200   # per client

im_start || finish

# Two injection files with disjoint users, registered concurrently.
printf 'SEQUENTIAL\n' >"$WORK/users-a.csv"; printf 'SEQUENTIAL\n' >"$WORK/users-b.csv"
for i in $(seq 1 $((USERS / 2))); do echo "user$i;127.0.0.1:5090" >>"$WORK/users-a.csv"; done
for i in $(seq $((USERS / 2 + 1)) $USERS); do echo "user$i;127.0.0.1:5090" >>"$WORK/users-b.csv"; done
for part in a b; do
  sipp 127.0.0.1:5060 -sf "$LIB_DIR/register-csv.xml" -inf "$WORK/users-$part.csv" -i 127.0.0.1 -p 0 \
    -m $((USERS / 2)) -r 200 -timeout 30s -timeout_error -nostdin -trace_err -error_file "$WORK/reg-$part.err" \
    >>"$WORK/sipp.log" 2>&1 &
  eval "reg_$part=\$!"
done
check "client A registered its users concurrently with B" wait "$reg_a"
check "client B registered its users concurrently with A" wait "$reg_b"
# The third-party REGISTERs follow the 200s.
check "the IM server knows all $USERS registrations" eventually bash -c \
  "kamcmd im_participating.status | grep -q 'active_registrations: $USERS\$'"
missing=0
for i in $(seq 1 $USERS); do
  kamcmd im_participating.registration "sip:user$i@example.com" | grep -q "state: registered" || missing=$((missing + 1))
done
check "every user reads as registered over RPC (missing: $missing)" test "$missing" -eq 0

# Messages in both directions from two clients at once, all to one terminating UA.
sipp -sf "$LIB_DIR/uas-many.xml" -i 127.0.0.1 -p 5090 -m $((2 * MESSAGES)) -timeout 60s -timeout_error -nostdin \
  -trace_err -error_file "$WORK/uas.err" >>"$WORK/sipp.log" 2>&1 &
uas=$!
sleep 0.3
printf 'SEQUENTIAL\n' >"$WORK/msg-a.csv"; printf 'SEQUENTIAL\n' >"$WORK/msg-b.csv"
for i in $(seq 1 $((USERS / 2))); do
  echo "user$i;user$((i + USERS / 2))" >>"$WORK/msg-a.csv"
  echo "user$((i + USERS / 2));user$i" >>"$WORK/msg-b.csv"
done
for part in a b; do
  sipp 127.0.0.1:5060 -sf "$LIB_DIR/message-csv.xml" -inf "$WORK/msg-$part.csv" -i 127.0.0.1 -p 0 \
    -m $MESSAGES -r 100 -l 50 -timeout 60s -timeout_error -nostdin -trace_err -error_file "$WORK/msg-$part.err" \
    >>"$WORK/sipp.log" 2>&1 &
  eval "msg_$part=\$!"
done
check "client A's $MESSAGES MESSAGEs all got 200" wait "$msg_a"
check "client B's $MESSAGES MESSAGEs all got 200" wait "$msg_b"
check "the terminating UA received all $((2 * MESSAGES)) with the IM server's Server header" wait "$uas"
check "the terminating function accepted exactly $((2 * MESSAGES))" bash -c \
  "kamcmd stats.get_statistics im_participating: | grep -q 'terminating_accepted = $((2 * MESSAGES))\$'"
check "no internal errors" bash -c "kamcmd stats.get_statistics im_participating: | grep -q 'internal_errors = 0\$'"

im_stop
check "no process of the deployment is left behind" no_processes_left
finish
