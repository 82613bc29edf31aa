#!/usr/bin/env bash
# IM sessions through the Participating IM Function in proxy mode, end to end
# through the core and the IM server (spec 6.2.3, 6.2.4.2, 6.2.7, 6.2.10,
# 6.2.11, RFC 4028): each check names the spec step it shows.
source "$(dirname "$0")/../lib/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
export IM_SESSION_MIN_SE=90  # the smallest interval sst allows: the expiry check waits for it
CORE=127.0.0.1:5060
TAG='Accept-Contact: *;+g.oma.sip-im
Contact: <sip:alice@127.0.0.1:5081>;+g.oma.sip-im'

# peer SCENARIO USER PORT [SIPp args]: a client of this test in the background
# (pid in PEER_PID) that runs one scenario of this directory as USER.
peer() {
  local scenario=$1 user=$2 port=$3
  shift 3
  sipp -sf "$HERE/$scenario" -s "$user" -i 127.0.0.1 -p "$port" -m 1 -timeout "${PEER_TIMEOUT:-20}s" -timeout_error \
    -nostdin -trace_err -error_file "$WORK/$scenario-$user.err" -trace_msg -message_file "$WORK/$scenario-$user.msg" \
    -trace_logs -log_file "$WORK/$scenario-$user.log" "$@" >>"$WORK/sipp.log" 2>&1 &
  PEER_PID=$!
}
# call SCENARIO FROM PORT TO [SIPp args]: the calling client, in the foreground.
call() {
  local scenario=$1 from=$2 port=$3 to=$4
  shift 4
  sipp $CORE -sf "$HERE/$scenario" -s "$from" -key to "$to" -i 127.0.0.1 -p "$port" -m 1 -timeout "${PEER_TIMEOUT:-20}s" \
    -timeout_error -nostdin -trace_err -error_file "$WORK/$scenario-$from.err" -trace_msg \
    -message_file "$WORK/$scenario-$from.msg" -trace_logs -log_file "$WORK/$scenario-$from.log" "$@" >>"$WORK/sipp.log" 2>&1
}
offer() {  # offer DIRECTION [EXTRA MEDIA LINES]: an SDP offer for send_request
  printf 'v=0\no=alice 1 1 IN IP4 127.0.0.1\ns= \nc=IN IP4 127.0.0.1\nt=0 0\nm=message 7654 TCP/MSRP *\na=accept-types:%s\na=path:msrp://127.0.0.1:7654/x;tcp\na=%s\n%s' \
    "${ACCEPT_TYPES:-text/plain}" "$1" "${2:-}"
}
settings() {  # settings ISB IPAB: bob publishes his barring settings (6.2.5)
  send_request PUBLISH bob bob $CORE 200 "Accept-Contact: *;+g.oma.sip-im
Event: poc-settings
Expires: 600" "" application/poc-settings+xml "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<poc-settings xmlns=\"urn:oma:params:xml:ns:poc:poc-settings\">
<entity id=\"bob-phone\">
<isb-settings service-id=\"IM\"><incoming-session-barring active=\"$1\"/></isb-settings>
<ipab-settings service-id=\"IM\"><incoming-personal-alert-barring active=\"$2\"/></ipab-settings>
</entity>
</poc-settings>"
}
stat() { kamcmd stats.get_statistics im_participating: | sed -n "s/^im_participating:$1 = //p"; }

im_start || finish
check "alice registers" register alice 127.0.0.1:5081
check "bob registers" register bob 127.0.0.1:5082
check "carol registers" register carol 127.0.0.1:5083
check "dave registers" register dave 127.0.0.1:5084

# First, because it takes the longest: a session nobody refreshes.
PEER_TIMEOUT=150 peer callee-expiry.xml dave 5084
expiry_callee=$PEER_PID
(PEER_TIMEOUT=150 call caller-expiry.xml carol 5083 dave -key interval 90) &
expiry_caller=$!
started=$SECONDS

# --- a whole IM session (6.2.3.2, 6.2.7, 6.2.3.3, 6.2.11) ---
peer callee.xml bob 5082
check "6.2.3.2 step 3 / 6.2.7.1: alice's IM session INVITE (sendrecv) reaches bob record-routed by the originating and the terminating pass, with a Session-Expires the IM server inserted (RFC 4028) and Server (F); 6.2.3.3 step 1: alice's UPDATE adding audio gets 488 (Warning 304) and never reaches bob; 6.2.7.2: her re-INVITE passes; 6.2.11: bob's BYE reaches alice" \
  call caller.xml alice 5081 bob -key direction sendrecv -key se "X-Test: no session timer asked"
check "  ... bob's side of it completed" wait "$PEER_PID"
check "  ... bob got a sendrecv offer" grep -q "offer direction sendrecv" "$WORK/callee.xml-bob.log"
check "  ... the session interval the caller got is the IM server's Min-SE (90)" grep -q "session interval 90" "$WORK/caller.xml-alice.log"
logged() { sed -n "s/^$2 //p" "$WORK/$1" | tail -1; }
offer_path=$(logged callee.xml-bob.log "offer path")
answer_path=$(logged caller.xml-alice.log "answer path")
check "6.2.3.2 step 2: in the media path, bob's offer and alice's answer carry two different paths of the MSRP relay (a=setup:passive, c= and m= the relay's)" \
  test -n "$offer_path" -a -n "$answer_path" -a "$offer_path" != "$answer_path"
check "6.2.3.3 step 2: the re-INVITE's offer and answer keep the same relay paths" \
  test "$(logged callee.xml-bob.log "re-offer path")" = "$offer_path" -a "$(logged caller.xml-alice.log "re-answer path")" = "$answer_path"
