#!/bin/sh
# bulk.sh - task add --from FILE|-: one task per line (the words of
# `task add`, or a JSON object of the API's TaskCreate fields), all in one
# transaction: a bad line names FILE:LINE and the field, and nothing at
# all is added; duplicate ids name both; --dry-run adds nothing; a running
# daemon schedules the tasks added.
. "$top_srcdir/tests/cli/lib.sh"
plan 34
setup_tmp

printf 'manager: { log_level = "error"; };\n' >"$T/m.conf"
M() { "$MANAGER" --config "$T/m.conf" --db "$T/m.db" "$@"; }
count() { M task list 2>/dev/null | tail -n 1 | sed 's/ .*//'; }

# 1,000 lines, with comments, blank lines and quoted words.
{
	echo "# generated: id func trigger fields options"
	echo
	seq 1 1000 | awk '{ printf "t%04d \"exec:/bin/echo hello %d\" interval hours=%d --max-retries 1\n", $1, $1, $1 % 24 + 1 }'
} >"$T/a.tasks"
run M task add --from "$T/a.tasks"
is "$rc:$out" "0:1000 tasks added from $T/a.tasks" "1,000 lines: one command adds 1,000 tasks"
is "$(count)" 1000 "... and task list lists them"
is "$(M --json task show t0500 | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["func_path"], t["trigger_args"]["hours"], t["max_retries"], t["source"])')" \
	"exec:/bin/echo hello 500 21 1 cli" \
	"... each as \`task add\` with the same words adds it (quotes, fields, options)"

# A bad field value at line 500: nothing at all is added.
seq 1 1000 | awk '{ m = $1 == 500 ? 99 : 5; printf "b%04d exec:true cron minute=%d\n", $1, m }' >"$T/bad.tasks"
run M task add --from "$T/bad.tasks"
is "$rc" 1 "a bad field value at line 500: exit 1"
like "$err" "^manager: $T/bad.tasks:500: .*minute" "... naming the file, line 500 and the field"
is "$(printf '%s\n' "$err" | grep -c ':[0-9]*: ')" 1 "... and only that line"
like "$err" "1 line refused: no task added" "... saying that nothing is added"
is "$(count)" 1000 "... and nothing was added (all or nothing)"
run M task show b0001
is "$rc" 3 "... not even the lines before it"

# A usage error at a line: an unknown option; every bad line is named.
printf 'u1 exec:true interval hours=1\nu2 exec:true interval hours=1 --bogus\nu3 exec:true\nu4 exec:true interval hours=1 --max-retries x\n' >"$T/usage.tasks"
run M task add --from "$T/usage.tasks"
is "$rc" 2 "an unknown option in a line: the usage error's exit status, 2"
like "$err" "usage.tasks:2: unknown option --bogus" "... naming line 2 and the option"
like "$err" "usage.tasks:3: expected ID FUNC TYPE" "... line 3: too few words"
like "$err" "usage.tasks:4: option --max-retries: \"x\" is not a whole number" \
	"... line 4: the option's value"
run M task show u1
is "$rc" 3 "... and the good line is not added either"

# Duplicate ids: in the file (both lines named), and against a task.
printf 'd1 exec:true interval hours=1\nd2 exec:true interval hours=1\n\nd1 exec:true interval hours=2\n' >"$T/dup.tasks"
run M task add --from "$T/dup.tasks"
like "$rc:$err" "^4:.*dup.tasks:4: task id \"d1\" is also the id of line 1" \
	"an id twice in the file: exit 4, naming both lines"
printf 'e1 exec:true interval hours=1\nt0007 exec:true interval hours=1\n' >"$T/exists.tasks"
run M task add --from "$T/exists.tasks"
like "$rc:$err" "^4:.*exists.tasks:2: task id \"t0007\" is taken by an existing task" \
	"an id of an existing task: exit 4, naming the line and the id"
is "$(count)" 1000 "... and neither file added anything"

