#!/bin/bash
# functions-cache.sh - `task add PLUGIN:FUNCTION` through a running engine
# checks the function against the plugin's list that the engine made off
# its loop when it started (functions.h), not by running the listing
# helper (a confined child, up to 5 s) on the loop.  A plugin whose
# library takes 4 s to load (its constructor sleeps, under the helper's
# 5 s limit) shows it: the check answers at once.  While the list is
# being made (the engine's start), a task add waits for it without
# holding the loop (cmd_later).  `plugin show` through the engine and
# GET /manager/plugins/{id} read the same list: answered at once when it
# is there, later (the loop free) while it is being made, never by the
# helper on the loop.  "At once" is checked by order where it can be (a
# command answered while another still waits for the list); where a time
# is compared the bound is 3 s against the 4 s load: a loaded machine
# under ASan once took 1.1 s for a `host echo`.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

TOKEN=functions-cache-token-0123456789ab
write_conf 'shutdown_grace_seconds = 1;' "tasks_directory = \"$T/tasks\";" \
	'auto_enable = false;'
printf 'api = { listen = "127.0.0.1:0"; token = "%s"; };\n' "$TOKEN" >> "$CONF"
# get PATH [FILE]: the API's answer, "CODE MS" on stdout, the body in
# FILE ($T/get.body).
get() {
	curl -s -m 20 -o "${2:-$T/get.body}" -w '%{http_code} %{time_total}\n' \
		-H "Authorization: Bearer $TOKEN" "$URL$1" |
		awk '{ printf "%s %d\n", $1, $2 * 1000 }'
}
# post PATH JSON [FILE [METHOD]]: as get, a POST (or METHOD) of JSON.
post() {
	curl -s -m 20 -o "${3:-$T/post.body}" -w '%{http_code} %{time_total}\n' \
		-X "${4:-POST}" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' \
		-d "$2" "$URL$1" | awk '{ printf "%s %d\n", $1, $2 * 1000 }'
}
# functions_of FILE: the names of a plugin's functions in a JSON show.
functions_of() {
	python3 -c 'import json, sys; print(" ".join(f["name"] for f in json.load(open(sys.argv[1])).get("functions", [])))' "$1"
}
mkdir -p "$T/tasks"
sh "$top_srcdir/tests/lib/slow-plugin.sh" "$top_srcdir" "$top_builddir" "$T/slow" 4

check "install slow (its library takes 4 s to load)" m plugin install "$T/slow"
check "an exec: task to edit" m task add e0 exec:true interval seconds=600
check "another" m task add e1 exec:true interval seconds=600

api_daemon
trap 'kill $DAEMON 2>/dev/null; wait; cleanup_tmp' EXIT
hosting() { m host status 2>/dev/null | grep -q "engine host: daemon"; }
wait_until 30 hosting
ok $? "the engine runs"
api_up() { [ "$(get /manager/tasks | cut -d' ' -f1)" = 200 ]; }
wait_until 30 api_up

# The engine lists slow's functions off its loop as it starts (4 s).  A
# task add through it meanwhile does not ask the helper on the loop: it
# is answered once the list is made, while another command through the
# engine (host echo) answers at once.
(m task add s0 slow:greet interval seconds=600 > "$T/s0.out" 2>&1
 echo $? > "$T/s0.rc") &
