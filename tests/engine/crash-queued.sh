#!/bin/sh
# crash-queued.sh - kill -9 of the engine while a fire time waits over
# max_concurrent_runs: the task's row, written with the status `queued`,
# carries a next_nominal past that time, and the next start settles from
# there, so the time must have a row of its own by then (`claimed`, as a
# time waiting behind max_instances): the restart starts it, and it is
# recorded.  (It had none, and was lost: issue 19's guarantee that a
# kill -9 loses no fire time.)
. "$top_srcdir/tests/engine/lib.sh"

printf 'manager = { shutdown_grace_seconds = 1; max_concurrent_runs = 1; };\n' >"$CONF"
sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
nominal() { sql "SELECT coalesce(next_nominal, 0) FROM tasks WHERE id = '$1'"; }
# A task's first fire time, as its adding stored it (no jitter).
first_fire() { sql "SELECT next_run FROM tasks WHERE id = '$1'"; }
status_is() { [ "$(sql "SELECT status FROM tasks WHERE id = '$1'")" = "$2" ]; }
recorded() { [ "$(sql "SELECT count(*) FROM runs WHERE task_id = '$1' AND
    scheduled_at = $2 AND status NOT IN ('running', 'claimed')")" -gt 0 ]; }

# hog holds the one run allowed from its first fire on; late, added after
# it, fires after it and waits.
mgr task add hog "exec:/bin/sleep 60" interval seconds=1 --max-retries 0 >/dev/null
mgr task add late "exec:/bin/true" interval seconds=1 --no-coalesce \
	--misfire-grace-time 60 --max-retries 0 >/dev/null
first=$(first_fire late)
start_daemon
wait_until 30 status_is late queued
rc=$?
ok $rc "late's first fire time waits over max_concurrent_runs, its row says queued"
[ $rc -eq 0 ] || { sql "SELECT 'task', id, status, next_run, next_nominal FROM tasks;
    SELECT 'run', task_id, scheduled_at, status FROM runs"; cat "$T/daemon.log"; } |
	sed 's/^/# /'
ok "$([ "$(nominal late)" -gt "$first" ]; echo $?)" \
	"... and carries a next fire time past it"
# Each later second of late's is skipped behind the waiting one; its row
# went on to say `running` (so check 1 above saw `queued` for one second
# only, and on a loaded machine not at all).
sleep 3
is "$(sql "SELECT status FROM tasks WHERE id = 'late'")" queued \
	"... and still says queued while it waits, its later times skipped"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
# The restart without hog: the waiting time can run.
mgr task remove hog >/dev/null
start_daemon
wait_until 30 recorded late "$first"
ok $? "the restart records the fire time that waited at the kill"
is "$(sql "SELECT status FROM runs WHERE task_id = 'late' AND
    scheduled_at = $first")" succeeded "... having run it"

# A waiting time's `claimed` row, once its task is paused, says skipped
# (it is not left to start at the next start).
claimed() { [ "$(sql "SELECT count(*) FROM runs WHERE task_id = 'wait' AND
    status = 'claimed'")" -gt 0 ]; }
mgr task add hog2 "exec:/bin/sleep 60" interval seconds=1 --max-retries 0 >/dev/null
wait_until 30 status_is hog2 running
mgr task add wait "exec:/bin/true" interval seconds=1 --max-retries 0 >/dev/null
wait_until 30 claimed
ok $? "a time waiting over the limit has its claimed row"
mgr task pause wait >/dev/null
stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'wait' AND
    status = 'claimed'")" 0 \
	"the paused task's waiting time is not left claimed"
# At least one: each second that the time waited, the next fire time
# found it waiting and was skipped too (more of them on a loaded machine).
ok "$([ "$(sql "SELECT count(*) FROM runs WHERE task_id = 'wait' AND
    status = 'skipped'")" -ge 1 ]; echo $?)" "... but skipped"

# A waiting time that then starts has its row say `running`: a kill then
# leaves it interrupted, never run again (left `claimed`, the restart ran
# it a second time).
for id in hog2 wait late; do mgr task remove $id >/dev/null; done
run_is() { [ "$(sql "SELECT status FROM runs WHERE task_id = 'slow' AND
    scheduled_at = $2")" = "$1" ]; }
# hog3, added first, fires first and holds the one run for 3 s.
mgr task add hog3 "exec:/bin/sleep 3" interval seconds=1 --max-retries 0 >/dev/null
# Its first time is taken however late the daemon starts (a loaded
# machine: a start past the misfire grace recorded it missed instead).
mgr task add slow "exec:/bin/sh -c 'echo \$MANAGER_SCHEDULED_AT >>$T/slow.ledger; sleep 60'" \
	interval seconds=1 --no-coalesce --misfire-grace-time 60 \
	--max-retries 0 >/dev/null
first=$(first_fire slow)
start_daemon
wait_until 30 run_is claimed "$first"
ok $? "slow's first time waits over the limit, claimed"
wait_until 30 run_is running "$first"
ok $? "... then starts once hog3 is over, and its row says running"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon
wait_until 30 run_is interrupted "$first"
ok $? "the restart records it interrupted"
stop_daemon TERM
is "$(grep -c "^$((first / 1000000))\$" "$T/slow.ledger")" 1 "... and ran it once"
finish
