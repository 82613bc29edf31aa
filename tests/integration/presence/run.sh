#!/usr/bin/env bash
# Spec appendix H: the IM server as a presence source. It publishes each
# user's "Availability for IM" to the presence server in the reference core
# on registration (open), deregistration (closed) and a visibility setting
# (closed when invisible); a watcher's SUBSCRIBE sees it.
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

check "alice deregisters" register alice 127.0.0.1:5081 0
check "H table 3, deregistration: the watcher sees alice closed" eventually watch_presence alice "$CLOSED"
check "pua kept one publication per user: the last NOTIFY has one tuple for alice" bash -c \
  '[ "$(grep -c "<tuple " "$(ls -t '"$WORK"'/watch-alice-*.msg | head -1)")" = 1 ]'

im_stop
check "no process of the deployment is left behind" no_processes_left
finish
