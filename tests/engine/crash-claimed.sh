#!/bin/sh
# crash-claimed.sh - a task of two instances whose stored next fire time
# lags the fire times a killed engine left with rows past it: one
# `claimed` (queued, never started), one `running` (started from its
# row), and before them a time with no row (taken, killed before its row
# was written).  The restart starts the claimed time from its row and
# runs the time with no row as due, but its catch-up must not take the
# times that have rows again: each fire time runs once and has one row.
# (The catch-up from the stored next fire time took them again: with two
# instances free, the claimed time and the interrupted one ran twice,
# their second rows refused as duplicates; issue 19's guarantee that a
# kill -9 records no fire time twice.)  The state is written in the
# database, as the killed engine left it, before the daemon starts: no
# claim mark covers it, and on PostgreSQL no other host's lease does.
. "$top_srcdir/tests/engine/lib.sh"

sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
past() { [ "$(date +%s)" -ge "$1" ]; }
rows_after() {
	[ "$(sql "SELECT count(*) FROM runs WHERE scheduled_at >= $(($1 * 1000000))")" -gt 0 ]
}
status_at() { sql "SELECT status FROM runs WHERE scheduled_at = $1"; }

mgr task add twice "exec:/bin/sh -c 'echo \$MANAGER_SCHEDULED_AT >>$T/ledger'" \
	interval seconds=1 --no-coalesce --max-instances 2 \
	--misfire-grace-time 600 --max-retries 0 >/dev/null
first=$(sql "SELECT next_run FROM tasks WHERE id = 'twice'")
s0=$((first / 1000000))
wait_until 30 past $((s0 + 3))
# first: no row; first + 1 s: claimed; first + 2 s: started from its row
# (ledger written), running.  The stored next fire time is first.
sql "UPDATE tasks SET next_nominal = $first, next_run = $first WHERE id = 'twice'"
sql "INSERT INTO runs (task_id, attempt, scheduled_at, status)
    VALUES ('twice', 1, $((first + 1000000)), 'claimed')"
sql "INSERT INTO runs (task_id, attempt, scheduled_at, started_at, status)
    VALUES ('twice', 1, $((first + 2000000)), $((first + 2000000)), 'running')"
echo $((s0 + 2)) >"$T/ledger"

status_is() { [ "$(status_at "$1")" = "$2" ]; }

start_daemon
up=$(date +%s)
wait_until 30 rows_after $((up + 1))
ok $? "the engine goes on taking the task's fire times"
wait_until 30 status_is "$first" succeeded
ok $? "the time with no row ran as a due one"
wait_until 30 status_is $((first + 1000000)) succeeded
ok $? "the claimed time ran from its row"
stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"

is "$(status_at $((first + 2000000)))" interrupted \
	"the running one is recorded interrupted"
is "$(grep -c "^$s0\$" "$T/ledger")" 1 "the time with no row ran once"
is "$(grep -c "^$((s0 + 1))\$" "$T/ledger")" 1 "the claimed time ran once"
is "$(grep -c "^$((s0 + 2))\$" "$T/ledger")" 1 \
	"the time started before the kill did not run again"
once_checks
finish