# JSON lines: the API's TaskCreate fields.
cat >"$T/json.tasks" <<'EOF'
{"name": "Nightly backup", "func_path": "exec:/bin/echo backup", "trigger": "cron", "trigger_args": {"hour": 3, "minute": 0}, "max_retries": 2, "coalesce": false, "env": ["A=1"]}
{"id": "j2", "name": "two", "func_path": "exec:true", "trigger": "interval", "trigger_args": {"minutes": 30}, "enabled": false}
# the same name again: the next free id, as POST /manager/tasks gives
{"name": "Nightly backup", "func_path": "exec:true", "trigger": "interval", "trigger_args": {"hours": 1}}
j4 exec:true interval hours=4
EOF
run M task add --from "$T/json.tasks"
is "$rc" 0 "JSON lines and word lines in one file"
is "$(M --json task show nightly-backup | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["name"], t["trigger"], t["trigger_args"]["hour"], t["max_retries"], t["coalesce"], t["env"])')" \
	"Nightly backup cron 3 2 False ['A=1']" "... a JSON line's fields, the id derived from the name"
is "$(M --json task show j2 | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["enabled"], t["status"])')" \
	"False paused" "... enabled false: added paused"
run M task show nightly-backup-2
is "$rc" 0 "... a derived id that is taken gets -2"
printf '{"id": "k1", "name": "k", "func_path": "exec:true", "trigger": "interval", "max_retries": "3"}\n{"name": "k2", "func_path": "exec:true", "trigger": "interval", "colour": 1}\n{"name": "k3"\n' >"$T/badjson.tasks"
run M task add --from "$T/badjson.tasks"
like "$rc:$err" "^1:.*badjson.tasks:1: field \"max_retries\": expected a whole number" \
	"a JSON field of the wrong type: exit 1, naming the line and the field"
like "$err" "badjson.tasks:2: field \"colour\": not a field" "... a field the API does not have"
like "$err" "badjson.tasks:3: column" "... a line that is not JSON"

# Standard input.
printf 's1 exec:true interval hours=1\ns2 exec:true interval hours=2\n' | M task add --from - >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out")" "0:2 tasks added from -" "--from - reads standard input"

# --dry-run checks every line and adds nothing; --json.
printf 'r1 exec:true interval hours=1\nr2 exec:true interval hours=2\n' >"$T/dry.tasks"
n=$(count)
run M task add --from "$T/dry.tasks" --dry-run
is "$rc:$out" "0:2 tasks checked in $T/dry.tasks: nothing added (dry run)" "--dry-run checks the lines"
is "$(count)" "$n" "... and adds nothing"
run M task add --from "$T/bad.tasks" --dry-run
like "$rc:$err" "^1:.*bad.tasks:500:" "... and names a bad line as the real run does"
run M --json task add --from "$T/dry.tasks"
is "$rc:$(printf '%s' "$out" | python3 -c 'import json,sys; print(" ".join(t["id"] + ":" + t["status"] for t in json.load(sys.stdin)))')" \
	"0:r1:scheduled r2:scheduled" "--json prints the tasks added"
run M --json task add --from "$T/dup.tasks"
is "$rc:$(printf '%s' "$err" | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["code"], e["errors"][0]["line"], e["errors"][0]["file"] == sys.argv[1])' "$T/dup.tasks")" \
	"4:already exists 4 True" "... and a JSON error naming each bad line"

# Usage: --from takes no ID FUNC TYPE; --dry-run goes with --from.
run M task add --from "$T/dry.tasks" x exec:true interval
is "$rc" 2 "--from with ID FUNC TYPE: a usage error"
run M task add x exec:true interval hours=1 --dry-run
is "$rc" 2 "--dry-run without --from: a usage error"

# With a daemon running, it schedules the tasks added (through it).
# Not through M: a backgrounded shell function is a subshell.
"$MANAGER" --config "$T/m.conf" --db "$T/m.db" --daemon 2>"$T/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; cleanup_tmp' EXIT
wait_until 30 sh -c "\"$MANAGER\" --config '$T/m.conf' --db '$T/m.db' host status | grep -q 'engine host: daemon'"
printf 'f1 exec:true interval seconds=1\nf2 exec:true interval seconds=1\n' >"$T/fire.tasks"
run M task add --from "$T/fire.tasks"
is "$rc" 0 "with a daemon running: added through it"
fired() { M task history "$1" 2>/dev/null | grep -q succeeded; }
wait_until 30 fired f1 && wait_until 30 fired f2
ok $? "... and the daemon runs the tasks added"
kill $daemon
wait $daemon
done_testing
