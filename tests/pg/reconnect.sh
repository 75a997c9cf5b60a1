#!/bin/sh
# reconnect.sh - an engine host that loses its PostgreSQL server keeps
# its running children, reconnects with backoff and resumes (issue 19,
# "Operating it"): on a server of this test's own (restarting the one
# MANAGER_TEST_PG names would break the suites that run beside it), a
# daemon runs a task of 3 s every second; the server is restarted while
# a run is in flight, then stopped for longer than the lease and started
# again.  The daemon keeps its pid, the run in flight is recorded
# succeeded exactly once, the log says the loss and the recovery once
# each, and new runs start after each outage.  Last, with a standby: the
# engine host is paused across a restart, the standby takes the engine
# over, and the old host, woken, is fenced: it exits 1 and its child's
# end is not recorded over the row the new engine host settled.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip

# The test's own server, in a folder the cluster's owner can reach (as
# root, pg-test-cluster.sh runs it as postgres).
PGT=$(mktemp -d "${TMPDIR:-/tmp}/manager-pgrc.XXXXXX")
chmod 0755 "$PGT"
PGC="$PGT/c"
PGCTL="$top_srcdir/scripts/pg-test-cluster.sh"
MANAGER_TEST_PG=$(sh "$PGCTL" start "$PGC") || {
	echo "Bail out! cannot start a PostgreSQL server in $PGC"
	rm -rf "$PGT"
	exit 1
}
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/lib.sh"

pg_stop_own() { sh "$PGCTL" stop "$PGC" >/dev/null 2>&1; rm -rf "$PGT"; }
# pg_server start|stop|restart: the test's own server.
pg_server() {
	case $1 in
	start) sh "$PGCTL" start "$PGC" >/dev/null ;;
	restart) sh "$PGCTL" restart "$PGC" ;;
	stop)	# stop without removing the folder
		if [ "$(id -u)" -eq 0 ]; then
			runuser -u "${MANAGER_PG_USER:-postgres}" -- \
				"$(pg_bindir)pg_ctl" -D "$PGC/data" -m fast -w stop
		else
			"$(pg_bindir)pg_ctl" -D "$PGC/data" -m fast -w stop
		fi >/dev/null ;;
	esac
}
pg_bindir() {	# as scripts/pg-test-cluster.sh finds it
	command -v pg_ctl >/dev/null 2>&1 && return 0
	b=
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && b=$d/
	done
	echo "$b"
}
HPIDS=
trap 'finish_hosts; pg_stop_own' EXIT
trap 'exit 1' INT TERM	# so that the EXIT trap stops the server

LEDGER="$T/ledger"
: >"$LEDGER"
# The ledger's lines: run id, fire time (s), attempt, then "end" once
# the child finished its 3 s.
TASK="exec:/bin/sh -c 'echo \$MANAGER_RUN_ID \$MANAGER_SCHEDULED_AT \$MANAGER_ATTEMPT start >>$LEDGER; sleep 3; echo \$MANAGER_RUN_ID \$MANAGER_SCHEDULED_AT \$MANAGER_ATTEMPT end >>$LEDGER'"

starts() { grep -c ' start$' "$LEDGER"; }
starts_above() { [ "$(starts)" -gt "$1" ]; }
# in_flight: the run id of a run started and not ended (or nothing).
in_flight() {
	last=$(grep ' start$' "$LEDGER" | tail -1 | cut -d' ' -f1)
	[ -n "$last" ] && ! grep -q "^$last .* end$" "$LEDGER" && echo "$last"
}
has_in_flight() { [ -n "$(in_flight)" ]; }
# A run's row: its status, or nothing.
status_of() { sqlite3 "$DB" "SELECT status FROM runs WHERE id = $1"; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }
runs_started_after() {	# SECONDS: run rows that started after it
	sqlite3 "$DB" "SELECT count(*) FROM runs WHERE started_at >= $1::bigint * 1000000"
}
started_after() { [ "$(runs_started_after "$1")" -gt 0 ]; }
no_duplicates() {
	is "$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT 1 FROM runs GROUP
	    BY task_id, scheduled_at, attempt HAVING count(*) > 1) d")" 0 \
		"$1: no run row twice"
	is "$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT 1 FROM runs WHERE
	    status = 'succeeded' GROUP BY task_id, scheduled_at HAVING
	    count(*) > 1) d")" 0 "$1: no fire time recorded succeeded twice"
}

