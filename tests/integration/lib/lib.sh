# Shared by the integration tests: start and stop the reference deployment,
# drive SIPp, count checks. Source it from a test's run.sh.
set -uo pipefail

IM_SOURCE_DIR=${IM_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
IM_BUILD_DIR=${IM_BUILD_DIR:-$IM_SOURCE_DIR/build}
LIB_DIR=$IM_SOURCE_DIR/tests/integration/lib
WORK=$(mktemp -d /tmp/im-it.XXXXXX)
export IM_DATA_DIR=$WORK/data IM_RUN_DIR=$WORK/run IM_BUILD_DIR
IM_PID=

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

im_start() {
  : >"$WORK/deployment.log"
  : >"$WORK/deployment.log"
  "$IM_SOURCE_DIR/scripts/im-server" >"$WORK/deployment.log" 2>&1 &
  IM_PID=$!
  for _ in $(seq 150); do
    grep -q "\[im-server\] ready" "$WORK/deployment.log" && return 0
    kill -0 "$IM_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "deployment did not start:"; tail -30 "$WORK/deployment.log"
  return 1
}

# Our processes: the Kamailios and the relay started with this test's run directory.
im_processes() { pgrep -f -- "^(kamailio|[^ ]*im-msrp-relay) .*$IM_RUN_DIR"; }
no_processes_left() { ! im_processes; }

im_stop() {
  [[ -n "$IM_PID" ]] || return 0
  kill -TERM "$IM_PID" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$IM_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$IM_PID" 2>/dev/null
  IM_PID=
}

finish() {
  im_stop
  echo "$passed passed, $failed failed"
  if ((failed == 0)); then rm -rf "$WORK"; exit 0; fi
  echo "--- deployment log (tail) ---"; tail -60 "$WORK/deployment.log"
  exit 1
}

# The deployment's MSRP relay: a control command, the number of its
# sessions, its pid, and whether another relay than OLD_PID answers (it was
# restarted). relay_sessions needs no other function (tests pass it to
# bash -c with declare -f).
relay_ctl() { "$IM_BUILD_DIR/relay/im-relay-ctl" -s "$IM_RUN_DIR/msrp-relay.sock" "$@"; }
relay_sessions() { "$IM_BUILD_DIR/relay/im-relay-ctl" -s "$IM_RUN_DIR/msrp-relay.sock" SESSION_LIST | sed -n 's/.*count=\([0-9]*\).*/\1/p'; }
relay_pid() { pgrep -f -- "^[^ ]*im-msrp-relay .*$IM_RUN_DIR"; }
relay_restarted() { local pid; pid=$(relay_pid); [[ -n $pid && $pid != "$1" ]] && relay_ctl ping; }

# register USER CONTACT_HOSTPORT [EXPIRES]: REGISTER at the core with the IM
# tag, then wait until the IM server has the state of the core's third-party
# REGISTER (it follows the 200 asynchronously).
register() {
  local expires=${3:-3600} want="state: registered"
  sipp 127.0.0.1:5060 -sf "$LIB_DIR/register.xml" -s "$1" -key contact "$2" -key expires "$expires" \
    -i 127.0.0.1 -p 0 -m 1 -timeout 10s -timeout_error -nostdin \
    -trace_err -error_file "$WORK/register-$1.err" >>"$WORK/sipp.log" 2>&1 || return 1
  [[ $expires == 0 ]] && want="state: not registered"
  eventually bash -c "kamcmd im_participating.registration sip:$1@example.com | grep -q '$want'"
}

# uas_start USER PORT: a SIPp user agent that takes one MESSAGE and checks
# it; its pid goes to UAS_PID (wait on it for the verdict).
uas_start() {
  sipp -sf "$LIB_DIR/uas-message.xml" -i 127.0.0.1 -p "$2" -m 1 -timeout 20s -timeout_error -nostdin \
    -trace_err -error_file "$WORK/uas-$1.err" -trace_logs -log_file "$WORK/uas-$1.log" >>"$WORK/sipp.log" 2>&1 &
  UAS_PID=$!
}

# send_request METHOD FROM TO TARGET EXPECT HEADERS CHECKS [CONTENT_TYPE BODY]:
# one request via TARGET (host:port) that must get the final response EXPECT.
# HEADERS are extra header lines, CHECKS are SIPp actions on the response
# (an <ereg ... assign_to="x"/> whose x is written to $WORK/last-<x> by a
# <log>, see capture). SIPP_TRANSPORT=t1 sends over TCP.
send_request() {
  local method=$1 from=$2 to=$3 target=$4 expect=$5 headers=$6 checks=$7 ctype=${8:-} body=${9:-}
  local scenario="$WORK/request-$RANDOM$RANDOM.xml"
  python3 - "$LIB_DIR/request.xml" "$scenario" "$method" "$expect" "$headers" "$checks" "$ctype" "$body" <<'PY'
import re, sys
src, dst, method, expect, headers, checks, ctype, body = sys.argv[1:]
lines = lambda text: "".join("      %s\n" % l for l in text.split("\n") if l.strip())
text = open(src).read().replace("__METHOD__", method).replace("__EXPECT__", expect)
text = text.replace("__HEADERS__\n", lines(headers))
text = text.replace("__BODY_HEADERS__\n", lines("Content-Type: " + ctype) if body else "")
# Body lines are kept as they are, blank ones included (multipart needs them).
text = text.replace("__BODY__\n", "".join("%s\n" % l for l in body.split("\n")) if body else "")
text = text.replace("__CHECKS__\n", lines(checks))
# SIPp insists that every assigned variable is referenced.
names = re.findall(r'assign_to="([^",]+)', checks)
text = text.replace("__REFERENCES__", '<Reference variables="%s"/>' % ",".join(names) if names else "")
open(dst, "w").write(text)
PY
  sipp "$target" -sf "$scenario" -s "$from" -key to "$to" -t "${SIPP_TRANSPORT:-u1}" -i 127.0.0.1 -p 0 -m 1 \
    -timeout 10s -timeout_error -nostdin -trace_err -error_file "$scenario.err" \
    -trace_logs -log_file "$scenario.log" >>"$WORK/sipp.log" 2>&1
  local rc=$?
  LAST_LOG="$scenario.log"
  return $rc
}

# A check action that saves the first group of REGEXP in the response to
# $LAST_LOG as "NAME=value", for capture NAME to read.
save() { echo "<ereg regexp=\"$2\" search_in=\"msg\" check_it=\"true\" assign_to=\"$1_all,$1\"/><log message=\"$1=[\$$1]\"/>"; }
capture() { sed -n "s/^$1=//p" "$LAST_LOG" | tail -1; }

# send_message FROM TO TARGET EXPECT HEADERS CHECKS: a text/plain MESSAGE.
send_message() { send_request MESSAGE "$1" "$2" "$3" "$4" "$5" "$6" text/plain "Hello from the smoke test"; }

# copy_uas_start USER PORT [CHECKS]: a recipient of one group MESSAGE copy
# (lib/uas-copy.xml plus CHECKS); pid in UAS_PID_<USER>.
copy_uas_start() {  # copy_uas_start USER PORT [EXTRA_CHECKS] [BODY_REGEXP (default: Hello group)]
  local user=$1 port=$2 checks=${3:-} body=${4:-Hello group}
  local scenario="$WORK/uas-copy-$user-$RANDOM.xml"
  python3 - "$LIB_DIR/uas-copy.xml" "$scenario" "$checks" "$body" <<'PY'
import re, sys
src, dst, checks, body = sys.argv[1:]
text = open(src).read().replace("__CHECKS__\n", "".join("      %s\n" % c for c in checks.split("\n") if c.strip()))
text = text.replace("__BODY__", body)
names = ["ac", "ua", "srv", "pai", "mf", "mf2", "body"] + [n for n in re.findall(r'assign_to="([^"]+)"', checks)]
text = text.replace("__REFERENCES__", '<Reference variables="%s"/>' % ",".join(names))
open(dst, "w").write(text)
PY
  sipp -sf "$scenario" -i 127.0.0.1 -p "$port" -m 1 -timeout 15s -timeout_error -nostdin \
    -trace_err -error_file "$scenario.err" -trace_msg -message_file "$scenario.msg" >>"$WORK/sipp.log" 2>&1 &
  eval "UAS_PID_$user=\$!"
}

send_message_tcp() { SIPP_TRANSPORT=t1 send_message "$@"; }

trap 'im_stop' EXIT

# watch_presence USER CHECKS: a watcher's one-shot SUBSCRIBE (Expires 0) to
# USER's presence at the core; CHECKS are SIPp <ereg> actions on the NOTIFY.
watch_presence() {
  local user=$1 checks=$2 scenario="$WORK/watch-$1-$RANDOM.xml"
  python3 - "$LIB_DIR/watch-presence.xml" "$scenario" "$checks" <<'PY'
import re, sys
src, dst, checks = sys.argv[1:]
text = open(src).read().replace("__CHECKS__\n", "".join("      %s\n" % c for c in checks.split("\n") if c.strip()))
names = re.findall(r'assign_to="([^"]+)"', checks)
text = text.replace("__REFERENCES__", '<Reference variables="%s"/>' % ",".join(names) if names else "")
open(dst, "w").write(text)
PY
  sipp 127.0.0.1:5060 -sf "$scenario" -s "$user" -i 127.0.0.1 -p 5085 -m 1 -timeout 10s -timeout_error -nostdin \
    -trace_err -error_file "$scenario.err" -trace_msg -message_file "$scenario.msg" >>"$WORK/sipp.log" 2>&1
}
