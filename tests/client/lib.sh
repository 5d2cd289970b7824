# Helpers for the client end-to-end scripts: a private temp folder, sottod
# on free ports, sotto with per-test XDG folders. Sourced by e2e_*.sh with
# SOTTO and SOTTOD set to the binaries.
set -u
T=$(mktemp -d /tmp/sotto-e2e.XXXXXX)
export XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/cfg SOTTO_CONFIG=$T/config
unset SOTTO_PASSPHRASE
mkdir -p "$XDG_CONFIG_HOME"
FAILS=0
CHECKS=0
PIDS=()

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "$FAILS" -eq 0 ]; then rm -rf "$T"; else echo "left $T for inspection"; fi
}
trap cleanup EXIT

check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    CHECKS=$((CHECKS + 1))
    if "$@"; then echo "ok - $what"; else echo "FAIL - $what"; FAILS=$((FAILS + 1)); fi
}

# start_sottod NAME: starts sottod with data in $T/NAME; sets PORT, KEY, SPID.
start_sottod() {
    local dir=$T/$1
    mkdir -p "$dir"
    rm -f "$dir/ready"
    "$SOTTOD" -p "${2:-0}" --http-port 0 -d "$dir" --ready-file "$dir/ready" --log-level warn \
        >>"$dir/log" 2>&1 &
    SPID=$!
    PIDS+=("$SPID")
    for _ in $(seq 100); do [ -s "$dir/ready" ] && break; sleep 0.05; done
    PORT=$(sed -n 's/^port=//p' "$dir/ready")
    KEY=$(sed -n 's/^key=//p' "$dir/ready")
}

stop_sottod() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }

# The config points every account at one server.
use_server() { printf 'server = 127.0.0.1:%s\nserver_key = %s\n' "$1" "$2" >"$SOTTO_CONFIG"; }

finish() {
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}
