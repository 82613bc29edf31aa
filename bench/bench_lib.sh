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
