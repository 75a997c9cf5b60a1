#!/bin/sh
# The HTTP API: token, loopback only, routes, errors, body limit.
. "$top_srcdir/tests/engine/lib.sh"

# Non-loopback configurations are refused at start-up; without a token
# set, one is made in state_directory.
printf 'api = { listen = "0.0.0.0:0"; token = "a-long-enough-token"; };\n' >"$CONF"
run mgr --daemon
is "$rc" 1 "a non-loopback listen address is refused"
like "$err" "api.listen \"0.0.0.0:0\": only loopback" "... naming the key and value"
printf 'manager = { shutdown_grace_seconds = 2; };\napi = { listen = "127.0.0.1:0"; };\n' >"$CONF"
start_daemon
is "$(mode_of "$XDG_STATE_HOME/manager/api.token" 2>&1)" 600 \
	"without api.token or api.token_file, state_directory/api.token is made (0600)"
stop_daemon
: >"$T/daemon.log"	# the port below is read from the next daemon's log
printf 'api = { listen = "127.0.0.1:99999"; token = "a-long-enough-token"; };\n' >"$CONF"
run mgr --daemon
like "$err" "port must be 0-65535" "a bad port is named"

printf 'manager = { shutdown_grace_seconds = 2; };\napi = { listen = "127.0.0.1:0"; token_file = "api.token"; max_body_kb = 1; };\n' >"$CONF"
start_daemon
ok $? "daemon with the API started"
is "$(mode_of "$T/api.token")" 600 "generated token file is 0600"
TOKEN=$(cat "$T/api.token")
is "${#TOKEN}" 64 "token is 32 random bytes in hex"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log")
URL="http://127.0.0.1:$PORT"

# call METHOD PATH [BODY]: sets $code and $body.
call() {
	if [ $# -ge 3 ]; then
		body=$(curl -s -o - -w '\n%{http_code}' -X "$1" \
			-H "Authorization: Bearer $TOKEN" \
			-H 'Content-Type: application/json' --data-binary "$3" "$URL$2")
	else
		body=$(curl -s -o - -w '\n%{http_code}' -X "$1" \
			-H "Authorization: Bearer $TOKEN" "$URL$2")
	fi
	code=$(printf '%s\n' "$body" | tail -n 1)
	body=$(printf '%s\n' "$body" | sed '$d')
}

code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/manager/tasks")
is "$code" 401 "no token: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}x" "$URL/manager/tasks")
is "$code" 401 "wrong token: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $TOKEN" "$URL/manager/tasks")
is "$code" 401 "not a bearer token: 401"
hdr=$(curl -s -D - -o /dev/null "$URL/manager/tasks" | tr -d '\r')
like "$hdr" "WWW-Authenticate: Bearer" "401 carries WWW-Authenticate"

