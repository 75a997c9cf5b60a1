# lib.sh - helpers for the engine's shell tests, on top of tests/cli/lib.sh.
# Each test gets its own folder ($T, removed on exit) and its own database.

. "$top_srcdir/tests/cli/lib.sh"

setup_tmp
unset NOTIFY_SOCKET MANAGER_COMMAND_TIMEOUT
DB="$T/data/manager.db"
if [ -n "${MANAGER_TEST_SUITE_PG:-}" ]; then	# tests/pg: on PostgreSQL
	. "$top_srcdir/tests/pg/lib.sh"
	pg_suite_db
fi
CONF="$T/manager.conf"
printf 'manager = { shutdown_grace_seconds = 2; };\n' >"$CONF"
DAEMON_PID=

engine_cleanup() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	[ -z "${MANAGER_TEST_SUITE_PG:-}" ] || pg_suite_drop
	cleanup_tmp
}
trap engine_cleanup EXIT

mgr() {
	"$MANAGER" --config "$CONF" --db "$DB" "$@"
}

host_is() {
	mgr host status 2>/dev/null | grep -q "engine host: $1"
}

# The daemon has started every subsystem (the API too): the host row is
# written before they start.  Not known when the log goes to log_file.
daemon_started() {
	grep -q log_file "$CONF" ||
		grep -q "engine host started (daemon, pid $DAEMON_PID," "$T/daemon.log"
}

# No engine host runs (host status exits 3): a test that starts a daemon
# after a detached one waits for this besides the pidfile's removal (a
# daemon that removed its pidfile before it let the engine lock go met
# the lock held and exited 4; daemon_run now releases it first, checked
# in tests/pg/hostlock.sh).
no_host() { mgr host status >/dev/null 2>&1; [ $? -eq 3 ]; }

# start_daemon [ARGS]: a foreground daemon in the background of this
# shell, log in $T/daemon.log; waits until it hosts the engine.
start_daemon() {
	"$MANAGER" --config "$CONF" --db "$DB" --daemon "$@" \
		>"$T/daemon.out" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_until 10 host_is daemon && wait_until 10 daemon_started
}

# stop_daemon [SIGNAL]: sets $daemon_rc.
stop_daemon() {
	kill -"${1:-TERM}" "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	daemon_rc=$?
	DAEMON_PID=
}

# log_like REGEX TEXT: the daemon's log comes to hold a line matching
# REGEX (grep -E), waited for up to 30 s, then checked with like.  The
# host writes a command's line after it committed the answer, so a client
# that has its answer may read the log before the line is there.
log_like() {
	wait_until 30 grep -Eq -- "$1" "$T/daemon.log"
	like "$(cat "$T/daemon.log")" "$1" "$2"
}

# The plan comes last: the number of checks depends on what ran.
# The crash suites' closing checks of one task every second, after its
# restarts: its ledger ($T/ledger, a fire time a line) holds no time
# twice, no time has two rows or is missing between the first and last,
# and the daemon refused no row as a duplicate (4 checks; the caller's
# sql reads its database).
once_checks() {
	is "$(sort "$T/ledger" | uniq -d | wc -l)" 0 "no fire time ran twice"
	is "$(sql "SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY scheduled_at
	    HAVING count(*) > 1) d")" 0 "no fire time has two rows"
	is "$(sql "SELECT (max(scheduled_at) - min(scheduled_at)) / 1000000 + 1 -
	    count(DISTINCT scheduled_at) FROM runs")" 0 \
		"no fire time missing between the task's first and last"
	unlike "$(cat "$T/daemon.log")" "[Dd]uplicate|UNIQUE|unique" \
		"no row was refused as a duplicate"
}

finish() {
	echo "1..$_tap_n"
	done_testing
}
