#!/usr/bin/env bash
# The relay's storing roles against a real SQLite database
# (sql/msrp_relay-create.sql): an endpoint session stores every complete
# message with its headers, Message-ID and receive time before the last
# chunk's 200 (a kill -9 right after the sender finished loses nothing), and
# sends stored messages back to a client in the appendix J encapsulation; a
# conference recorder stores every message switched, in order, with the
# sender's identity.
RELAY_PORT=12863
source "$(dirname "$0")/../lib/relay_lib.sh"

DB=$WORK/im.db
sqlite3 "$DB" <"$IM_SOURCE_DIR/sql/msrp_relay-create.sql"
sql() { sqlite3 "$DB" "$@"; }

relay_start --store-database "$DB" || finish

# --- endpoint: storing ---------------------------------------------------------------------
reply=$(ctl SESSION_CREATE endpoint sip:bob@example.com)
session=$(field session <<<"$reply")
path=$(field path <<<"$reply")
check "SESSION_CREATE endpoint returns the session and the path its peer sends to" bash -c "
  [[ '$(field kind <<<"$reply")' == endpoint && '$path' == msrp://127.0.0.1:$RELAY_PORT/*\;tcp ]]"
head -c 1048576 /dev/urandom >"$WORK/file.bin"
before=$(($(date +%s%3N) - 1))
# A 1 MB file in 64 KB chunks and a text, then kill -9 as soon as the client is done.
"$CLIENT_BIN" --to-path "$path" --file "$WORK/file.bin" --chunk-size 65536 --text "hello deferred" --success-report --timeout 20 \
  >"$WORK/a.out" 2>&1
a_status=$?
kill -9 "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null; RELAY_PID=
after=$(($(date +%s%3N) + 1))
check "the client got its 200s and Success REPORTs (exit 0) before the relay was killed with -9" test "$a_status" -eq 0
file_id=$(sed -n 's/^sent message-id=\([^ ]*\) bytes=1048576$/\1/p' "$WORK/a.out")
text_id=$(sed -n 's/^sent message-id=\([^ ]*\) bytes=14$/\1/p' "$WORK/a.out")
check "after kill -9 the database holds both acknowledged messages of the session" \
  bash -c "[[ \$(sqlite3 '$DB' \"SELECT count(*) FROM msrp_stored_message WHERE session = '$session'\") == 2 ]]"
check "the file is stored byte-identical, under its Message-ID, type, owner and role" bash -c "
  sqlite3 '$DB' \"SELECT writefile('$WORK/stored.bin', body) FROM msrp_stored_message WHERE message_id = '$file_id'\" >/dev/null &&
  cmp '$WORK/file.bin' '$WORK/stored.bin' &&
  [[ \$(sqlite3 '$DB' \"SELECT owner || '|' || role || '|' || kind || '|' || content_type FROM msrp_stored_message WHERE message_id = '$file_id'\") == 'sip:bob@example.com|endpoint|msrp|application/octet-stream' ]]"
check "the text is stored with its MSRP headers (To-Path our path, From-Path the client, Message-ID) and its sender" bash -c "
  row=\$(sqlite3 -separator '|' '$DB' \"SELECT body, sender, headers FROM msrp_stored_message WHERE message_id = '$text_id'\")
  from=\$(sed -n 's/^bound //p' '$WORK/a.out')
  grep -q '^hello deferred|'\"\$from\"'|To-Path: $path' <<<\"\$row\" && grep -q \"^From-Path: \$from\" <<<\"\$row\" &&
  grep -q '^Message-ID: $text_id' <<<\"\$row\" && grep -q '^Success-Report: yes' <<<\"\$row\" && ! grep -q Byte-Range <<<\"\$row\""
check "receive times are the wall clock of the run, in ms, in the order received" bash -c "
  times=\$(sqlite3 '$DB' \"SELECT received_at_ms FROM msrp_stored_message WHERE session = '$session' ORDER BY id\")
  sorted=\$(sort -n <<<\"\$times\"); [[ \"\$times\" == \"\$sorted\" ]] &&
  for t in \$times; do (( t >= $before && t <= $after )) || exit 1; done"

# --- endpoint: sending stored messages (appendix J) -------------------------------------------
relay_start --store-database "$DB" || finish
file_row=$(sql "SELECT id FROM msrp_stored_message WHERE message_id = '$file_id'")
text_row=$(sql "SELECT id FROM msrp_stored_message WHERE message_id = '$text_id'")
push=$(ctl SESSION_CREATE endpoint sip:bob@example.com '*' sip:deferred@example.com)
push_session=$(field session <<<"$push")
check "SESSION_SEND_STORED before the client connected: queued for it" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SEND_STORED '$push_session' '$text_row,$file_row' |
    grep -q '^OK session=$push_session queued=2 bytes=1048590 peer=waiting\$'"
check "an unknown stored id is refused with 404, nothing queued" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SEND_STORED '$push_session' 999999 2>&1 | grep -q '^ERR 404 no stored message 999999' &&
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$push_session' | grep -q ' pushed=2 '"
client b --to-path "$(field path <<<"$push")" --expect 2 --output "$WORK/pushed.bin" --timeout 20
check "the client receives both stored messages when it connects (exit 0)" exits_with 0 "$CLIENT_PID"
check "each arrived as one SEND of type multipart/mixed" bash -c "
  [[ \$(grep -c '^message from=.* content-type=multipart/mixed; boundary=' '$WORK/b.out') == 2 ]]"
check "the parts are message/msrp: the original SENDs rebuilt with their Message-ID, a Date, and the bodies byte-identical" \
  python3 - "$WORK/pushed.bin" "$WORK/file.bin" "$text_id" "$file_id" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
file_bytes = open(sys.argv[2], "rb").read()
parts = re.findall(rb"--(im-[A-Za-z0-9]+)\r\nContent-Type: message/msrp\r\n\r\n(.*?)\r\n--\1--\r\n", data, re.S)
assert len(parts) == 2, len(parts)
expected = [(sys.argv[3].encode(), b"text/plain", b"hello deferred"), (sys.argv[4].encode(), b"application/octet-stream", file_bytes)]
for (_, part), (message_id, content_type, body) in zip(parts, expected):
    m = re.match(rb"MSRP (\S+) SEND\r\n(.*?)\r\n\r\n(.*)\r\n-------\1\$\r\n$", part, re.S)
    assert m, part[:200]
    headers = m.group(2).split(b"\r\n")
    assert b"Message-ID: " + message_id in headers, headers
    assert any(re.match(rb"Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$", h) for h in headers), headers
    assert headers[-1] == b"Content-Type: " + content_type, headers
    assert m.group(3) == body, "body differs"
PY
check "SESSION_SHOW counts what the endpoint sessions stored and pushed" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$push_session' | grep -q ' stored=0 pushed=2 owner=sip:bob@example.com\$'"

# --- recorder ---------------------------------------------------------------------------------
conf=$(field session <<<"$(ctl SESSION_CREATE conference)")
alice=$(field path <<<"$(ctl SESSION_ADD_PARTICIPANT "$conf" sip:alice@example.com)")
bob=$(field path <<<"$(ctl SESSION_ADD_PARTICIPANT "$conf" sip:bob@example.com '*' anonymous)")
recorder_reply=$(ctl SESSION_ADD_RECORDER "$conf" sip:history@example.com)
check "SESSION_ADD_RECORDER adds a silent participant" bash -c "
  [[ -n '$(field recorder <<<"$recorder_reply")' ]] &&
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$conf' '$(field recorder <<<"$recorder_reply")' | grep -q ' role=recorder '"
head -c 307200 /dev/urandom >"$WORK/conf.bin"
# bob (anonymous) listens and answers "two" once he got alice's text and file.
mkfifo "$WORK/bob.fifo"
exec 7<>"$WORK/bob.fifo"
client bob --to-path "$bob" --stdin --expect 2 --timeout 20 <"$WORK/bob.fifo" 7>&-
bob_pid=$CLIENT_PID
wait_bound bob
client alice --to-path "$alice" --text one --file "$WORK/conf.bin" --chunk-size 65536 --expect 1 --timeout 20
alice_pid=$CLIENT_PID
eventually grep -q '^message .* bytes=307200 ' "$WORK/bob.out"
echo two >&7
exec 7>&-
check "alice said one and sent a 300 KB file in 64 KB chunks, and got bob's answer (exit 0)" exits_with 0 "$alice_pid"
check "bob got both and sent his answer (exit 0)" exits_with 0 "$bob_pid"
check "the recorder stored the three messages in order, with the senders as the others saw them" bash -c "
  [[ \$(sqlite3 -separator '|' '$DB' \"SELECT role, owner, sender, content_type, length(body) FROM msrp_stored_message WHERE session = '$conf' ORDER BY id\" | tr '\n' ';') == \
    'recorder|sip:history@example.com|sip:alice@example.com|text/plain|3;recorder|sip:history@example.com|sip:alice@example.com|application/octet-stream|307200;recorder|sip:history@example.com|Anonymous <sip:anonymous@anonymous.invalid>|text/plain|3;' ]]"
check "  ... the file byte-identical" bash -c "
  sqlite3 '$DB' \"SELECT writefile('$WORK/recorded.bin', body) FROM msrp_stored_message WHERE session = '$conf' AND length(body) = 307200\" >/dev/null &&
  cmp '$WORK/conf.bin' '$WORK/recorded.bin'"
check "SESSION_STORED lists the conference's stored rows" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_STORED '$conf' | grep -q '^OK session=$conf count=3 ids=[0-9]*,[0-9]*,[0-9]*\$'"

finish
