#!/bin/sh
# json.sh - --json on every command, also after the command's name:
# mutations print the object after the change, usage errors one JSON
# error object on stderr (exit 2).
. "$top_srcdir/tests/cli/lib.sh"
plan 36
setup_tmp

M() { "$MANAGER" --db "$T/m.db" "$@"; }
# field JSON KEY: a top-level value of a JSON object, as Python prints it.
field() { printf '%s' "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2" 2>/dev/null; }

run M task add t1 exec:true interval hours=1 --json
is "$rc:$(field "$out" id):$(field "$out" status)" "0:t1:scheduled" \
	"task add --json: the task added"
run M task edit t1 --name first --json
is "$(field "$out" name)" "first" "task edit --json: the task after the change"
run M --json task pause t1
is "$(field "$out" status)" "paused" "task pause --json: the task, paused"
run M task resume t1 --json
is "$(field "$out" status)" "scheduled" "task resume --json: the task, resumed"
run M task remove t1 --json
is "$rc:$(field "$out" id):$(field "$out" removed)" "0:t1:True" \
	"task remove --json: the id, removed"
run M host reload --json
is "$rc:$(field "$out" reloaded):$(field "$out" host)" "0:True:False" \
	"host reload --json: an object, not text"
M plugin install --no-enable "$top_builddir/data/plugins/hello" >/dev/null 2>&1
run M plugin enable hello --json
is "$(field "$out" id):$(field "$out" enabled)" "hello:True" "plugin enable --json: the plugin"
run M plugin disable --json hello
is "$(field "$out" enabled)" "False" "plugin disable --json: the plugin, disabled"

# Reads: the same JSON whichever side of the command --json is on.
is "$(M task list --json)" "$(M --json task list)" "task list --json is --json task list"

# Usage errors: one JSON object on stderr, exit 2, nothing on stdout.
run M task add --json
is "$rc:$out" "2:" "a usage error with --json exits 2, nothing on stdout"
is "$(field "$err" code)" "usage" "... one JSON error object on stderr, code usage"
like "$(field "$err" usage)" "^manager task add ID FUNC TYPE" "... with the usage"
run M --json task pause t1 --bogus
is "$(field "$err" error)" "unknown option --bogus" "an unknown option as JSON"
run M --json task frob
like "$(field "$err" error)" "unknown command \"task frob\"" "an unknown verb as JSON"
run M --json task show nope
is "$rc:$(field "$err" error)" "3:no task \"nope\"" "a missing task: JSON error, exit 3"
run M --json task add t2 exec:true interval hours=1 --timeout x
like "$rc:$(field "$err" error)" "^2:option --timeout: \"x\" is not a whole number" \
	"a bad option value: a JSON error, exit 2"
run M task add t2 exec:true interval hours=1 --timeout x --json
like "$(field "$err" error)" "^option --timeout" "... also with --json after the command"

