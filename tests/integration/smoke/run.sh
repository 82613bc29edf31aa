#!/usr/bin/env bash
# Foundation smoke test: the reference deployment on loopback carries a
# pager-mode MESSAGE from alice to bob through core and IM server, and the IM
# server refuses what spec 5.2 and 6.2.2 say it must refuse.
source "$(dirname "$0")/../lib/lib.sh"

TAG='Accept-Contact: *;+g.oma.sip-im'
SERVER_CHECK='<ereg regexp="Server: IM-serv/OMA1\.0" search_in="msg" check_it="true" assign_to="srv"/>'
WARNING_CHECK='<ereg regexp="Warning: 399 IM-serv" search_in="msg" check_it="true" assign_to="warn"/>'

im_start || finish

# Spec 5.3 / 6.2.1: users register at the core; the core tells the IM server.
check "alice registers at the core" register alice 127.0.0.1:5081
check "bob registers at the core" register bob 127.0.0.1:5082
check "the registration hook (event_route[im-participating:registered]) ran for bob" \
  eventually grep -q "IM user sip:bob@example.com registered: deferred delivery hook" "$WORK/deployment.log"
check "IM server learnt bob's registration (third-party REGISTER)" \
  eventually bash -c 'kamcmd im_participating.registration sip:bob@example.com | grep -q "state: registered"'

# 6.2.2 + 6.2.8.4: one-to-one pager-mode MESSAGE through core and IM server (both passes).
uas_start bob 5082
sleep 0.3
check "alice's MESSAGE with the IM feature tag gets 200 through core and IM server" \
  send_message alice bob 127.0.0.1:5060 200 "$TAG" ""
check "bob received it once, with Server IM-serv/OMA1.0, Contact feature tag, alice's PAI, client User-Agent" wait "$UAS_PID"

# The same over TCP: core and IM server talk TCP, and the IM server still recognises the core.
uas_start bob 5082
sleep 0.3
check "over TCP: alice's MESSAGE gets 200 through core and IM server" \
  send_message_tcp alice bob 127.0.0.1:5060 200 "$TAG" ""
check "over TCP: bob received it with the IM server's headers" wait "$UAS_PID"

# 6.2.2.1 step 1: no feature tag -> 403 from the IM server itself.
check "MESSAGE without the IM feature tag sent straight to the IM server gets 403 with Server and Warning" \
  send_message alice bob 127.0.0.1:5070 403 "" "$SERVER_CHECK
$WARNING_CHECK"

# 5.2: an identity asserted by a host that is not the core is refused.
check "MESSAGE whose P-Asserted-Identity comes from a non-core address gets 403" \
  send_message alice bob 127.0.0.1:5070 403 "$TAG
P-Asserted-Identity: <sip:alice@example.com>" "$SERVER_CHECK
$WARNING_CHECK"

# 5.2: no identity at all -> 403.
check "MESSAGE with the feature tag but no asserted identity gets 403" \
  send_message alice bob 127.0.0.1:5070 403 "$TAG" "$SERVER_CHECK"

# Administration: each module answers its RPC; counters are in Kamailio's statistics.
for cmd in im_participating.status im_controlling.status im_deferred.status im_history.status; do
  check "kamcmd $cmd answers" bash -c "kamcmd $cmd | grep -q 'state: running'"
done
check "kamcmd im_controlling.relay_status reports the relay's listen address" \
  bash -c 'kamcmd im_controlling.relay_status | grep -q "listen: 127.0.0.1:2855"'
check "statistics count the accepted and rejected requests" bash -c '
  s=$(kamcmd stats.get_statistics im_participating:)
  grep -q "originating_accepted = 2" <<<"$s" && grep -q "terminating_accepted = 2" <<<"$s" &&
  grep -q "originating_rejected = 3" <<<"$s" && grep -q "register_accepted = 2" <<<"$s"'

check "the Prometheus exporter shows the IM counters" bash -c '
  python3 -c "import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:9070/metrics\", timeout=5).read().decode())" |
  grep -q "^kamailio_im_participating_originating_accepted 2"'

# 6.2.1: deregistration (Expires 0) marks the user offline.
check "bob deregisters" register bob 127.0.0.1:5082 0
check "IM server shows bob not registered after Expires 0" \
  eventually bash -c 'kamcmd im_participating.registration sip:bob@example.com | grep -q "state: not registered"'
check "MESSAGE to the offline bob gets 480 from the terminating function" \
  send_message alice bob 127.0.0.1:5060 480 "$TAG" "$SERVER_CHECK"

# Everything stops cleanly.
im_stop
check "no process of the deployment is left behind" no_processes_left
check "the relay removed its control socket" test ! -e "$IM_RUN_DIR/msrp-relay.sock"
finish
