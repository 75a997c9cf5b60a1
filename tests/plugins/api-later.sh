#!/bin/bash
# api-later.sh - the HTTP API's POST /manager/plugins/{id}/enable,
# /disable, /reload and PUT/PATCH with "enabled", for a plugin served by
# its host worker (sandboxing), do not hold the engine's loop while the
# plugin's on_enable or on_disable runs: the request waits, suspended,
# and is answered when the worker has, with the status and body an
# answer given at once has (compared).  evil's on_enable and on_disable
# sleep 2 s here (config.enable_sleep, disable_sleep); meanwhile GET
# /manager/tasks answers in under 0.5 s and an every-second task keeps
# starting runs.  POST /manager/plugins (install, auto_enable) likewise.
# Then: a second enable meanwhile is refused at once
# (409, busy, as the CLI's exit 4); a client that gives up does not harm
# the engine; an on_enable that crashes is answered later with the
# error; a request waiting when the engine stops is answered 503.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

slow_evil_setup 2
sed -i 's/^manager: {/manager: {\n  auto_enable = true;/' "$CONF"	# for the install
check "an every-second task" m task add tick exec:/bin/true interval seconds=1

start_daemon() {
	api_daemon
	wait_until 30 api_up
}
api_up() { curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/manager/tasks"; }
start_daemon

state() {
	sqlite3 "$DB" "SELECT value FROM plugin_state WHERE plugin_id = 'evil' AND key = '$1'"
}
started() { test -n "$(state "$1")"; }
forget() { sqlite3 "$DB" "DELETE FROM plugin_state WHERE plugin_id = 'evil'"; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# call METHOD PATH [BODY]: the request now; $code and $body.
call() {
	body=$(curl -s -m 30 -o - -w '\n%{http_code}' -X "$1" \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		${3:+-d "$3"} "$URL$2")
	code=$(printf '%s\n' "$body" | tail -n 1)
	body=$(printf '%s\n' "$body" | sed '$d')
}
# background NAME METHOD PATH [BODY]: the request in the background; its
# status, body, time (ms) and the moment it was answered (Unix us) in
# $T/NAME.code, .body, .ms and .end once it is answered (.code last).
background() {
	name=$1
	shift
	rm -f "$T/$name.code"
	(
		t0=$(date +%s%N)
		call "$@"
		now_us > "$T/$name.end"
		printf '%s\n' "$body" > "$T/$name.body"
		ms "$t0" > "$T/$name.ms"
		echo "$code" > "$T/$name.code.tmp"
		mv "$T/$name.code.tmp" "$T/$name.code"
	) &
	BG=$!
}
field() {
	python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
# runs_between FROM TO: tick's runs started in [FROM, TO] (Unix us).
runs_between() {
	sqlite3 "$DB" "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at BETWEEN $1 AND $2"
}

# meanwhile NAME: while NAME waits for the plugin's worker, GET
# /manager/tasks answers and NAME is still waiting (had the request held
# the loop, GET would be answered after it).  Its time is a figure, not
# a check: beside other tests under make -j2 it says the machine's load.
meanwhile() {
	api=$(curl -s -m 20 -o /dev/null -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $TOKEN" "$URL/manager/tasks")
	api_ms=$(awk -v t="${api#* }" 'BEGIN { printf "%d", t * 1000 }')
	pending=$(test -e "$T/$1.code" && echo answered || echo waiting)
	echo "# during $1: GET /manager/tasks ${api_ms} ms (load $(cut -d' ' -f1 /proc/loadavg))"
	is "${api%% *}" 200 "$1: GET /manager/tasks answers"
	is "$pending" waiting "$1: ... while the request still waits for the plugin"
}

# later NAME KEY WANT_MS METHOD PATH [BODY]: sends the request, waits
# until the worker's KEY (enable_sleep.started or disable_sleep.started)
# shows its on_enable or on_disable began, checks the engine meanwhile,
# then that the request was answered 200 once the worker had (WANT_MS at
# least), its body the plugin as GET shows it, and that the every-second
# task started runs while it waited (up to 0.3 s before the answer).
later() {
	name=$1 key=$2 want_ms=$3 want_code=${want_code:-200}
	shift 3
	forget
	background "$name" "$@"
	wait_until 30 started "$key"
	from=$(now_us)
	meanwhile "$name"
	wait $BG
	# Runs due while a blocked loop waited start as it is answered.
	to=$(( $(cat "$T/$name.end") - 300000 ))
	is "$(cat "$T/$name.code")" "$want_code" "$name: $want_code"
	ok "$([ "$(cat "$T/$name.ms")" -ge "$want_ms" ]; echo $?)" \
		"$name: answered once the worker had ($(cat "$T/$name.ms") ms)"
	call GET /manager/plugins/evil
	is "$(cat "$T/$name.body")" "$body" "$name: its body is the plugin as GET shows it"
	n=$(runs_between "$from" "$to")
	echo "# $name: tick started $n run(s) in the $(( (to - from) / 1000 )) ms it waited"
	ok "$([ "$n" -ge 1 ]; echo $?)" "$name: the every-second task kept starting runs meanwhile ($n)"
}

later enable enable_sleep.started 1500 POST /manager/plugins/evil/enable
is "$(field state < "$T/enable.body")" enabled "enable: the plugin is enabled"
call POST /manager/plugins/evil/enable
is "$code $body" "200 $(cat "$T/enable.body")" \
	"enable: the same status and body as an enable answered at once (enabled already)"
call GET /plugins/evil/attempt
is "$code" 200 "enable: its routes are served"

later put-disable disable_sleep.started 1500 PUT /manager/plugins/evil '{"enabled": false}'
is "$(field state < "$T/put-disable.body")" disabled "PUT enabled false: the plugin is disabled"
call PUT /manager/plugins/evil '{"enabled": false}'
is "$code $body" "200 $(cat "$T/put-disable.body")" \
	"PUT enabled false: the same as answered at once (disabled already)"

later patch-enable enable_sleep.started 1500 PATCH /manager/plugins/evil '{"enabled": true}'
is "$(field state < "$T/patch-enable.body")" enabled "PATCH enabled true: the plugin is enabled"

later reload enable_sleep.started 3500 POST /manager/plugins/evil/reload
is "$(state disable_sleep.started)" 1 "reload: the old worker's on_disable ran"
is "$(field state < "$T/reload.body")" enabled "reload: the plugin is enabled"

later disable disable_sleep.started 1500 POST /manager/plugins/evil/disable
is "$(field state < "$T/disable.body")" disabled "disable: the plugin is disabled"

# A second enable while one is under way: refused at once, busy (the
# CLI's exit 4 is 409).
forget
background enable2 POST /manager/plugins/evil/enable
wait_until 30 started enable_sleep.started
t0=$(date +%s%N)
call POST /manager/plugins/evil/enable
took=$(ms "$t0")
first=$(test -e "$T/enable2.code" && echo answered || echo waiting)
echo "# the 409 came in $took ms (load $(cut -d' ' -f1 /proc/loadavg))"
is "$code" 409 "an enable while another is under way: 409"
like "$body" 'an enable, disable or reload of it is under way' "... saying why"
# At once: while the first one's on_enable still sleeps (a refusal that
# waited for it would come after the first one's answer).
is "$first" waiting "... at once, while the first one still waits"
wait $BG
is "$(cat "$T/enable2.code")" 200 "the first one ends: 200"

# A client that gives up before the worker answered: the disable goes
# on, the engine with it.
forget
curl -s -m 0.5 -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" \
	"$URL/manager/plugins/evil/disable"
disabled() { [ "$(plugin_field evil state)" = disabled ]; }
wait_until 30 disabled
ok $? "a disable whose client gave up goes on: the plugin is disabled"
call GET /manager/tasks
is "$code" 200 "... and the engine answers"

# An install with auto_enable, its on_enable answered later: 201 with
# the plugin as GET shows it, as an install answered at once.
# (The disable above is over first: its on_disable runs 2 s after the
# plugin shows disabled, and a disable meanwhile is refused, 409.)
for i in $(seq 1 100); do
	call POST /manager/plugins/evil/disable
	[ "$code" = 409 ] || break
	sleep 0.1
done
check "evil uninstalled" m plugin uninstall evil
want_code=201 later install enable_sleep.started 1500 POST /manager/plugins \
	"{\"path\": \"$T/evil\"}"
is "$(field state < "$T/install.body")" enabled "install: the plugin is installed and enabled"
call POST /manager/plugins/evil/disable
is "$code" 200 "disabled again"

# An on_enable that crashes, answered later: the error as an answer at
# once gives it (a command's exit 1: 500), the plugin faulted.
sed -i 's/^config = {/config = { on_enable = "crash";/; s/enable_sleep = "2"/enable_sleep = "0"/' \
	"$PLUGINS/evil/plugin.conf"
# The disable above shows "disabled" once recorded, while its on_disable
# (2 s) still runs: an enable meanwhile is refused as busy (409), so it
# is asked again, as the 409 says, until that is over.
for i in $(seq 1 100); do
	call POST /manager/plugins/evil/enable
	[ "$code" = 409 ] || break
	sleep 0.1
done
is "$code" 500 "an on_enable that crashes: 500"
like "$(field detail <<< "$body")" '^plugin evil: on_enable crashed with SIGSEGV' "... saying why"
is "$(plugin_field evil state)" faulted "... the plugin is faulted"
sed -i 's/on_enable = "crash"; //; s/enable_sleep = "0"/enable_sleep = "2"/' \
	"$PLUGINS/evil/plugin.conf"

# A request waiting when the engine stops: 503, and the engine stops.
forget
background stopping POST /manager/plugins/evil/enable
wait_until 30 started enable_sleep.started
kill $DAEMON
wait $BG
is "$(cat "$T/stopping.code")" 503 "a request waiting when the engine stops: 503"
like "$(cat "$T/stopping.body")" 'the API is stopping' "... saying why"
wait $DAEMON
is "$?" 0 "the engine stops cleanly"
DAEMON=
done_testing
