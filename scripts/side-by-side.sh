#!/usr/bin/env bash
# Run two commands at the same time: the first in the foreground, the second in the background
# with its output kept in a file and printed when the first ends. Exits non-zero if either
# fails. Ctrl-C (or TERM) stops both: the background one runs in its own process group, so it
# gets the interrupt rather than ignoring it as a non-interactive shell's background job would,
# and its own clean-up (such as scripts/pg-test-server.sh stopping its server) runs.
#
#   scripts/side-by-side.sh FOREGROUND_COMMAND BACKGROUND_COMMAND LABEL
set -u
[ $# -eq 3 ] || { echo "usage: $0 FOREGROUND BACKGROUND LABEL" >&2; exit 2; }
log=$(mktemp "${TMPDIR:-/tmp}/side-by-side.XXXXXX")

set -m  # job control: the background job gets a process group of its own
bash -c "$2" >"$log" 2>&1 &
background=$!
set +m

stop() {
    kill -INT -- "-$background" 2>/dev/null
    wait "$background"
    cat "$log"
    rm -f "$log"
    exit 130
}
trap stop INT TERM

bash -c "$1"
first=$?
wait "$background"
second=$?
trap - INT TERM
echo "--- $3 ---"
cat "$log"
rm -f "$log"
echo "exit status: $first (first run), $second ($3)"
[ "$first" -eq 0 ] && [ "$second" -eq 0 ]
