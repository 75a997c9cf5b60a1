#!/bin/sh
# tasks.sh - the task commands: add with validation, list, show, edit,
# pause, resume, remove, JSON output (the HTTP API's TaskRead).
. "$top_srcdir/tests/sched/common.sh"
plan 61

run M task add t1 'exec:/bin/echo hi' interval minutes=5 --name "First" \
	--max-retries 2 --timeout 30 --misfire-grace-time 10 --no-coalesce \
	--max-instances 2
is "$rc" 0 "task add exits 0"
like "$out" "task t1 added" "task add says so"
run M task add t1 'exec:/bin/true' interval minutes=5
is "$rc" 4 "a taken id exits 4"
like "$err" 'task "t1" already exists' "a taken id is named"
run M task add t2 'exec:/bin/true' cron minute=61
is "$rc" 1 "a bad cron field fails"
like "$err" 'minute' "the error names the field"
like "$err" '61' "the error names the value"
run M task add t2 'exec:/bin/true' weekly seconds=1
like "$err" 'weekly' "an unknown trigger type is named"
run M task add t2 'nocolon' interval seconds=1
like "$err" 'func "nocolon": expected PLUGIN:FUNCTION' "a bad func is named"
run M task add t2 'exec:echo "unterminated' interval seconds=1
like "$err" 'unterminated " at column' "an unterminated quote is named"
run M task add t2 'exec:/bin/true' interval seconds=1 --max-retries x
is "$rc" 2 "a bad number is a usage error"
like "$err" 'option --max-retries: "x"' "a bad number names the option"
run M task add t2 'exec:/bin/true' interval seconds
is "$rc" 2 "a field without = is a usage error"

run M --json task show t1
is "$rc" 0 "task show --json exits 0"
like "$out" '"name": "First"' "name stored"
like "$out" '"func_path": "exec:/bin/echo hi"' "func_path stored"
like "$out" '"trigger_args": \{' "trigger_args is an object"
like "$out" '"minutes": 5' "interval units are numbers"
like "$out" '"start_date": "' "the interval's start is pinned at creation"
like "$out" '"next_run": "[0-9]{4}-[0-9]{2}-[0-9]{2}T' "next_run is ISO 8601"
like "$out" '"coalesce": false' "--no-coalesce stored"
like "$out" '"max_instances": 2' "--max-instances stored"

run M task pause t1
like "$out" "task t1 paused" "pause says so"
run M --json task show t1
like "$out" '"status": "paused"' "paused task has status paused"
like "$out" '"next_run": null' "paused task has no next run"
M task resume t1 >/dev/null
run M --json task show t1
like "$out" '"enabled": true' "resumed task is enabled"

run M task edit t1 --trigger cron hour=3 minute=0 --timeout 5
is "$rc" 0 "task edit exits 0"
run M --json task show t1
like "$out" '"trigger": "cron"' "edit changed the trigger"

M task remove t1 >/dev/null
run M task show t1
is "$rc" 3 "a removed task is not found (exit 3)"
run M --json task list
is "$out" "[]" "task list --json of no tasks is []"

# A PLUGIN:FUNCTION task belongs to that plugin, however it was added.
run M task add owned 'faulty:fail' interval minutes=5
run M --json task show owned
like "$out" '"plugin_id": "faulty"' "a plugin function task records its plugin"
M task add plain 'exec:/bin/true' interval minutes=5 >/dev/null
run M --json task show plain
like "$out" '"plugin_id": null' "an exec: task belongs to no plugin"

# Daylight saving (doc/SCHEDULER.md): every 30 minutes runs through the
# repeated hour again, a fixed time runs once; a day the zone skipped is
# skipped, not run at midnight.
preview() {
	run M schedule preview "$@"
	out=$(printf '%s' "$out" | tr '\n' ' ')
}
preview cron 'minute=*/30' --tz US/Eastern \
	--from 2013-11-03T01:35:00-04:00 --count 3
is "$out" "2013-11-03T01:00:00-05:00 2013-11-03T01:30:00-05:00 \
2013-11-03T02:00:00-05:00" "*/30 runs through the repeated hour"
preview cron hour=1 minute=30 --tz US/Eastern \
	--from 2013-11-03T00:00:00-04:00 --count 2
is "$out" "2013-11-03T01:30:00-04:00 2013-11-04T01:30:00-05:00" \
	"a fixed time runs once in the repeated hour"
preview cron hour=12 --tz Pacific/Apia \
	--from 2011-12-29T12:00:01-10:00 --count 2
is "$out" "2011-12-31T12:00:00+14:00 2012-01-01T12:00:00+14:00" \
	"a skipped calendar day is skipped"

# Defaults that do not lose a nightly job (issue 11).
run M task add nightly 'exec:/bin/true' cron hour=2 minute=30
like "$out" "^task nightly added: cron, next run [A-Z][a-z]{2} [0-9]{4}-[0-9]{2}-[0-9]{2} 0[23]:[0-9]{2}:00, 3 retries, misfire grace 1 day$" \
	"task add says the next run, the retries and the grace"
run M --json task show nightly
like "$out" '"max_retries": 3,' "max_retries defaults to 3"
like "$out" '"misfire_grace_time": 86400,' "misfire_grace_time defaults to one day"
run M task show nightly
like "$out" "misfire grace time: 1 day \(default\)" "task show says the grace is the default"
run M task add strict 'exec:/bin/true' cron hour=2 --misfire-grace-time 1 \
	--max-retries 0 --timeout 0
