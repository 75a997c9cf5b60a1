#!/bin/sh
# tasks.sh - the task commands' habits: distinct exit statuses for a
# failed task (5), invalid input (1) and a client that gave up waiting
# (124); task list sorted by NEXT, --sort FIELD; a FUNC given where a
# trigger field goes points at --func; a task of a task file is changed by
# hand only with --force, which says that the file wins.
. "$top_srcdir/tests/cli/lib.sh"
plan 22
setup_tmp

mkdir -p "$T/tasks"
printf 'manager: { tasks_directory = "%s/tasks"; log_level = "error"; };\n' \
	"$T" >"$T/m.conf"
M() { "$MANAGER" --config "$T/m.conf" --db "$T/m.db" "$@"; }

# Exit statuses.
M task add bad exec:/bin/false interval hours=1 --max-retries 0 >/dev/null
run M task run bad
is "$rc" 5 "a task that ran and failed: exit 5"
run M task add odd exec:true cron minute=99
like "$rc:$err" "^1:.*minute" "invalid input (a bad field value): exit 1"
run M task add odd exec:true cron minute=1 --bogus
is "$rc" 2 "a usage error: exit 2"
run M task show nope
is "$rc" 3 "not found: exit 3"

# task list: by NEXT (as systemctl list-timers), then --sort.
M task add a-late exec:true interval hours=5 >/dev/null
M task add b-soon exec:true interval seconds=50 >/dev/null
M task add c-mid exec:true interval hours=1 --disable >/dev/null
M task add d-mid exec:true interval minutes=30 >/dev/null
order() { M "$@" task list 2>/dev/null | awk 'NR > 1 && NF > 3 { print $NF }' | tr '\n' ' '; }
is "$(order)" "b-soon d-mid bad a-late c-mid " \
	"task list: the next to fire first, tasks that will not fire last"
is "$(M task list --sort id 2>/dev/null | awk 'NR > 1 && NF > 3 { print $NF }' | tr '\n' ' ')" \
	"a-late b-soon bad c-mid d-mid " "--sort id"
is "$(M --json task list 2>/dev/null | python3 -c 'import json,sys; print(" ".join(t["id"] for t in json.load(sys.stdin)))')" \
	"b-soon d-mid bad a-late c-mid" "--json lists in the same order"
run M task list --sort colour
like "$rc:$err" "^2:.*--sort: \"colour\" is not one of next, last, id, name, status" \
	"an unknown --sort field: exit 2, naming the fields"

# A FUNC where a trigger field goes.
run M task edit a-late 'exec:/bin/echo hi'
like "$rc:$err" "^2:.*this is a FUNC.*use --func 'exec:/bin/echo hi'" \
	"task edit ID 'exec:...' points at --func"
run M task edit a-late --func 'exec:/bin/echo hi'
is "$rc" 0 "... which works"

# A task of a task file is the file's.
printf 'tasks = ( { id = "f1"; func = "exec:true"; trigger = "interval"; hours = 2; } );\n' \
	>"$T/tasks/a.conf"
M host reload >/dev/null
run M task pause f1
is "$rc" 4 "pausing a task of a task file is refused (exit 4)"
like "$err" "task f1 comes from the task file $T/tasks/a.conf: pause it there, or use --force" \
	"... naming the file and --force"
is "$(M --json task show f1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" \
	"scheduled" "... and the task is not paused"
run M task edit f1 --timeout 5
is "$rc" 4 "editing it is refused"
run M task remove f1
is "$rc" 4 "removing it is refused"
run M task pause f1 --force
is "$rc" 0 "--force pauses it"
like "$err" "warning: task f1 comes from $T/tasks/a.conf: the file wins at the next reload" \
	"... saying that the file wins at the next reload"
M host reload >/dev/null
is "$(M --json task show f1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" \
	"scheduled" "... as it does"
run M task remove f1 --force
is "$rc" 0 "--force removes it"

# A client that gives up waiting for the host: 124.
# Not through M: a backgrounded shell function is a subshell.
"$MANAGER" --config "$T/m.conf" --db "$T/m.db" --daemon 2>"$T/daemon.log" &
daemon=$!
trap 'kill -CONT $daemon 2>/dev/null; kill $daemon 2>/dev/null; cleanup_tmp' EXIT
wait_until 30 M host status
ok $? "a daemon hosts the engine"
# Frozen between two writes, not inside one: a daemon stopped while it
# holds the write lock makes the client fail on "database is locked"
# before it can wait for the host at all.
stop_daemon_unlocked() {
	for i in $(seq 50); do
		kill -STOP $daemon
		sqlite3 -cmd ".timeout 100" "$T/m.db" "BEGIN IMMEDIATE; ROLLBACK;" \
			>/dev/null 2>&1 && return 0
		kill -CONT $daemon
		sleep 0.1
	done
	return 1
}
stop_daemon_unlocked
MANAGER_COMMAND_TIMEOUT=0.3 run M task pause a-late
kill -CONT $daemon
is "$rc" 124 "a client that gave up waiting for the host exits 124"
like "$err" "did not take the command" "... and says so"
kill $daemon
wait $daemon
done_testing
