#!/usr/bin/env bash
# The Controlling IM Function in pager mode (spec 8.3, CR 000, CR 002):
# URI-list and pre-defined group MESSAGEs through the reference deployment.
source "$(dirname "$0")/../lib/lib.sh"

TAG='Accept-Contact: *;+g.oma.sip-im'
CORE=127.0.0.1:5060
FACTORY=conference-factory
stat() { kamcmd stats.get_statistics im_controlling: | sed -n "s/^im_controlling:$1 = //p"; }
stat_is() { [[ "$(stat "$1")" == "$2" ]]; }
uri_list_body() {  # uri_list_body ENTRY_XML...
  printf -- '--b1\nContent-Type: text/plain\n\nHello group\n--b1\nContent-Type: application/resource-lists+xml\nContent-Disposition: recipient-list\n\n'
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:cp="urn:ietf:params:xml:ns:copycontrol">\n<list>\n'
  printf '%s\n' "$@"
  printf '</list>\n</resource-lists>\n--b1--'
}
LIST_TYPE='multipart/mixed;boundary=b1'
entry() { echo "<entry uri=\"sip:$1@example.com\"${2:+ cp:copyControl=\"$2\"}/>"; }

im_start || finish
for u in alice:5081 bob:5082 carol:5083; do check "${u%%:*} registers" register "${u%%:*}" "127.0.0.1:${u##*:}"; done

# --- URI-list (RFC 5365): 3 users, duplicates and the sender in the list ---
copy_uas_start bob 5082; copy_uas_start carol 5083; sleep 0.2
check "8.3.1.1: alice's URI-list MESSAGE to the conference factory gets 202" \
  send_request MESSAGE alice $FACTORY $CORE 202 "$TAG" "" "$LIST_TYPE" \
  "$(uri_list_body "$(entry bob)" "$(entry carol)" "$(entry alice)" "$(entry bob)")"
check "8.3.2.1: bob got his copy with the IM headers and alice's identity" wait "$UAS_PID_bob"
check "8.3.2.1: carol got her copy" wait "$UAS_PID_carol"
check "exactly two copies: duplicates and the sender removed" stat_is copies_sent 2
sleep 0.5
check "both copies delivered" stat_is copies_delivered 2
check "8.3.2.1: both recipients' terminating checks ran in the IM server before sending" stat_is copies_checked_here 2

# --- bcc recipients are never revealed (RFC 5365 copyControl) ---
NO_CAROL='<ereg regexp="carol@example\.com" search_in="body" check_it_inverse="true" assign_to="nocarol"/>'
HISTORY='<ereg regexp="recipient-list-history" search_in="msg" check_it="true" assign_to="hist"/>'
copy_uas_start bob 5082 "$NO_CAROL
$HISTORY"; copy_uas_start carol 5083 "$NO_CAROL"; sleep 0.2
check "URI-list with bob (to) and carol (bcc) gets 202" \
  send_request MESSAGE alice $FACTORY $CORE 202 "$TAG" "" "$LIST_TYPE" "$(uri_list_body "$(entry bob to)" "$(entry carol bcc)")"
check "bob's copy carries the recipient-list-history without carol" wait "$UAS_PID_bob"
check "carol's copy does not reveal carol either" wait "$UAS_PID_carol"

# --- errors ---
check "7.6.1 / CR 002 step 2: an unknown group gets 404" \
  send_request MESSAGE alice no-such-group $CORE 404 "$TAG" "" text/plain "Hello group"
check "CR 002 step 2: the factory without a URI-list gets 403" \
  send_request MESSAGE alice $FACTORY $CORE 403 "$TAG" "" text/plain "Hello group"
check "a malformed URI-list gets 400" \
  send_request MESSAGE alice $FACTORY $CORE 400 "$TAG" "" "$LIST_TYPE" "$(uri_list_body '<entry uri="sip:bob@example.com">')"
check "CR 002 step 4: anonymity requested on a URI-list gets 403" \
  send_request MESSAGE alice $FACTORY $CORE 403 "$TAG
Privacy: id" "" "$LIST_TYPE" "$(uri_list_body "$(entry bob)")"

# --- pre-defined group ---
check "RPC: create the group friends@example.com" kamcmd im_controlling.group_create sip:friends@example.com Friends
for m in alice bob carol dave; do
  check "RPC: $m joins the group" kamcmd im_controlling.group_member_add sip:friends@example.com "sip:$m@example.com"
done
check "RPC: the group shows its 4 members" bash -c '[ "$(kamcmd im_controlling.group_show sip:friends@example.com | grep -c member:)" = 4 ]'
before_failed=$(stat copies_failed)
copy_uas_start bob 5082; copy_uas_start carol 5083; sleep 0.2
check "8.3.1.1: alice's MESSAGE to the group gets 202" \
  send_request MESSAGE alice friends $CORE 202 "$TAG" "" text/plain "Hello group"
