#!/usr/bin/env bash
# The Participating IM Function's procedures end to end, through the core and
# the IM server: each check names the spec step it shows, with the success and
# each rejection code.
source "$(dirname "$0")/../lib/lib.sh"

TAG='Accept-Contact: *;+g.oma.sip-im'
CORE=127.0.0.1:5060
IM=127.0.0.1:5070
SERVER='<ereg regexp="Server: IM-serv/OMA1\.0" search_in="msg" check_it="true" assign_to="srv"/>'
warning() { echo "<ereg regexp=\"Warning: 399 IM-serv .*$1\" search_in=\"msg\" check_it=\"true\" assign_to=\"warn\"/>"; }
settings_doc() {  # settings_doc ISB IPAB VISIBLE
  cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings" xmlns:ss="urn:oma:params:xml:ns:service-settings">
<entity id="bob-phone">
<isb-settings service-id="IM"><incoming-session-barring active="$1"/></isb-settings>
<ipab-settings service-id="IM"><incoming-personal-alert-barring active="$2"/></ipab-settings>
<ss:vis-settings service-id="IM"><ss:vis-status active="$3"/></ss:vis-settings>
</entity>
</poc-settings>
XML
}
SETTINGS_TYPE=application/poc-settings+xml
EVENT='Event: poc-settings'

im_start || finish
check "alice registers" register alice 127.0.0.1:5081
check "bob registers" register bob 127.0.0.1:5082

# A MESSAGE alice -> bob that bob's SIPp answers; expect the final code.
deliver() {  # deliver "description" [extra headers] [content type] [body]
  uas_start bob 5082; sleep 0.2
  check "$1" send_request MESSAGE alice bob $CORE 200 "$TAG${2:+
$2}" "" "${3:-text/plain}" "${4:-Hello from the smoke test}"
  check "  ... and bob got it" wait "$UAS_PID"
}
deliver "baseline: a MESSAGE from alice reaches bob"

# --- 6.2.5 service settings by PUBLISH ---
# (The core routes only IM-tagged requests to the IM server: send this one straight there.)
check "6.2.5 step 1: PUBLISH without the IM feature tag gets 403" \
  send_request PUBLISH bob bob $IM 403 "$EVENT" "$SERVER" $SETTINGS_TYPE "$(settings_doc false true true)"
check "6.2.5 step 2: PUBLISH for another event package gets 489 with Allow-Events" \
  send_request PUBLISH bob bob $CORE 489 "$TAG
Event: dialog" '<ereg regexp="Allow-Events: poc-settings" search_in="msg" check_it="true" assign_to="ae"/>' \
  $SETTINGS_TYPE "$(settings_doc false true true)"
check "6.2.5 step 3: alice cannot publish bob's settings (403)" \
  send_request PUBLISH alice bob $CORE 403 "$TAG
$EVENT" "$(warning owner)" $SETTINGS_TYPE "$(settings_doc false true true)"
check "6.2.5 step 4: a malformed settings document gets 400" \
  send_request PUBLISH bob bob $CORE 400 "$TAG
$EVENT" "" $SETTINGS_TYPE "<poc-settings><entity>"
check "6.2.5 step 4: a document with a DTD (external entity) gets 400, nothing fetched" \
  send_request PUBLISH bob bob $CORE 400 "$TAG
$EVENT" "$(warning DTD)" $SETTINGS_TYPE '<?xml version="1.0"?><!DOCTYPE poc-settings SYSTEM "file:///etc/passwd"><poc-settings/>'
check "6.2.5 step 4: another content type gets 415" \
  send_request PUBLISH bob bob $CORE 415 "$TAG
$EVENT" "" text/plain "hello"
check "6.2.5 steps 4-6: bob publishes ipab active; 200 with SIP-ETag and Expires" \
  send_request PUBLISH bob bob $CORE 200 "$TAG
$EVENT
Expires: 600" "$(save etag 'SIP-ETag: ([0-9a-f]+)')
<ereg regexp=\"Expires: 600\" search_in=\"msg\" check_it=\"true\" assign_to=\"exp\"/>" \
  $SETTINGS_TYPE "$(settings_doc false true true)"
etag=$(capture etag)
check "6.2.5: the settings are readable over RPC" bash -c \
  'kamcmd im_participating.settings sip:bob@example.com | grep -q "effective_ipab: true"'

# --- 6.2.6.1 step 1: incoming pager-mode barring ---
check "6.2.6.1 step 1: with ipab active, alice's MESSAGE to bob gets 603" \
  send_request MESSAGE alice bob $CORE 603 "$TAG" "$SERVER
$(warning barred)" text/plain "hello"

check "RFC 3903: refresh with an unknown SIP-If-Match gets 412" \
  send_request PUBLISH bob bob $CORE 412 "$TAG