check "  ... its relay session was deleted with the BYE: the relay keeps only carol's running session" \
  eventually bash -c "$(declare -f stat relay_sessions); test \"\$(stat relay_anchored)\" = 2 -a \"\$(stat relay_sessions_active)\" = 1 -a \"\$(relay_sessions)\" = 1"
check "6.2.3.3: the refused modification is counted" test "$(stat session_modifications_rejected)" -ge 1
check "  ... as a media rejection" test "$(stat rejected_media)" -ge 1

# --- CANCEL (6.2.3.6 from the caller, 6.2.10 towards the callee) ---
peer callee-cancel.xml bob 5082
check "6.2.3.6 / 6.2.10: alice cancels while bob rings; the IM server relays the CANCEL: 200 for it, 487 for the INVITE" \
  call caller-cancel.xml alice 5081 bob
check "  ... bob got the CANCEL and ended the INVITE" wait "$PEER_PID"

# --- RFC 4028 minimum interval ---
check "RFC 4028: an INVITE asking for a 60 s session interval gets 422 with Min-SE: 90" \
  send_request INVITE alice bob $CORE 422 "$TAG
Supported: timer
Session-Expires: 60" '<ereg regexp="Min-SE: 90" search_in="msg" check_it="true" assign_to="minse"/>' application/sdp "$(offer sendrecv)"

# --- 6.2.3.1 step 4: the offer ---
check "RFC 3261 8.1.1.8: an IM session INVITE without Contact gets 400" \
  send_request INVITE alice bob $CORE 400 "Accept-Contact: *;+g.oma.sip-im" "" application/sdp "$(offer sendrecv)"
check "6.2.3.1 step 4: an IM session INVITE without an SDP offer gets 488" \
  send_request INVITE alice bob $CORE 488 "$TAG" '<ereg regexp="Warning: 399 IM-serv .*SDP offer" search_in="msg" check_it="true" assign_to="w"/>'
check "6.2.3.1 step 4: an offer of audio (no MSRP) gets 488 with Warning 304" \
  send_request INVITE alice bob $CORE 488 "$TAG" '<ereg regexp="Warning: 304 IM-serv" search_in="msg" check_it="true" assign_to="w"/>' \
  application/sdp "$(printf 'v=0\no=alice 1 1 IN IP4 127.0.0.1\ns= \nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n')"
check "6.2.3.1 step 4: a session body that is no SDP gets 415" \
  send_request INVITE alice bob $CORE 415 "$TAG" "" text/plain "hello"
check "6.2.3.1 step 4: an SDP that does not parse gets 400" \
  send_request INVITE alice bob $CORE 400 "$TAG" "" application/sdp "v=0
m=message"
check "6.2.3.1 step 4: an inactive offer cannot start a session (488)" \
  send_request INVITE alice bob $CORE 488 "$TAG" "" application/sdp "$(offer inactive)"

# --- 6.2.3.3 step 1 / 6.2.7: media against the operator policy ---
check "policy: bob may receive text/* only" kamcmd im_participating.policy_set sip:bob@example.com 1 - 'text/*' 1
check "6.2.7 / 6.2.3.3 step 1: an offer of image/png to bob gets 488 with Warning 305" \
  send_request INVITE alice bob $CORE 488 "$TAG" '<ereg regexp="Warning: 305 IM-serv .*image/png" search_in="msg" check_it="true" assign_to="w"/>' \
  application/sdp "$(ACCEPT_TYPES=image/png offer sendrecv)"
check "policy: bob's own row removed" kamcmd im_participating.policy_remove sip:bob@example.com

# --- 6.2.3.1 step 4b: a Large Message session is pager mode (6.2.6.1 step 1) ---
check "bob bars IM sessions (isb), not pager mode" settings true false
check "6.2.6.1 step 1: with isb active, alice's IM session INVITE to bob gets 603" \
  send_request INVITE alice bob $CORE 603 "$TAG" '<ereg regexp="Warning: 399 IM-serv .*sessions are barred" search_in="msg" check_it="true" assign_to="w"/>' \
  application/sdp "$(offer sendrecv)"
: >"$WORK/callee.xml-bob.log"
peer callee.xml bob 5082
check "6.2.3.1 step 4b: alice's Large Message session (sendonly) is pager mode: isb does not bar it, it reaches bob" \
  call caller.xml alice 5081 bob -key direction sendonly -key se "X-Test: large message"
check "  ... bob's side of it completed" wait "$PEER_PID"
check "  ... with the sendonly offer" grep -q "offer direction sendonly" "$WORK/callee.xml-bob.log"
check "bob bars pager mode (ipab), not sessions" settings false true
check "6.2.3.1 step 4b / 6.2.6.1 step 1: with ipab active, the Large Message session gets 603" \
  send_request INVITE alice bob $CORE 603 "$TAG" '<ereg regexp="Warning: 399 IM-serv .*pager mode" search_in="msg" check_it="true" assign_to="w"/>' \
  application/sdp "$(offer sendonly 'a=filesize:5000')"
check "bob lifts his barring" settings false false

check "RPC: the IM server's sessions are listed by dialog (dlg.list)" bash -c "kamcmd dlg.list | grep -q sip:carol@example.com"

# --- 6.2.3.9 / RFC 4028: the unrefreshed session ends ---
check "6.2.3.9: the IM server ended carol's unrefreshed 90 s session with a BYE to dave ..." wait "$expiry_callee"
check "  ... and to carol" wait "$expiry_caller"
check "  ... not before the interval passed" test $((SECONDS - started)) -ge 85
check "  ... and its relay session went with it" eventually bash -c "$(declare -f stat relay_sessions); test \"\$(stat relay_sessions_active)\" = 0 -a \"\$(relay_sessions)\" = 0"
finish