ADD=$!
claimed() {
	[ "$(sqlite3 "$STATE/manager.db" "SELECT state FROM commands WHERE argv LIKE '%\"s0\"%'")" = running ]
}
wait_until 30 claimed
# plugin show and GET /manager/plugins/slow meanwhile wait for the list
# too, not for the helper on the loop.
(m plugin show slow > "$T/show0.out" 2>&1; echo $? > "$T/show0.rc") &
SHOW=$!
(get /manager/plugins/slow "$T/get0.body" > "$T/get0.res") &
GET=$!
# POST /manager/tasks of a PLUGIN:FUNCTION too (it ran the helper on
# the loop, holding every request and timer for the load).
(post /manager/tasks '{"name": "p0", "func_path": "slow:greet", "trigger": "interval", "trigger_args": {"seconds": 600}}' "$T/post0.body" > "$T/post0.res") &
POST=$!
# task edit --func and PATCH of func_path to it likewise.
(m task edit e0 --func slow:greet > "$T/e0.out" 2>&1; echo $? > "$T/e0.rc") &
EDIT=$!
(post /manager/tasks/e1 '{"func_path": "slow:greet", "enabled": false}' "$T/patch0.body" PATCH > "$T/patch0.res") &
PATCH=$!
sleep 0.2
t0=$(date +%s%N)
echo_out=$(m host echo ping 2>&1)
echo_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
pending=$(test -e "$T/s0.rc" && echo answered || echo waiting)
posted=$(test -s "$T/post0.res" && echo answered || echo waiting)
edited=$(test -e "$T/e0.rc" && echo answered || echo waiting)
patched=$(test -s "$T/patch0.res" && echo answered || echo waiting)
echo "# host echo through the engine ${echo_ms} ms while task add s0, plugin show and GET /manager/plugins/slow wait for the list (load $(cut -d' ' -f1 /proc/loadavg))"
is "$echo_out" ping "while a task add waits for the plugin's list, another command answers"
is "$pending" waiting "... while the task add still waits (${echo_ms} ms)"
is "$posted" waiting "... and the POST /manager/tasks of slow:greet still waits"
is "$edited:$patched" waiting:waiting "... and task edit --func and a PATCH of func_path to slow:greet"
wait $ADD
is "$(cat "$T/s0.rc")" 0 "the task add is answered once the list is made: exit 0"
like "$(cat "$T/s0.out")" '^task s0 added' "... saying so"
wait $SHOW $GET $POST $EDIT $PATCH
is "$(cat "$T/e0.rc"):$(m task show e0 | sed -n 's/^func: *//p')" "0:slow:greet" \
	"task edit --func meanwhile: exit 0 once the list is made, the task changed"
is "$(cut -d' ' -f1 "$T/patch0.res"):$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1])); print(t["func_path"], t["enabled"], t["status"])' "$T/patch0.body")" \
	"200:slow:greet False paused" "the PATCH meanwhile: 200 once the list is made, the task changed and paused"
is "$(cut -d' ' -f1 "$T/post0.res")" 201 "the POST /manager/tasks meanwhile: 201 once the list is made"
is "$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1])); print(t["id"], t["func_path"], t["source"])' "$T/post0.body")" \
	"p0 slow:greet api" "... the task it made, from the API"
# A second one of that name takes the next free id, as at once.
is "$(post /manager/tasks '{"name": "p0", "func_path": "slow:greet", "trigger": "interval", "trigger_args": {"seconds": 600}}' "$T/post1.body" | cut -d' ' -f1):$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$T/post1.body")" \
	"201:p0-2" "a second POST of that name: 201, the id p0-2"
is "$(post /manager/tasks '{"name": "p0", "func_path": "slow:nosuch", "trigger": "interval", "trigger_args": {"seconds": 600}}' "$T/post2.body" | cut -d' ' -f1)" \
	422 "a POST of a function slow lacks: 422"
is "$(cat "$T/show0.rc")" 0 "a plugin show meanwhile is answered once the list is made: exit 0"
like "$(grep '^functions:' "$T/show0.out")" '^functions: +greet' "... with slow's functions"
is "$(cut -d' ' -f1 "$T/get0.res")" 200 "GET /manager/plugins/slow meanwhile: 200 once the list is made"
is "$(functions_of "$T/get0.body")" "greet noop" "... with slow's functions"
sleep 1