# Commands of the table's way that came later: task export and import.
M task add t3 exec:true cron minute=5 >/dev/null
run M task export crontab --json
ntasks=$(M task list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$rc:$(field "$out" tasks):$(field "$out" lines)" "0:$ntasks:1" \
	"task export --json: one object with the counts (the plugin's task a comment)"
like "$(field "$out" text)" "^5 \* \* \* \* " "... and the crontab's text"
printf '7 * * * * true\n' >"$T/tab"
run M task import --dry-run crontab "$T/tab" --prefix p --json
is "$rc:$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" \
	"0:p-1" "task import --dry-run --json: options before and after the kind"
run M --json task import cron "$T/tab"
is "$rc:$(field "$err" code)" "2:usage" "task import of an unknown kind: a usage error as JSON"
# One time form for machines, the HTTP API's: every time a --json output
# holds is RFC 3339 in UTC to the millisecond with a "Z", and every
# duration a number of seconds to the millisecond.  times_ok reads JSON
# (one document, or one per line) on stdin and prints "ok N" for N such
# values seen, or the first one of another form.
times_ok() {
	python3 -c '
import json, re, sys
ONE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
TIMES = {"last_run", "next_run", "time", "start_date", "end_date", "run_date",
         "expires", "accepted"}
SECONDS = {"duration", "user_cpu", "system_cpu"}
seen = 0
def walk(v):
    global seen
    if isinstance(v, list):
        for x in v:
            walk(x)
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if x is not None and (k.endswith("_at") or k in TIMES):
            seen += 1
            if not isinstance(x, str) or not ONE.match(x):
                sys.exit("%s: %r" % (k, x))
        elif x is not None and k in SECONDS:
            seen += 1
            if isinstance(x, bool) or not isinstance(x, (int, float)) or \
                    round(x * 1000) / 1000 != x:
                sys.exit("%s: %r" % (k, x))
        else:
            walk(x)
text = sys.stdin.read()
try:
    docs = [json.loads(text)]
except ValueError:
    docs = [json.loads(l) for l in text.splitlines() if l.strip()]
walk(docs)
print("ok", seen)
' 2>&1
}

M task add tt 'exec:/bin/echo hi' interval hours=1 \
	start_date=2026-01-01T00:00:00.123456Z >/dev/null
M task add td exec:true date run_date=2099-01-01T00:00:00Z >/dev/null
M task run tt >/dev/null
is "$(M task show tt --json | times_ok)" "ok 5" \
	"task show --json: created_at, updated_at, next_run, last_run, start_date in the API's form"
is "$(M --json task show td | times_ok)" "ok 4" \
	"... and a date task's run_date, next_run, created_at, updated_at (last_run null)"
like "$(M task list --json | times_ok)" "^ok [0-9]{2}$" "task list --json: every time in the API's form"
like "$(M task history --json | times_ok)" "^ok ([6-9]|[1-9][0-9])$" \
	"task history --json: times and durations (duration, CPU) in the API's form"
like "$(M task history tt --json | times_ok)" "^ok [6-9]$" "task history ID --json: the same"
run_id=$(M task history tt --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
like "$(M run show "$run_id" --json | times_ok)" "^ok [6-9]$" "run show --json: the same"
is "$(M task logs tt --json | times_ok)" "ok 1" "task logs --json: each line's time"
like "$(M plugin list --json | times_ok)" "^ok [2-9]$" "plugin list --json: installed_at, updated_at"
is "$(M plugin show hello --json | times_ok)" "ok 2" "plugin show --json: the same"
M snapshot create hello >/dev/null
is "$(M snapshot list --json | times_ok)" "ok 1" "snapshot list --json: created_at"
is "$(M task import --dry-run crontab "$T/tab" --json | times_ok)" "ok 1" \
	"task import --dry-run --json: next_run (created_at, updated_at null)"
mkdir "$T/repo"
(cd "$T" && "$MANAGER" repo keygen sk >/dev/null && "$MANAGER" repo index repo >/dev/null)
is "$(cd "$T" && "$MANAGER" repo sign repo --key sk --json | times_ok)" "ok 1" \
	"repo sign --json: when the signature expires"
printf 'manager: { repositories = [ "%s" ]; };\n' "$T/repo" >"$T/repo.conf"
R() { "$MANAGER" --config "$T/repo.conf" --db "$T/m.db" "$@"; }
is "$(R repo list --json | times_ok)" "ok 0" \
	"repo list --json: a repository never accepted is null, not \"-\""
R repo key add "$T/repo" "$T/sk.pub" >/dev/null && R repo update >/dev/null
is "$(R repo list --json | times_ok)" "ok 1" "... and once accepted, its time"
# The same instant as the API's 2026-01-01T00:00:00.123Z: milliseconds
# cut, not rounded, as the API cuts them.
like "$(M task show tt --json)" '"start_date": "2026-01-01T00:00:00\.123Z"' \
	"... a start_date of 00:00:00.123456Z reads 00:00:00.123Z"
done_testing
