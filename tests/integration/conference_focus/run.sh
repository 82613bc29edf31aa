#!/usr/bin/env bash
# The conference focus (spec 7.2) driving the MSRP relay's conference switch:
# members of a pre-defined group INVITE the group identity through the core
# and the IM server, the focus answers with their relay paths and its session
# identity, a later member rejoins through that identity, and messages sent
# with im-msrp-client reach the others in CPIM with the sender's identity.
# Refusals (not a member, no such group, isfocus, anonymity) come back
# through the core; the initiator's BYE releases the session (auto-release,
# 7.2.2.8), and the focus ends the others' dialogs with BYE. A session whose
# relay is killed under it is ended with BYEs too. A MESSAGE to the session
# identity reaches the other participants from that identity (CR 000 5b).
# Deleting the group over RPC releases its session with BYEs. A participant's
# REFER to the History Function records the session (11.1.1, 11.2.2): the
# relay's recorder stores what is switched under her, until her REFER with
# method=BYE.
source "$(dirname "$0")/../lib/lib.sh"
export IM_RELAY_WATCH=1  # the focus checks its sessions at the relay every second
HERE=$(cd "$(dirname "$0")" && pwd)
CORE=127.0.0.1:5060
GROUP=sip:friends@example.com
CLIENT=$IM_BUILD_DIR/relay/im-msrp-client

# member SCENARIO USER PORT RURI [SIPp args]: a SIPp member in the background (pid in MEMBER_PID).
member() {
  local scenario=$1 user=$2 port=$3 ruri=$4
  shift 4
  sipp $CORE -sf "$HERE/$scenario" -s "$user" -key ruri "$ruri" -i 127.0.0.1 -p "$port" -m 1 -timeout 40s \
    -timeout_error -nostdin -trace_err -error_file "$WORK/$user.err" -trace_msg -message_file "$WORK/$user.msg" \
    -trace_logs -log_file "$WORK/$user.log" "$@" >>"$WORK/sipp.log" 2>&1 &
  MEMBER_PID=$!
}
# A member's logs from an earlier run of the same user go first.
fresh_member() { rm -f "$WORK/$2.log"; member "$@"; }
# A new session of the group that alice and bob join and stay in (pids in ALICE_PID, BOB_PID).
alice_and_bob_stay() {
  fresh_member stay.xml alice 5081 "$GROUP"
  ALICE_PID=$MEMBER_PID
  check "a new session: alice joins" eventually joined alice
  fresh_member stay.xml bob 5082 "$GROUP"
  BOB_PID=$MEMBER_PID
  check "  ... and bob" eventually joined bob
}
logged() { sed -n "s/^$2 //p" "$WORK/$1.log" 2>/dev/null | tail -1; }
joined() { [[ -n $(logged "$1" "answer path") ]]; }
stat() { kamcmd stats.get_statistics im_controlling: | sed -n "s/^im_controlling:$1 = //p"; }
history_stat() { kamcmd stats.get_statistics im_history: | sed -n "s/^im_history:$1 = //p"; }
# refer USER REFER-TO: a REFER to the History Function answered 202 and its NOTIFY 200 (refer.xml).
refer() {
  rm -f "$WORK/refer-$1.msg"
  sipp $CORE -sf "$HERE/refer.xml" -s "$1" -key refer_to "$2" -i 127.0.0.1 -p 0 -m 1 -timeout 10s -timeout_error \
    -nostdin -trace_err -error_file "$WORK/refer-$1.err" -trace_msg -message_file "$WORK/refer-$1.msg" \
    >>"$WORK/sipp.log" 2>&1 &&
    grep -q '^SIP/2.0 202 Accepted' "$WORK/refer-$1.msg"
}
# recorded_for OWNER: what the relay's recorder stored for OWNER, "sender|body" a line each, in order.
recorded_for() {
  sqlite3 "$IM_DATA_DIR/im.db" "SELECT sender || '|' || CAST(body AS TEXT) FROM msrp_stored_message
    WHERE owner = '$1' AND role = 'recorder' ORDER BY id"
}
# recording_is OWNER STATE MESSAGES: kamcmd im_history.recordings shows OWNER's one recording so.
recording_is() {
  local out
  out=$(kamcmd im_history.recordings "$1")
  grep -q "^recordings: 1$" <<<"$out" && grep -q "^recording: ${focus%%;*} session=.* state=$2 .*messages=$3$" <<<"$out"
}
invite_body="$(printf 'v=0\no=x 1 1 IN IP4 127.0.0.1\ns= \nc=IN IP4 127.0.0.1\nt=0 0\nm=message 7654 TCP/MSRP *\na=accept-types:text/plain\na=path:msrp://127.0.0.1:7654/x;tcp\n')"
# refused FROM TO CODE WARNING [HEADERS]: an INVITE answered CODE, with
# WARNING in its Warning header unless WARNING is empty.
refused() {
  local checks=""
  [[ -n $4 ]] && checks="<ereg regexp=\"Warning: 399 IM-serv .*$4\" search_in=\"msg\" check_it=\"true\" assign_to=\"w\"/>"
  send_request INVITE "$1" "$2" $CORE "$3" "Accept-Contact: *;+g.oma.sip-im
${5:-Contact: <sip:$1@127.0.0.1:5089>;+g.oma.sip-im}" "$checks" application/sdp "$invite_body"
}

