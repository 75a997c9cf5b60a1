#!/bin/sh
# persist.sh - tasks survive restarts; runs missed while the engine was
# down follow misfire_grace_time and coalesce; @reboot runs once per
# start; pause holds across restarts; shutdown interrupts long runs;
# declarative tasks files.
. "$top_srcdir/tests/sched/common.sh"
plan 19

# Fire times missed while no engine ran, stored as a stopped engine
# leaves them: every 30 s since s0, 32 s ago, s0 the next fire time.  At
# start, s0 is 32 s late (beyond grace's 15 s), s0 + 30 s 2 s late
# (within).  The engine runs 4 s, time for the two queued runs of noco
# one after the other, and ends long before s0 + 60 s however slowly it
# starts (a sanitizer build on a loaded machine: with fire times 3 s
# apart and 1.2 s to run, a start 0.8 s late would meet the next one).
s0=$(($(date +%s) - 32))
since="start_date=$(date -u -d "@$s0" +%Y-%m-%dT%H:%M:%SZ)"
M task add co 'exec:true' interval seconds=30 "$since" --misfire-grace-time 300 >/dev/null
M task add noco 'exec:true' interval seconds=30 "$since" --misfire-grace-time 300 \
	--no-coalesce >/dev/null
M task add grace 'exec:true' interval seconds=30 "$since" --misfire-grace-time 15 \
	--no-coalesce >/dev/null
sql "UPDATE tasks SET next_run = $((s0 * 1000000)) WHERE id IN ('co', 'noco', 'grace')"
M task add boot 'exec:true' cron crontab=@reboot >/dev/null
M task add held 'exec:true' interval seconds=1 >/dev/null
M task pause held >/dev/null
M __scheduler-run --for 4
is "$(count_runs co succeeded)" 1 "coalesce: one run for all missed times"
is "$(count_runs noco succeeded)" 2 "no coalesce: each missed time within grace runs"
is "$(count_runs grace missed)" 1 "a run later than misfire_grace_time is missed"
is "$(count_runs grace succeeded)" 1 "the run within grace still runs"
is "$(count_runs boot succeeded)" 1 "@reboot ran at start"
is "$(count_runs held succeeded)" 0 "a paused task does not run"

M __scheduler-run --for 1
is "$(count_runs boot succeeded)" 2 "@reboot runs once per start"
is "$(task_field held status)" "paused" "pause holds across restarts"
run M --json task show co
like "$out" '"last_run": "2' "last_run persisted"

M task add long 'exec:sleep 30' interval seconds=0.2 >/dev/null
M task remove boot >/dev/null
printf 'manager: { shutdown_grace_seconds = 0; tasks_directory = "%s/tasks"; log_level = "error"; };\n' \
	"$T" > "$T/etc/m.conf"
# 2 s: the long run starts however slowly the engine does.
M __scheduler-run --for 2
# (a long run's row is written when it has run a while, so later skipped
# runs are newer rows)
is "$(count_runs long interrupted)" 1 "shutdown interrupts a long run"

# Declarative tasks.
M task remove long >/dev/null
mkdir -p "$T/tasks"
cat > "$T/tasks/a.conf" <<'CONF'
tasks = (
  { id = "file.one"; func = "exec:true"; trigger = "interval"; seconds = 1;
    max_retries = 2; timeout = 30; },
  { id = "file.two"; func = "exec:true"; trigger = "cron"; minute = "*/5"; }
);
CONF
printf 'tasks = ( { id = "bad"; func = "exec:true"; trigger = "cron";\n  minute = "99"; } );\n' > "$T/tasks/b.conf"
# 3 s: file.one's first run is due 1 s after the file is read, and ends
# before the engine does however slowly it starts (grace 0 here).
run M __scheduler-run --for 3
run M --json task show file.one
like "$out" '"source": "file:' "a task file's tasks are loaded"
like "$out" '"max_retries": 2' "with their options"
ok $([ "$(count_runs file.one succeeded)" -ge 1 ] && echo 0 || echo 1) "and run"
run M task show bad
is "$rc" 3 "a task with a bad trigger is not created"
cat > "$T/tasks/a.conf" <<'CONF'
tasks = ( { id = "file.one"; func = "exec:true"; trigger = "interval"; seconds = 1; } );
CONF
run M __scheduler-run --for 0.1
run M task show file.two
is "$rc" 3 "a task removed from its file is removed"
rm "$T/tasks/a.conf"
M __scheduler-run --for 0.1
run M task show file.one
is "$rc" 3 "a removed file takes its tasks with it"

# SIGHUP re-reads the folder while the engine runs.
M task add ready 'exec:true' interval seconds=0.2 >/dev/null
# Not through M: a backgrounded shell function is a subshell.
# (ended by SIGTERM below; 60 s however slowly it starts and reads)
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" __scheduler-run --for 60 &
host=$!
# Its first run: the signal handlers are in place (a SIGHUP before them
# ends the process).
ready_ran() { [ "$(count_runs ready succeeded)" -ge 1 ]; }
wait_until 30 ready_ran
cat > "$T/tasks/c.conf" <<'CONF'
tasks = ( { id = "file.hup"; func = "exec:true"; trigger = "interval"; seconds = 1; } );
CONF
kill -HUP $host
wait_until 30 M task show file.hup
run M task show file.hup
is "$rc" 0 "SIGHUP loads a new task file"
kill -TERM $host
wait $host
is "$?" 0 "SIGTERM shuts the host down cleanly"

# History retention: at most history_keep_runs per task.
M task add many 'exec:true' interval seconds=0.1 >/dev/null
M __scheduler-run --for 0.8
M task pause many >/dev/null
printf 'manager: { history_keep_runs = 2; log_level = "error"; tasks_directory = "%s/tasks"; };\n' \
	"$T" > "$T/etc/m.conf"
# The writer prunes 1 s after the start, in slices: the host runs until
# the history is down to 2 (30 s at most), then a check of the end.
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" __scheduler-run --for 60 &
host=$!
kept() { [ "$(M --json task history many --limit 100 | grep -c '"status"')" -le 2 ]; }
wait_until 30 kept
kill -TERM $host
wait $host
is "$(M --json task history many --limit 100 | grep -c '"status"')" 2 \
	"history is pruned to history_keep_runs"
