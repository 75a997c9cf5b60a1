#!/bin/sh
# tasks.sh - the task commands: add with validation, list, show, edit,
# pause, resume, remove, JSON output (the HTTP API's TaskRead).
. "$top_srcdir/tests/sched/common.sh"
plan 35

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
