# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh && start_postgres`): starts a
# throw-away PostgreSQL server from Debian's package on loopback, in a temporary folder, and
# exports SMS_JOURNAL_TEST_POSTGRES for sms-journal's tests. `stop_postgres` stops it and
# removes the folder; start_postgres sets a trap that does so on exit.
#
# initdb refuses to run as root, so as root the server runs as the `postgres` user (which the
# package creates); otherwise as the current user. Either way nothing outside the temporary
# folder changes, and the package's own cluster (if any) is left alone.

start_postgres() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -q
        # Only the server: no contrib, no documentation.
        $sudo apt-get install -y -q --no-install-recommends postgresql
    fi
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    PG_DIR="$(mktemp -d /tmp/sms-journal-pg.XXXXXX)"
    local as=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$PG_DIR"
        as=(runuser -u postgres --)
    fi
    # Trust on loopback only: a throw-away server for tests. --no-sync: its data is not kept.
    "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U journal -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log"; return 1; }
    local port
    for port in 55432 55433 55434 55435 55436; do
        if "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=200" start \
            >>"$PG_DIR/pg_ctl.log" 2>&1; then
            PG_BIN="$bin"
            PG_AS="${as[*]}"
            trap stop_postgres EXIT
            export SMS_JOURNAL_TEST_POSTGRES="postgres://journal@127.0.0.1:$port/postgres"
            echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_DIR)"
            return 0
        fi
    done
    # A port in use fails one attempt; all of them failing is told with the server's words.
    cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log"
    return 1
}

stop_postgres() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        # shellcheck disable=SC2086 # PG_AS is a command prefix, empty or `runuser -u postgres --`.
        $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
    PG_DIR=""
}