im_start || finish
# bob and carol take pager-mode copies at other ports than their SIPp
# members, which the focus reaches at their INVITEs' Contacts.
for user in alice:5081 bob:5092 carol:5093 dave:5084; do
  check "${user%%:*} registers" register "${user%%:*}" "127.0.0.1:${user#*:}"
done
check "the group $GROUP is created with alice, bob and carol as members" bash -c "
  kamcmd im_controlling.group_create $GROUP Friends >/dev/null &&
  for m in alice bob carol; do kamcmd im_controlling.group_member_add $GROUP sip:\$m@example.com >/dev/null || exit 1; done"

# --- refusals, before any session exists ---
check "7.2.1.3 step 5: dave, not a member, gets 403" refused dave friends 403 "Not allowed to start"
# A URI that is no group of this server is no Controlling Function's: the
# terminating Participating Function finds no such user.
check "7.2.1.3 step 2: a group that does not exist gets 404" refused alice nogroup 404 ""
check "7.2.1.3 step 3: a Contact with isfocus gets 403 (isfocus already assigned)" refused alice friends 403 \
  "isfocus already assigned" "Contact: <sip:alice@127.0.0.1:5089>;isfocus"
check "7.2.1.3 step 6: anonymity the group does not allow gets 403" refused alice friends 403 "Anonymity" \
  "Contact: <sip:alice@127.0.0.1:5089>;+g.oma.sip-im
Privacy: id"
check "7.2.1.2: an INVITE to the conference factory (ad-hoc sessions) gets 501" \
  refused alice conference-factory 501 "Ad-hoc IM Group Sessions are not offered yet"
check "  ... and none of them left a session at the relay" test "$(relay_sessions)" = 0

# --- alice starts the group's session, bob joins it ---
member join.xml alice 5081 "$GROUP" -d 9000
ALICE_PID=$MEMBER_PID
check "7.2.1.3: alice's INVITE to the group is answered 200 with her relay path, the session identity (isfocus) and Session-Expires refresher=uac" \
  eventually joined alice
member stay.xml bob 5082 "$GROUP"
BOB_PID=$MEMBER_PID
check "7.2.1.4: bob's INVITE to the group joins the active session" eventually joined bob
check "  ... both are in one conference at the relay" test "$(relay_sessions)" = 1
focus=$(logged alice "session identity")
check "  ... with the same session identity in both answers" test -n "$focus" -a "$focus" = "$(logged bob "session identity")"

# --- carol rejoins through the session identity ---
member join.xml carol 5083 "$focus" -d 6000
CAROL_PID=$MEMBER_PID
check "7.2.1.5: carol's INVITE to the session identity $focus joins the same session" eventually joined carol
check "  ... still one conference at the relay" test "$(relay_sessions)" = 1
check "  ... three participants joined" test "$(stat focus_joined)" = 3

