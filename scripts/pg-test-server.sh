#!/bin/sh
# A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster in a temporary
# folder, listening only on a unix socket inside that folder (no TCP port at all).
#
#   scripts/pg-test-server.sh run COMMAND [ARGS...]
#       start a server, run COMMAND with PG_TEST_URL set to its URL, stop the server and
#       delete the folder afterwards (also when COMMAND fails or is interrupted); exit with
#       COMMAND's status.
#   scripts/pg-test-server.sh start      start a server; print its URL on the first line
#                                        and its folder on the second
#   scripts/pg-test-server.sh stop DIR   stop the server in DIR and delete DIR
#   scripts/pg-test-server.sh install    only make sure PostgreSQL is installed
#
# Installs Debian's postgresql package if no server is installed. The server runs as an
# unprivileged user (postgres refuses to run as root): $PG_TEST_USER, default "postgres" when
# that account exists, otherwise "nobody".
set -eu

log() { echo "pg-test-server: $*" >&2; }

find_bindir() {
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

ensure_installed() {
    if find_bindir >/dev/null; then
        return 0
    fi
    log "PostgreSQL is not installed; installing Debian's postgresql package"
    if [ "$(id -u)" -ne 0 ]; then
        log "need root to install it: run 'apt-get install postgresql' first"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
    find_bindir >/dev/null || { log "installed, but no postgres binary found"; exit 1; }
}

server_user() {
    if [ -n "${PG_TEST_USER:-}" ]; then
        echo "$PG_TEST_USER"
    elif id postgres >/dev/null 2>&1; then
        echo postgres
    else
        echo nobody
    fi
}

# Run a command as the server's user (directly when we are not root).
as_user() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$(server_user)" -- "$@"
    else
        su -s /bin/sh "$(server_user)" -c "$(printf '%s ' "$@")"
    fi
}

start() {
    ensure_installed
    bindir=$(find_bindir)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-test.XXXXXX")
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$(server_user)" "$dir"
    fi
    # trust is safe here: the only way in is the socket in a folder only this machine sees.
    as_user "$bindir/initdb" --pgdata="$dir/data" --username=app --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    # No TCP listener; throwaway data, so durability is traded for speed.
    as_user "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
        --options="-c listen_addresses='' -c unix_socket_directories='$dir' \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null ||
        { cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1; }
    as_user "$bindir/createdb" --host="$dir" --username=app app
    echo "postgresql://app@/app?host=$dir"
    echo "$dir"
}

stop() {
    dir=$1
    case "$dir" in
        */pg-test.*) ;;
        *) log "refusing to stop '$dir': not a folder this script made"; exit 1 ;;
    esac
    bindir=$(find_bindir)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_user "$bindir/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null ||
            log "pg_ctl stop failed; see $dir/server.log"
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    install)
        ensure_installed
        ;;
    start)
        start
        ;;
    stop)
        [ $# -eq 2 ] || { log "usage: $0 stop DIR"; exit 2; }
        stop "$2"
        ;;
    run)
        shift
        [ $# -ge 1 ] || { log "usage: $0 run COMMAND [ARGS...]"; exit 2; }
        out=$(start)
        PG_TEST_URL=$(echo "$out" | sed -n 1p)
        PG_TEST_DIR=$(echo "$out" | sed -n 2p)
        export PG_TEST_URL
        trap 'stop "$PG_TEST_DIR"' EXIT
        trap 'exit 130' INT TERM
        log "PostgreSQL running at $PG_TEST_URL"
        status=0
        "$@" || status=$?
        exit $status
        ;;
    *)
        sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