mgr task list >/dev/null 2>&1	# the schema
start_host 1 2000
wait_until 30 holder_is "$H1"
ok $? "the daemon runs the engine"
mgr task add slow "$TASK" interval seconds=1 --max-retries 0 >/dev/null
ok $? "a task of 3 s, every second"

# 1. A restart of the server while a run is in flight.  The run is one
# caught in flight with its row running, before its 3 s end: on a loaded
# machine a row may come after the run it belongs to ended.
catch_running() {	# catch_running VAR: sets VAR to such a run's id
	c=$(in_flight) && status_is "$c" running && eval "$1=\$c"
}
wait_until 30 catch_running R1
ok $? "a run is in flight, its row running"
t0=$(date +%s)
pg_server restart
ok $? "the server restarts (pg_ctl restart -m fast)"
wait_until 30 grep -q "reconnected to the database" "$T/h1.log"
ok $? "the host says it reconnected"
kill -0 "$H1" 2>/dev/null
ok $? "... and still runs (same pid)"
like "$(cat "$T/h1.log")" "host h1 lost the database: .*reconnecting" \
	"the log says the loss"
is "$(grep -c "lost the database" "$T/h1.log")" 1 "... once"
is "$(grep -c "reconnected to the database" "$T/h1.log")" 1 \
	"... and the recovery once"
unlike "$(cat "$T/h1.log")" "lost the engine lock|this one stops" \
	"... not a fence"
wait_until 30 grep -q "^$R1 .* end$" "$LEDGER"
ok $? "the child in flight ran to its end"
wait_until 30 status_is "$R1" succeeded
ok $? "... and its run is recorded succeeded"
is "$(sqlite3 "$DB" "SELECT count(*) FROM runs r JOIN runs s ON
    s.task_id = r.task_id AND s.scheduled_at = r.scheduled_at WHERE
    r.id = $R1")" 1 "... exactly once"
wait_until 30 started_after $((t0 + 1))
ok $? "the scheduler resumes: a run starts after the restart"
no_duplicates "after a restart"
run mgr host status --json
like "$out" '"database_reachable": true' \
	"host status --json says whether the database is reachable"
like "$out" '"database_unreachable_since": null' "... since when not"

# Beside h1, the engine host of another database of the server, whose
# backoff stops doubling at 400 ms (host_reconnect_max_ms), each try
# logged at debug level: the outage of part 2 shows its waits.  (Not h1
# itself: part 3 needs h1 as it is.)
psql -X -q "$MANAGER_TEST_PG" -c "CREATE DATABASE mgr_rc3" >/dev/null
printf 'manager = { shutdown_grace_seconds = 2; host_id = "h3";
  host_heartbeat_ms = 200; host_lease_ms = 2000; host_reconnect_max_ms = 400;
  log_level = "debug"; };\n' >"$T/h3.conf"
XDG_DATA_HOME="$T/h3/data" XDG_STATE_HOME="$T/h3/state" \
XDG_CACHE_HOME="$T/h3/cache" setsid "$MANAGER" --config "$T/h3.conf" \
	--db "$MANAGER_TEST_PG dbname=mgr_rc3" --daemon >"$T/h3.out" \
	2>>"$T/h3.log" &
H3=$!
HPIDS="$HPIDS $H3"
wait_until 30 grep -q "engine host started" "$T/h3.log"
ok $? "another database's engine host (h3) on the same server"

