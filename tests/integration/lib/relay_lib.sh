# Shared by the relay-only integration tests (msrp_relay, msrp_conference):
# start and stop im-msrp-relay on a test port with a private control socket,
# run im-msrp-client and im-relay-ctl, count checks. No Kamailio involved.
# Source it from a test's run.sh after setting RELAY_PORT (12855 and up; the
# defaults 2855/5060/5070/9070 belong to the full deployment).
set -uo pipefail

IM_SOURCE_DIR=${IM_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
IM_BUILD_DIR=${IM_BUILD_DIR:-$IM_SOURCE_DIR/build}
RELAY_BIN=$IM_BUILD_DIR/relay/im-msrp-relay
CTL_BIN=$IM_BUILD_DIR/relay/im-relay-ctl
CLIENT_BIN=$IM_BUILD_DIR/relay/im-msrp-client
RELAY_PORT=${RELAY_PORT:-12855}
# IM_WORK_PARENT: where the work directory goes (the benchmark uses tmpfs).
WORK=$(mktemp -d "${IM_WORK_PARENT:-/tmp}/im-relay-it.XXXXXX")
CONTROL=$WORK/run/msrp-relay.sock
RELAY_PID=
BACKGROUND_PIDS=()

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

ctl() { "$CTL_BIN" -s "$CONTROL" "$@"; }

# field KEY <<<"OK a=1 b=2": the decoded value of KEY in a control reply.
field() {
  local value
  value=$(tr ' ' '\n' | sed -n "s/^$1=//p" | head -1)
  printf '%b' "${value//%/\\x}"
}

# status_field KEY: one counter from STATUS.
status_field() { ctl status | field "$1"; }

relay_start() {  # relay_start [extra relay options...]
  "$RELAY_BIN" --listen "127.0.0.1:$RELAY_PORT" --control "$CONTROL" --log-level debug "$@" \
    >>"$WORK/relay.log" 2>&1 &
  RELAY_PID=$!
  local i
  for i in $(seq 50); do
    ctl ping >/dev/null 2>&1 && return 0
    kill -0 "$RELAY_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "relay did not start:"; tail -20 "$WORK/relay.log"
  return 1
}

relay_stop() {
  [[ -n "$RELAY_PID" ]] || return 0
  kill -TERM "$RELAY_PID" 2>/dev/null
  local i
  for i in $(seq 50); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$RELAY_PID" 2>/dev/null
  local status=$?
  RELAY_PID=
  return $status
}

relay_running() { [[ -n "$RELAY_PID" ]] && kill -0 "$RELAY_PID" 2>/dev/null; }

# client NAME ARGS...: runs im-msrp-client in the background, stdout in
# $WORK/NAME.out, stderr in $WORK/NAME.err; its pid lands in $CLIENT_PID.
client() {
  local name=$1; shift
  # An explicit <&0: bash gives background commands /dev/null as stdin otherwise.
  "$CLIENT_BIN" "$@" <&0 >"$WORK/$name.out" 2>"$WORK/$name.err" &
  CLIENT_PID=$!
  BACKGROUND_PIDS+=("$CLIENT_PID")
}

# wait_bound NAME: the client printed its "bound" line.
wait_bound() { eventually grep -q '^bound ' "$WORK/$1.out"; }

# A two-party session: sets path_a, path_b, session and participant_a.
create_relay_session() {
  local reply
  reply=$(ctl SESSION_CREATE relay)
  path_a=$(field path_a <<<"$reply")
  path_b=$(field path_b <<<"$reply")
  session=$(field session <<<"$reply")
  participant_a=$(field participant_a <<<"$reply")
}

# A 1 MB random file.bin, and side B (client b, bound on return) that
# receives one message into b.received and sends "hello from B", both with
# reports: sets b_pid.
start_file_receiver() {
  head -c 1048576 /dev/urandom >"$WORK/file.bin"
  client b --to-path "$path_b" --trace --expect 1 --output "$WORK/b.received" --text "hello from B" \
    --success-report --timeout 30
  b_pid=$CLIENT_PID
  wait_bound b
}

# A second two-party session whose side B (client b2, bound when this
# returns) accepts text/plain only: sets path_a2, path_b2 and b2_pid.
start_text_only_session() {
  local reply
  reply=$(ctl SESSION_CREATE relay)
  path_a2=$(field path_a <<<"$reply")
  path_b2=$(field path_b <<<"$reply")
  client b2 --to-path "$path_b2" --accept-types "text/plain" --expect 1 --timeout 20
  b2_pid=$CLIENT_PID
  wait_bound b2
}

# exits_with CODE PID: the background process ended with that status.
exits_with() { local code=$1 pid=$2; wait "$pid"; [[ $? -eq $code ]]; }

# kamailio_msrp_start CFG [KAMAILIO ARGS...]: Kamailio with its msrp module as
# an MSRP relay (the interop test and the benchmark), listening on
# KAMAILIO_PORT; its pid in KAMAILIO_PID, stopped by cleanup.
KAMAILIO_MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
KAMAILIO_PID=
kamailio_msrp_start() {
  local cfg=$1
  shift
  mkdir -p "$WORK/kamailio"
  kamailio -f "$cfg" -DD -E -m 64 -P "$WORK/kamailio.pid" -Y "$WORK/kamailio" -L "$KAMAILIO_MODULES" "$@" \
    >"$WORK/kamailio.log" 2>&1 &
  KAMAILIO_PID=$!
  BACKGROUND_PIDS+=("$KAMAILIO_PID")
  local i
  for i in $(seq 50); do
    (: <"/dev/tcp/127.0.0.1/$KAMAILIO_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "kamailio did not start:"; tail -5 "$WORK/kamailio.log"; return 1
}

cleanup() {
  local pid
  for pid in "${BACKGROUND_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  relay_stop
}
trap cleanup EXIT

finish() {
  cleanup
  trap - EXIT
  echo "$passed passed, $failed failed"
  if ((failed == 0)); then rm -rf "$WORK"; exit 0; fi
  echo "relay log and client output kept in $WORK"
  exit 1
}
