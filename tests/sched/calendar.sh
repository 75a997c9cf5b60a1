#!/bin/sh
# calendar.sh - the calendar trigger (systemd OnCalendar= events) wherever
# a trigger is taken: schedule preview (plain, --json, --verbose) against
# systemd-analyze where it is installed, task add and show, a task file,
# the HTTP API, and the scheduler firing one with jitter.  The bulk
# comparison with systemd-analyze is tests/unit/test_calendar_systemd.
. "$top_srcdir/tests/sched/common.sh"
plan 26

BERLIN='oncalendar=Mon..Fri *-*-* 09:00 Europe/Berlin'

# The issue's check: five weekday mornings in Berlin, as systemd says.
if command -v systemd-analyze >/dev/null 2>&1 &&
    systemd-analyze calendar daily >/dev/null 2>&1; then
	now=$(date +%s)
	want=$(TZ=UTC systemd-analyze calendar --base-time="@$now" \
	    --iterations=5 'Mon..Fri *-*-* 09:00 Europe/Berlin' |
	    sed -n 's/.*\(Next elapse\|Iter\. #[0-9]*\): [A-Za-z]* \([0-9-]*\) \([0-9:]*\) UTC$/"\2T\3+00:00"/p' |
	    paste -sd, -)
	# systemd gives the times after the base, preview those from --from.
	run M schedule preview calendar "$BERLIN" --count 5 --json \
	    --from "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%S.000001Z)"
	is "$out" "[$want]" "preview --json agrees with systemd-analyze calendar --iterations=5"
else
	echo "ok 1 # SKIP systemd-analyze calendar is not available"
	_tap_n=1
fi

run M schedule preview calendar "$BERLIN" --count 3 --from 2026-06-05T12:00:00Z
is "$rc" 0 "preview exits 0"
is "$out" "2026-06-08T07:00:00+00:00
2026-06-09T07:00:00+00:00
2026-06-10T07:00:00+00:00" "plain output is one ISO 8601 time per line and nothing else"
run M schedule preview calendar "$BERLIN" --count 2 --from 2026-06-05T12:00:00Z --tz Europe/Berlin
is "$out" "2026-06-08T09:00:00+02:00
2026-06-09T09:00:00+02:00" "--tz shows the times in that zone"
run M schedule preview calendar "$BERLIN" --count 2 --from 2026-06-05T12:00:00Z --json
is "$out" '["2026-06-08T07:00:00+00:00","2026-06-09T07:00:00+00:00"]' "--json is an array of strings"
run M schedule preview calendar "$BERLIN" 'oncalendar=sat,sun 12:00' --count 2 \
	--from 2026-06-05T12:00:00Z --verbose
is "$out" "  Original form: Mon..Fri *-*-* 09:00 Europe/Berlin
Normalized form: Mon..Fri *-*-* 09:00:00 Europe/Berlin
  Original form: sat,sun 12:00
Normalized form: Sat,Sun *-*-* 12:00:00
2026-06-06T12:00:00+00:00  (in UTC: 2026-06-06T12:00:00+00:00)
2026-06-07T12:00:00+00:00  (in UTC: 2026-06-07T12:00:00+00:00)" \
	"--verbose adds each event's forms, as systemd-analyze prints them, and UTC times"
run M schedule preview calendar 'oncalendar=*-*~1 12:00' --count 1 \
	--from 2026-02-01T00:00:00Z --verbose --json --tz America/New_York
is "$out" '{"normalized":["*-*~01 12:00:00"],"times":[{"time":"2026-02-28T12:00:00-05:00","utc":"2026-02-28T17:00:00.000Z"}]}' \
	"--verbose --json is an object with the forms and the times"
run M schedule preview cron minute=5 --count 1 --from 2026-01-01T00:00:00Z --verbose
like "$out" '^Normalized form: cron minute=5' "--verbose describes other triggers too"
run M schedule preview calendar 'oncalendar=02:30 Europe/Berlin' --count 2 \
	--from 2026-03-28T12:00:00Z