like "$out" ", 0 retries, misfire grace 1 s$" "APScheduler's explicit 1 s is kept"
run M task show strict
like "$out" "timeout: +no limit" "task show: a zero timeout is no limit"
like "$out" "misfire grace time: 1 s" "task show: an explicit grace is not the default"
M task add loose 'exec:/bin/true' cron hour=2 --misfire-grace-time 0 >/dev/null
run M task show loose
like "$out" "misfire grace time: no limit" "task show: a zero grace is no limit, not 0 s"
unlike "$out" " 0 s" "task show writes no \"0 s\""
is "$(task_field loose misfire_grace_time)" 0 "--json keeps 0 for no limit"

# The configured default applies to every task that does not set its own.
sed 's/^manager: {/manager: {\n  misfire_grace_time = 600;/' "$T/etc/m.conf" > "$T/etc/g.conf"
G() { "$MANAGER" --config "$T/etc/g.conf" --db "$T/m.db" "$@"; }
run G config show
like "$out" "manager.misfire_grace_time += 600 +# $T/etc/g.conf:2" "config show shows the default grace"
run G task show nightly
like "$out" "misfire grace time: 10 min \(default\)" "a changed default applies to tasks that set none"
is "$(G --json task show strict | grep -c '"misfire_grace_time": 1,')" 1 \
	"and not to a task that set its own"
M task edit strict --misfire-grace-time default >/dev/null
run M task show strict
like "$out" "misfire grace time: 1 day \(default\)" "--misfire-grace-time default goes back to the default"

# An interval or a cron with no fields of its own is an error.
run M task add empty 'exec:/bin/true' interval
is "$rc" 1 "an interval with no fields is refused"
like "$err" 'task "empty": interval: give at least one of weeks, days, hours, minutes, seconds' \
	"the error names the missing fields"
run M task add empty 'exec:/bin/true' cron timezone=UTC
like "$err" 'cron: give at least one of year, month, day, week, day_of_week, hour, minute, second, or crontab' \
	"a cron with no time fields is refused, naming them"
run M schedule preview interval start_date=2026-01-01T00:00:00Z
like "$err" 'interval: give at least one of' "schedule preview refuses it too"
mkdir -p "$T/tasks"
printf 'tasks = (\n  { id = "file.empty"; func = "exec:true"; trigger = "cron"; }\n);\n' > "$T/tasks/e.conf"
run M host reload
like "$err" 'e.conf:2: .*cron: give at least one of' "a task file names the file, line and missing fields"
rm "$T/tasks/e.conf"

# The execution context in a task file: the same keys as task add's.
printf 'BAR=bar\n' > "$T/f.env"
cat > "$T/tasks/c.conf" <<EOF
tasks = (
  { id = "file.ctx"; func = "exec:sh -c 'pwd; echo \$FOO \$BAR; umask'"; trigger = "cron"; hour = 3;
    env = [ "FOO=foo" ]; env_file = "$T/f.env"; workdir = "/tmp"; umask = "077"; nice = 1; }
);
EOF
M host reload >/dev/null 2>&1
M task run file.ctx >/dev/null
is "$(sqlite3 "$T/m.db" "SELECT output FROM runs WHERE task_id='file.ctx'")" "$(printf '/tmp\nfoo bar\n0077')" \
	"a task file's env, env_file, workdir and umask apply"
sed -i 's/nice = 1;/nice = "1";/' "$T/tasks/c.conf"
run M host reload
like "$err" 'c.conf:3: "nice" must be a whole number' "a context key of the wrong type names file and line"
sed -i 's/nice = "1";/nice = 1;/' "$T/tasks/c.conf"
printf 'BAR bar\n' > "$T/f.env"
run M host reload
like "$err" "c.conf:2: task \"file.ctx\": .*f.env:1: expected NAME=VALUE" "a task file's broken env file names both files and lines"
rm "$T/tasks/c.conf"

# A run due while the engine was down runs when it comes back (systemd's
# Persistent=true), not recorded missed after APScheduler's 1 s.
M task remove nightly >/dev/null
# Due 5 s ago, as an engine that was down leaves the task (its next fire
# time stored).  Not by sleeping past a fire time 2 s after the add: the
# lateness was then 1.6 s less the add's own time, so a slow add (ASan
# on a loaded machine) brought it near the 1 s checked below.
due_5s_ago() {
	sqlite3 "$T/m.db" "UPDATE tasks SET next_run = $(( $(date +%s) - 5 )) * 1000000
	  WHERE id = '$1'"
}
M task add late 'exec:/bin/true' interval seconds=60 >/dev/null
due_5s_ago late
M __scheduler-run --for 1
is "$(sqlite3 "$T/m.db" "SELECT COUNT(*) FROM runs WHERE task_id='late' AND
	status='succeeded' AND scheduled_at = (SELECT MIN(scheduled_at) FROM runs
	WHERE task_id='late');")" 1 "a fire time missed while the engine was down runs once"
is "$(count_runs late missed)" 0 "and is not recorded missed"

# The configured default grace applies to a task that sets none.
sed 's/^manager: {/manager: {\n  misfire_grace_time = 1;/' "$T/etc/m.conf" > "$T/etc/g1.conf"
M task add dflt 'exec:/bin/true' interval seconds=60 >/dev/null
due_5s_ago dflt
"$MANAGER" --config "$T/etc/g1.conf" --db "$T/m.db" __scheduler-run --for 1
is "$(count_runs dflt missed)" 1 "a run later than the configured default grace is missed"
run M --json task history dflt --limit 10
like "$out" 'more than misfire_grace_time 1 s' "and the error names the grace that applied"