check "bob got the group message" wait "$UAS_PID_bob"
check "carol got the group message" wait "$UAS_PID_carol"
sleep 1
check "dave (never registered here) got no copy: it went through the core's terminating filter and failed (404)" \
  bash -c "[ \$(( $(stat copies_failed) - $before_failed )) = 1 ]"

# --- an offline member's copy: 480 until im_deferred stores it ---
check "carol goes offline" register carol 127.0.0.1:5083 0
before_failed=$(stat copies_failed); before_refused=$(stat copies_refused)
copy_uas_start bob 5082; sleep 0.2
check "alice's group MESSAGE with carol offline gets 202" \
  send_request MESSAGE alice friends $CORE 202 "$TAG" "" text/plain "Hello group"
check "bob got it" wait "$UAS_PID_bob"
sleep 1
check "6.2.6.1 step 5: carol's copy was refused by her terminating checks (offline), not sent" \
  bash -c "[ \$(( $(stat copies_refused) - $before_refused )) = 1 ]"
check "the participating function counted carol as not registered" bash -c \
  'kamcmd stats.get_statistics im_participating: | grep -q "rejected_not_registered = [1-9]"'
check "carol comes back" register carol 127.0.0.1:5083
check "eve, no member of the group, registers" register eve 127.0.0.1:5084
check "CR 002 step 3: eve's MESSAGE to the group gets 403 (not a member)" \
  send_request MESSAGE eve friends $CORE 403 "$TAG" "" text/plain "Hello group"

# --- a retransmitted group MESSAGE is exploded once ---
# The core retransmits a group MESSAGE whose 202 is late (UDP, every 500 ms):
# the same datagram (Via branch, CSeq, Call-ID) must not send every copy
# again. Sent as the core would (its address and port), twice at once (the
# retransmission meets the first still being exploded), once after the 202
# (tm answers it again) and once 6 s later, when tm has dropped the
# transaction (it keeps one 5 s after the final reply) but RFC 3261's Timer J
# (32 s over UDP) has not run out: route[CONTROLLING] remembers it.
before_sent=$(stat copies_sent); before_accepted=$(stat group_messages_accepted)
python3 "$(dirname "$0")/retransmit.py" $CORE 127.0.0.1:5070 sip:alice@example.com sip:friends@example.com 0,600,6000 5082 5083 \
  >"$WORK/retransmit.out" 2>&1
check "the IM server answered the group MESSAGE and its retransmissions with 202 only" \
  grep -Eq '^replies 202(,202)*$' "$WORK/retransmit.out"
check "bob got exactly one copy of the four datagrams" grep -qx 'port 5082: 1' "$WORK/retransmit.out"
check "carol got exactly one copy of the four datagrams" grep -qx 'port 5083: 1' "$WORK/retransmit.out"
explosions="accepted $(( $(stat group_messages_accepted) - before_accepted )), copies sent $(( $(stat copies_sent) - before_sent ))"
check "exploded once: one group MESSAGE accepted, three copies sent (bob, carol, dave): $explosions" \
  test "$explosions" = "accepted 1, copies sent 3"

# --- Group Advertisement (E.1.5-E.1.9) to the group's members ---
AD_TYPE='application/vnd.IM.group-advertisement+xml'
advertisement() {
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<group-advertisement xmlns="urn:oma:params:xml:ns:IM:group-advertisement"><note>Join us</note><group type="dialed-out"><display-name>Team</display-name><uri>%s</uri></group></group-advertisement>' "$1"
}
check "RPC: alice creates the group team@example.com and owns it" kamcmd im_controlling.group_create sip:team@example.com Team
check "RPC: alice is team's owner" kamcmd im_controlling.group_member_add sip:team@example.com sip:alice@example.com Alice owner
AD_CHECKS='<ereg regexp="Accept-Contact: \*;\+g\.poc\.groupad" search_in="msg" check_it="true" assign_to="groupad"/>
<ereg regexp="Content-Type: application/vnd\.IM\.group-advertisement\+xml" search_in="msg" check_it="true" assign_to="adtype"/>'
AD_BODY='&lt;uri&gt;sip:team@example\.com&lt;/uri&gt;'
copy_uas_start bob 5082 "$AD_CHECKS" "$AD_BODY"; copy_uas_start carol 5083 "$AD_CHECKS" "$AD_BODY"; sleep 0.2
check "E.1.5: alice advertises team to the friends group: 202" \
  send_request MESSAGE alice friends $CORE 202 "$TAG" "" "$AD_TYPE" "$(advertisement sip:team@example.com)"
