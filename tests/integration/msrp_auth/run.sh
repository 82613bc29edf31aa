#!/usr/bin/env bash
# RFC 4976 AUTH at im-msrp-relay: our relay X is client A's own relay.
#
#  (a) A --TLS, AUTH, SEND--> X (12880/12881) --outbound TCP--> Y (12882, a SESSION_CREATE relay session) --> B
#  (b) A --AUTH, SEND--> X --outbound TCP--> Kamailio msrp (12884) --> B, who AUTHed with Kamailio
#
# Checked: the Digest exchange and its failures (no credentials 401, wrong
# password 401, plain TCP 403 while X takes AUTH over TLS only, unknown
# Use-Path 481), a 1 MB file in chunks byte-identical through X and Y, every
# path hop by hop both ways, hop-by-hop 200s from X, Success REPORTs and a
# failure REPORT back through X, the outbound connection X->Y reused by a
# second session, X's counters, and the chain with Kamailio as the far end's
# relay (both ends behind a relay of their own, each AUTHed).
RELAY_PORT=12882  # Y, started by relay_lib's relay_start
X_PORT=12880
X_TLS_PORT=12881
KAMAILIO_PORT=12884
source "$(dirname "$0")/../lib/relay_lib.sh"

X_CONTROL=$WORK/run/x.sock
X_PID=
xctl() { "$CTL_BIN" -s "$X_CONTROL" "$@"; }
x_start() {  # x_start [extra options]: relay X with AUTH for alice and bob
  "$RELAY_BIN" --listen "127.0.0.1:$X_PORT" --tls-listen "127.0.0.1:$X_TLS_PORT" \
    --tls-certificate "$WORK/cert.pem" --tls-private-key "$WORK/key.pem" --control "$X_CONTROL" \
    --auth-users "$WORK/users" --auth-realm relay.test --log-level debug "$@" >>"$WORK/x.log" 2>&1 &
  X_PID=$!
  BACKGROUND_PIDS+=("$X_PID")
  eventually xctl ping >/dev/null 2>&1
}
x_stop() { kill -TERM "$X_PID" 2>/dev/null; wait "$X_PID" 2>/dev/null; }
x_status() { xctl status | field "$1"; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=relay.test -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
# alice with a password, bob as an htdigest line (user:realm:HA1).
{
  echo "# users of relay X"
  echo "alice:wonderland"
  echo "bob:relay.test:$(printf '%s' 'bob:relay.test:builder' | md5sum | cut -d' ' -f1)"
} >"$WORK/users"

relay_start || finish
check "relay X starts with AUTH offered over TLS only" x_start
check "  ... and says so in its log" grep -q 'RFC 4976 AUTH offered to 2 users, realm relay.test, over TLS only' "$WORK/x.log"
X_TLS="msrps://127.0.0.1:$X_TLS_PORT;tcp"
X_TCP="msrp://127.0.0.1:$X_PORT;tcp"

create_relay_session

# --- AUTH failures ---------------------------------------------------------------------------
check "AUTH without credentials: 401, the client gives up" bash -c "
  ! '$CLIENT_BIN' --relay '$X_TLS' --ca '$WORK/cert.pem' --to-path '$path_a' --text x --timeout 5 >'$WORK/noauth.out' 2>&1 &&
  grep -q '^auth-failed 401 Unauthorized' '$WORK/noauth.out'"
check "AUTH with a wrong password: a second 401, and X logs the refusal" bash -c "
  ! '$CLIENT_BIN' --relay '$X_TLS' --ca '$WORK/cert.pem' --auth alice:wrong --to-path '$path_a' --text x --timeout 5 \
    >'$WORK/badauth.out' 2>&1 &&
  grep -q '^auth-failed 401 ' '$WORK/badauth.out' && grep -q \"AUTH of user 'alice' refused\" '$WORK/x.log'"
check "AUTH over plain TCP with the right password: 403 (RFC 4976: TLS between client and relay)" bash -c "
  ! '$CLIENT_BIN' --relay '$X_TCP' --auth alice:wonderland --to-path '$path_a' --text x --timeout 5 >'$WORK/tcpauth.out' 2>&1 &&
  grep -q '^auth-failed 403 AUTH needs TLS (msrps)' '$WORK/tcpauth.out'"
check "a request to a Use-Path X never gave out: 481" bash -c "
  ! '$CLIENT_BIN' --ca '$WORK/cert.pem' --to-path 'msrps://127.0.0.1:$X_TLS_PORT/nosuchgrantnosuchgrantxx;tcp $path_a' \
    --text x --timeout 5 >'$WORK/nogrant.out' 2>&1 &&
  grep -q '^bind-failed 481 ' '$WORK/nogrant.out'"
check "X counted 2 refusals and 1 forbidden AUTH, granted none; Y's session is unbound" bash -c "
  s=\$('$CTL_BIN' -s '$X_CONTROL' status)
  grep -q ' auth.refused=1 ' <<<\"\$s\" && grep -q ' auth.forbidden=1 ' <<<\"\$s\" && grep -q ' auth.granted=0 ' <<<\"\$s\" &&
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' | grep -q ' bound=0 '"

# --- (a) a 1 MB file A -> B through X and Y, a text B -> A ----------------------------------------
start_file_receiver
client a --relay "$X_TLS" --ca "$WORK/cert.pem" --auth alice:wonderland --to-path "$path_a" --trace \
  --file "$WORK/file.bin" --chunk-size 16384 --success-report --expect 1 --output "$WORK/a.received" --timeout 30
a_pid=$CLIENT_PID
check "A finished: AUTH over TLS, every chunk answered, the Success REPORT and B's text arrived (exit 0)" \
  exits_with 0 "$a_pid"
check "B finished: the file arrived, its text was answered and reported (exit 0)" exits_with 0 "$b_pid"
check "B received the 1 MB file byte-identical" cmp "$WORK/file.bin" "$WORK/b.received"

use_path=$(sed -n 's/^authenticated use-path=\([^ ]*\) expires=.*/\1/p' "$WORK/a.out")
grant=${use_path#msrps://127.0.0.1:$X_TLS_PORT/}; grant=${grant%;tcp}
x_plain="msrp://127.0.0.1:$X_PORT/$grant;tcp"
self_a=$(sed -n 's/^bound //p' "$WORK/a.out")
self_b=$(sed -n 's/^bound //p' "$WORK/b.out")
sent=$(sed -n 's/^sent message-id=\([^ ]*\) bytes=1048576$/\1/p' "$WORK/a.out")
check "AUTH: 200 with an msrps: Use-Path of X (24-character session id) and Expires 1800" bash -c "
  [[ '$use_path' =~ ^msrps://127\.0\.0\.1:$X_TLS_PORT/[A-Za-z0-9]{24}\;tcp\$ ]] &&
  grep -q '^authenticated use-path=$use_path expires=1800\$' '$WORK/a.out' &&
  grep -q \"AUTH of user 'alice': Use-Path $use_path for 1800 s\" '$WORK/x.log'"
check "the binding SEND and each of A's 64 chunks got its 200 from X, one hop back (To-Path A, From-Path X's Use-Path)" bash -c "
  [[ \$(grep -c '^in 200 to-path=$self_a from-path=$use_path\$' '$WORK/a.out') == 65 ]]"
check "B got all 64 chunks with the From-Path of three hops: Y, X (msrp: toward Y), A" bash -c "
  [[ \$(grep -c '^in SEND to-path=$self_b from-path=$path_b $x_plain $self_a message-id=$sent byte-range=' '$WORK/b.out') == 64 ]]"
check "B saw the file's Message-ID unchanged, and A as its sender" \
  grep -q "^message from=$self_a content-type=application/octet-stream bytes=1048576 message-id=$sent\$" "$WORK/b.out"
check "A got exactly one Success REPORT, through Y and X: To-Path A, From-Path X, Y, B" bash -c "
  [[ \$(grep -c '^report ' '$WORK/a.out') == 1 ]] &&
  grep -q '^report message-id=$sent status=200 byte-range=1-1048576/1048576\$' '$WORK/a.out' &&
  grep -q '^in REPORT to-path=$self_a from-path=$use_path $path_a $self_b message-id=$sent byte-range=1-1048576/1048576 status=200\$' '$WORK/a.out'"
check "B -> A: the text reached A with To-Path A and From-Path X (msrps: toward A), Y, B" bash -c "
  grep -q '^in SEND to-path=$self_a from-path=$use_path $path_a $self_b message-id=' '$WORK/a.out' &&
  grep -q '^message from=$self_b content-type=text/plain bytes=12 message-id=.* text=hello from B\$' '$WORK/a.out'"
check "B got its 200 from Y and A's Success REPORT through X and Y" bash -c "
  grep -q '^in 200 to-path=$self_b from-path=$path_b\$' '$WORK/b.out' &&
  grep -q '^in REPORT to-path=$self_b from-path=$path_b $x_plain $self_a message-id=[^ ]* byte-range=1-12/12 status=200\$' '$WORK/b.out'"
check "Y bound side A to X's outbound connection, with X's URI and A's as the way back" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' '$participant_a' |
    grep -q ' bound=1 role=participant peer_path=${x_plain//\//\\/}%20${self_a//\//\\/}\$'"
check "X: one outbound connection, opened once; one grant given; no error counted" bash -c "
  s=\$('$CTL_BIN' -s '$X_CONTROL' status)
  grep -q ' connections.outbound=1 ' <<<\"\$s\" && grep -q ' outbound.opened=1 ' <<<\"\$s\" &&
  grep -q ' auth.granted=1 ' <<<\"\$s\" && grep -q ' outbound.failed=0 ' <<<\"\$s\" &&
  grep -q ' errors.unreachable=0 ' <<<\"\$s\" && grep -q ' errors.forbidden=0 ' <<<\"\$s\""

# --- a second session reuses X -> Y; B refuses a type: failure REPORT through X ---------------
start_text_only_session
check "bob (htdigest line) AUTHs with X; B refuses image/png with 415" bash -c "
  ! '$CLIENT_BIN' --relay '$X_TLS' --ca '$WORK/cert.pem' --auth bob:builder --to-path '$path_a2' --trace \
    --content-type image/png --text not-an-image --success-report --timeout 10 >'$WORK/a2.out' 2>&1 &&
  grep -q '^refused 415 message-id=[^ ]* content-type=image/png\$' '$WORK/b2.out'"
refused=$(sed -n 's/^refused 415 message-id=\([^ ]*\) .*/\1/p' "$WORK/b2.out")
check "Y turned B's 415 into a failure REPORT that reached A through X" bash -c "
  [[ -n '$refused' ]] && grep -q '^report message-id=$refused status=415 byte-range=1-12/12\$' '$WORK/a2.out' &&
  grep -q '^in REPORT to-path=msrp[^ ]* from-path=msrps://127.0.0.1:$X_TLS_PORT/[A-Za-z0-9]*;tcp $path_a2 ' '$WORK/a2.out'"
check "a text/plain message on the same chain is delivered to B" bash -c "
  '$CLIENT_BIN' --relay '$X_TLS' --ca '$WORK/cert.pem' --auth bob:builder --to-path '$path_a2' --text 'plain text' \
    --success-report --timeout 10 >'$WORK/a3.out' 2>&1"
check "  ... B got it and exits 0" exits_with 0 "$b2_pid"
check "X reused its one connection to Y for the second session (opened once), 3 grants given" bash -c "
  s=\$('$CTL_BIN' -s '$X_CONTROL' status)
  grep -q ' outbound.opened=1 ' <<<\"\$s\" && grep -q ' connections.outbound=1 ' <<<\"\$s\" && grep -q ' auth.granted=3 ' <<<\"\$s\""

# --- an unreachable next hop: 200 from X, then a 408 failure REPORT --------------------------
# (for the binding SEND, and for the text when it left before the first
# failure was known: one or two connection attempts)
check "a next hop nobody listens on: X answers 200, then reports 408 to A" bash -c "
  ! '$CLIENT_BIN' --relay '$X_TLS' --ca '$WORK/cert.pem' --auth alice:wonderland \
    --to-path 'msrp://127.0.0.1:9/nobody;tcp' --text lost --timeout 10 >'$WORK/lost.out' 2>&1 &&
  grep -q '^report message-id=[^ ]* status=408 ' '$WORK/lost.out' &&
  s=\$('$CTL_BIN' -s '$X_CONTROL' status) && grep -Eq ' outbound.failed=[12] ' <<<\"\$s\""

# --- (b) Kamailio's msrp module as B's own relay ---------------------------------------------
# Kamailio's module speaks msrp: (no TLS in this config), so X takes AUTH over TCP here.
x_stop
check "X restarts with --auth-over-tcp yes" x_start --auth-over-tcp yes
sed "s/12862/$KAMAILIO_PORT/g" "$(dirname "$0")/../msrp_interop/kamailio-msrp.cfg" >"$WORK/kamailio-msrp.cfg"
check "Kamailio with msrp.so starts as B's relay on 127.0.0.1:$KAMAILIO_PORT" kamailio_msrp_start "$WORK/kamailio-msrp.cfg"
KAMAILIO="msrp://127.0.0.1:$KAMAILIO_PORT;tcp"
client kb --relay "$KAMAILIO" --auth alice:wonderland --to-path-file "$WORK/kb.path" --trace --expect 1 \
  --text "hello from B via Kamailio" --success-report --timeout 30
kb_pid=$CLIENT_PID
client ka --relay "$X_TCP" --auth alice:wonderland --to-path-file "$WORK/ka.path" --trace --expect 1 \
  --text "hello from A via X" --success-report --timeout 30
ka_pid=$CLIENT_PID
eventually grep -q '^authenticated ' "$WORK/kb.out"
eventually grep -q '^authenticated ' "$WORK/ka.out"
use_a=$(sed -n 's/^authenticated use-path=\([^ ]*\) .*/\1/p' "$WORK/ka.out")
use_b=$(sed -n 's/^authenticated use-path=\([^ ]*\) .*/\1/p' "$WORK/kb.out")
self_ka=$(sed -n 's/^self //p' "$WORK/ka.out")
self_kb=$(sed -n 's/^self //p' "$WORK/kb.out")
# As SDP would: each end learns the other's path (its relay's Use-Path, then itself).
echo "$use_b $self_kb" >"$WORK/ka.path.tmp" && mv "$WORK/ka.path.tmp" "$WORK/ka.path"
echo "$use_a $self_ka" >"$WORK/kb.path.tmp" && mv "$WORK/kb.path.tmp" "$WORK/kb.path"
check "both AUTHed: A with X (msrp: Use-Path over TCP), B with Kamailio" bash -c "
  [[ '$use_a' =~ ^msrp://127\.0\.0\.1:$X_PORT/[A-Za-z0-9]{24}\;tcp\$ && '$use_b' == msrp://127.0.0.1:$KAMAILIO_PORT/* ]]"
check "A finished: its text answered and reported, B's text arrived (exit 0)" exits_with 0 "$ka_pid"
check "B finished likewise (exit 0)" exits_with 0 "$kb_pid"
check "A -> B: To-Path B, From-Path Kamailio, X, A" bash -c "
  grep -q '^in SEND to-path=$self_kb from-path=$use_b $use_a $self_ka message-id=' '$WORK/kb.out' &&
  grep -q '^message from=$self_ka content-type=text/plain bytes=18 message-id=.* text=hello from A via X\$' '$WORK/kb.out'"
check "B -> A: To-Path A, From-Path X, Kamailio, B; A's 200s came from X" bash -c "
  grep -q '^in SEND to-path=$self_ka from-path=$use_a $use_b $self_kb message-id=' '$WORK/ka.out' &&
  grep -q '^message from=$self_kb content-type=text/plain bytes=25 message-id=.* text=hello from B via Kamailio\$' '$WORK/ka.out' &&
  grep -q '^in 200 to-path=$self_ka from-path=$use_a' '$WORK/ka.out'"
check "each end's Success REPORT came back through both relays" bash -c "
  grep -q '^in REPORT to-path=$self_ka from-path=$use_a $use_b $self_kb .* status=200\$' '$WORK/ka.out' &&
  grep -q '^in REPORT to-path=$self_kb from-path=$use_b $use_a $self_ka .* status=200\$' '$WORK/kb.out'"
check "X, Y and Kamailio are still running" bash -c "kill -0 $X_PID && kill -0 $RELAY_PID && kill -0 $KAMAILIO_PID"

finish
