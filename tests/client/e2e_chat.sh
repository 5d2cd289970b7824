#!/usr/bin/env bash
# The TUI driven through tmux: a message received while `sotto chat` runs
# shows up on its screen, and a line typed into it reaches the peer.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

start_sottod srv
use_server "$PORT" "$KEY"
"$SOTTO" -a alice register --key-file >/dev/null
"$SOTTO" -a bob register --key-file >/dev/null
"$SOTTO" -a alice send bob -m "before the chat" >/dev/null

SESSION=sotto-chat-$$
export TMUX_TMPDIR=$T
tmux new-session -d -s "$SESSION" -x 100 -y 30 \
    "env XDG_DATA_HOME=$XDG_DATA_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME SOTTO_CONFIG=$SOTTO_CONFIG LANG=C.UTF-8 $SOTTO -a bob chat alice"
cleanup_tmux() { tmux kill-server 2>/dev/null; }
trap 'cleanup_tmux; cleanup' EXIT

screen_has() { # screen_has TEXT: waits up to 5 s for TEXT on the screen
    for _ in $(seq 50); do
        tmux capture-pane -p -t "$SESSION" | grep -qF "$1" && return 0
        sleep 0.1
    done
    tmux capture-pane -p -t "$SESSION" >"$T/screen.txt"
    return 1
}

check "chat shows the conversation list and the earlier message" screen_has "<< before the chat"
"$SOTTO" -a alice send bob -m "live message $$" >/dev/null
check "a message received while chat runs appears" screen_has "<< live message $$"
read_mark() {
    for _ in $(seq 30); do
        "$SOTTO" -a alice receive >/dev/null
        "$SOTTO" -a alice -o json history bob | grep "live message $$" | grep -q '"status":"read"' && return 0
        sleep 0.2
    done
    return 1
}
check "the shown message is marked read for alice (read receipt)" read_mark
tmux send-keys -t "$SESSION" "typed in the tui" Enter
check "the typed line is shown as sent" screen_has "me: typed in the tui +"
"$SOTTO" -a alice receive >/dev/null
check "... and as delivered once alice has it" screen_has "me: typed in the tui ++"
check "alice has the typed line" grep -q -- "<- bob: typed in the tui" <<<"$("$SOTTO" -a alice history bob)"
"$SOTTO" -a alice typing bob start
check "a typing indicator shows in the title bar" screen_has "alice is typing..."
tmux send-keys -t "$SESSION" "x"
sleep 0.5
check "typing into the input line tells alice" grep -q '"peer":"bob","typing":true' <<<"$("$SOTTO" -a alice -o json receive --timeout 2)"
tmux send-keys -t "$SESSION" BSpace
sleep 0.5
check "... and emptying it says stopped" grep -q '"peer":"bob","typing":false' <<<"$("$SOTTO" -a alice -o json receive --timeout 2)"
"$SOTTO" -a bob contacts add alice --identity-key "05$(printf '%064d' 7)" >/dev/null 2>&1
check "a key change shows a banner" screen_has "identity key changed"
tmux send-keys -t "$SESSION" Escape
sleep 0.5
check "Esc quits the chat" bash -c "! tmux has-session -t $SESSION 2>/dev/null"
finish
