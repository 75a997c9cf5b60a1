#!/bin/sh
# json.sh - --json on every command, also after the command's name:
# mutations print the object after the change, usage errors one JSON
# error object on stderr (exit 2).
. "$top_srcdir/tests/cli/lib.sh"
plan 21
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
done_testing
