#!/bin/sh
# plugin-funcs.sh - a task's PLUGIN:FUNCTION checked when it is added or
# changed (issue 13): an installed plugin without that function is
# refused with the list of its functions; a plugin that is not installed
# is a warning and the task waits disabled; plugin show lists a plugin's
# task functions with their summaries (asked of its library loaded in a
# confined manager-run).
. "$top_srcdir/tests/sched/common.sh"
plan 14
P="$top_builddir/data/plugins"

M plugin install "$P/hello" >/dev/null 2>&1
M plugin enable hello >/dev/null 2>&1

run M task add g hello:greet interval seconds=60
is "$rc" 0 "a task of an installed plugin's function is added"
run M task add g2 'hello:greet name=Ada' interval seconds=60
is "$rc" 0 "... with arguments too"
run M task add bad hello:nosuch interval seconds=60
like "$rc:$err" '^[1-9]:.*plugin hello has no task function "nosuch"; its functions: greet, noop' \
	"a function the plugin lacks is refused, naming its functions"
is "$(sql "SELECT count(*) FROM tasks WHERE id='bad'")" 0 "... and no task is added"
run M task edit g --func hello:nosuch
like "$rc:$err" '^[1-9]:.*plugin hello has no task function "nosuch"' "task edit --func checks it too"
is "$(sql "SELECT func_path FROM tasks WHERE id='g'")" "hello:greet" "... and leaves the task as it was"

# task add --from checks each line's function the same way (on a host,
# on its bulk thread, which asks the listing helper: sched_bulk.c).
printf 'pf1 hello:greet interval seconds=60\npf2 hello:nosuch interval seconds=60\n' >"$T/pf.tasks"
run M task add --from "$T/pf.tasks"
like "$rc:$err" "^[1-9]:manager: $T/pf.tasks:2: plugin hello has no task function \"nosuch\"; its functions: greet, noop" \
	"task add --from: a line whose function the plugin lacks is named"
printf 'pf1 hello:greet interval seconds=60\npf2 hello:noop interval seconds=60\n' >"$T/pf.tasks"
run M task add --from "$T/pf.tasks"
is "$rc:$out:$(sql "SELECT count(*) FROM tasks WHERE id LIKE 'pf%'")" "0:2 tasks added from $T/pf.tasks:2" \
	"... and a file of functions it has is added"

run M task add later nothere:fn interval seconds=60
like "$rc:$err" '^0:warning: task later: the plugin of nothere:fn is not installed; the task is added disabled' \
	"a plugin that is not installed is a warning"
is "$(sql "SELECT enabled FROM tasks WHERE id='later'")" 0 "... and the task waits disabled"

run M plugin show hello
like "$(printf '%s' "$out" | tr '\n' '|')" 'functions: +greet +print the configured greeting to NAME \(arg name\)\| +noop +do nothing, successfully' \
	"plugin show lists the functions with their summaries"
run M --json plugin show hello
like "$(printf '%s' "$out" | tr -d ' \n')" '"functions":\[\{"name":"greet","summary":"printtheconfiguredgreetingtoNAME\(argname\)"\},\{"name":"noop",' \
	"plugin show --json gives them as a list"

# A library that cannot be loaded: the reason, not a crash.
dir=$(sql "SELECT path FROM plugins WHERE id='hello'")
lib=$(ls "$dir"/*.so | head -1)
cp "$lib" "$T/lib.keep"
printf 'not an ELF file' >"$lib"
run M plugin show hello
like "$out" "functions: +cannot be listed: .*hello" "a broken library: plugin show says the functions cannot be listed"
run M task add g3 hello:greet interval seconds=60
like "$rc:$err" '^[1-9]:.*plugin hello: cannot list its functions' "... and task add refuses, saying why"
cp "$T/lib.keep" "$lib"
