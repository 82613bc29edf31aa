#!/usr/bin/env bash
# Interoperability with Kamailio's packaged msrp module (issue 5): Kamailio
# is client A's own RFC 4976 relay, chained in front of im-msrp-relay:
#
#   A --AUTH, SEND--> Kamailio msrp (12862) --SEND--> im-msrp-relay (12861) --> B
#
# A authenticates to Kamailio with AUTH and HTTP Digest, gets a Use-Path and
# puts it in front of the relay session's path_a; Kamailio opens its own
# connection to our relay, which binds side A to it with a From-Path of
# several hops. Checked end to end: a 1 MB file in 8 KB chunks (Kamailio's
# frame limit is 10 KB of body) arrives byte-identical, the paths of every
# hop are right both ways, the hop-by-hop 200s come from the right node, and
# Success and failure REPORTs travel back through both relays.
RELAY_PORT=12861
KAMAILIO_PORT=12862
source "$(dirname "$0")/../lib/relay_lib.sh"

KAMAILIO="msrp://127.0.0.1:$KAMAILIO_PORT;tcp"

relay_start || finish
check "Kamailio with msrp.so starts as an MSRP relay on 127.0.0.1:$KAMAILIO_PORT" \
  kamailio_msrp_start "$(dirname "$0")/kamailio-msrp.cfg"
kamailio_running() { kill -0 "$KAMAILIO_PID" 2>/dev/null; }

create_relay_session

# --- AUTH with Kamailio -------------------------------------------------------------------
check "AUTH without credentials: Kamailio challenges with 401, the client gives up" bash -c "
  ! '$CLIENT_BIN' --relay '$KAMAILIO' --to-path '$path_a' --text x --timeout 5 >'$WORK/noauth.out' 2>&1 &&
  grep -q '^auth-failed 401 ' '$WORK/noauth.out'"
check "AUTH with a wrong password: the Digest answer is refused with a second 401" bash -c "
  ! '$CLIENT_BIN' --relay '$KAMAILIO' --auth alice:wrong --to-path '$path_a' --text x --timeout 5 >'$WORK/badauth.out' 2>&1 &&
  grep -q '^auth-failed 401 ' '$WORK/badauth.out' && [[ \$(grep -c 'challenged (user .alice.)' '$WORK/kamailio.log') -ge 1 ]]"
check "no side of the session was bound by the refused clients" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' | grep -q ' bound=0 '"

# --- a 1 MB file A -> B and a text B -> A, through both relays ------------------------------
start_file_receiver
client a --relay "$KAMAILIO" --auth alice:wonderland --to-path "$path_a" --trace --file "$WORK/file.bin" \
  --chunk-size 8192 --success-report --expect 1 --output "$WORK/a.received" --timeout 30
a_pid=$CLIENT_PID
check "A finished: AUTH, every chunk answered, the Success REPORT and B's text arrived (exit 0)" exits_with 0 "$a_pid"
check "B finished: the file arrived, its text was answered and reported (exit 0)" exits_with 0 "$b_pid"
check "B received the 1 MB file byte-identical" cmp "$WORK/file.bin" "$WORK/b.received"

