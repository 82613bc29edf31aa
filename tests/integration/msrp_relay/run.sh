#!/usr/bin/env bash
# Two-party MSRP relay (RFC 4976 path handling) with only the relay and our
# client: a 1 MB file in 16 KB, 64 KB and 256 KB chunks arrives byte-identical
# with the right Success REPORT, protocol errors get their status codes, a
# malformed frame closes only its connection, back-pressure holds a fast
# sender without dropping anything, idle connections and sessions time out,
# a msrps (TLS) side talks to a plain one, and a restarted relay serves new
# sessions.
RELAY_PORT=12855
TLS_PORT=12857
source "$(dirname "$0")/../lib/relay_lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=relay.test -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
relay_start --tls-listen "127.0.0.1:$TLS_PORT" --tls-certificate "$WORK/cert.pem" --tls-private-key "$WORK/key.pem" || finish

# --- a relay session and a 1 MB file through it ------------------------------------------
reply=$(ctl SESSION_CREATE relay)
session=$(field session <<<"$reply")
path_a=$(field path_a <<<"$reply")
path_b=$(field path_b <<<"$reply")
check "SESSION_CREATE relay returns the session and one msrp: path per side on the relay's port" \
  bash -c "[[ '$path_a' == msrp://127.0.0.1:$RELAY_PORT/*\;tcp && '$path_b' == msrp://127.0.0.1:$RELAY_PORT/*\;tcp && -n '$session' && '$path_a' != '$path_b' ]]"

head -c 1048576 /dev/urandom >"$WORK/file.bin"
# transfer NAME CHUNK: B listens on path_b, A sends the file to path_a.
transfer() {
  local name=$1 chunk=$2
  client "$name-b" --to-path "$path_b" --expect 1 --output "$WORK/$name.received" --timeout 30
  local receiver=$CLIENT_PID
  wait_bound "$name-b" || return 1
  "$CLIENT_BIN" --to-path "$path_a" --file "$WORK/file.bin" --chunk-size "$chunk" --success-report --timeout 30 \
    >"$WORK/$name-a.out" 2>"$WORK/$name-a.err" || return 1
  wait "$receiver"
}
check "a 1 MB file in 16 KB chunks goes from A to B through the relay (both clients exit 0)" transfer small 16384
check "B received the file byte-identical" cmp "$WORK/file.bin" "$WORK/small.received"
check "A got exactly one Success REPORT, status 200, covering bytes 1-1048576/1048576" bash -c "
  [[ \$(grep -c '^report ' '$WORK/small-a.out') == 1 ]] &&
  grep -q '^report message-id=[^ ]* status=200 byte-range=1-1048576/1048576\$' '$WORK/small-a.out'"
check "the report names the Message-ID A sent and B received" bash -c "
  sent=\$(sed -n 's/^sent message-id=\([^ ]*\) bytes=1048576\$/\1/p' '$WORK/small-a.out')
  [[ -n \$sent ]] && grep -q \"^report message-id=\$sent \" '$WORK/small-a.out' &&
  grep -q \"^message .* bytes=1048576 message-id=\$sent\$\" '$WORK/small-b.out'"
check "B sees A's URI behind the relay's in the From-Path (the relay put path_b in front)" \
  bash -c "grep -q '^message from=msrp://127.0.0.1:[0-9]*/[A-Za-z0-9]*;tcp ' '$WORK/small-b.out'"
