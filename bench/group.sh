#!/usr/bin/env bash
# Benchmark (issue 4): MESSAGEs to a 100-member pre-defined group at rising
# offered rates; deliveries per second that reach a SIPp receiver registered
# at the core for all members, and lost copies. Baseline in the same run and
# topology: Kamailio's imc module (etc/bench/imc.cfg) in the IM server's
# place with a 100-member room, its copies through the same core.
#
#   bench/group.sh [rates...]   group MESSAGEs per second, each rate until one
#                               is not sustained (default 50 100 ... 1000)
#   ROUNDS=N                    N rounds, each running both sides, the order
#                               alternating; the result is the median (default 3:
#                               a single run moves by 10% on a shared machine)
#   IMC_FIRST=1                 run the baseline first in the first round
#   ONLY=ours | ONLY=imc        one side only (profiling)
#   SIPP_NICE=-10               the receiving SIPp's nice value (default 0): it
#                               stands in for 100 devices in one process, and on
#                               two CPUs shared with every Kamailio worker it can
#                               fall behind and drop copies itself
#   IM_UDP_BUFFER=BYTES         UDP receive buffer of both Kamailios and the
#                               receiving SIPp (default 16 MB; the script raises
#                               net.core.rmem_max and wmem_max to it when lower)
#   IMC_CFG=FILE                another config for the imc baseline
source "$(dirname "$0")/../tests/integration/lib/lib.sh"
source "$(dirname "$0")/bench_lib.sh"
# 6 GB of shared memory for each Kamailio: tm keeps every transaction 5 s
# after its final reply. With 1 GB the core ran out of shared memory
# (build_cell(): could not allocate shared memory) at about 15,400 copies/s
# whichever server sent them, and with 4 GB a Kamailio of the imc topology
# ran out at 65,000 copies/s on a faster machine: that, not the CPU, then
# decided the rate.
export IM_SKIP_BUILD=1 IM_LOG_LEVEL=1 IM_LOG_PREFIX=0 IM_CHILDREN=${IM_CHILDREN:-4} IM_SHM_MB=${IM_SHM_MB:-6144}
read -r -a RATES <<<"${*:-50 100 150 200 250 300 350 400 450 500 550 600 650 700 750 800 850 900 950 1000}"
ROUNDS=${ROUNDS:-3}
SECONDS_PER_STEP=${SECONDS_PER_STEP:-5}
# Receive buffers for the copies' bursts: 16 MB holds about half a second of
# copies at 25,000/s. With 4 MB, a consumer descheduled for about 0.1 s on
# the two shared CPUs dropped a burst, tm's retransmissions of the dropped
# copies added load, and where a run collapsed moved by several thousand
# copies/s from run to run for either server. A fresh system's
# net.core.rmem_max (208 KB) would cap every socket far below that.
export IM_UDP_BUFFER=${IM_UDP_BUFFER:-16777216}
for limit in net.core.rmem_max net.core.wmem_max; do
  if (($(sysctl -n "$limit") < IM_UDP_BUFFER)); then
    # Global, so only from the host's network namespace.
    sysctl -q -w "$limit=$IM_UDP_BUFFER" 2>/dev/null && echo "raised $limit to $IM_UDP_BUFFER" ||
      echo "warning: cannot raise $limit (set it on the host): buffers stay at $(sysctl -n "$limit") bytes"
  fi
done
MEMBERS=100

printf 'SEQUENTIAL\n' >"$WORK/users.csv"
echo "sender;127.0.0.1:5091" >>"$WORK/users.csv"
for i in $(seq 1 $MEMBERS); do echo "member$i;127.0.0.1:5090" >>"$WORK/users.csv"; done
printf 'SEQUENTIAL\nsender;bench\n' >"$WORK/send.csv"

