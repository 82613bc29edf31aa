# The check counting every integration test shares (sourced by lib.sh and
# relay_lib.sh after they set WORK).
passed=0
failed=0

check() {  # check "description" command...
  local what=$1; shift
  if "$@" >>"$WORK/checks.log" 2>&1; then
    passed=$((passed + 1)); echo "ok   - $what"
  else
    failed=$((failed + 1)); echo "FAIL - $what (see $WORK)"
  fi
}

# eventually COMMAND...: retries for up to 5 s; for state that follows a
# request asynchronously (the core's third-party REGISTER, a relay restart).
eventually() {
  local i
  for i in $(seq 50); do "$@" && return 0; sleep 0.1; done
  "$@"
}
