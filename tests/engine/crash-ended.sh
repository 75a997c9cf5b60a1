#!/bin/sh
# crash-ended.sh - a task whose stored next fire time lags fire times
# that already ended, with no `claimed` or `running` row among them: the
# first time has no row (taken, the engine killed before its row was
# written), the next one succeeded (it ran: the ledger has it), the next
# has no row again, the last was recorded skipped.  The restart runs
# the two times with no row as due ones and never takes the two with
# rows again.  (The catch-up from the stored next fire time took every
# time again: the succeeded one ran a second time and the skipped one
# ran, their rows refused as duplicates; issue 19's "every fire time
# recorded exactly once", the case session 36 left open.)  The state is
# written in the database, as a killed engine's would be, before the
# daemon starts: no claim mark covers it, and on PostgreSQL no other
# host's lease does.
. "$top_srcdir/tests/engine/lib.sh"

sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
past() { [ "$(date +%s)" -ge "$1" ]; }
rows_after() {
	[ "$(sql "SELECT count(*) FROM runs WHERE scheduled_at >= $(($1 * 1000000))")" -gt 0 ]
}
status_at() { sql "SELECT status FROM runs WHERE scheduled_at = $1"; }
status_is() { [ "$(status_at "$1")" = "$2" ]; }
ran() { grep -c "^$1\$" "$T/ledger"; }

mgr task add ended "exec:/bin/sh -c 'echo \$MANAGER_SCHEDULED_AT >>$T/ledger'" \
	interval seconds=1 --no-coalesce --max-instances 3 \
	--misfire-grace-time 600 --max-retries 0 >/dev/null
first=$(sql "SELECT next_run FROM tasks WHERE id = 'ended'")
s0=$((first / 1000000))
wait_until 30 past $((s0 + 4))
sql "UPDATE tasks SET next_nominal = $first, next_run = $first WHERE id = 'ended'"
sql "INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at,
    status, exit_code) VALUES ('ended', 1, $((first + 1000000)),
    $((first + 1000000)), $((first + 1100000)), 'succeeded', 0)"
sql "INSERT INTO runs (task_id, attempt, scheduled_at, ended_at, status, error)
    VALUES ('ended', 1, $((first + 3000000)), $((first + 3000000)), 'skipped',
    'maximum number of running instances reached (3)')"
echo $((s0 + 1)) >"$T/ledger"

start_daemon
up=$(date +%s)
wait_until 30 rows_after $((up + 1))
ok $? "the engine goes on taking the task's fire times"
wait_until 30 status_is "$first" succeeded
ok $? "the first time, with no row, ran as a due one"
wait_until 30 status_is $((first + 2000000)) succeeded
ok $? "the time with no row between two ended ones ran as a due one"
stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"

is "$(status_at $((first + 1000000)))" succeeded "the succeeded row stays"
is "$(status_at $((first + 3000000)))" skipped "the skipped row stays"
is "$(ran "$s0")" 1 "the first time ran once"
is "$(ran $((s0 + 1)))" 1 "the time that succeeded before the restart did not run again"
is "$(ran $((s0 + 2)))" 1 "the time between the ended ones ran once"
is "$(ran $((s0 + 3)))" 0 "the time recorded skipped did not run"
once_checks
finish