# UDP datagrams dropped so far for lack of receive buffer, by every socket of
# the namespace (the copies' bursts overflow the core's delivery socket
# first; tm then retransmits them late).
udp_drops() { awk '$1 == "Udp:" && $6 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp; }
# Drops so far by local port (the sockets still open), "port:drops ...".
udp_drops_by_port() {
  local _sl local_address _rest drops
  while read -r _sl local_address _rest; do
    drops=${_rest##* }
    [[ $drops =~ ^[0-9]+$ ]] && ((drops > 0)) && printf '%d:%d ' "$((16#${local_address#*:}))" "$drops"
  done < <(tail -n +2 /proc/net/udp)
}

register_all() {
  sipp 127.0.0.1:5060 -sf "$LIB_DIR/register-csv.xml" -inf "$WORK/users.csv" -i 127.0.0.1 -p 0 -m $((MEMBERS + 1)) \
    -r 500 -timeout 30s -timeout_error -nostdin >/dev/null 2>&1
}

# run_topology NAME: one line per rate; sets BEST (deliveries/s with < 1% lost
# copies) and STEP_CPU[rate] ("server core SIPp", us of CPU per delivered copy)
# for every rate sustained.
declare -A STEP_CPU
run_topology() {
  local name=$1
  im_start || { echo "cannot start $name"; return 1; }
  register_all || { echo "registration failed"; im_stop; return 1; }
  if [[ $name == im-server ]]; then
    kamcmd im_controlling.group_create sip:bench@example.com Bench >/dev/null
    kamcmd im_controlling.group_member_add sip:bench@example.com sip:sender@example.com >/dev/null
    for i in $(seq 1 $MEMBERS); do kamcmd im_controlling.group_member_add sip:bench@example.com "sip:member$i@example.com" >/dev/null; done
  fi
  sleep 0.5
  BEST=0 STEP_CPU=()
  # The first step is a warm-up, not counted: every worker process of both
  # Kamailios touches its shared-memory pages for the first time and fills
  # its caches, which made the first measured step of a run up to a third
  # more expensive than the same rate later.
  local step=0 rate warmup
  for rate in "${RATES[0]}" "${RATES[@]}"; do
    warmup=$((step++ == 0))
    local im_ticks core_ticks sent0 sent drops0
    im_ticks=$(kamailio_ticks im) core_ticks=$(kamailio_ticks core) sent0=$(local_requests) drops0=$(udp_drops)
    local n=$((rate * SECONDS_PER_STEP)) expected start end received lost achieved pct
    expected=$((n * MEMBERS))
    /usr/bin/time -f '%U %S' -o "$WORK/$name-$rate-uas.time" \
      nice -n "${SIPP_NICE:-0}" sipp -sf "$LIB_DIR/uas-many-plain.xml" -i 127.0.0.1 -p 5090 -buff_size "$IM_UDP_BUFFER" -m "$expected" -timeout $((SECONDS_PER_STEP * 3 + 10))s \
      -nostdin -trace_stat -stf "$WORK/$name-$rate-uas.csv" -fd 1 >/dev/null 2>&1 &
    local uas=$!
    sleep 0.3
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$WORK/$name-$rate-uac.time" sipp 127.0.0.1:5060 -sf "$LIB_DIR/message-group-csv.xml" -inf "$WORK/send.csv" -i 127.0.0.1 -p 0 -m "$n" -r "$rate" \
      -l $((rate * 4)) -timeout $((SECONDS_PER_STEP * 3))s -nostdin >"$WORK/$name-$rate.out" 2>&1
    wait "$uas"
    end=$(date +%s.%N)
    received=$(tail -1 "$WORK/$name-$rate-uas.csv" | awk -F';' '{print $16}')
    received=${received:-0}
    # Copies the IM server (or imc) sent: more than expected means a group
    # MESSAGE was exploded twice (a retransmission not absorbed), and the
    # receiver counted duplicates as deliveries.
    sent=$(($(local_requests) - sent0))
    lost=$((expected - received))
    achieved=$(awk -v r="$received" -v s="$start" -v e="$end" 'BEGIN{printf "%.0f", r/(e-s)}')
    pct=$(awk -v l="$lost" -v n="$expected" 'BEGIN{printf "%.2f", 100*l/n}')
    local step_im=- step_core=- step_sipp=-
    if ((received > 0)); then
      step_im=$(us_per $(($(kamailio_ticks im) - im_ticks)) "$received")
      step_core=$(us_per $(($(kamailio_ticks core) - core_ticks)) "$received")
      step_sipp=$(awk -v n="$received" '{t += $1 + $2} END {printf "%.1f", t * 1e6 / n}' "$WORK/$name-$rate-uas.time" "$WORK/$name-$rate-uac.time")
    fi
    local drops=$(($(udp_drops) - drops0)) shm_errors
    # Out of shared memory in either Kamailio (a transaction not created).
    shm_errors=$(grep -c 'could not allocate shared memory\|cannot alloc.* shmem\|out of mem' "$WORK/deployment.log")
    if ((warmup)); then
      printf '%-10s %4d group msgs/s: warm-up, %d of %d copies delivered (%d/s); CPU us/copy %s + core %s + SIPp %s\n' \
        "$name" "$rate" "$received" "$expected" "$achieved" "$step_im" "$step_core" "$step_sipp"
      sleep 2
      continue
    fi
    printf '%-10s %4d group msgs/s offered: %6d of %6d copies delivered (%6d/s), lost %6s%%, %6d sent, %d UDP drops%s; CPU us/copy %s + core %s + SIPp %s\n' \
      "$name" "$rate" "$received" "$expected" "$achieved" "$pct" "$sent" "$drops" \
      "$( ((drops > 0)) && echo " (so far by port: $(udp_drops_by_port))")$( ((shm_errors > 0)) && echo ", $shm_errors out-of-shared-memory errors in the log so far")" \
      "$step_im" "$step_core" "$step_sipp"
    # Sustained: under 1% lost copies, delivered at >= 95% of the offered
    # copy rate, no copy sent twice.
    if ((sent <= expected)) && awk -v p="$pct" -v a="$achieved" -v r="$((rate * MEMBERS))" 'BEGIN{exit !(p < 1 && a >= 0.95 * r)}'; then
      BEST=$((rate * MEMBERS)) STEP_CPU[$rate]="$step_im $step_core $step_sipp"
    else
      break
    fi
    sleep 2
  done
  im_stop
}

run_ours() {
  echo "== IM server: im_controlling exploder, each copy through the recipient's terminating function"
  rm -rf "$WORK/data"  # every run creates its group anew
  run_topology im-server
  OURS+=("$BEST")
  keep_step_cpu OURS_CPU
}
run_imc() {
  echo "== Kamailio imc, copies through the same core"
  local db="$WORK/data/im.db" f i
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  for f in "$IM_SOURCE_DIR"/sql/*-create.sql /usr/share/kamailio/db_sqlite/imc-create.sql; do sqlite3 "$db" <"$f"; done
  {
    echo "BEGIN; INSERT INTO imc_rooms (name, domain, flag) VALUES ('bench', 'example.com', 0);"
    echo "INSERT INTO imc_members (username, domain, room, flag) VALUES ('sender', 'example.com', 'sip:bench@example.com', 1);"
    for i in $(seq 1 $MEMBERS); do echo "INSERT INTO imc_members (username, domain, room, flag) VALUES ('member$i', 'example.com', 'sip:bench@example.com', 0);"; done
    echo "COMMIT;"
  } | sqlite3 "$db"
  IM_SERVER_CFG="${IMC_CFG:-$IM_SOURCE_DIR/etc/bench/imc.cfg}" run_topology imc
  THEIRS+=("$BEST")
  keep_step_cpu THEIRS_CPU
}
# Appends the last run's STEP_CPU to a side's per-rate CPU (OURS_CPU or THEIRS_CPU: "run;run;...").
keep_step_cpu() {
  local -n cpu_by_rate=$1
  local rate
  for rate in "${!STEP_CPU[@]}"; do cpu_by_rate[$rate]+="${STEP_CPU[$rate]};"; done
}
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# "a b c;a b c;..." -> the median of each column, "a + b + c"
median_cpu() {
  local runs=$1 col out=() values
  for col in 1 2 3; do
    mapfile -t values < <(tr ';' '\n' <<<"$runs" | awk -v c=$col 'NF {print $c}')
    out+=("$(median "${values[@]}")")
  done
  echo "${out[0]} + core ${out[1]} + SIPp ${out[2]}"
}
# Rounds alternate the order (IMC_FIRST=1: the baseline first in round 1);
# ONLY=ours or ONLY=imc runs one side (for profiling; no ratio).
OURS=() THEIRS=() RATIOS=()
declare -A OURS_CPU THEIRS_CPU
for round in $(seq 1 "$ROUNDS"); do
  ((ROUNDS > 1)) && echo "== round $round of $ROUNDS"
  imc_first=$((round % 2 == 0))
  [[ -n ${IMC_FIRST:-} ]] && imc_first=$((!imc_first))
  case ${ONLY:-} in
  ours) run_ours ;;
  imc) run_imc ;;
  *) if ((imc_first)); then run_imc; run_ours; else run_ours; run_imc; fi
     RATIOS+=("$(ratio_of "${OURS[-1]}" "${THEIRS[-1]}")")
     echo "round $round: IM server ${OURS[-1]}/s, imc ${THEIRS[-1]}/s, ratio ${RATIOS[-1]}" ;;
  esac
done
ours=$(median "${OURS[@]}") theirs=$(median "${THEIRS[@]}")
ratio=$(ratio_of "$ours" "$theirs")
# CPU per copy at the highest rate every run sustained (a run sustains a
# prefix of the rates, so that rate has one entry per run on each side).
common=
for rate in "${RATES[@]}"; do
  runs_ours=$(tr -cd ';' <<<"${OURS_CPU[$rate]:-}") runs_theirs=$(tr -cd ';' <<<"${THEIRS_CPU[$rate]:-}")
  ((${#runs_ours} == ${#OURS[@]} && ${#runs_theirs} == ${#THEIRS[@]})) && common=$rate
done
cpu_ours=() cpu_theirs=()
[[ ${ONLY:-} != imc && -n $common ]] && cpu_ours=("IM server $(median_cpu "${OURS_CPU[$common]}")")
[[ ${ONLY:-} != ours && -n $common ]] && cpu_theirs=("imc $(median_cpu "${THEIRS_CPU[$common]}")")
[[ -n $common ]] && echo "CPU per delivered copy at $common group msgs/s, median of the runs (us): ${cpu_ours[*]}${cpu_ours:+${cpu_theirs:+, }}${cpu_theirs[*]}"
case ${ONLY:-} in
ours) echo "highest sustained delivery rate (<1% lost copies, >=95% of offered): IM server ${OURS[*]} (median ${ours}/s)" ;;
imc) echo "highest sustained delivery rate (<1% lost copies, >=95% of offered): imc ${THEIRS[*]} (median ${theirs}/s)" ;;
*) echo "per round: IM server ${OURS[*]}, imc ${THEIRS[*]}, ratios ${RATIOS[*]}"
   echo "highest sustained delivery rate (<1% lost copies, >=95% of offered), median of $ROUNDS round(s): IM server ${ours}/s, imc ${theirs}/s, ratio $ratio (median of the rounds' ratios: $(median "${RATIOS[@]}" | awk '$1 + 0 == $1 {printf "%.2f", $1; next} {print}'))" ;;
esac
[[ -n ${KEEP_WORK:-} ]] && echo "kept $WORK" || rm -rf "$WORK"
trap - EXIT
