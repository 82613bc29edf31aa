#!/usr/bin/env bash
# Benchmark (issue 5): MSRP through a two-party relay session of
# im-msrp-relay, and through Kamailio's packaged msrp module configured as a
# plain RFC 4976 relay (etc/bench/kamailio-msrp.cfg, its TCP write queues
# raised with RAISED_QUEUES so that it does not drop a connection), with
# im-msrp-client at both ends. For each relay and chunk size: a file of
# SIZE_MB megabytes from A to B (must arrive byte-identical); then MESSAGES
# messages of 1 KB, each chunk answered 200. Prints MB/s, messages/s, the
# relay's CPU per MB / per message and the ratios. Then ours alone: the
# conference switch's fan-out (deliveries/s with 10 and 50 participants) and
# the resident memory per idle session.
#
#   bench/msrp.sh [chunk sizes...]      (default: 8192 65536; Kamailio only
#                                        for chunks up to 8 KB, its frame limit)
#   SIZE_MB=100 MESSAGES=10000 ROUNDS=5 FANOUT_MESSAGES=500 IDLE_SESSIONS=5000 bench/msrp.sh
#                                       (the defaults; FANOUT_MESSAGES=0 or IDLE_SESSIONS=0 skip
#                                        those parts; the single-session figures are measured
#                                        ROUNDS times, alternating, and compared by their medians)
# Every transfer also prints each client's CPU per unit (sender, receiver).
# The receiving client checks what arrives against the file sent (--verify:
# compared in memory, nothing written) for both relays; RECEIVE=output has
# it write the payloads into tmpfs (--output) and compares them with cmp
# afterwards, as this benchmark did before (the write was half of the
# receiver's CPU).
# Needs a built tree (IM_BUILD_DIR, default build/) and kamailio with its
# msrp module. Ports: 12865 (im-msrp-relay), 12870 (Kamailio).
RELAY_PORT=12865
KAMAILIO_PORT=12870
# Files sent and received live in tmpfs: the receiving client writes a line
# per message (and with RECEIVE=output the 100 MB) for either relay, and a
# disk's write-back under other load would blur what is compared.
IM_WORK_PARENT=${IM_WORK_PARENT:-/dev/shm}
source "$(dirname "$0")/../tests/integration/lib/relay_lib.sh"
# Whatever ends the run, the 100 MB files leave tmpfs (logs stay for a look).
trap 'cleanup; rm -f "$WORK"/file*.bin "$WORK"/*.received "$WORK"/lines.payload' EXIT
CHUNKS=("${@:-8192 65536}")
read -r -a CHUNKS <<<"${CHUNKS[*]}"
SIZE_MB=${SIZE_MB:-100}
MESSAGES=${MESSAGES:-10000}
FANOUT_MESSAGES=${FANOUT_MESSAGES:-500}
IDLE_SESSIONS=${IDLE_SESSIONS:-5000}
ROUNDS=${ROUNDS:-5}
RECEIVE=${RECEIVE:-verify}

head -c $((SIZE_MB * 1048576)) /dev/urandom >"$WORK/file.bin"
filler=$(head -c 1000 /dev/zero | tr '\0' 'x')
for i in $(seq "$MESSAGES"); do printf 'message %06d %s\n' "$i" "$filler"; done | cut -c1-1024 >"$WORK/lines.txt"
# What the receiver of the lines outputs: their payloads back to back.
tr -d '\n' <"$WORK/lines.txt" >"$WORK/lines.payload"