# --- pager mode to the session identity (CR 000 steps 2-5b, 8.3.2.1) ---
focus_user=${focus#sip:}; focus_user=${focus_user%%@*}
FROM_SESSION="<ereg regexp=\"From: &lt;sip:$focus_user@\" search_in=\"msg\" check_it=\"true\" assign_to=\"from\"/>"
copy_uas_start bob 5092 "$FROM_SESSION" "Hello session"; copy_uas_start carol 5093 "$FROM_SESSION" "Hello session"; sleep 0.2
check "alice's MESSAGE to the session identity gets 202" send_request MESSAGE alice "$focus_user" $CORE 202 \
  "Accept-Contact: *;+g.oma.sip-im" "" text/plain "Hello session"
check "  ... bob got it from the session identity, with alice's identity asserted" wait "$UAS_PID_bob"
check "  ... carol got it too" wait "$UAS_PID_carol"
check "dave, not in the session, gets 403 for a MESSAGE to it" send_request MESSAGE dave "$focus_user" $CORE 403 \
  "Accept-Contact: *;+g.oma.sip-im" "" text/plain "Hello session"

# --- recording by REFER to the History Function (11.1.1, 11.2.2) ---
check "11.2.2: alice's REFER to history@ with the session identity as Refer-To gets 202, and a NOTIFY reports 200" \
  refer alice "$focus"
check "  ... counted: one recording started" test "$(history_stat recordings_started)" = 1
check "  ... kamcmd im_history.recordings shows it recording, nothing stored yet" \
  recording_is sip:alice@example.com recording 0
check "11.2.2.2 step 1: dave, not in the session, gets 403" send_request REFER dave history $CORE 403 \
  "Accept-Contact: *;+g.oma.sip-im
Contact: <sip:dave@127.0.0.1:5084>
Refer-To: <$focus>" "$(save w 'Warning: 399 IM-serv .*(Not a participant)')"
check "  ... a Refer-To that names no session gets 404" send_request REFER alice history $CORE 404 \
  "Accept-Contact: *;+g.oma.sip-im
Contact: <sip:alice@127.0.0.1:5081>
Refer-To: <sip:im-session-nosuch@127.0.0.1:5070>" ""
check "  ... a REFER without Refer-To gets 400" send_request REFER alice history $CORE 400 \
  "Accept-Contact: *;+g.oma.sip-im
Contact: <sip:alice@127.0.0.1:5081>" ""
check "  ... and one with two Refer-To headers too (RFC 3515 2.4.1)" send_request REFER alice history $CORE 400 \
  "Accept-Contact: *;+g.oma.sip-im
Contact: <sip:alice@127.0.0.1:5081>
Refer-To: <$focus>
Refer-To: <$focus>" "$(save w 'Warning: 399 IM-serv .*(one Refer-To)')"

# --- messages through the switch ---
"$CLIENT" --to-path "$(logged bob "answer path")" --expect 2 --output "$WORK/bob.out" --timeout 15 >"$WORK/bob.msrp" 2>&1 &
BOB_CLIENT=$!
"$CLIENT" --to-path "$(logged carol "answer path")" --expect 1 --timeout 15 >"$WORK/carol.msrp" 2>&1 &
CAROL_CLIENT=$!
sleep 1
check "alice's client sends a text on her path (answered 200)" \
  "$CLIENT" --to-path "$(logged alice "answer path")" --text "hello friends" --timeout 15
check "carol's client got alice's text" wait "$CAROL_CLIENT"
check "  ... in CPIM with alice's identity" grep -q "^message from=<sip:alice@example.com> .*text=hello friends" "$WORK/carol.msrp"
check "carol's client sends a text on her path (answered 200)" \
  "$CLIENT" --to-path "$(logged carol "answer path")" --text "hi from carol" --timeout 15
check "bob's client got both texts" wait "$BOB_CLIENT"
check "  ... each with its sender's identity" bash -c "
  grep -q '^message from=<sip:alice@example.com> .*text=hello friends' '$WORK/bob.msrp' &&
  grep -q '^message from=<sip:carol@example.com> .*text=hi from carol' '$WORK/bob.msrp'"

check "11.2.3: the recorder stored both texts for alice, in order, with their senders" test \
  "$(recorded_for sip:alice@example.com)" = $'sip:alice@example.com|hello friends\nsip:carol@example.com|hi from carol'
check "  ... and kamcmd im_history.recordings counts them" recording_is sip:alice@example.com recording 2
check "11.1.2: alice's REFER with method=BYE in the Refer-To gets 202 and a NOTIFY" refer alice "$focus;method=BYE"
check "  ... the recording is stopped" recording_is sip:alice@example.com stopped 2
check "  ... counted: one recording stopped" test "$(history_stat recordings_stopped)" = 1
check "bob's client sends a text after the stop (answered 200)" \
  "$CLIENT" --to-path "$(logged bob "answer path")" --text "not recorded" --timeout 15
check "  ... which is not recorded" test "$(recorded_for sip:alice@example.com | wc -l)" = 2

# --- leaving, and the release policy ---
check "7.2.1.11: carol's BYE is answered 200" wait "$CAROL_PID"
check "  ... the session goes on (two left)" test "$(relay_sessions)" = 1
check "7.2.2.8: alice, the initiator, leaves with BYE (answered 200) ..." wait "$ALICE_PID"
check "  ... which releases the session: the focus ends bob's dialog with a BYE (CSeq 1, User-Agent IM-serv/OMA1.0)" wait "$BOB_PID"
check "  ... and the conference is gone from the relay" eventually test "$(relay_sessions)" = 0
check "a MESSAGE to the released session's identity gets 404" send_request MESSAGE bob "$focus_user" $CORE 404 \
  "Accept-Contact: *;+g.oma.sip-im" "" text/plain "Hello session"
check "  ... counted: two left, one session released, one BYE sent" \
  bash -c "[[ \$(kamcmd stats.get_statistics im_controlling: | grep -cE 'focus_left = 2|focus_sessions_released = 1|focus_byes_sent = 1') == 3 ]]"

# --- a new session after the release ---
member join.xml bob 5082 "$GROUP" -d 500
check "a new INVITE to the group starts a new session" wait "$MEMBER_PID"
check "  ... whose session identity is a new one" test "$(logged bob "session identity")" != "$focus"
check "  ... and bob's BYE, the only participant, releases it" eventually test "$(relay_sessions)" = 0
# --- the relay dies under a running session ---
alice_and_bob_stay
old_relay=$(relay_pid)
check "the relay is killed (kill -9) under the session" kill -9 "$old_relay"
check "the focus notices and ends the session with a BYE to alice ..." wait "$ALICE_PID"
check "  ... and to bob" wait "$BOB_PID"
check "  ... counted as a session lost by the relay" test "$(stat focus_sessions_lost)" = 1
check "the relay was restarted" eventually relay_restarted "$old_relay"
fresh_member join.xml carol 5083 "$GROUP" -d 500
check "a new session at the restarted relay: carol's INVITE to the group is answered 200 and her BYE to it 200" wait "$MEMBER_PID"
check "  ... with a relay path" joined carol

# --- the group is deleted under a running session (7.2.2.8) ---
alice_and_bob_stay
released_before=$(stat focus_sessions_released)
check "kamcmd im_controlling.group_delete deletes the group and says its session was released" \
  bash -c "kamcmd im_controlling.group_delete $GROUP | grep -q 'session released: .*, 2 BYEs'"
check "  ... alice gets the focus's BYE at once" wait "$ALICE_PID"
check "  ... and bob" wait "$BOB_PID"
check "  ... and the conference is gone from the relay" eventually test "$(relay_sessions)" = 0
check "  ... counted in focus_sessions_released" test "$(stat focus_sessions_released)" = $((released_before + 1))
check "the deployment is still running" bash -c "kill -0 $IM_PID && kamcmd core.uptime"
finish
