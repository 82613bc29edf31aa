#!/usr/bin/env bash
# Benchmark (issue 5): MSRP through a two-party relay session of
# im-msrp-relay, and through Kamailio's packaged msrp module configured as a
# plain RFC 4976 relay (etc/bench/kamailio-msrp.cfg), with im-msrp-client at
# both ends. For each relay and chunk size: a file of SIZE_MB megabytes from
# A to B (must arrive byte-identical), then MESSAGES small text messages.
# Prints MB/s, messages/s and the relay's CPU time per MB / per message.
#
#   bench/msrp.sh [chunk sizes...]      (default: 2048 8192 16384 65536)
#   SIZE_MB=32 MESSAGES=10000 bench/msrp.sh   (the defaults)
# Needs a built tree (IM_BUILD_DIR, default build/) and kamailio with its
# msrp module. Ports: 12865 (im-msrp-relay), 12870 (Kamailio).
RELAY_PORT=12865
KAMAILIO_PORT=12870
source "$(dirname "$0")/../tests/integration/lib/relay_lib.sh"
CHUNKS=("${@:-2048 8192 16384 65536}")
read -r -a CHUNKS <<<"${CHUNKS[*]}"
SIZE_MB=${SIZE_MB:-32}
MESSAGES=${MESSAGES:-10000}
KAMAILIO_MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
KAMAILIO_PID=

head -c $((SIZE_MB * 1048576)) /dev/urandom >"$WORK/file.bin"
for i in $(seq "$MESSAGES"); do echo "message $i of a benchmark run, about sixty bytes long."; done >"$WORK/lines.txt"

# CPU clock ticks (user + system) of the given processes.
ticks() {
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
  echo "$total"
}
relay_pids() {
  if [[ $1 == kamailio ]]; then pgrep -f -- "-P $WORK/kamailio.pid"; else echo "$RELAY_PID"; fi
}

kamailio_start() {
  mkdir -p "$WORK/kamailio"
  kamailio -f "$IM_SOURCE_DIR/etc/bench/kamailio-msrp.cfg" -DD -E -m 64 -P "$WORK/kamailio.pid" -Y "$WORK/kamailio" \
    -L "$KAMAILIO_MODULES" >"$WORK/kamailio.log" 2>&1 &
  KAMAILIO_PID=$!
  local i
  for i in $(seq 50); do
    (: <"/dev/tcp/127.0.0.1/$KAMAILIO_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "kamailio did not start:"; tail -5 "$WORK/kamailio.log"; return 1
}
kamailio_stop() {
  [[ -n "$KAMAILIO_PID" ]] && kill "$KAMAILIO_PID" 2>/dev/null && wait "$KAMAILIO_PID" 2>/dev/null
  KAMAILIO_PID=
}

# paths RELAY KEY: sets A_PATH (without B's URI) and B_PATH for a new session.
paths() {
  if [[ $1 == kamailio ]]; then
    A_PATH="msrp://127.0.0.1:$KAMAILIO_PORT/s$2;tcp"; B_PATH=$A_PATH
  else
    local reply; reply=$(ctl SESSION_CREATE relay)
    A_PATH=$(field path_a <<<"$reply"); B_PATH=$(field path_b <<<"$reply")
  fi
}

# run RELAY NAME EXPECT SENDER-ARGS...: B listens, A sends; prints "seconds cpu_ms" or "FAIL reason".
run() {
  local relay=$1 name=$2 expect=$3; shift 3
  paths "$relay" "$name"
  "$CLIENT_BIN" --to-path "$B_PATH" --expect "$expect" --output "$WORK/$name.received" --timeout 60 \
    >"$WORK/$name-b.out" 2>"$WORK/$name-b.err" &
  local receiver=$! i
  for i in $(seq 50); do grep -q '^bound ' "$WORK/$name-b.out" && break; sleep 0.1; done
  local b_uri; b_uri=$(sed -n 's/^bound //p' "$WORK/$name-b.out")
  local pids; pids=$(relay_pids "$relay")
  # shellcheck disable=SC2086
  local t0 c0 t1 c1; t0=$(date +%s.%N); c0=$(ticks $pids)
  "$CLIENT_BIN" --to-path "$A_PATH $b_uri" --timeout 60 "$@" >"$WORK/$name-a.out" 2>"$WORK/$name-a.err"
  local sent=$?
  wait "$receiver"; local received=$?
  # shellcheck disable=SC2086
  t1=$(date +%s.%N); c1=$(ticks $pids)
  if ((sent != 0 || received != 0)); then
    echo "FAIL $(cat "$WORK/$name-a.err" "$WORK/$name-b.err" | head -1)"; return
  fi
  awk -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN{printf "%.3f %.1f\n", t1 - t0, c * 1000 / hz}'
}

report_file() {  # report_file RELAY CHUNK
  local result; result=$(run "$1" "file-$1-$2" 1 --file "$WORK/file.bin" --chunk-size "$2")
  if [[ $result == FAIL* ]] || ! cmp -s "$WORK/file.bin" "$WORK/file-$1-$2.received"; then
    printf '%-16s %-10s %9s  %s\n' "$1" "$2" "failed" "${result#FAIL }"
    return
  fi
  read -r seconds cpu <<<"$result"
  printf '%-16s %-10s %9s  %8.1f MB/s  %6.1f ms CPU/MB\n' "$1" "$2" "ok" \
    "$(awk -v s="$seconds" -v m="$SIZE_MB" 'BEGIN{print m / s}')" "$(awk -v c="$cpu" -v m="$SIZE_MB" 'BEGIN{print c / m}')"
}

report_messages() {  # report_messages RELAY
  local result; result=$(run "$1" "text-$1" "$MESSAGES" --stdin <"$WORK/lines.txt")
  if [[ $result == FAIL* ]]; then printf '%-16s %-10s %9s  %s\n' "$1" "text" "failed" "${result#FAIL }"; return; fi
  read -r seconds cpu <<<"$result"
  printf '%-16s %-10s %9s  %8.0f msg/s  %6.1f us CPU/msg\n' "$1" "text" "ok" \
    "$(awk -v s="$seconds" -v n="$MESSAGES" 'BEGIN{print n / s}')" \
    "$(awk -v c="$cpu" -v n="$MESSAGES" 'BEGIN{print c * 1000 / n}')"
}

relay_start --log-level warn || finish
kamailio_start || { relay_stop; finish; }
echo "MSRP relay benchmark: $SIZE_MB MB file per chunk size, $MESSAGES text messages; A -> relay -> B on loopback"
printf '%-16s %-10s %9s  %s\n' relay chunk result throughput
for chunk in "${CHUNKS[@]}"; do
  report_file im-msrp-relay "$chunk"
  report_file kamailio "$chunk"
done
report_messages im-msrp-relay
report_messages kamailio
kamailio_stop
cleanup
trap - EXIT
rm -rf "$WORK"
