#!/usr/bin/env bash
# Benchmark (issue 3): one-to-one pager-mode MESSAGEs through the SIP/IP core
# and the IM server (originating and terminating passes, settings, policy,
# access list and registration looked up per message), at rising offered
# rates; then the same topology with the IM server replaced by plain
# t_relay() (etc/bench/im-relay-only.cfg). For each, the highest rate
# sustained: under 1% failed MESSAGEs and delivered at >= 95% of the offered
# rate. Prints a table and the ratio.
#
#   bench/participating.sh [rates...]     (default: 500 1000 ... 6000)
# Needs a built tree (scripts/test or scripts/im-server built it).
source "$(dirname "$0")/../tests/integration/lib/lib.sh"
source "$(dirname "$0")/bench_lib.sh"
export IM_SKIP_BUILD=1 IM_LOG_LEVEL=1 IM_LOG_PREFIX=0 IM_CHILDREN=${IM_CHILDREN:-4} IM_SHM_MB=${IM_SHM_MB:-1024}
RATES=("${@:-500 1000 1500 2000 2400 2700 3000 3200 3400 3600 3800 4000 4500 5000}")
read -r -a RATES <<<"${RATES[*]}"
SECONDS_PER_STEP=${SECONDS_PER_STEP:-5}
USERS=100

CPU_RATE=${CPU_RATE:-1000}

make_files() {
  printf 'SEQUENTIAL\n' >"$WORK/users.csv"; printf 'SEQUENTIAL\n' >"$WORK/pairs.csv"
  for i in $(seq 1 $USERS); do
    echo "user$i;127.0.0.1:5090" >>"$WORK/users.csv"
    echo "user$i;user$(( i % USERS + 1 ))" >>"$WORK/pairs.csv"
  done
}

# run_topology NAME: prints "rate offered achieved failed%" lines; sets BEST.
run_topology() {
  local name=$1
  im_start || { echo "cannot start $name"; return 1; }
  sipp 127.0.0.1:5060 -sf "$LIB_DIR/register-csv.xml" -inf "$WORK/users.csv" -i 127.0.0.1 -p 0 -m $USERS -r 500 \
    -timeout 30s -timeout_error -nostdin >/dev/null 2>&1 || { echo "registration failed"; im_stop; return 1; }
  sleep 0.5
  sipp -sf "$LIB_DIR/uas-many-plain.xml" -i 127.0.0.1 -p 5090 -nostdin -bg >/dev/null 2>&1
  sleep 0.3
  # CPU the IM server's own processes spend per message, at a fixed rate.
  local ticks_before ticks_after n_cpu=$((CPU_RATE * 10))
  ticks_before=$(kamailio_ticks im)
  sipp 127.0.0.1:5060 -sf "$LIB_DIR/message-csv.xml" -inf "$WORK/pairs.csv" -i 127.0.0.1 -p 0 -m "$n_cpu" \
    -r "$CPU_RATE" -l $((CPU_RATE * 2)) -timeout 60s -nostdin >/dev/null 2>&1
  ticks_after=$(kamailio_ticks im)
  CPU_US=$(us_per $((ticks_after - ticks_before)) "$n_cpu")
  printf '%-12s CPU of the IM-server processes: %s us per MESSAGE (%d MESSAGEs at %d/s)\n' "$name" "$CPU_US" "$n_cpu" "$CPU_RATE"
  sleep 1
  BEST=0
  for rate in "${RATES[@]}"; do
    local n=$((rate * SECONDS_PER_STEP)) start end ok failed
    start=$(date +%s.%N)
    sipp 127.0.0.1:5060 -sf "$LIB_DIR/message-csv.xml" -inf "$WORK/pairs.csv" -i 127.0.0.1 -p 0 -m "$n" -r "$rate" \
      -l $((rate * 2)) -timeout $((SECONDS_PER_STEP * 4))s -nostdin -trace_stat -stf "$WORK/$name-$rate.csv" \
      >"$WORK/$name-$rate.out" 2>&1
    end=$(date +%s.%N)
    ok=$(tail -1 "$WORK/$name-$rate.csv" | awk -F';' '{print $16}')      # SuccessfulCall(C)
    failed=$(tail -1 "$WORK/$name-$rate.csv" | awk -F';' '{print $18}')  # FailedCall(C)
    ok=${ok:-0}; failed=$((n - ok))
    local achieved pct
    achieved=$(awk -v ok="$ok" -v s="$start" -v e="$end" 'BEGIN{printf "%.0f", ok/(e-s)}')
    pct=$(awk -v f="$failed" -v n="$n" 'BEGIN{printf "%.2f", 100*f/n}')
    printf '%-12s offered %5d/s  delivered %5d/s  failed %6s%%\n' "$name" "$rate" "$achieved" "$pct"
    # Sustained: under 1% failed, and delivered at the offered rate (a SUT that
    # falls behind completes everything late, through retransmissions).
    if awk -v p="$pct" -v a="$achieved" -v r="$rate" 'BEGIN{exit !(p < 1 && a >= 0.95 * r)}'; then BEST=$rate; else break; fi
    sleep 1
  done
  pkill -f "sipp -sf $LIB_DIR/uas-many-plain.xml" || true
  im_stop
}

make_files
echo "== IM server (im_participating, ${IM_CHILDREN} workers per Kamailio)"
run_topology im-server; im_best=$BEST; im_cpu=$CPU_US
echo "== plain t_relay() in the IM server's place"
IM_SERVER_CFG="$IM_SOURCE_DIR/etc/bench/im-relay-only.cfg" run_topology relay-only; relay_best=$BEST; relay_cpu=$CPU_US
ratio=$(awk -v a="$im_best" -v b="$relay_best" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }')
echo "highest sustained rate (<1% failed, >=95% of offered delivered): IM server $im_best/s, plain relay $relay_best/s, ratio $ratio"
echo "CPU per MESSAGE in the IM server's place: IM server $im_cpu us, plain relay $relay_cpu us"
[[ -n ${KEEP_WORK:-} ]] && echo "kept $WORK" || rm -rf "$WORK"
trap - EXIT
