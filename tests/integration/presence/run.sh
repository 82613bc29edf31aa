#!/usr/bin/env bash
# Spec appendix H: the IM server as a presence source. It publishes each
# user's "Availability for IM" to the presence server in the reference core
# on registration (open), deregistration (closed) and a visibility setting
# (closed when invisible); a watcher's SUBSCRIBE sees it. And 6.2.6.1 step 6:
# it watches each registered user's presence for the Willingness for IM the
# user's own presence source publishes (appendix I).
source "$(dirname "$0")/../lib/lib.sh"

TAG='Accept-Contact: *;+g.oma.sip-im'
CORE=127.0.0.1:5060
ereg() { echo "<ereg regexp=\"$1\" search_in=\"body\" check_it=\"true\" assign_to=\"$2\"/>"; }
SERVICE="$(ereg '<op:service-id>org\.openmobilealliance:IM</op:service-id>' service)
$(ereg '<op:version>1\.0</op:version>' version)
$(ereg 'entity=.sip:alice@example\.com' entity)"
OPEN="$SERVICE
$(ereg '<basic>open</basic>' basic)"
CLOSED="$SERVICE
$(ereg '<basic>closed</basic>' basic)"
published() { grep -c "published IM availability of sip:alice@example.com: $1" "$WORK/deployment.log"; }
vis_doc() {
  cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings"><entity id="a"><vis-settings service-id="IM"><vis-status active="$1"/></vis-settings></entity></poc-settings>
XML
}

im_start || finish
check "alice registers" register alice 127.0.0.1:5081
check "H table 3, registration: the IM server published alice as open" eventually bash -c "(( \$(grep -c 'published IM availability of sip:alice@example.com: open' '$WORK/deployment.log') >= 1 ))"
check "H: a watcher's SUBSCRIBE gets alice open, with the IM service description" watch_presence alice "$OPEN"

check "alice publishes vis-status false (invisible)" send_request PUBLISH alice alice $CORE 200 "$TAG
Event: poc-settings" "" application/poc-settings+xml "$(vis_doc false)"
check "H table 3, vis-status false: the watcher sees alice closed" eventually watch_presence alice "$CLOSED"
check "alice publishes vis-status true (visible)" send_request PUBLISH alice alice $CORE 200 "$TAG
Event: poc-settings" "" application/poc-settings+xml "$(vis_doc true)"
check "H table 3, vis-status true: the watcher sees alice open again" eventually watch_presence alice "$OPEN"

# --- 6.2.6.1 step 6 / appendix I: the Willingness for IM a user publishes ---
willingness_doc() {
  cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:op="urn:oma:xml:prs:pidf:oma-pres" entity="sip:bob@example.com">
 <tuple id="bob-im-willingness">
  <status><op:willingness><op:basic>$1</op:basic></op:willingness></status>
  <op:service-description><op:service-id>org.openmobilealliance:IM</op:service-id><op:version>1.0</op:version></op:service-description>
 </tuple>
</presence>
XML
}
check "bob registers" register bob 127.0.0.1:5082
check "6.2.6.1 step 6: on registration the IM server subscribes to bob's presence" eventually \
  grep -q "watching the presence of sip:bob@example.com" "$WORK/deployment.log"
check "I.3.1.1: bob's presence source publishes Willingness for IM closed to the presence server" \
  send_request PUBLISH bob bob $CORE 200 "Event: presence
Expires: 600" "$(save etag 'SIP-ETag: ([A-Za-z0-9.]+)')" application/pidf+xml "$(willingness_doc closed)"
etag=$(capture etag)
check "6.2.6.1 step 6: the IM server got it (NOTIFY accepted)" eventually bash -c \
  "kamcmd stats.get_statistics im_participating: | grep -q 'presence_notifies_accepted = [1-9]'"
check "6.2.6.1 step 6: alice's MESSAGE to unwilling bob is not delivered: 480 (deferred once im_deferred stores it)" \
  eventually send_request MESSAGE alice bob $CORE 480 "$TAG" '<ereg regexp="Warning: 399 IM-serv .*not willing" search_in="msg" check_it="true" assign_to="w"/>' text/plain "hello"
check "  ... counted as rejected_unwilling and deferred" bash -c "kamcmd stats.get_statistics im_participating: | grep -q 'rejected_unwilling = [1-9]' && kamcmd stats.get_statistics im_participating: | grep -q 'im_participating:deferred = [1-9]'"
check "I.3.1.1: bob publishes Willingness for IM open (modifying his publication)" \
  send_request PUBLISH bob bob $CORE 200 "Event: presence
Expires: 600
SIP-If-Match: $etag" "" application/pidf+xml "$(willingness_doc open)"
uas_start bob 5082
check "6.2.6.1 step 6: willing again, bob gets alice's MESSAGE" eventually send_message alice bob $CORE 200 "$TAG" ""
check "  ... and his client took it" wait "$UAS_PID"
check "bob deregisters" register bob 127.0.0.1:5082 0
check "  ... and the IM server ends its subscription" eventually \
  grep -q "no longer watching the presence of sip:bob@example.com" "$WORK/deployment.log"

check "alice deregisters" register alice 127.0.0.1:5081 0
check "H table 3, deregistration: the watcher sees alice closed" eventually watch_presence alice "$CLOSED"
check "pua kept one publication per user: the last NOTIFY has one tuple for alice" bash -c \
  '[ "$(grep -c "<tuple " "$(ls -t '"$WORK"'/watch-alice-*.msg | head -1)")" = 1 ]'

im_stop
check "no process of the deployment is left behind" no_processes_left
finish