# time_of COMMAND...: runs it, leaving its status in $status and the
# seconds it took in $took.
time_of() {
	local t0 t1
	t0=$(date +%s.%N)
	run_status "$@"
	t1=$(date +%s.%N)
	took=$(echo "$t1 - $t0" | bc)
}
time_of m task add s slow:greet interval seconds=600
is "$status" 0 "a task of slow's function is added through the engine"
ok "$(echo "$took < 3" | bc | grep -qx 1; echo $?)" \
	"... checked against the engine's list, not a 4 s load ($took s)"
time_of m task add s2 slow:nosuch interval seconds=600
like "$status:$(cat "$T/err")" '^[1-9]:.*plugin slow has no task function "nosuch"; its functions: greet, noop' \
	"a function slow lacks is refused with its list"
ok "$(echo "$took < 3" | bc | grep -qx 1; echo $?)" "... as quickly ($took s)"

# With the list made: plugin show through the engine answers from it,
# not after the helper's 4 s load.
time_of m plugin show slow
is "$status" 0 "plugin show slow through the engine"
like "$(grep '^functions:' "$T/out")" '^functions: +greet' "... lists its functions"
ok "$(echo "$took < 3" | bc | grep -qx 1; echo $?)" \
	"... from the engine's list, not a 4 s load ($took s)"
time_of m --json plugin show slow
is "$(functions_of "$T/out")" "greet noop" "... and with --json"
# GET /manager/plugins/slow too, and the engine's other requests are not
# delayed meanwhile (the helper on the loop held them for the load).
(get /manager/plugins/slow "$T/get1.body" > "$T/get1.res") &
GET=$!
sleep 0.2
tasks=$(get /manager/tasks)
t0=$(date +%s%N)
echo_out=$(m host echo ping 2>&1)
echo_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait $GET
echo "# GET /manager/plugins/slow: $(cut -d' ' -f2 "$T/get1.res") ms; meanwhile GET /manager/tasks ${tasks#* } ms, host echo ${echo_ms} ms (load $(cut -d' ' -f1 /proc/loadavg))"
is "$(cut -d' ' -f1 "$T/get1.res")" 200 "GET /manager/plugins/slow: 200"
is "$(functions_of "$T/get1.body")" "greet noop" "... with slow's functions"
ok "$([ "$(cut -d' ' -f2 "$T/get1.res")" -lt 3000 ]; echo $?)" \
	"... from the engine's list, not after a 4 s load ($(cut -d' ' -f2 "$T/get1.res") ms)"
is "${tasks% *}" 200 "GET /manager/tasks meanwhile: 200"
ok "$([ "${tasks#* }" -lt 3000 ]; echo $?)" "... not held for the load (${tasks#* } ms)"
is "$echo_out" ping "host echo meanwhile"
ok "$([ "$echo_ms" -lt 3000 ]; echo $?)" "... not held for the load (${echo_ms} ms)"

# task add --from through the engine checks its lines on the bulk
# thread, which has not the engine's lists: each plugin is asked of the
# helper once for the whole file, not once per line (20 lines naming
# slow took 20 loads, past a client that waits 15 s).
awk 'BEGIN { for (i = 1; i <= 20; i++) printf "f%02d slow:greet interval seconds=600\n", i }' \
	> "$T/slow.tasks"
printf 'f21 slow:nosuch interval seconds=600\n' > "$T/slow-bad.tasks"
run_status env MANAGER_COMMAND_TIMEOUT=15 "$MANAGER" --config "$CONF" \
	task add --from "$T/slow.tasks"
is "$status:$(cat "$T/out")" "0:20 tasks added from $T/slow.tasks" \
	"task add --from of 20 lines naming slow through the engine: each checked, all added"
run_status env MANAGER_COMMAND_TIMEOUT=15 "$MANAGER" --config "$CONF" \
	task add --from "$T/slow-bad.tasks"
like "$status:$(cat "$T/err")" '^[1-9]:.*slow-bad.tasks:1: .*plugin slow has no task function "nosuch"' \
	"... a line naming a function slow lacks is refused, naming its line"
done_testing