use_path=$(sed -n 's/^authenticated use-path=\([^ ]*\) expires=.*/\1/p' "$WORK/a.out")
kam_session=${use_path#msrp://127.0.0.1:$KAMAILIO_PORT/}; kam_session=${kam_session%;tcp}
self_a=$(sed -n 's/^bound //p' "$WORK/a.out")
self_b=$(sed -n 's/^bound //p' "$WORK/b.out")
check "AUTH: challenged once, then 200 with a Use-Path of Kamailio's own URI and session and Expires 3600" bash -c "
  [[ '$use_path' =~ ^msrp://127\.0\.0\.1:$KAMAILIO_PORT/[A-Za-z0-9]+\;tcp\$ ]] &&
  grep -q '^authenticated use-path=$use_path expires=3600\$' '$WORK/a.out' &&
  grep -q 'msrp: AUTH of alice from msrp://127.0.0.1:[0-9]*: session $kam_session\$' '$WORK/kamailio.log'"
sent=$(sed -n 's/^sent message-id=\([^ ]*\) bytes=1048576$/\1/p' "$WORK/a.out")
check "A got exactly one Success REPORT for the file: 200 covering 1-1048576/1048576" bash -c "
  [[ -n '$sent' && \$(grep -c '^report ' '$WORK/a.out') == 1 ]] &&
  grep -q '^report message-id=$sent status=200 byte-range=1-1048576/1048576\$' '$WORK/a.out'"
check "the REPORT reached A through both relays: To-Path A, From-Path Kamailio, our relay, B" \
  grep -q "^in REPORT to-path=$self_a from-path=$use_path msrp://127.0.0.1:$RELAY_PORT/$participant_a;tcp $self_b message-id=$sent byte-range=1-1048576/1048576 status=200\$" "$WORK/a.out"
check "each of A's 128 chunks got its 200 from Kamailio, one hop back (To-Path A, From-Path Kamailio's URI)" bash -c "
  [[ \$(grep -c '^in 200 to-path=$self_a from-path=$use_path message-id=$sent\$' '$WORK/a.out') == 128 ]]"
check "B got all 128 chunks with the From-Path of three hops: our relay, Kamailio, A" bash -c "
  [[ \$(grep -c '^in SEND to-path=$self_b from-path=$path_b $use_path $self_a message-id=$sent byte-range=' '$WORK/b.out') == 128 ]]"
check "B saw the file's Message-ID unchanged, and A as its sender" \
  grep -q "^message from=$self_a content-type=application/octet-stream bytes=1048576 message-id=$sent\$" "$WORK/b.out"
check "B -> A: the text reached A with To-Path A and From-Path Kamailio, our relay, B" bash -c "
  grep -q '^in SEND to-path=$self_a from-path=$use_path msrp://127.0.0.1:$RELAY_PORT/$participant_a;tcp $self_b message-id=' '$WORK/a.out' &&
  grep -q '^message from=$self_b content-type=text/plain bytes=12 message-id=.* text=hello from B\$' '$WORK/a.out'"
check "B got the 200 for its text from our relay and A's Success REPORT through Kamailio and our relay" bash -c "
  grep -q '^in 200 to-path=$self_b from-path=$path_b\$' '$WORK/b.out' &&
  grep -q '^in REPORT to-path=$self_b from-path=$path_b $use_path $self_a message-id=[^ ]* byte-range=1-12/12 status=200\$' '$WORK/b.out' &&
  grep -q '^report message-id=[^ ]* status=200 byte-range=1-12/12\$' '$WORK/b.out'"
check "our relay bound side A to the connection Kamailio opened, with Kamailio's URI and A's as the way back" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' '$participant_a' |
    grep -q ' bound=1 role=participant peer_path=${use_path//\//\\/}%20${self_a//\//\\/}\$'"
check "that connection outlives the clients (Kamailio keeps it), and the relay counted no error" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' connections=1 ' <<<\"\$s\" && ! grep -Eq 'errors\.[a-z_]+=[1-9]' <<<\"\$s\""

# --- failure REPORT back through the chain ----------------------------------------------------
start_text_only_session
check "a second session reuses Kamailio's connection to our relay; B refuses image/png with 415" bash -c "
  ! '$CLIENT_BIN' --relay '$KAMAILIO' --auth alice:wonderland --to-path '$path_a2' --trace --content-type image/png \
    --text not-an-image --success-report --timeout 10 >'$WORK/a2.out' 2>&1 &&
  grep -q '^refused 415 message-id=[^ ]* content-type=image/png\$' '$WORK/b2.out'"
refused=$(sed -n 's/^refused 415 message-id=\([^ ]*\) .*/\1/p' "$WORK/b2.out")
check "our relay turned B's 415 into a failure REPORT that reached A through Kamailio" bash -c "
  [[ -n '$refused' ]] && grep -q '^report message-id=$refused status=415 byte-range=1-12/12\$' '$WORK/a2.out' &&
  grep -q '^in REPORT to-path=msrp://127.0.0.1:[0-9]*/[A-Za-z0-9]*;tcp from-path=msrp://127.0.0.1:$KAMAILIO_PORT/' '$WORK/a2.out'"
check "... counted as a downstream failure; still one connection from Kamailio" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' errors.downstream=1 ' <<<\"\$s\" && grep -q ' connections=2 ' <<<\"\$s\""
check "a text/plain message on the same chain is delivered to B" bash -c "
  '$CLIENT_BIN' --relay '$KAMAILIO' --auth alice:wonderland --to-path '$path_a2' --text 'plain text' --success-report \
    --timeout 10 >'$WORK/a3.out' 2>&1"
check "  ... B got it and exits 0" exits_with 0 "$b2_pid"
check "  ... with its text" grep -q 'text=plain text$' "$WORK/b2.out"
check "Kamailio and our relay are still running" bash -c "kill -0 $RELAY_PID && kill -0 $KAMAILIO_PID"

finish
