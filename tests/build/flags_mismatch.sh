#!/usr/bin/env bash
# The build must refuse a Kamailio whose compile flags differ from what the
# modules would be built with, and say what differs.
set -uo pipefail
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A stand-in binary: the real `kamailio -v`, less the USE_FUTEX flag.
real=$(kamailio -v)
printf '#!/bin/sh\ncat <<"V"\n%s\nV\n' "$(sed 's/, USE_FUTEX//' <<<"$real")" >"$work/kamailio"
chmod +x "$work/kamailio"

out=$(cmake -S "$src" -B "$work/build" -DKAMAILIO_BIN="$work/kamailio" -DIM_BUILD_TESTS=OFF 2>&1)
rc=$?
fail=0
[[ $rc -ne 0 ]] || { echo "FAIL: configure succeeded against mismatching flags"; fail=1; }
grep -q "compile flags mismatch" <<<"$out" || { echo "FAIL: no mismatch message"; fail=1; }
grep -q "only in derived: USE_FUTEX" <<<"$out" || { echo "FAIL: the differing flag is not named"; fail=1; }

# And the real binary is accepted.
cmake -S "$src" -B "$work/ok" -DIM_BUILD_TESTS=OFF >/dev/null 2>&1 || { echo "FAIL: configure rejects the installed kamailio"; fail=1; }
((fail == 0)) && echo "flag check refuses a mismatch and names USE_FUTEX; accepts the installed binary"
exit $fail