is "$out" "2026-03-30T00:30:00+00:00
2026-03-31T00:30:00+00:00" "a time in the spring gap is skipped, as systemd skips it"
run M schedule preview calendar 'oncalendar=*-02-30' --from 2026-01-01T00:00:00Z
is "$out" "" "an event that never comes prints nothing on stdout"
like "$err" "never fires" "... and says so on stderr"
run M schedule preview calendar 'oncalendar=Mon..Frx 09:00'
is "$rc" 1 "a bad event fails"
like "$err" 'oncalendar: "Mon..Frx 09:00": unexpected "Frx 09:00"' "... naming the event and the token"
run M schedule preview calendar timezone=UTC
like "$err" 'calendar: give oncalendar' "a calendar without oncalendar is refused"

run M task add cal1 'exec:/bin/true' calendar "$BERLIN" 'oncalendar=Sat 12:00 UTC' jitter=5
is "$rc" 0 "task add takes a calendar trigger with two events"
run M --json task show cal1
like "$out" '"trigger": "calendar"' "the trigger type is stored"
like "$out" '"oncalendar": "Mon..Fri \*-\*-\* 09:00 Europe/Berlin; Sat 12:00 UTC"' \
	"the events are stored as one value"
like "$out" '"jitter": 5' "jitter is stored"
run M task show cal1
like "$out" 'schedule: +calendar oncalendar="Mon..Fri' "task show describes it"
run M task edit cal1 'oncalendar=daily'
like "$(M --json task show cal1)" '"oncalendar": "daily"' "task edit replaces the events"

# A task file, loaded by the engine host.
mkdir -p "$T/tasks"
printf 'tasks = (\n  { id = "file.cal"; func = "exec:/bin/true"; trigger = "calendar";\n    oncalendar = "Mon 09:00; *-*~1"; timezone = "Europe/Berlin"; }\n);\n' \
	> "$T/tasks/c.conf"
run M __scheduler-run --for 0.3
like "$(M --json task show file.cal)" '"oncalendar": "Mon 09:00; \*-\*~1"' \
	"a task file takes a calendar trigger"
printf 'tasks = (\n  { id = "file.cal"; func = "exec:/bin/true"; trigger = "calendar";\n    oncalendar = "Mon 25:00"; }\n);\n' > "$T/tasks/c.conf"
run M host reload
like "$err" 'c.conf:2: .*"Mon 25:00": the hour is out of range' \
	"a bad event in a task file names the file, line and event"
rm "$T/tasks/c.conf"

# The scheduler fires it: every second, with up to 0.3 s of jitter.
M task add every 'exec:/bin/true' calendar 'oncalendar=*:*:*' jitter=0.3 \
	--max-retries 0 >/dev/null
run M __scheduler-run --for 4
is "$rc" 0 "the scheduler host runs calendar tasks"
ok $([ "$(count_runs every succeeded)" -ge 2 ] && echo 0 || echo 1) \
	"a calendar task fired every second"

# The HTTP API (the daemon logs at info level, where it says its port).
sed 's/log_level = "warning"/log_level = "info"/' "$T/etc/m.conf" > "$T/etc/api.conf"
printf 'api = { listen = "127.0.0.1:0"; token = "a-long-enough-token-for-tests"; };\n' >> "$T/etc/api.conf"
"$MANAGER" --config "$T/etc/api.conf" --db "$T/m.db" --daemon \
	>"$T/daemon.out" 2>"$T/daemon.log" &
DPID=$!
wait_until 30 grep -q 'api: listening' "$T/daemon.log"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log")
body=$(curl -s -w '\n%{http_code}' -X POST -H 'Authorization: Bearer a-long-enough-token-for-tests' \
	-H 'Content-Type: application/json' --data-binary \
	'{"id": "api.cal", "name": "api", "func_path": "exec:true", "trigger": "calendar", "trigger_args": {"oncalendar": "Mon..Fri 09:00; weekly"}}' \
	"http://127.0.0.1:$PORT/manager/tasks")
is "$(printf '%s\n' "$body" | tail -n 1)" 201 "the HTTP API creates a calendar task"
like "$(M --json task show api.cal)" '"oncalendar": "Mon..Fri 09:00; weekly"' \
	"... with its events"
kill -TERM "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