$EVENT
SIP-If-Match: 0000000000000000" ""
check "RFC 3903: refresh with bob's entity tag gets 200" \
  send_request PUBLISH bob bob $CORE 200 "$TAG
$EVENT
SIP-If-Match: $etag
Expires: 600" "$(save etag2 'SIP-ETag: ([0-9a-f]+)')"
check "RFC 3903: modify (ipab off, invisible) gets 200 with a new entity tag" \
  send_request PUBLISH bob bob $CORE 200 "$TAG
$EVENT
SIP-If-Match: $(capture etag2)" "$(save etag3 'SIP-ETag: ([0-9a-f]+)')" $SETTINGS_TYPE "$(settings_doc false false false)"
etag3=$(capture etag3)
check "  ... the new entity tag differs from the old one" test -n "$etag3" -a "$etag3" != "$etag"

# --- 6.2.6.1 steps 5-6: invisible user: the message would be deferred (480 until im_deferred) ---
check "6.2.6.1 step 6: bob invisible: alice's MESSAGE gets 480" \
  send_request MESSAGE alice bob $CORE 480 "$TAG" "$(warning invisible)" text/plain "hello"
check "RFC 3903: removal (Expires 0) gets 200" \
  send_request PUBLISH bob bob $CORE 200 "$TAG
$EVENT
SIP-If-Match: $etag3
Expires: 0" ""
deliver "after removal the defaults apply again: alice's MESSAGE reaches bob"

# --- 6.2.2.1 step 4: the "Conversation History" setting runs the history hook ---
check "bob activates his conversation history (hist-settings)" send_request PUBLISH bob bob $CORE 200 "$TAG
$EVENT
Expires: 600" "" $SETTINGS_TYPE '<?xml version="1.0" encoding="UTF-8"?>
<poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings" xmlns:ss="urn:oma:params:xml:ns:service-settings"><entity id="b"><ss:hist-settings service-id="IM"><ss:hist-activation active="true"/></ss:hist-settings></entity></poc-settings>'
deliver "6.2.2.1 step 4: alice's MESSAGE to bob is still delivered"
check "the terminating function ran the history hook for bob (event_route[im-participating:history])" \
  eventually grep -q "history hook: MESSAGE from sip:alice@example.com to sip:bob@example.com" "$WORK/deployment.log"
check "statistics: history_hooks counted" bash -c \
  'kamcmd stats.get_statistics im_participating: | grep -q "history_hooks = [1-9]"'
uas_start alice 5081; sleep 0.2
check "6.2.2.1 step 4: bob's own MESSAGE to alice is delivered" \
  send_request MESSAGE bob alice $CORE 200 "$TAG" "" text/plain "Hello from the smoke test"
wait "$UAS_PID" 2>/dev/null  # uas-message.xml expects alice as the sender; the 200 above is what counts
check "the originating function ran the history hook for bob's MESSAGE" \
  eventually grep -q "history hook: MESSAGE from sip:bob@example.com to sip:alice@example.com" "$WORK/deployment.log"
check "bob's history off again (settings removed)" send_request PUBLISH bob bob $CORE 200 "$TAG
$EVENT
Expires: 600" "" $SETTINGS_TYPE "$(settings_doc false false true)"

# --- 6.2.6.1 step 2: the receiving user's access list ---
check "RPC: bob rejects pager mode from alice" \
  kamcmd im_participating.access_set sip:bob@example.com sip:alice@example.com pager reject
check "6.2.6.1 step 2: access list reject gets 403" \
  send_request MESSAGE alice bob $CORE 403 "$TAG" "$(warning "access list")" text/plain "hello"
check "RPC: the rule is listed" bash -c 'kamcmd im_participating.access_list sip:bob@example.com | grep -q "sip:alice@example.com pager reject"'
check "RPC: bob removes the rule" kamcmd im_participating.access_remove sip:bob@example.com sip:alice@example.com pager
deliver "6.2.6.1 step 2: without the rule the MESSAGE is delivered"

# --- 6.2.4.5: Group Advertisement from the served user ---
AD_TYPE=application/vnd.IM.group-advertisement+xml
AD='<?xml version="1.0" encoding="UTF-8"?>
<group-advertisement xmlns="urn:oma:params:xml:ns:IM:group-advertisement"><note>Hello from the smoke test</note><group><uri>sip:team@example.com</uri></group></group-advertisement>'
deliver "6.2.4.5 step 3: alice's Group Advertisement to bob is delivered" "" "$AD_TYPE" "$AD"
check "6.2.4.5 step 1: an anonymous Group Advertisement gets 403" \
  send_request MESSAGE alice bob $CORE 403 "$TAG
