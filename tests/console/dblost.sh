#!/bin/sh
# dblost.sh - a console attached to a daemon when the PostgreSQL server
# stops and starts again (issue 19: a host that loses the database says
# so in the log and the console; doc/ARCHITECTURE.md, "Losing the
# database").  On a server of this test's own: stopping the one
# MANAGER_TEST_PG names would break the suites that run beside it.  A
# daemon runs a child of 300 s; the server stops (pg_ctl stop -m fast).
# The console says its own connection is lost, with the time since, and
# that the daemon lost it (its state file: the console cannot ask the
# database), keeps what it showed and what is typed, and the daemon its
# child; the server starts again, and the console reads again by itself,
# its marks gone, still attached to the same daemon, its commands going
# through.
. "$top_srcdir/tests/console/lib.sh"
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip

echo "1..19"
console_setup
PGT=$(mktemp -d "${TMPDIR:-/tmp}/manager-pgdl.XXXXXX")
chmod 0755 "$PGT"	# as root the cluster's owner (postgres) must reach it
PGC="$PGT/c"
PGCTL="$top_srcdir/scripts/pg-test-cluster.sh"
MANAGER_TEST_PG=$(sh "$PGCTL" start "$PGC") || {
	echo "Bail out! cannot start a PostgreSQL server in $PGC"
	rm -rf "$PGT"
	exit 1
}
D=
finish() {
	[ -n "$D" ] && kill -TERM "$D" 2>/dev/null && wait "$D"
	[ -f "$T/child.pid" ] && kill "$(cat "$T/child.pid")" 2>/dev/null
	console_teardown
	sh "$PGCTL" stop "$PGC" >/dev/null 2>&1
	rm -rf "$PGT"
}
trap finish EXIT
trap 'exit 1' INT TERM	# so that the EXIT trap stops the server
pg_ctl_own() {	# pg_ctl_own start|stop: the test's server, its folder kept
	if [ "$1" = start ]; then
		sh "$PGCTL" start "$PGC" >/dev/null
		return
	fi
	b=$(command -v pg_ctl || ls -d /usr/lib/postgresql/*/bin/pg_ctl | tail -1)
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "${MANAGER_PG_USER:-postgres}" -- "$b" \
			-D "$PGC/data" -m fast -w stop
	else
		"$b" -D "$PGC/data" -m fast -w stop
	fi >/dev/null
}
pg_suite_db
printf 'manager = { shutdown_grace_seconds = 2; host_id = "pd";
  host_heartbeat_ms = 300; host_reconnect_max_ms = 1000; };\n' \
	>"$T/manager.conf"
m task list >/dev/null	# the schema
m task add long "exec:/bin/sh -c 'echo \$\$ >$T/child.pid; exec sleep 300'" \
	interval hours=1 >/dev/null
m task add quick "exec:/bin/true" interval hours=1 >/dev/null
"$MANAGER" --config "$T/manager.conf" --db "$DB" daemon >"$T/d.log" 2>&1 &
D=$!
wait_sql "SELECT state FROM hosts WHERE host_id = 'pd'" alive 30 >/dev/null
m task run long --detach >/dev/null
child_started() { [ -s "$T/child.pid" ]; }
retry 15 child_started
CHILD=$(cat "$T/child.pid")

# shown_like ERE: a line of the screen matches; row_like waits for one.
shown_like() { screen | grep -E -q -- "$1"; }
row_like() {
	retry 30 shown_like "$1" && return 0
	echo "# no line matches $1" >&2
	screen | sed 's/^/# /' >&2
	return 1
}
console_start 150 40
wait_for "host: daemon pid $D" >/dev/null
keys H
check "the hosts pane shows the daemon's row, the engine's" \
	row_like "│\\* pd +[0-9]+ +alive .* $D *│"

pg_ctl_own stop
check "the server stops (pg_ctl stop -m fast)" test $? = 0
check "the console says its connection is lost, since when, and the next try" \
	row_like "^database unreachable since [0-9]{2}:[0-9]{2}:[0-9]{2}, retrying in [0-9]+ s"
check "the header says the daemon lost the database (its state file)" \
	row_like "host: daemon pid $D up [^,]*, database unreachable since [0-9]{2}:[0-9]{2}:[0-9]{2}"
check "the daemon's row in the hosts pane says so" \
	row_like "│\\* pd +[0-9]+ +alive .* $D  database unreachable since [0-9:]{8}"
state=$(ls "$XDG_STATE_HOME"/manager/postgresql-*.engine-state 2>/dev/null)
check "the daemon's state file is 0600" test "$(stat -c %a "$state" 2>&1)" = 600
check "the panes keep what they showed (the tasks)" shown "long"
check "the daemon still runs" kill -0 "$D"
check "... and so does its child" kill -0 "$CHILD"
once() { [ "$(grep -c "lost the database" "$T/d.log")" = 1 ]; }
check "the daemon's log says the loss once" once
keys m
wait_for "Messages since" >/dev/null
said() { [ "$(screen | grep -c "error: database unreachable since")" = 1 ]; }
check "the countdown goes to the message history once, not every second" \
	retry 15 said
keys Escape
keys : t a s k Space p a u s e Space q u i c k

pg_ctl_own start
check "the console's marks go by themselves once the server is back" \
	wait_gone "database unreachable" 30
check "... still attached to the same daemon" wait_for "host: daemon pid $D up"
check "what was typed meanwhile is still there" wait_for ":task pause quick"
keys Enter
check "... and its command goes through the daemon" \
	wait_sql "SELECT enabled FROM tasks WHERE id = 'quick'" 0 30
keys m
check "the message history says the database is reachable again" \
	wait_for "the database is reachable again"
check "... and that the daemon reaches it again" \
	wait_for "host pd (pid $D) reaches the database again"
keys Escape
m task add after.outage "exec:/bin/true" interval hours=1 >/dev/null
check "the panes read again: a task added after the outage shows" \
	wait_for "after.outage" 30
check "the daemon kept its pid and its child throughout" \
	kill -0 "$D" "$CHILD"
exit 0
