#!/bin/sh
# crash-busy.sh - kill -9 of the engine while a task (every second, no
# coalesce, one instance, rerun on interrupt) runs long: at the restart
# the rerun of the interrupted run holds the task's one instance, so the
# catch-up of the fire times that came due while the engine was down
# finds it busy.  Each of those times gets a row (skipped), as every fire
# time does: none is missing between the task's first and last.  (They
# were dropped without a row, but the last; issue 19's
# tests/pg/cluster-failover.sh saw it after each takeover.)
. "$top_srcdir/tests/engine/lib.sh"

sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
running() { [ "$(sql "SELECT count(*) FROM runs WHERE status = 'running'")" -gt 0 ]; }
past() { [ "$(date +%s)" -ge "$1" ]; }
# rows_after SECOND: a row for a fire time at or past SECOND.
rows_after() {
	[ "$(sql "SELECT count(*) FROM runs WHERE scheduled_at >= $(($1 * 1000000))")" -gt 0 ]
}

mgr task add slow "exec:/bin/sleep 30" interval seconds=1 --no-coalesce \
	--misfire-grace-time 60 --on-interrupt rerun --max-retries 0 >/dev/null
start_daemon
# Its first run has gone on for a second: it has its `running` row.
wait_until 30 running
ok $? "the first run is going on, recorded running"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
# Three fire times come due while no engine runs.
down=$(date +%s)
wait_until 30 past $((down + 3))
start_daemon
up=$(date +%s)
log_like "task slow: running the interrupted run of [0-9]+ again" \
	"the restart runs the interrupted run again, which holds the instance"
wait_until 30 rows_after $((up + 1))
ok $? "the engine goes on taking the task's fire times"
stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"

# The kill came within the second $down: from the next on, every fire time
# was due while no engine ran.
is "$(sql "SELECT count(*) FROM runs WHERE status = 'skipped' AND
    scheduled_at >= $(((down + 1) * 1000000)) AND
    scheduled_at < $((up * 1000000))")" \
	$((up - down - 1)) \
	"each fire time due while the engine was down is recorded skipped"
is "$(sql "SELECT (max(scheduled_at) - min(scheduled_at)) / 1000000 + 1 -
    count(DISTINCT scheduled_at) FROM runs")" 0 \
	"no fire time missing between the task's first and last"
is "$(sql "SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY scheduled_at,
    attempt HAVING count(*) > 1) d")" 0 "no run row twice"
finish
