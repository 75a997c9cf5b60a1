#!/bin/sh
# runid.sh - every run has its id from its first instant (issue 13):
# the engine hands run ids out itself, so a scheduled run's
# MANAGER_RUN_ID, its `task logs --run` and its history row agree, over
# retries, and across a kill -9 and restart of the daemon.
. "$top_srcdir/tests/engine/lib.sh"

printf 'manager = { shutdown_grace_seconds = 2; retry_backoff_base = 1; retry_backoff_cap = 1; };\n' >"$CONF"
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
succeeded() { [ "$(q "SELECT count(*) FROM runs WHERE task_id='$1' AND status='succeeded'")" -ge "$2" ]; }
# The runs of task $1 whose printed id is not their id: "id:output" each
# (a query that fails is a line too).  The newline is a literal in the
# SQL: SQLite's char(10) is chr(10) on PostgreSQL (tests/pg).
NL='
'
wrong_ids() {
	{ q "SELECT id || ':' || replace(coalesce(output, ''), '$NL', ' ') FROM runs WHERE task_id='$1' AND status IN ('succeeded', 'failed')" ||
		echo "the query failed"; } |
	while IFS=: read -r id output; do
		case "$output" in *"rid=$id "* | *"rid=$id") ;; *) echo "$id:$output" ;; esac
	done
}

start_daemon
ok $? "daemon started"
mgr task add tick 'exec:sh -c "echo rid=$MANAGER_RUN_ID"' interval seconds=1 >/dev/null
wait_until 30 succeeded tick 3
ok $? "a task every second ran three times"
is "$(wrong_ids tick)" "" "a scheduled run's MANAGER_RUN_ID is its id in the history"
rid=$(q "SELECT max(id) FROM runs WHERE task_id='tick' AND status='succeeded'")
like "$(mgr task history tick)" "(^| )$rid( |$)" "task history lists that id"
like "$(mgr task logs tick --run "$rid")" "rid=$rid" "task logs --run ID shows the output of run ID"

# A retry is a run of its own, with an id of its own.
mgr task add flaky 'exec:sh -c "echo rid=$MANAGER_RUN_ID; [ $MANAGER_ATTEMPT = 2 ]"' cron year=2099 hour=3 --max-retries 1 >/dev/null
mgr task run flaky >/dev/null 2>&1
wait_until 30 succeeded flaky 1
ok $? "the retry of a failed manual run succeeded"
is "$(q "SELECT count(DISTINCT id) FROM runs WHERE task_id='flaky'")" 2 "both attempts have rows"
is "$(wrong_ids flaky)" "" "each attempt's MANAGER_RUN_ID is its own id"

# kill -9: ids handed out but never written are not a problem; after a
# restart the ids go on above every written one.
before=$(q "SELECT max(id) FROM runs")
stop_daemon KILL
restart=$(date +%s%6N)
# On PostgreSQL the host lock is the killed process's session lock, which
# the server lets go when it sees the connection gone: the new daemon
# waits for that (tests/pg/hostlock.sh), so one start is enough.
start_daemon
started=$?
ok $started "daemon restarted after kill -9"
n=$(q "SELECT count(*) FROM runs WHERE task_id='tick' AND status='succeeded'")
wait_until 30 succeeded tick $((n + 3))
ok $? "the task runs on after the restart"
is "$(wrong_ids tick)" "" "MANAGER_RUN_ID is the run's id after the restart too"
is "$(q "SELECT count(*) FROM runs WHERE started_at > $restart AND id <= $before")" 0 \
	"runs after the restart have ids above every id written before"
is "$(q "SELECT count(*) FROM (SELECT a.id FROM runs a JOIN runs b ON a.task_id=b.task_id AND a.id < b.id AND a.scheduled_at > b.scheduled_at WHERE a.task_id='tick') AS later")" 0 \
	"a task's ids grow with its fire times"
stop_daemon
is "$daemon_rc" 0 "daemon stopped cleanly"
finish