check "E.1.9: bob got the advertisement with the groupad feature tag preferred" wait "$UAS_PID_bob"
check "carol got the advertisement" wait "$UAS_PID_carol"
check "E.1.8: an invalid Group Advertisement gets 400" \
  send_request MESSAGE alice friends $CORE 400 "$TAG" "" "$AD_TYPE" '<group-advertisement xmlns="urn:oma:params:xml:ns:IM:group-advertisement"/>'
check "bob, no owner of team, may not advertise it: 403" \
  send_request MESSAGE bob friends $CORE 403 "$TAG" "" "$AD_TYPE" "$(advertisement sip:team@example.com)"
check "RPC: delete team" kamcmd im_controlling.group_delete sip:team@example.com

# --- a recipient who barred pager mode does not get it ---
check "bob bars incoming pager mode" send_request PUBLISH bob bob $CORE 200 "$TAG
Event: poc-settings" "" application/poc-settings+xml '<?xml version="1.0" encoding="UTF-8"?>
<poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings"><entity id="b"><ipab-settings service-id="IM"><incoming-personal-alert-barring active="true"/></ipab-settings></entity></poc-settings>'
before_failed=$(stat copies_failed)
copy_uas_start carol 5083; sleep 0.2
check "alice's group MESSAGE still gets 202" send_request MESSAGE alice friends $CORE 202 "$TAG" "" text/plain "Hello group"
check "carol got it" wait "$UAS_PID_carol"
sleep 1
check "bob's copy was refused by his barring, and dave's failed: 2 failed copies" \
  bash -c "[ \$(( $(stat copies_failed) - $before_failed )) = 2 ]"
check "the participating function counted bob's barring" bash -c \
  'kamcmd stats.get_statistics im_participating: | grep -q "rejected_barred = 1"'
check "a user's own Route im=term-done does not skip bob's terminating checks (603)" \
  send_request MESSAGE alice bob $CORE 603 "$TAG
Route: <sip:127.0.0.1:5060;lr;im=term-done>" "" text/plain "Hello bob"
check "a user's MESSAGE to the core's delivery socket (IM server only) gets 403, not bob's phone" \
  send_request MESSAGE alice bob 127.0.0.1:5062 403 "$TAG" "" text/plain "Hello bob"

# --- local policy: at most max_recipients (100), and the group's max_participants ---
many=(); for i in $(seq 101); do many+=("$(entry "user$i")"); done
check "local policy: a URI-list of 101 recipients (max_recipients 100) gets 403 with a Warning" \
  send_request MESSAGE alice $FACTORY $CORE 403 "$TAG" \
  '<ereg regexp="Warning: 399 IM-serv .Too many recipients: 101, at most 100" search_in="msg" check_it="true" assign_to="w"/>' \
  "$LIST_TYPE" "$(uri_list_body "${many[@]}")"
check "RPC: the group allows 2 participants" kamcmd im_controlling.group_set sip:friends@example.com max_participants 2
check "local policy: a MESSAGE to a group with 3 other members and max_participants 2 gets 403 with a Warning" \
  send_request MESSAGE alice friends $CORE 403 "$TAG" \
  '<ereg regexp="Warning: 399 IM-serv .Too many recipients: 3, at most 2" search_in="msg" check_it="true" assign_to="w"/>' \
  text/plain "Hello group"

check "RPC: delete the group" kamcmd im_controlling.group_delete sip:friends@example.com
check "after deletion the group gets 404" send_request MESSAGE alice friends $CORE 404 "$TAG" "" text/plain "Hello group"
im_stop

# --- CR 000 step 1: with the MESSAGE URI-list service off (uri_list_service 0) ---
sed 's/^modparam("im_controlling", "max_recipients", 100)$/&\nmodparam("im_controlling", "uri_list_service", 0)/' \
  "$IM_SOURCE_DIR/etc/im-server.cfg" >"$WORK/im-server-no-uri-lists.cfg"
check "the test config turns the URI-list service off" grep -q '"uri_list_service", 0' "$WORK/im-server-no-uri-lists.cfg"
IM_SERVER_CFG="$WORK/im-server-no-uri-lists.cfg" im_start || finish
check "alice registers again" register alice 127.0.0.1:5081
check "CR 000 step 1: a URI-list MESSAGE while the service is off gets 403 with a Warning" \
  send_request MESSAGE alice $FACTORY $CORE 403 "$TAG" \
  '<ereg regexp="Warning: 399 IM-serv .The MESSAGE URI-list service is not offered" search_in="msg" check_it="true" assign_to="w"/>' \
  "$LIST_TYPE" "$(uri_list_body "$(entry bob)")"
im_stop

check "no process of the deployment is left behind" no_processes_left
finish