# 2. The server away for longer than the lease (2 s), then back.
wait_until 30 catch_running R2
t0=$(date +%s)
pg_server stop
ok $? "the server stops"
sleep 4
kill -0 "$H1" 2>/dev/null
ok $? "the host outlives a server away for two leases"
pg_server start
ok $? "the server starts again"
wait_until 30 eval '[ "$(grep -c "reconnected to the database" "$T/h1.log")" -ge 2 ]'
ok $? "the host reconnects"
like "$(cat "$T/h1.log")" "host h1 reconnected to the database after [0-9.]+ s \(epoch 1\)" \
	"... under the same epoch: nobody took over"
wait_until 30 status_is "$R2" succeeded
ok $? "the run in flight during the outage is recorded succeeded"
wait_until 30 started_after $((t0 + 5))
ok $? "the scheduler resumes after the outage"
kill -0 "$H1" 2>/dev/null
ok $? "the host still runs (same pid)"
no_duplicates "after an outage"
grep -o "reconnected to the database after [0-9.]* s" "$T/h1.log" |
	sed 's/^/# h1 /'
wait_until 30 grep -q "host h3 reconnected to the database" "$T/h3.log"
waits=$(sed -n 's/.*host h3: reconnecting in \([0-9]*\) ms.*/\1/p' "$T/h3.log")
longest=$(printf '%s\n' $waits | sort -n | tail -n 1)
echo "# h3's waits between tries (ms):" $waits
ok $([ "$(printf '%s\n' $waits | grep -c .)" -ge 4 ] &&
	[ "${longest:-0}" -le 400 ] && [ "$longest" -ge 200 ] && echo 0 || echo 1) \
	"the backoff doubles up to host_reconnect_max_ms (400 ms) and no further (longest ${longest} ms)"
like "$(grep "host h3 lost the database" "$T/h3.log")" \
	"then up to every 400 ms \(host_reconnect_max_ms\)" "... and the loss says so"
kill -TERM "$H3"
wait "$H3"
is "$?" 0 "h3 stops cleanly"

# 3. A standby present: the engine host paused across a restart, so
# the standby takes over; the old host, woken, is fenced.
start_host 2 2000
wait_until 30 eval '[ "$(sqlite3 "$DB" "SELECT role FROM hosts WHERE host_id = '"'h2'"'")" = standby ]'
ok $? "a standby waits"
# Caught with h1 already stopped: caught first, the run could end in the
# moment before the SIGSTOP (a run caught in its last milliseconds) and
# h1 record it succeeded, which the check below would take for a write
# over the settled row.  With h1 stopped, no end line yet means h1 has
# not seen the child end, and can record nothing more.
catch_stopped() {
	kill -STOP "$H1"
	catch_running R3 && return 0
	kill -CONT "$H1"
	return 1
}
wait_until 30 catch_stopped
ok $? "a run in flight, its row running"
pg_server restart
wait_until 30 holder_is "$H2"
ok $? "the standby takes the engine over"
# The lock is taken before the new epoch is written: h1, woken in that
# moment, could still record its run (truly, once) before h2 fenced it.
# h1 is woken once h2 has settled the run, to see that it cannot write
# over it.
wait_until 30 eval '[ -n "$(status_of "$R3")" ] && ! status_is "$R3" running'
kill -CONT "$H1"
wait "$H1"
is "$?" 1 "the old host, woken, is fenced and exits 1"
like "$(cat "$T/h1.log")" "lost the engine lock" "... saying so"
wait_until 30 eval '[ -n "$(status_of "$R3")" ] && ! status_is "$R3" running'
is "$(status_of "$R3")" interrupted \
	"its run in flight is settled by the new engine host, not written over"
sleep 1
is "$(status_of "$R3")" interrupted "... and stays so"
no_duplicates "after a takeover"
kill -TERM "$H2"
wait "$H2"
is "$?" 0 "the new engine host stops cleanly"
finish