Privacy: id" "$(warning "cannot be anonymous")" "$AD_TYPE" "$AD"
check "RPC: alice may not send Group Advertisements" \
  kamcmd im_participating.policy_set sip:alice@example.com 1 - - 1 0
check "6.2.4.5 step 2: a user without the permission gets 403" \
  send_request MESSAGE alice bob $CORE 403 "$TAG" "$(warning "Not allowed to send Group Advertisements")" "$AD_TYPE" "$AD"
check "RPC: the policy shows the permission" bash -c \
  'kamcmd im_participating.policy_list | grep -q "group_advertisement_allowed: 0"'
check "RPC: alice's policy removed" kamcmd im_participating.policy_remove sip:alice@example.com

# --- 5.2 / RFC 3325: privacy honoured in what is forwarded ---
sipp -sf "$(dirname "$0")/uas-anonymous.xml" -i 127.0.0.1 -p 5082 -m 1 -timeout 20s -timeout_error -nostdin \
  -trace_err -error_file "$WORK/uas-anonymous.err" >>"$WORK/sipp.log" 2>&1 &
anonymous_uas=$!
sleep 0.2
check "5.2 / RFC 3325: alice's MESSAGE with Privacy: id (anonymity allowed) is delivered" \
  send_request MESSAGE alice bob $CORE 200 "$TAG
Privacy: id" "" text/plain "Hello from the smoke test"
check "  ... with Privacy: id and without her asserted identity, which stays in the trust domain" wait "$anonymous_uas"

# --- 6.2.2.1 steps 2-3 and 6.2.4.1 steps 2-3: operator policy ---
check "RPC: alice may not use IM" kamcmd im_participating.policy_set sip:alice@example.com 0 - - 1
check "6.2.2.1 step 2: a user not allowed to use IM gets 403" \
  send_request MESSAGE alice bob $CORE 403 "$TAG" "$(warning "not allowed to use IM")" text/plain "hello"
check "RPC: a global size and type policy; alice allowed again" bash -c \
  'kamcmd im_participating.policy_set global 1 10 "text/*" 0 && kamcmd im_participating.policy_remove sip:alice@example.com'
check "6.2.2.1 step 3: a MESSAGE over the size limit gets 403 with a Warning" \
  send_request MESSAGE alice bob $CORE 403 "$TAG" "$(warning "exceeds the allowed 10 bytes")" text/plain "this text is longer than ten bytes"
check "6.2.2.1 step 3: a content type outside the policy gets 403 with a Warning" \
  send_request MESSAGE alice bob $CORE 403 "$TAG" "$(warning "application/json is not allowed")" application/json "{}"
check "6.2.4.1 step 2: anonymity requested but not allowed gets 403" \
  send_request MESSAGE alice bob $CORE 403 "$TAG
Privacy: id" "$(warning "Anonymity")" text/plain "hi"
check "6.2.4.1 step 3: a malformed Expires gets 400" \
  send_request MESSAGE alice bob $CORE 400 "$TAG
Expires: tomorrow" "" text/plain "hi"
check "6.2.4.1 step 3 (RFC 3428): a MESSAGE whose Date + Expires has passed gets 408" \
  send_request MESSAGE alice bob $CORE 408 "$TAG
Date: Sat, 13 Nov 2010 23:29:00 GMT
Expires: 60" "$(warning "expired")" text/plain "hi"
check "RPC: the size limit fits a normal message" kamcmd im_participating.policy_set global 1 100 "text/*" 0
deliver "6.2.2.1 step 3: a text MESSAGE within the policy is delivered"
check "RPC: the policies are listed" bash -c 'kamcmd im_participating.policy_list | grep -q "scope: global"'
check "statistics: settings PUBLISHes counted" bash -c \
  'kamcmd stats.get_statistics im_participating: | grep -q "settings_accepted = 6"'
check "statistics: rejections counted by reason" bash -c '
  s=$(kamcmd stats.get_statistics im_participating:); echo "$s"
  grep -q "rejected_barred = 1" <<<"$s" && grep -q "rejected_access_list = 1" <<<"$s" &&
  grep -q "rejected_size = 1" <<<"$s" && grep -q "rejected_content_type = 2" <<<"$s" && grep -q "rejected_malformed = 3" <<<"$s" &&
  grep -q "rejected_anonymity = 2" <<<"$s" && grep -q "rejected_not_allowed = 3" <<<"$s" &&
  grep -q "rejected_expired = 1" <<<"$s" &&
  grep -q "rejected_invisible = 1" <<<"$s" && grep -q "rejected_bad_event = 1" <<<"$s" &&
  grep -q "rejected_entity_tag = 1" <<<"$s" && grep -q "rejected_feature_tag = 1" <<<"$s"'

im_stop
check "no process of the deployment is left behind" no_processes_left
finish
