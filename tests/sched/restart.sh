#!/bin/sh
# restart.sh - what an engine restart must not change: a one-shot task
# runs once, jitter does not drift, a run cut short by kill -9 is
# recorded `interrupted` and run again once only when the task says so.
. "$top_srcdir/tests/sched/common.sh"
plan 15

sql() { sqlite3 -cmd '.timeout 10000' "$T/m.db" "$@"; }
restart() { M __scheduler-run --for "${1:-0.2}" >/dev/null 2>&1; }

# A date task one second from now runs once, however often the engine
# starts again afterwards.
M task add once 'exec:true' date \
	run_date="$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
restart 2.5
restart; restart; restart
is "$(count_runs once succeeded)" 1 "a date task runs once across restarts"
is "$(sql "SELECT COUNT(*) FROM runs WHERE task_id='once' AND status<>'succeeded';")" 0 \
	"and records nothing else (no missed runs)"
is "$(task_field once status)" finished "it stays finished"

# A date task missed while no engine ran is recorded missed once.
M task add gone 'exec:true' date run_date=2020-01-01T00:00:00Z \
	--misfire-grace-time 1 >/dev/null
restart; restart; restart
is "$(count_runs gone missed)" 1 "a missed date task is recorded once"
is "$(count_runs gone succeeded)" 0 "and never runs"

# Jitter: the stored fire time does not move from restart to restart.
M task add jit 'exec:true' cron hour=5 minute=0 jitter=600 >/dev/null
restart
first=$(sql "SELECT next_run FROM tasks WHERE id='jit';")
restart; restart; restart
is "$(sql "SELECT next_run FROM tasks WHERE id='jit';")" "$first" \
	"jitter does not accumulate over restarts"
nominal=$(sql "SELECT next_nominal FROM tasks WHERE id='jit';")
ok "$([ $((first - nominal)) -ge 0 ] && [ $((first - nominal)) -le 600000000 ] &&
	echo 0 || echo 1)" "the fire time is the nominal one plus at most the jitter"

# kill -9 while a run goes on: recorded interrupted at the next start;
# on_interrupt = rerun runs it again once, as attempt 2.
M task add slow 'exec:sleep 2' interval seconds=3600 --on-interrupt rerun \
	--misfire-grace-time 0 >/dev/null
M task add slow2 'exec:sleep 2' interval seconds=3600 --misfire-grace-time 0 >/dev/null
# Due at once (the first fire time was long ago).
sql "UPDATE tasks SET next_run = 1000000 WHERE id IN ('slow','slow2');"
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" __scheduler-run --for 30 \
	>/dev/null 2>&1 &
pid=$!
running() { [ "$(sql "SELECT COUNT(*) FROM runs WHERE status='running';")" -eq 2 ]; }
wait_until 20 running
kill -KILL $pid
wait $pid 2>/dev/null
# The next start, until slow's attempt 2 (2 s) has ended (30 s at most):
# a fixed 3.5 s, less a slow start, cut it short under ASan on a loaded
# machine.
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" __scheduler-run --for 60 \
	>/dev/null 2>&1 &
pid=$!
rerun_ended() { [ -n "$(sql "SELECT 1 FROM runs WHERE task_id='slow' AND attempt=2
	AND ended_at IS NOT NULL")" ]; }
wait_until 30 rerun_ended
kill -TERM $pid
wait $pid 2>/dev/null
is "$(count_runs slow interrupted)" 1 "a run cut by kill -9 is recorded interrupted"
is "$(count_runs slow2 interrupted)" 1 "(also without on_interrupt)"
is "$(sql "SELECT status FROM runs WHERE task_id='slow' AND attempt=2 AND
	scheduled_at = (SELECT scheduled_at FROM runs WHERE task_id='slow' AND
	attempt=1);")" succeeded "on_interrupt = rerun runs attempt 2 of the same fire time"
is "$(sql "SELECT COUNT(*) FROM runs WHERE task_id='slow2' AND attempt=2;")" 0 \
	"on_interrupt = abandon (the default) does not"
is "$(sql "SELECT COUNT(*) FROM runs WHERE status='running';")" 0 \
	"nothing stays running after a clean stop"

# Fire times queued behind max_instances (no coalesce) when the engine
# dies were claimed but never started: the next start runs them.  Five
# fire times are due at once (every 10 s since 45 s ago); each run takes
# 0.5 s, so the queue is well within the next fire time.
s0=$(($(date +%s) - 45))
M task add queue 'exec:sleep 0.5' interval seconds=10 \
	start_date="$(date -u -d "@$s0" +%Y-%m-%dT%H:%M:%SZ)" --no-coalesce \
	--misfire-grace-time 0 >/dev/null
sql "UPDATE tasks SET next_run = $((s0 * 1000000)) WHERE id='queue';"
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" __scheduler-run --for 30 \
	>/dev/null 2>&1 &
pid=$!
queued() { [ "$(sql "SELECT COUNT(*) FROM runs WHERE task_id='queue' AND status='claimed';")" -ge 3 ]; }
wait_until 20 queued
ok $? "queued fire times are recorded claimed"
kill -KILL $pid
wait $pid 2>/dev/null
claimed=$(sql "SELECT group_concat(scheduled_at) FROM runs WHERE task_id='queue'
	AND status='claimed';")
nclaimed=$(echo "$claimed" | tr ',' '\n' | wc -l)
ran() { [ "$(sql "SELECT COUNT(*) FROM runs WHERE task_id='queue' AND
	status='succeeded' AND scheduled_at IN ($claimed);")" -eq "$nclaimed" ]; }
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" __scheduler-run --for 60 \
	>"$T/second.log" 2>&1 &
pid=$!
wait_until 40 ran
ok $? "after kill -9 the next start runs them ($nclaimed)" ||
	{ sed 's/^/# /' "$T/second.log"; sql "SELECT * FROM runs WHERE task_id='queue';" | sed 's/^/# /'; }
kill -TERM $pid
wait $pid 2>/dev/null
is "$(sql "SELECT COUNT(*) FROM runs WHERE task_id='queue' AND status='interrupted'
	AND scheduled_at IN ($claimed);")" 0 "and records none of them interrupted"
