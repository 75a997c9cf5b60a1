#!/bin/sh
# cron-dialects.sh - crontab= and quartz= lines, Jenkins' H seeded by the
# task id, and relative run_date, through the real binary: schedule
# preview (with --id) and task add (the stored next run and fields).
. "$top_srcdir/tests/sched/common.sh"
plan 22

preview() {
	run M schedule preview "$@"
	out=$(printf '%s' "$out" | tr '\n' ' ')
}

# The issue's "done when": the last Fridays of 2027's first months.
preview cron 'quartz=0 15 10 ? * 6L 2027' --count 3 --tz UTC \
	--from 2026-11-28T00:00:00Z
is "$out" "2027-01-29T10:15:00+00:00 2027-02-26T10:15:00+00:00 \
2027-03-26T10:15:00+00:00" "quartz 6L 2027: the last Fridays of January to March"
is "$err" "" "nothing on stderr"
preview cron 'quartz=0 15 10 ? * 6L 2027' --json --count 2 --tz UTC \
	--from 2026-11-28T00:00:00Z
is "$out" '["2027-01-29T10:15:00+00:00","2027-02-26T10:15:00+00:00"]' \
	"--json stays an array of strings"
preview cron 'crontab=0 30 9 LW * ?' --count 2 --tz Europe/Berlin \
	--from 2026-05-01T00:00:00Z
is "$out" "2026-05-29T09:30:00+02:00 2026-06-30T09:30:00+02:00" \
	"six fields, seconds first, LW"

# Refusals name the field and the token, exit 1.
run M schedule preview cron 'quartz=0 0 12 * * MON'
is "$rc" 1 "quartz with both day fields is refused"
like "$err" 'quartz: exactly one of day \("\*"\) and day_of_week \("MON"\) must be "\?"' \
	"the refusal names both fields"
run M schedule preview cron 'crontab=0 0 * * 5#6'
like "$err" 'day_of_week: "5#6"' "a bad # names its item"

# H: stable for one id, shown by --id, the same as the task gets.
preview cron 'crontab=H H(1-5) * * *' --tz UTC --id backup --count 2 \
	--from 2026-01-01T00:00:00Z
first=$out
is "$err" "" "with --id, no note"
preview cron 'crontab=H H(1-5) * * *' --tz UTC --id backup --count 2 \
	--from 2026-01-01T00:00:00Z
is "$out" "$first" "the same id gives the same times"
like "$first" '^2026-01-01T0[1-5]:[0-5][0-9]:00\+00:00 2026-01-02' \
	"H(1-5) stays in the hours 1 to 5, once a day"
preview cron 'crontab=H H(1-5) * * *' --tz UTC --count 2 \
	--from 2026-01-01T00:00:00Z
like "$err" 'H: these times are for an empty task id' \
	"without --id stderr says whose times these are"
n=$(for id in a b c d e f g h i j k l; do
	M schedule preview cron 'crontab=H * * * *' --tz UTC --id "$id" \
		--count 1 --from 2026-01-01T00:00:00Z
done | sort -u | wc -l)
[ "$n" -ge 6 ]
ok $? "twelve ids spread over at least 6 minutes ($n)"

run M task add backup 'exec:true' cron 'crontab=H H(1-5) * * *' timezone=UTC
is "$rc" 0 "a task with H is added"
next=$(task_field backup next_run)
# --json writes times as the API does, UTC to the millisecond with a Z.
machine() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S.000Z; }
want=$(machine "$(M schedule preview cron 'crontab=H H(1-5) * * *' --tz UTC \
	--id backup --count 1)")
is "$next" "$want" "the task's next run is what preview --id shows"
is "$(M --json task show backup | grep -c '"crontab": "H H(1-5) \* \* \*"')" 1 \
	"the task keeps the line with its H"

# run_date relative: fixed at task add.
before=$(date -u +%s)
run M task add soon 'exec:true' date 'run_date=now+2h' timezone=UTC
is "$rc" 0 "a relative run_date is taken"
stored=$(M --json task show soon | sed -n 's/.*"run_date": "\([^"]*\)".*/\1/p')
like "$stored" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$' \
	"it is stored as an absolute time"
secs=$(date -u -d "$stored" +%s)
[ $((secs - before)) -ge 7199 ] && [ $((secs - before)) -le 7260 ]
ok $? "two hours from when it was added ($((secs - before)) s)"
run M task add later 'exec:true' date 'run_date=+10 fortnights'
like "$err" '"fortnights" is not a unit' "a bad unit is named"

# A task file takes the dialects too; H is seeded by the file task's id.
mkdir -p "$T/tasks"
printf 'tasks = (\n  { id = "file.q"; func = "exec:/bin/true"; trigger = "cron";\n    quartz = "0 15 10 ? * 6L 2027"; timezone = "UTC"; },\n  { id = "file.h"; func = "exec:/bin/true"; trigger = "cron";\n    crontab = "H H(1-5) * * *"; timezone = "UTC"; }\n);\n' \
	> "$T/tasks/d.conf"
run M __scheduler-run --for 0.3
is "$(M --json task show file.q | sed -n 's/^ *"next_run": "\(.*\)",$/\1/p')" \
	"2027-01-29T10:15:00.000Z" "a task file takes quartz=: its next run is the first last Friday"
want=$(machine "$(M schedule preview cron 'crontab=H H(1-5) * * *' --id file.h \
	--count 1 --tz UTC)")
is "$(M --json task show file.h | sed -n 's/^ *"next_run": "\(.*\)",$/\1/p')" "$want" \
	"... and crontab= with H, seeded by the file task's id as preview --id shows"
printf 'tasks = (\n  { id = "file.q"; func = "exec:/bin/true"; trigger = "cron";\n    quartz = "0 15 10 ? * 6X"; }\n);\n' > "$T/tasks/d.conf"
run M host reload
like "$err" 'd.conf:2: .*day_of_week: "6X"' "a bad quartz token in a task file names the file, line, field and token"
rm "$T/tasks/d.conf"
