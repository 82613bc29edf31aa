# Shared by the benchmark scripts (after tests/integration/lib/lib.sh).

# kamailio_ticks NAME: clock ticks (user + system) of every process of one
# Kamailio of the deployment, NAME "im" (the IM server) or "core".
kamailio_ticks() {
  local total=0 pid
  for pid in $(pgrep -f -- "-P $IM_RUN_DIR/$1.pid"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# us_per TICKS COUNT: microseconds of CPU per item.
us_per() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN{printf "%.1f", t * 1e6 / hz / n}'; }

# local_requests: requests the IM server (or imc in its place) sent as a UAC
# so far (tm's total_local): its copies.
local_requests() { kamcmd tm.stats | awk '$1 == "total_local:" {print $2}'; }