check "STATUS counts the 64 chunks, both binds and the REPORT in, and what was forwarded out" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' messages_in=67 ' <<<\"\$s\" && grep -q ' messages_out=66 ' <<<\"\$s\" &&
  [[ \$(sed 's/.* bytes_in=\([0-9]*\).*/\1/' <<<\"\$s\") -gt 1048576 ]] &&
  [[ \$(sed 's/.* bytes_out=\([0-9]*\).*/\1/' <<<\"\$s\") -gt 1048576 ]]"

check "the same file in 64 KB chunks arrives byte-identical" transfer medium 65536
check "  ... identical" cmp "$WORK/file.bin" "$WORK/medium.received"
check "the same file in 256 KB chunks arrives byte-identical" transfer large 262144
check "  ... identical, with the full-range Success REPORT" bash -c "
  cmp '$WORK/file.bin' '$WORK/large.received' &&
  grep -q '^report message-id=[^ ]* status=200 byte-range=1-1048576/1048576\$' '$WORK/large-a.out'"
check "SESSION_SHOW: two participants, none bound once the clients left" \
  eventually bash -c "'$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' | grep -q ' participants=2 bound=0 '"

# --- TLS: A over msrps, B over plain TCP -----------------------------------------------
path_a_plain=$path_a
path_a=$(field path_a_tls <<<"$reply")
check "with tls_listen, SESSION_CREATE also returns msrps: paths on the TLS port" \
  bash -c "[[ '$path_a' == msrps://127.0.0.1:$TLS_PORT/*\;tcp && '$(field path_b_tls <<<"$reply")' == msrps://* ]]"
transfer_tls() {
  client tls-b --to-path "$path_b" --expect 1 --output "$WORK/tls.received" --timeout 30
  local receiver=$CLIENT_PID
  wait_bound tls-b || return 1
  "$CLIENT_BIN" --to-path "$path_a" --ca "$WORK/cert.pem" --file "$WORK/file.bin" --chunk-size 65536 --success-report \
    --timeout 30 >"$WORK/tls-a.out" 2>"$WORK/tls-a.err" || return 1
  wait "$receiver"
}
check "the 1 MB file goes from A over TLS to B over TCP, byte-identical, with its Success REPORT" bash -c "
  $(declare -f transfer_tls client wait_bound eventually); CLIENT_BIN='$CLIENT_BIN' WORK='$WORK' path_a='$path_a' path_b='$path_b'
  transfer_tls && cmp '$WORK/file.bin' '$WORK/tls.received' &&
  grep -q '^report message-id=[^ ]* status=200 byte-range=1-1048576/1048576\$' '$WORK/tls-a.out'"
check "a client that does not trust the relay's certificate is refused (and counted)" bash -c "
  ! '$CLIENT_BIN' --to-path '$path_a' --text x --timeout 5 2>'$WORK/untrusted.err' &&
  grep -q 'certificate verify failed' '$WORK/untrusted.err' &&
  '$CTL_BIN' -s '$CONTROL' status | grep -q ' errors.tls=1 '"
path_a=$path_a_plain

# --- protocol errors on raw connections --------------------------------------------------
# raw_exchange BYTES: send BYTES on a fresh connection, print what comes back within 2 s.
raw_exchange() {
  python3 - "$RELAY_PORT" "$1" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(2)
data = b""
end = time.time() + 2
try:
    while time.time() < end:
        got = s.recv(65536)
        if not got:
            data += b"<closed>"
            break
        data += got
except socket.timeout:
    pass
sys.stdout.write(data.decode("latin-1"))
PY
}
frame() {  # frame TID METHOD TO-PATH
  printf 'MSRP %s %s\\r\\nTo-Path: %s\\r\\nFrom-Path: msrp://127.0.0.1:9/raw1;tcp\\r\\nMessage-ID: msg1\\r\\n-------%s$\\r\\n' "$1" "$2" "$3" "$1"
}
check "an unknown method is answered 501" bash -c "
  $(declare -f raw_exchange frame); RELAY_PORT=$RELAY_PORT
  raw_exchange \"\$(frame t501x FETCH '$path_a')\" | grep -q '^MSRP t501x 501 '"
check "a SEND to a session the relay does not have is answered 481" bash -c "
  $(declare -f raw_exchange frame); RELAY_PORT=$RELAY_PORT
  raw_exchange \"\$(frame t481x SEND 'msrp://127.0.0.1:$RELAY_PORT/nosuchsession1;tcp')\" | grep -q '^MSRP t481x 481 '"
check "a malformed frame closes that connection" bash -c "
  $(declare -f raw_exchange); RELAY_PORT=$RELAY_PORT
  raw_exchange 'MSRP x SEND\\r\\n\\r\\n' | grep -q '<closed>'"
check "... the relay logs why, and keeps serving" bash -c "
  grep -q 'malformed frame (malformed start line' '$WORK/relay.log' && '$CTL_BIN' -s '$CONTROL' ping"
check "random bytes do not hurt the relay" bash -c "
  for i in 1 2 3 4 5; do head -c 70000 /dev/urandom | python3 -c 'import socket,sys; s=socket.create_connection((\"127.0.0.1\",$RELAY_PORT)); s.sendall(sys.stdin.buffer.read()); s.settimeout(1); s.recv(10)' 2>/dev/null; done
  '$CTL_BIN' -s '$CONTROL' ping"
check "STATUS counts the errors by kind" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' errors.unknown_method=1 ' <<<\"\$s\" && grep -q ' errors.no_session=1 ' <<<\"\$s\" &&
  [[ \$(sed 's/.* errors.malformed=\([0-9]*\).*/\1/' <<<\"\$s\") -ge 2 ]]"

# --- back-pressure -------------------------------------------------------------------------
# B binds with a raw socket and then does not read; A sends 32 MB. The relay
# must stop reading from A instead of buffering, keep both connections, and
# deliver everything once B reads.
python3 - "$RELAY_PORT" "$path_b" "$WORK" >"$WORK/slow.out" 2>&1 <<'PY' &
import socket, sys, time, os
port, path, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(("MSRP bindslow SEND\r\nTo-Path: %s\r\nFrom-Path: msrp://127.0.0.1:9/slow1;tcp\r\nMessage-ID: slow1\r\n-------bindslow$\r\n" % path).encode())
open(os.path.join(work, "slow.bound"), "w").close()
while not os.path.exists(os.path.join(work, "slow.go")):
    time.sleep(0.1)
total = 0
s.settimeout(5)
try:
    while True:
        got = s.recv(1 << 20)
        if not got:
            break
        total += len(got)
except socket.timeout:
    pass
print(total)
PY
slow_pid=$!
BACKGROUND_PIDS+=("$slow_pid")
head -c 33554432 /dev/zero >"$WORK/big.bin"
eventually test -e "$WORK/slow.bound"
client fast --to-path "$path_a" --file "$WORK/big.bin" --chunk-size 65536 --timeout 60
fast_pid=$CLIENT_PID
sleep 3
check "while B does not read, the relay pauses A (flow.paused_reads > 0) and A is still sending" bash -c "
  [[ \$('$CTL_BIN' -s '$CONTROL' status | sed 's/.* flow.paused_reads=\([0-9]*\).*/\1/') -gt 0 ]] && kill -0 $fast_pid"
check "the relay has not read the 32 MB (it stops reading instead of buffering)" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status); in=\$(sed 's/.* bytes_in=\([0-9]*\).*/\1/' <<<\"\$s\")
  [[ \$in -lt \$((3 * 1048576 + 24 * 1048576)) ]]"
check "the relay's memory stays small (resident set under 64 MB)" bash -c "
  [[ \$(awk '/^VmRSS/ {print \$2}' /proc/$RELAY_PID/status) -lt 65536 ]]"
check "no connection was dropped (A, B connected)" bash -c "
  [[ \$('$CTL_BIN' -s '$CONTROL' status | sed 's/.* connections=\([0-9]*\).*/\1/') == 2 ]]"
touch "$WORK/slow.go"
check "once B reads, A finishes: every chunk answered 200" exits_with 0 "$fast_pid"
wait "$slow_pid"
check "B received all 32 MB (plus the MSRP framing)" bash -c "[[ \$(cat '$WORK/slow.out') -gt 33554432 ]]"

# --- deleting a session --------------------------------------------------------------------
check "SESSION_DELETE releases the session; its paths get 481 afterwards" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_DELETE '$session' | grep -q '^OK session=$session\$' &&
  ! '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' &&
  '$CLIENT_BIN' --to-path '$path_a' --text late --timeout 5 | grep -q '^bind-failed 481'"
check "STATUS shows no session left" bash -c "[[ \$('$CTL_BIN' -s '$CONTROL' status | sed 's/.* sessions=\([0-9]*\).*/\1/') == 0 ]]"

# --- restart with short timeouts -------------------------------------------------------------
check "the relay stops cleanly on SIGTERM" relay_stop
check "and removes its control socket" test ! -e "$CONTROL"
relay_start --idle-timeout 1 --session-idle-timeout 2 || finish
reply=$(ctl SESSION_CREATE relay)
session=$(field session <<<"$reply")
path_a=$(field path_a <<<"$reply")
path_b=$(field path_b <<<"$reply")
check "after the restart a new session carries a message" bash -c "
  '$CLIENT_BIN' --to-path '$path_b' --expect 1 --timeout 10 >'$WORK/restart-b.out' 2>&1 & b=\$!
  for i in \$(seq 50); do grep -q '^bound' '$WORK/restart-b.out' && break; sleep 0.1; done
  '$CLIENT_BIN' --to-path '$path_a' --text 'after restart' --success-report --timeout 10 >/dev/null &&
  wait \$b && grep -q 'text=after restart\$' '$WORK/restart-b.out'"
check "an idle MSRP connection is closed after idle_timeout (1 s)" bash -c "
  python3 -c '
import socket, time
s = socket.create_connection((\"127.0.0.1\", $RELAY_PORT)); s.settimeout(4); t = time.time()
assert s.recv(10) == b\"\" and 0.5 < time.time() - t < 3.5'"
quiet=$(ctl SESSION_CREATE relay)
check "a quiet connection carrying a session outlives idle_timeout, and closes once the session expired" bash -c "
  python3 -c '
import socket, time
s = socket.create_connection((\"127.0.0.1\", $RELAY_PORT)); t = time.time()
s.sendall(b\"MSRP quiet001 SEND\\r\\nTo-Path: $(field path_a <<<"$quiet")\\r\\nFrom-Path: msrp://127.0.0.1:9/q1;tcp\\r\\nMessage-ID: quiet001\\r\\n-------quiet001\$\\r\\n\")
time.sleep(0.3); s.settimeout(0.5); assert s.recv(65536).startswith(b\"MSRP quiet001 200\")
s.settimeout(1.3)
try:
    assert s.recv(10) != b\"\", \"closed while the session lived\"
except socket.timeout:
    pass
s.settimeout(4); assert s.recv(10) == b\"\" and time.time() - t < 5.5'"
check "an idle session is deleted after session_idle_timeout (2 s)" bash -c "
  sleep 2.5; ! '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$session' >/dev/null 2>&1"
check "STATUS counts both timeouts" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' timeouts.sessions=2 ' <<<\"\$s\" && [[ \$(sed 's/.* timeouts.connections=\([0-9]*\).*/\1/' <<<\"\$s\") -ge 1 ]]"
check "the relay logged the session expiry" grep -q "session $session deleted after 2 s without MSRP traffic" "$WORK/relay.log"

finish