call GET /nowhere
is "$code" 404 "unknown route: 404"
like "$body" '"detail":"no route /nowhere","type":"not_found"' "404 body is FastAPI's {detail} with a type"
call PATCH /manager/tasks
is "$code" 405 "wrong method: 405"
hdr=$(curl -s -D - -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$URL/manager/tasks/x" | tr -d '\r')
like "$hdr" "Allow: GET, PUT, PATCH, DELETE" "405 names the allowed methods"
call POST /manager/tasks '{"name": '
is "$code" 422 "bad JSON: 422, as FastAPI answers"
like "$body" '"loc":\["body",9\],"msg":"JSON decode error: .*line 1, column 9.*","type":"json_invalid"' "... json_invalid at its offset, with line and column"
call POST /manager/tasks '[1]'
is "$code" 422 "a body that is not an object: 422"
like "$body" '"type":"model_attributes_type"' "... model_attributes_type"
call POST /manager/tasks '{"name": 5, "func_path": "exec:true", "trigger": "interval"}'
is "$code" 422 "wrong field type: 422"
like "$body" '"loc":\["body","name"\],"msg":"Input should be a valid string","type":"string_type"' "... naming the field"
call POST /manager/tasks '{"func_path": "exec:true", "trigger": "interval"}'
like "$body" '"loc":\["body","name"\],"msg":"Field required","type":"missing"' "missing name named (required on create)"
call POST /manager/tasks '{"name": "a", "func_path": "exec:true", "trigger": "interval", "colour": 1}'
like "$body" '"loc":\["body","colour"\],"msg":"Extra inputs are not permitted","type":"extra_forbidden"' "unknown field named"
call POST /manager/tasks '{"name": "a", "func_path": "exec:true", "trigger": "interval", "trigger_args": {"x": [1]}}'
like "$body" '"loc":\["body","trigger_args","x"\]' "bad trigger_args value named"
call POST /manager/tasks '{"name": "a", "func_path": "exec:true", "trigger": "weekly", "max_instances": 0, "misfire_grace_time": "x"}'
like "$body" '"loc":\["body","trigger"\],"msg":"Input should be .interval., .cron., .date. or .calendar.","type":"literal_error"' "a trigger that is none of the types: literal_error"
like "$body" '"loc":\["body","max_instances"\],"msg":"Input should be greater than or equal to 1","type":"greater_than_equal"' "... and every other wrong field in the same answer"
like "$body" '"loc":\["body","misfire_grace_time"\],"msg":"Input should be a valid integer","type":"int_type"' "... misfire_grace_time is an integer"
call POST /manager/plugins '{}'
like "$body" '"loc":\["body","path"\]' "plugin install needs path (or source)"
big=$(head -c 2000 /dev/zero | tr '\0' 'a')
call POST /manager/tasks "{\"name\": \"$big\"}"
is "$code" 413 "a body over max_body_kb: 413"

like "$(cat "$T/daemon.log")" "api: POST /manager/tasks: 422" "requests are logged"

# Every task route, through the same commands as the CLI.
call POST /manager/tasks '{"id": "t1", "name": "sleeper", "func_path": "exec:true", "trigger": "interval", "trigger_args": {"hours": 1}, "max_retries": 2}'
is "$code" 201 "POST /manager/tasks: 201"
like "$body" '"id":"t1"' "... answers with the TaskRead"
like "$body" '"max_retries":2' "... with max_retries"
like "$body" '"source":"api"' "... a task created over HTTP says source api"
like "$body" '"trigger_args":\{"hours":1,"start_date":"[0-9-]{10}T[0-9:]{8}\.[0-9]{3}Z"\}' "... typed trigger_args, times RFC 3339 UTC with milliseconds"
call POST /manager/tasks '{"name": "Nightly report", "func_path": "exec:true", "trigger": "cron", "trigger_args": {"hour": 4, "minute": "*/5"}, "misfire_grace_time": 60, "coalesce": false, "max_instances": 2}'
is "$code" 201 "POST without an id: 201"
like "$body" '"id":"nightly-report"' "... the id derived from the name"
like "$body" '"trigger_args":\{"hour":4,"minute":"\*/5"\}' "... integers stay integers"
like "$body" '"misfire_grace_time":60,"coalesce":false,"max_instances":2' "... misfire_grace_time, coalesce, max_instances taken"
call POST /manager/tasks '{"name": "Nightly report", "func_path": "exec:true", "trigger": "cron", "trigger_args": {"hour": 5}}'
like "$body" '"id":"nightly-report-2"' "a second task of the same name: the next free id"
call POST /manager/tasks '{"id": "t1", "name": "again", "func_path": "exec:true", "trigger": "interval", "trigger_args": {"hours": 1}}'
is "$code" 409 "duplicate id: 409"
call POST /manager/tasks '{"name": "bad", "func_path": "exec:true", "trigger": "cron", "trigger_args": {"hour": 99}}'
is "$code" 422 "a value the trigger refuses: 422"
like "$body" '"detail":\[\{"loc":\["body"\],"msg":"task .*hour: .*99.* is out of range 0-23","type":"invalid_input"\}\]' "... naming the value"
call GET /manager/tasks
is "$code" 200 "GET /manager/tasks: 200"
like "$body" '"id":"t1"' "... lists t1"
call GET /manager/tasks/t1
is "$code" 200 "GET /manager/tasks/t1: 200"
like "$body" '"next_run":"' "... with next_run"
call GET /manager/tasks/nope
is "$code" 404 "GET an unknown task: 404"
call PUT /manager/tasks/t1 '{"name": "renamed", "enabled": true, "trigger_args": {"minutes": 5}}'
is "$code" 200 "PUT /manager/tasks/t1: 200"
like "$body" '"name":"renamed"' "... renamed"
like "$body" '"minutes":5' "... new trigger_args"
call PUT /manager/tasks/t1 '{"enabled": "yes"}'
is "$code" 422 "PUT with a bad field: 422"
like "$body" '"loc":\["body","enabled"\],"msg":"Input should be a valid boolean","type":"bool_type"' "... naming it"
call PUT /manager/tasks/nope '{"name": "x"}'
is "$code" 404 "PUT an unknown task: 404"
call POST /manager/tasks/t1/pause
is "$code" 200 "POST pause: 200"
like "$body" '"status":"paused"' "... paused"
is "$(sqlite3 "$DB" "SELECT status FROM tasks WHERE id='t1'")" paused "... in the database"
call POST /manager/tasks/t1/resume
is "$code" 200 "POST resume: 200"
like "$body" '"status":"scheduled"' "... scheduled again"
call POST /manager/tasks/t1/run
is "$code" 202 "POST run: 202"
like "$body" '^\{"id":[0-9]+,"task_id":"t1","status":"running"\}$' "... with the run id"
wait_until 30 sh -c "sqlite3 '$DB' \"SELECT status FROM runs WHERE task_id='t1'\" | grep -q succeeded"
ok $? "... the run happened"
call GET /manager/tasks/t1/runs
is "$code" 200 "GET runs: 200"
like "$body" '"status":"succeeded"' "... lists the run"
call POST /manager/tasks/nope/run
is "$code" 404 "run an unknown task: 404"
call DELETE /manager/tasks/t1
is "$code" 204 "DELETE /manager/tasks/t1: 204"
is "$body" "" "... no body"
call GET /manager/tasks/t1
is "$code" 404 "... then it is gone"

# Plugin routes, and a route the plugin registered itself.
call POST /manager/plugins "{\"path\": \"$top_builddir/data/plugins/hello\", \"name\": \"Other\"}"
is "$code" 422 "PluginCreate with a name its manifest does not have: 422"
like "$body" '"loc":\["body","name"\],"msg":"Value error, the plugin.s manifest says name .*Hello' "... naming the field and the manifest's value"
call GET /manager/plugins/hello
is "$code" 404 "... and nothing stays installed"
call POST /manager/plugins "{\"source\": \"$top_builddir/data/plugins/hello\"}"
is "$code" 201 "POST /manager/plugins: 201"
like "$body" '"id":"hello"' "... answers with the plugin"
call POST /manager/plugins "{\"source\": \"$T/nowhere\"}"
like "$code" '^(404|422)$' "install from a missing folder: 404/422"
call GET /manager/plugins
like "$body" '"id":"hello"' "GET /manager/plugins lists it"
call GET /manager/plugins/hello
is "$code" 200 "GET /manager/plugins/hello: 200"
call GET /manager/plugins/nope
is "$code" 404 "unknown plugin: 404"
call POST /manager/plugins/hello/enable
is "$code" 200 "POST enable: 200"
like "$body" '"enabled":true' "... enabled"
call GET /plugins/hello/greeting
is "$code" 200 "the plugin's own route: 200"
like "$body" '"greeting"' "... its body"
call GET /plugins/hello/nothing
is "$code" 404 "a route the plugin did not register: 404"
hdr=$(curl -s -D - -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$URL/plugins/hello/greeting" | tr -d '\r')
like "$hdr" "^HTTP/1.1 405" "a plugin route with another method: 405"
like "$hdr" "Allow: GET" "... with Allow"
call POST /manager/plugins/hello/reload
is "$code" 200 "POST reload: 200"
like "$body" '"id":"hello"' "... answers with the plugin"
call POST /manager/plugins/nope/reload
is "$code" 404 "reload an unknown plugin: 404"

# Snapshot routes: the same commands as `manager snapshot ...`.
call POST /manager/plugins/hello/snapshots
is "$code" 201 "POST /manager/plugins/hello/snapshots: 201"
like "$body" '"reason":"manual"' "... answers with the snapshot"
SID=$(printf '%s\n' "$body" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
is "$(sqlite3 "$DB" "SELECT plugin_id FROM snapshots WHERE id='$SID'")" hello "... the row is there"
call POST /manager/plugins/nope/snapshots
is "$code" 404 "snapshot an unknown plugin: 404"
call GET /manager/snapshots
is "$code" 200 "GET /manager/snapshots: 200"
like "$body" "\"id\":$SID," "... lists it"
call GET /manager/plugins/hello/snapshots
is "$code" 200 "GET /manager/plugins/hello/snapshots: 200"
like "$body" '"plugin_id":"hello"' "... lists hello's"
call GET /manager/plugins/nope/snapshots
is "$code" 404 "snapshots of an unknown plugin: 404"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/manager/snapshots")
is "$code" 401 "GET /manager/snapshots without a token: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/manager/snapshots/$SID/restore")
is "$code" 401 "restore without a token: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/manager/snapshots/$SID")
is "$code" 401 "DELETE a snapshot without a token: 401"
call POST /manager/snapshots/$SID/restore
is "$code" 200 "POST /manager/snapshots/$SID/restore: 200"
like "$body" "\"id\":$SID," "... answers with the snapshot"
call POST /manager/snapshots/99999/restore
is "$code" 404 "restore an unknown snapshot: 404"
call POST /manager/snapshots/abc/restore
is "$code" 422 "restore a snapshot id that is not a number: 422"
like "$body" '"loc":\["path","snapshot_id"\]' "... naming the path parameter"
call PUT /manager/snapshots/$SID
is "$code" 405 "PUT a snapshot: 405"
call DELETE /manager/snapshots/99999
is "$code" 404 "DELETE an unknown snapshot: 404"
call DELETE /manager/snapshots/$SID
is "$code" 204 "DELETE /manager/snapshots/$SID: 204"
is "$(sqlite3 "$DB" "SELECT count(*) FROM snapshots WHERE id='$SID'")" 0 "... the row is gone"
call DELETE /manager/snapshots/$SID
is "$code" 404 "... a second DELETE: 404"

call POST /manager/plugins/hello/disable
is "$code" 200 "POST disable: 200"
like "$body" '"enabled":false' "... disabled"
call GET /plugins/hello/greeting
is "$code" 404 "a disabled plugin's route: 404"
call DELETE /manager/plugins/hello
is "$code" 204 "DELETE /manager/plugins/hello: 204"
call GET /manager/plugins/hello
is "$code" 404 "... then it is gone"

# SIGHUP with a changed api group restarts the server (new token).
printf 'manager = { shutdown_grace_seconds = 2; };\napi = { listen = "127.0.0.1:0"; token = "second-token-0123456789"; };\n' >"$CONF"
kill -HUP "$DAEMON_PID"
wait_until 30 sh -c "grep -c 'api: listening' '$T/daemon.log' | grep -q 2"
ok $? "reload restarts the API"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log" | tail -n 1)
URL="http://127.0.0.1:$PORT"
TOKEN=second-token-0123456789
call GET /nowhere
is "$code" 404 "the new token works"

stop_daemon TERM
is "$daemon_rc" 0 "daemon stopped"
finish