# CPU time in microseconds of the given processes, all their threads
# (schedstat counts nanoseconds on the CPU; /proc/PID/stat's 10 ms ticks
# were too coarse for the 0.1 s a relay spends on 10000 messages).
ticks() {
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ns += $1} END {printf "%d", ns / 1000}')))
  done
  echo "$total"
}
relay_pids() {
  if [[ $1 == kamailio ]]; then pgrep -f -- "-P $WORK/kamailio.pid"; else echo "$RELAY_PID"; fi
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

# run RELAY NAME EXPECT EXPECTED-FILE SENDER-ARGS...: B listens, A sends;
# prints "seconds cpu_ms cpu_a_ms cpu_b_ms" or "FAIL reason". B's payloads
# must equal EXPECTED-FILE (checked by B itself, or with RECEIVE=output by
# the caller from NAME.received).
run() {
  local relay=$1 name=$2 expect=$3 expected=$4; shift 4
  paths "$relay" "$name"
  local receive=(--verify "$expected")
  [[ $RECEIVE == output ]] && receive=(--output "$WORK/$name.received")
  # Each client's own CPU (user and system seconds, to the millisecond:
  # bash's time) lands in NAME-{a,b}.cpu.
  local TIMEFORMAT='%3U %3S'
  { time "$CLIENT_BIN" --to-path "$B_PATH" --expect "$expect" "${receive[@]}" --timeout 60 \
    >"$WORK/$name-b.out" 2>"$WORK/$name-b.err"; } 2>"$WORK/$name-b.cpu" &
  local receiver=$! i
  for i in $(seq 50); do grep -q '^bound ' "$WORK/$name-b.out" && break; sleep 0.1; done
  local b_uri; b_uri=$(sed -n 's/^bound //p' "$WORK/$name-b.out")
  local pids; pids=$(relay_pids "$relay")
  # shellcheck disable=SC2086
  local t0 c0 t1 c1; t0=$(date +%s.%N); c0=$(ticks $pids)
  { time "$CLIENT_BIN" --to-path "$A_PATH $b_uri" --timeout 60 "$@" >"$WORK/$name-a.out" 2>"$WORK/$name-a.err"; } \
    2>"$WORK/$name-a.cpu"
  local sent=$?
  wait "$receiver"; local received=$?
  # shellcheck disable=SC2086
  t1=$(date +%s.%N); c1=$(ticks $pids)
  if ((sent != 0 || received != 0)); then
    echo "FAIL $(cat "$WORK/$name-a.err" "$WORK/$name-b.err" | head -1)"; return
  fi
  awk -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz=1000000 \
    -v a="$(client_cpu_ms "$WORK/$name-a.cpu")" -v b="$(client_cpu_ms "$WORK/$name-b.cpu")" \
    'BEGIN{printf "%.3f %.1f %.1f %.1f\n", t1 - t0, c * 1000 / hz, a, b}'
}
client_cpu_ms() { awk 'END{printf "%.1f", ($1 + $2) * 1000}' "$1"; }

report_file() {  # report_file RELAY CHUNK
  local result; result=$(run "$1" "file-$1-$2" 1 "$WORK/file.bin" --file "$WORK/file.bin" --chunk-size "$2")
  if [[ $result == FAIL* ]] || { [[ $RECEIVE == output ]] && ! cmp -s "$WORK/file.bin" "$WORK/file-$1-$2.received"; }; then
    printf '%-16s %-10s %9s  %s\n' "$1" "$2" "failed" "${result#FAIL }"
    return
  fi
  rm -f "$WORK/file-$1-$2.received"  # tmpfs: memory
  read -r seconds cpu cpu_a cpu_b <<<"$result"
  printf '%-16s %-10s %9s  %8.1f MB/s  %6.1f ms CPU/MB (clients: sender %.1f, receiver %.1f)\n' "$1" "$2" "ok" \
    "$(awk -v s="$seconds" -v m="$SIZE_MB" 'BEGIN{print m / s}')" "$(awk -v c="$cpu" -v m="$SIZE_MB" 'BEGIN{print c / m}')" \
    "$(awk -v c="$cpu_a" -v m="$SIZE_MB" 'BEGIN{print c / m}')" "$(awk -v c="$cpu_b" -v m="$SIZE_MB" 'BEGIN{print c / m}')"
}

report_messages() {  # report_messages RELAY
  local result; result=$(run "$1" "text-$1" "$MESSAGES" "$WORK/lines.payload" --stdin <"$WORK/lines.txt")
  if [[ $result == FAIL* ]]; then printf '%-16s %-10s %9s  %s\n' "$1" "text" "failed" "${result#FAIL }"; return; fi
  read -r seconds cpu cpu_a cpu_b <<<"$result"
  printf '%-16s %-10s %9s  %8.0f msg/s  %6.1f us CPU/msg (clients: sender %.1f, receiver %.1f)\n' "$1" "text" "ok" \
    "$(awk -v s="$seconds" -v n="$MESSAGES" 'BEGIN{print n / s}')" \
    "$(awk -v c="$cpu" -v n="$MESSAGES" 'BEGIN{print c * 1000 / n}')" \
    "$(awk -v c="$cpu_a" -v n="$MESSAGES" 'BEGIN{print c * 1000 / n}')" "$(awk -v c="$cpu_b" -v n="$MESSAGES" 'BEGIN{print c * 1000 / n}')"
}

# report_fanout N: a conference of N participants; one speaks FANOUT_MESSAGES
# text messages, the N-1 others each receive all of them.
report_fanout() {
  local n=$1 conference i reply path receivers=() pids
  conference=$(ctl SESSION_CREATE conference | field session)
  for i in $(seq "$n"); do
    path=$(ctl SESSION_ADD_PARTICIPANT "$conference" "sip:p$i@example.com" '*' | field path)
    if ((i == 1)); then speaker=$path; continue; fi
    "$CLIENT_BIN" --to-path "$path" --expect "$FANOUT_MESSAGES" --timeout 120 >"$WORK/fan-$n-$i.out" 2>&1 &
    receivers+=($!)
  done
  for i in $(seq 100); do (( $(cat "$WORK"/fan-"$n"-*.out | grep -c '^bound ') == n - 1 )) && break; sleep 0.1; done
  local t0 c0 t1 c1 failed=0
  t0=$(date +%s.%N); c0=$(ticks "$RELAY_PID")
  head -n "$FANOUT_MESSAGES" "$WORK/lines.txt" | cut -c1-100 |
    "$CLIENT_BIN" --to-path "$speaker" --stdin --timeout 120 >"$WORK/fan-$n-speaker.out" 2>&1 || failed=1
  for pid in "${receivers[@]}"; do wait "$pid" || failed=1; done
  t1=$(date +%s.%N); c1=$(ticks "$RELAY_PID")
  ctl SESSION_DELETE "$conference" >/dev/null
  if ((failed)); then printf '%-16s %-10s %9s\n' im-msrp-relay "fan-out $n" failed; return; fi
  local deliveries=$((FANOUT_MESSAGES * (n - 1)))
  printf '%-16s %-10s %9s  %8.0f deliveries/s  %6.1f us CPU/delivery\n' im-msrp-relay "fan-out $n" ok \
    "$(awk -v d="$deliveries" -v t0="$t0" -v t1="$t1" 'BEGIN{print d / (t1 - t0)}')" \
    "$(awk -v c="$((c1 - c0))" -v d="$deliveries" 'BEGIN{print c / d}')"
}

# report_idle_memory: the relay's resident memory per idle two-party session.
report_idle_memory() {
  local before after i
  before=$(awk '/^VmRSS/{print $2}' "/proc/$RELAY_PID/status")
  for i in $(seq "$IDLE_SESSIONS"); do ctl SESSION_CREATE relay >/dev/null || break; done
  after=$(awk '/^VmRSS/{print $2}' "/proc/$RELAY_PID/status")
  printf '%-16s %-10s %9s  %8.0f bytes RSS per idle session (%d sessions, %d kB -> %d kB)\n' im-msrp-relay idle ok \
    "$(awk -v a="$after" -v b="$before" -v n="$IDLE_SESSIONS" 'BEGIN{print (a - b) * 1024 / n}')" "$IDLE_SESSIONS" "$before" "$after"
}

relay_start --log-level warn || finish
kamailio_msrp_start "$IM_SOURCE_DIR/etc/bench/kamailio-msrp.cfg" -A RAISED_QUEUES || { relay_stop; finish; }
echo "MSRP relay benchmark: $SIZE_MB MB file per chunk size, $MESSAGES messages of 1 KB; A -> relay -> B on loopback"
printf '%-16s %-10s %9s  %s\n' relay chunk result throughput
# A 100 MB transfer takes well under a second at these rates, so one
# measurement is noisy: ROUNDS rounds, ours and Kamailio alternating in each,
# and the ratio is taken between the medians. RATE[key] collects the rates.
declare -A RATE
record() { echo "$2"; RATE[$1]+=" $(awk '$3 == "ok" {print $4}' <<<"$2")"; }
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  for chunk in "${CHUNKS[@]}"; do
    record "ours-$chunk" "$(report_file im-msrp-relay "$chunk")"
    if ((chunk <= 8192)); then record "kam-$chunk" "$(report_file kamailio "$chunk")"; fi
  done
  record ours-msg "$(report_messages im-msrp-relay)"
  record kam-msg "$(report_messages kamailio)"
done
kamailio_stop
# median KEY: the median of the rates recorded under KEY (empty if none; a
# failed round records nothing, and counts as failed in the line above).
median() {
  tr ' ' '\n' <<<"${RATE[$1]:-}" | grep -v '^$' | sort -g |
    awk '{a[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
echo "medians of $ROUNDS rounds: 8 KB chunks ours $(median ours-8192) MB/s, kamailio $(median kam-8192) MB/s; 1 KB messages ours $(median ours-msg) msg/s, kamailio $(median kam-msg) msg/s"
if ((FANOUT_MESSAGES > 0)); then
  report_fanout 10
  report_fanout 50
fi
if ((IDLE_SESSIONS > 0)); then
  # A fresh relay, so that freed transfer buffers do not hide the sessions' memory.
  relay_stop
  relay_start --log-level warn || finish
  report_idle_memory
fi
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN{ if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "ratio im-msrp-relay / kamailio (medians): 8 KB chunks $(ratio ours-8192 kam-8192) (MB/s), 1 KB messages $(ratio ours-msg kam-msg) (msg/s); target 1.5"
relay_stop
cleanup
trap - EXIT
rm -rf "$WORK"
