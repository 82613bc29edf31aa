#!/usr/bin/env bash
# The Participating Function in the media path (spec 6.2.3.2 step 2, 6.2.3.3,
# 6.2.4.2; the MSRP relay's two-party role): IM sessions through the core and
# the IM server, whose MSRP the IM server anchors at the relay, with SIPp for
# the signalling and im-msrp-client for the media at both ends. The relay is
# killed under a running session (the IM server ends it with BYE, and new
# sessions work with the restarted relay), and frozen (new sessions get 503).
source "$(dirname "$0")/../lib/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
export IM_RELAY_WATCH=1  # the IM server checks its relay sessions every second
CORE=127.0.0.1:5060
CLIENT=$IM_BUILD_DIR/relay/im-msrp-client

# peer SCENARIO USER PORT [SIPp args]: a SIPp client of this test in the
# background, calling TO when -key to is given (pid in PEER_PID).
peer() {
  local scenario=$1 user=$2 port=$3
  shift 3
  sipp $CORE -sf "$HERE/$scenario" -s "$user" -i 127.0.0.1 -p "$port" -m 1 -timeout 30s -timeout_error \
    -nostdin -trace_err -error_file "$WORK/$scenario-$user.err" -trace_msg -message_file "$WORK/$scenario-$user.msg" \
    -trace_logs -log_file "$WORK/$scenario-$user.log" "$@" >>"$WORK/sipp.log" 2>&1 &
  PEER_PID=$!
}
logged() { sed -n "s/^$2 //p" "$WORK/$1" 2>/dev/null | tail -1; }
stat() { kamcmd stats.get_statistics im_participating: | sed -n "s/^im_participating:$1 = //p"; }
# answered: the current session's SIPp logs have its relay paths.
answered() { grep -q "^offer path" "$WORK/callee.xml-bob.log" && grep -q "^answer path" "$WORK/$CALLER-alice.log"; }
wait_answered() { for _ in $(seq 100); do answered 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# session SCENARIO [SIPp args]: bob's callee and alice calling him with SCENARIO.
session() {
  CALLER=$1
  shift
  rm -f "$WORK/callee.xml-bob.log" "$WORK/$CALLER-alice.log"
  peer callee.xml bob 5082
  CALLEE_PID=$PEER_PID
  peer "$CALLER" alice 5081 -key to bob "$@"
  CALLER_PID=$PEER_PID
}

# media N: alice and bob exchange messages over the N-th session's relay paths.
media() {
  local n=$1 offer answer
  offer=$(logged callee.xml-bob.log "offer path")
  answer=$(logged "$CALLER-alice.log" "answer path")
  check "session $n: bob's offer and alice's answer carry two different paths of the relay" \
    test -n "$offer" -a -n "$answer" -a "$offer" != "$answer"
  rm -f "$WORK/bob-$n.out" "$WORK/alice-$n.out"
  "$CLIENT" --to-path "$offer" --text "hello alice" --expect 3 --output "$WORK/bob-$n.out" --timeout 15 \
    >"$WORK/bob-$n.msrp" 2>&1 &
  local bob=$!
  check "session $n: alice's client, connected to her relay path, sends a text and a 300 KB file in 16 KB chunks (all answered 200) and gets bob's text" \
    "$CLIENT" --to-path "$answer" --text "hello bob" --text "bye bob" --file "$WORK/file.bin" --chunk-size 16384 \
    --expect 1 --output "$WORK/alice-$n.out" --timeout 15
  check "session $n: bob's client, connected to his, gets alice's messages" wait "$bob"
  check "  ... the text and the file arrived byte-identical, in order" \
    cmp "$WORK/bob-$n.out" <(printf 'hello bobbye bob'; cat "$WORK/file.bin")
  check "  ... and alice got bob's text" cmp "$WORK/alice-$n.out" <(printf 'hello alice')
}

head -c 300000 /dev/urandom >"$WORK/file.bin"
im_start || finish
check "alice registers" register alice 127.0.0.1:5081
check "bob registers" register bob 127.0.0.1:5082

# --- 1: a session anchored at the relay, its media end to end ---
session caller.xml -d 8000
check "session 1: alice's IM session INVITE to bob is answered, both SDPs anchored at the relay" wait_answered
check "  ... one relay session for it" test "$(relay_sessions)" = 1
media 1
check "session 1: alice's BYE ends it ..." wait "$CALLER_PID"
check "  ... at bob's too" wait "$CALLEE_PID"
check "  ... and its relay session is deleted" eventually test "$(relay_sessions)" = 0

# --- 2: the relay dies under a running session ---
session caller-lost.xml
check "session 2: set up and anchored" wait_answered
check "  ... the relay has it" eventually test "$(relay_sessions)" = 1
old_relay=$(relay_pid)
check "the relay is killed (kill -9) under session 2" kill -9 "$old_relay"
check "4: the IM server notices and ends session 2 with a BYE (Reason: MSRP relay session lost) to alice ..." wait "$CALLER_PID"
check "  ... and to bob" wait "$CALLEE_PID"
check "  ... counted as a lost relay session" test "$(stat relay_sessions_lost)" = 1
check "the relay was restarted" eventually relay_restarted "$old_relay"

# --- 3: new sessions work with the restarted relay ---
session caller.xml -d 8000
check "session 3, after the restart: set up and anchored at the new relay" wait_answered
media 3
check "session 3: alice's BYE ends it" wait "$CALLER_PID"
check "  ... at bob's too" wait "$CALLEE_PID"
check "  ... and its relay session is deleted" eventually test "$(relay_sessions)" = 0
check "  ... nothing is left anchored" test "$(stat relay_sessions_active)" = 0

# --- a relay that does not answer ---
check "the relay is frozen (SIGSTOP)" kill -STOP "$(relay_pid)"
# The IM server answers 503; the core, a proxy, passes it on as 500 (RFC 3261 16.7 step 6).
check "6.2.3.2: with the relay not answering its control socket, an IM session INVITE gets 503 Service Unavailable (within the relay timeout), which reaches alice as 500" \
  send_request INVITE alice bob $CORE 500 "Accept-Contact: *;+g.oma.sip-im
Contact: <sip:alice@127.0.0.1:5081>;+g.oma.sip-im" '<ereg regexp="SIP/2.0 500 Service Unavailable" search_in="msg" check_it="true" assign_to="r"/>' application/sdp \
  "$(printf 'v=0\no=alice 1 1 IN IP4 127.0.0.1\ns= \nc=IN IP4 127.0.0.1\nt=0 0\nm=message 7654 TCP/MSRP *\na=accept-types:text/plain\na=path:msrp://127.0.0.1:7654/x;tcp\n')"
check "  ... counted as relay unavailable" test "$(stat relay_unavailable)" -ge 1
check "the relay runs again (SIGCONT)" kill -CONT "$(relay_pid)"
check "the deployment is still running, the IM server answers" bash -c "kill -0 $IM_PID && kamcmd core.uptime"
finish
