#!/usr/bin/env bash
# Conference switch with only the relay and our client: ten participants each
# send five lines; every line reaches the nine others exactly once, in order
# per sender, wrapped in CPIM with the sender's identity (Anonymous for the
# one who asked for privacy). Then leave and join change the fan-out at once,
# isComposing is switched, accept-types are respected, and a type nobody
# accepts gets 415.
RELAY_PORT=12856
source "$(dirname "$0")/../lib/relay_lib.sh"

relay_start || finish
PARTICIPANTS=10
LINES=5

reply=$(ctl SESSION_CREATE conference)
conference=$(field session <<<"$reply")
check "SESSION_CREATE conference returns a session" test -n "$conference"

declare -A path participant
for i in $(seq $PARTICIPANTS); do
  privacy=public; ((i == PARTICIPANTS)) && privacy=anonymous
  reply=$(ctl SESSION_ADD_PARTICIPANT "$conference" "sip:user$i@example.com" '*' "$privacy")
  path[$i]=$(field path <<<"$reply")
  participant[$i]=$(field participant <<<"$reply")
done
printf '%s\n' "${path[@]}" >"$WORK/paths"
check "ten participants added, each with its own path" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$conference' | grep -q ' participants=10 bound=0 ' &&
  [[ \$(sort -u '$WORK/paths' | grep -c '^msrp://127.0.0.1:$RELAY_PORT/[A-Za-z0-9]*;tcp\$') == 10 ]]"

# Each client reads the lines to send from a pipe whose writer waits until
# every client is bound, then writes its lines, interleaving with the others.
feeder() {
  local i=$1 k
  while [[ ! -e "$WORK/go" ]]; do sleep 0.05; done
  for k in $(seq $LINES); do echo "line $k from user$i"; sleep 0.01; done
}
declare -A pid
for i in $(seq $PARTICIPANTS); do
  feeder "$i" | "$CLIENT_BIN" --to-path "${path[$i]}" --stdin --expect $(((PARTICIPANTS - 1) * LINES)) --timeout 60 \
    >"$WORK/user$i.out" 2>"$WORK/user$i.err" &
  pid[$i]=$!
  BACKGROUND_PIDS+=("$!")
done
all_bound() { for i in $(seq $PARTICIPANTS); do grep -q '^bound ' "$WORK/user$i.out" || return 1; done; }
check "all ten clients bound their connection" eventually all_bound
check "SESSION_SHOW counts ten bound participants" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$conference' | grep -q ' participants=10 bound=10 '"
touch "$WORK/go"

all_done=0
for i in $(seq $PARTICIPANTS); do wait "${pid[$i]}" && all_done=$((all_done + 1)); done
check "every client sent its lines (all answered 200) and got 45 messages, exit 0" test "$all_done" -eq $PARTICIPANTS

# received_ok I: user I got each line of each other sender exactly once, in order, from the right identity.
received_ok() {
  local i=$1 j expected got from
  [[ $(grep -c '^message ' "$WORK/user$i.out") == $(((PARTICIPANTS - 1) * LINES)) ]] || { echo "user$i: count"; return 1; }
  grep -q "text=line [0-9]* from user$i\$" "$WORK/user$i.out" && { echo "user$i got its own line"; return 1; }
  for j in $(seq $PARTICIPANTS); do
    ((j == i)) && continue
    expected=$(for k in $(seq $LINES); do echo "line $k from user$j"; done)
    got=$(sed -n "s/^message .* text=\(line [0-9]* from user$j\)\$/\1/p" "$WORK/user$i.out")
    [[ "$got" == "$expected" ]] || { echo "user$i from user$j: $got"; return 1; }
    from="<sip:user$j@example.com>"
    ((j == PARTICIPANTS)) && from="Anonymous <sip:anonymous@anonymous.invalid>"
    [[ $(grep -c "^message from=$from content-type=text/plain .* text=line [0-9]* from user$j\$" "$WORK/user$i.out") == "$LINES" ]] ||
      { echo "user$i: identity of user$j"; return 1; }
  done
}
for i in $(seq $PARTICIPANTS); do
  check "user$i got each other user's 5 lines once, in order, with the sender's CPIM From" received_ok "$i"
done
check "the anonymous participant's identity appears nowhere" bash -c "! grep -q 'user$PARTICIPANTS@' $WORK/user[1-9].out"
check "STATUS: 50 lines in (plus binds), 450 copies out" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' messages_in=60 ' <<<\"\$s\" && grep -q ' messages_out=450 ' <<<\"\$s\""

# --- leave and join ------------------------------------------------------------------------
check "SESSION_REMOVE_PARTICIPANT removes user9 at once" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_REMOVE_PARTICIPANT '$conference' '${participant[9]}' | grep -q '^OK ' &&
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$conference' | grep -q ' participants=9 '"
check "user9's path now gets 481" bash -c "
  '$CLIENT_BIN' --to-path '${path[9]}' --text 'still here?' --timeout 5 | grep -q '^bind-failed 481'"
reply=$(ctl SESSION_ADD_PARTICIPANT "$conference" "Late Joiner <sip:late@example.com>" "text/plain")
late_path=$(field path <<<"$reply")
check "a late joiner that accepts only text/plain is added" test -n "$late_path"

# Participants 3-8 and 10 stay away; 1 speaks, 2 and the late joiner listen.
client user2b --to-path "${path[2]}" --expect 2 --timeout 20
user2b=$CLIENT_PID
client late --to-path "$late_path" --expect 1 --timeout 20
late=$CLIENT_PID
check "user2 and the late joiner bind" eventually bash -c "grep -q '^bound' '$WORK/user2b.out' && grep -q '^bound' '$WORK/late.out'"
composing='<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><contenttype>text/plain</contenttype></isComposing>'
check "user1 sends an isComposing indication" \
  "$CLIENT_BIN" --to-path "${path[1]}" --content-type application/im-iscomposing+xml --text "$composing" --timeout 10
check "user1's connection is released before it reconnects" eventually bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_SHOW '$conference' '${participant[1]}' | grep -q ' bound=0 '"
check "user1 sends a line after the join" "$CLIENT_BIN" --to-path "${path[1]}" --text "welcome late" --timeout 10
check "user2 listened until both arrived" exits_with 0 "$user2b"
check "user2 got the isComposing and the line, in that order" bash -c "
  grep '^message ' '$WORK/user2b.out' | sed -n '1p' | grep -q 'from=<sip:user1@example.com> content-type=application/im-iscomposing+xml .*<state>active</state>' &&
  grep '^message ' '$WORK/user2b.out' | sed -n '2p' | grep -q 'text=welcome late\$'"
check "the late joiner listened until the line arrived" exits_with 0 "$late"
check "the late joiner got only the line (isComposing is not in its accept-types), exactly once" bash -c "
  [[ \$(grep -c '^message ' '$WORK/late.out') == 1 ]] &&
  grep -q '^message from=<sip:user1@example.com> content-type=text/plain .* text=welcome late\$' '$WORK/late.out'"
check "nobody got what was said before they joined" bash -c "! grep -q 'text=line ' '$WORK/late.out'"

# --- 415: nobody accepts the type ----------------------------------------------------------
reply=$(ctl SESSION_CREATE conference)
small=$(field session <<<"$reply")
speaker=$(ctl SESSION_ADD_PARTICIPANT "$small" sip:speaker@example.com | field path)
listener=$(ctl SESSION_ADD_PARTICIPANT "$small" sip:listener@example.com text/plain | field path)
client listener --to-path "$listener" --expect 1 --timeout 20
listener_pid=$CLIENT_PID
check "the text-only listener binds" wait_bound listener
check "an image nobody accepts is refused with 415 (the client reports the failure)" bash -c "
  ! '$CLIENT_BIN' --to-path '$speaker' --content-type image/png --text 'PNGDATA' --timeout 10 >'$WORK/png.out' 2>&1 &&
  grep -q '^response 415 ' '$WORK/png.out'"
check "text still goes through to the listener" "$CLIENT_BIN" --to-path "$speaker" --text 'plain words' --timeout 10
check "the listener got the text and nothing of the image" bash -c "
  grep -q 'text=plain words\$' '$WORK/listener.out' && ! grep -q PNGDATA '$WORK/listener.out'"
check "the listener exits 0 after its one message" exits_with 0 "$listener_pid"
check "STATUS counts the 415 and the 481" bash -c "
  s=\$('$CTL_BIN' -s '$CONTROL' status)
  grep -q ' errors.unsupported_media=1 ' <<<\"\$s\" && grep -q ' errors.no_session=1 ' <<<\"\$s\""
# --- a 3 MB file is switched chunk by chunk --------------------------------------------------
head -c 3145728 /dev/urandom >"$WORK/file.bin"
reply=$(ctl SESSION_CREATE conference)
files=$(field session <<<"$reply")
sender=$(ctl SESSION_ADD_PARTICIPANT "$files" sip:sender@example.com | field path)
for r in 1 2; do
  rpath=$(ctl SESSION_ADD_PARTICIPANT "$files" "sip:receiver$r@example.com" | field path)
  client "receiver$r" --to-path "$rpath" --expect 1 --output "$WORK/file$r.received" --timeout 30
  declare "receiver${r}_pid=$CLIENT_PID"
  check "receiver $r binds" wait_bound "receiver$r"
done
check "the sender's 3 MB in 64 KB chunks are all answered and reported (per-chunk Success REPORTs)" \
  "$CLIENT_BIN" --to-path "$sender" --file "$WORK/file.bin" --chunk-size 65536 --success-report --timeout 30
check "receiver 1 got its one message and exited 0" exits_with 0 "$receiver1_pid"
check "receiver 2 too" exits_with 0 "$receiver2_pid"
check "receiver 1 has the file byte-identical, from the sender's identity" bash -c "
  cmp '$WORK/file.bin' '$WORK/file1.received' &&
  grep -q '^message from=<sip:sender@example.com> content-type=application/octet-stream bytes=3145728 ' '$WORK/receiver1.out'"
check "receiver 2 has it byte-identical too" cmp "$WORK/file.bin" "$WORK/file2.received"
ctl SESSION_DELETE "$files" >/dev/null

check "SESSION_DELETE frees both conferences" bash -c "
  '$CTL_BIN' -s '$CONTROL' SESSION_DELETE '$conference' >/dev/null && '$CTL_BIN' -s '$CONTROL' SESSION_DELETE '$small' >/dev/null &&
  '$CTL_BIN' -s '$CONTROL' SESSION_LIST | grep -q '^OK count=0 sessions=\$'"

finish
