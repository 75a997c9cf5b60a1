#!/bin/sh
# The HTTP API: token, loopback only, routes, errors, body limit.
. "$top_srcdir/tests/engine/lib.sh"

# Non-loopback and token-less configurations are refused at start-up.
printf 'api = { listen = "0.0.0.0:0"; token = "t"; };\n' >"$CONF"
run mgr --daemon
is "$rc" 1 "a non-loopback listen address is refused"
like "$err" "api.listen \"0.0.0.0:0\": only loopback" "... naming the key and value"
printf 'api = { listen = "127.0.0.1:0"; };\n' >"$CONF"
run mgr --daemon
like "$err" "neither api.token nor api.token_file" "a token is required"
printf 'api = { listen = "127.0.0.1:99999"; token = "t"; };\n' >"$CONF"
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
like "$body" '"error"' "404 body is a JSON error"
call PATCH /manager/tasks
is "$code" 405 "wrong method: 405"
hdr=$(curl -s -D - -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" "$URL/manager/tasks/x" | tr -d '\r')
like "$hdr" "Allow: GET, PUT, DELETE" "405 names the allowed methods"
call POST /manager/tasks '{"name": '
is "$code" 400 "bad JSON: 400"
like "$body" "invalid JSON at line 1" "... with line and column"
call POST /manager/tasks '[1]'
is "$code" 400 "a body that is not an object: 400"
call POST /manager/tasks '{"name": 5, "func_path": "exec:true", "trigger": "interval"}'
is "$code" 400 "wrong field type: 400"
like "$body" '"field":"name"' "... naming the field"
call POST /manager/tasks '{"func_path": "exec:true", "trigger": "interval"}'
like "$body" 'field \\"name\\" is required' "missing field named"
call POST /manager/tasks '{"name": "a", "func_path": "exec:true", "trigger": "interval", "colour": 1}'
like "$body" '"field":"colour"' "unknown field named"
call POST /manager/tasks '{"name": "a", "func_path": "exec:true", "trigger": "interval", "trigger_args": {"x": [1]}}'
like "$body" '"field":"trigger_args.x"' "bad trigger_args value named"
call POST /manager/plugins '{}'
like "$body" '"field":"source"' "plugin install needs source"
big=$(head -c 2000 /dev/zero | tr '\0' 'a')
call POST /manager/tasks "{\"name\": \"$big\"}"
is "$code" 413 "a body over max_body_kb: 413"

like "$(cat "$T/daemon.log")" "api: POST /manager/tasks: 400" "requests are logged"

# SIGHUP with a changed api group restarts the server (new token).
printf 'manager = { shutdown_grace_seconds = 2; };\napi = { listen = "127.0.0.1:0"; token = "second"; };\n' >"$CONF"
kill -HUP "$DAEMON_PID"
wait_until 5 sh -c "grep -c 'api: listening' '$T/daemon.log' | grep -q 2"
ok $? "reload restarts the API"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log" | tail -n 1)
URL="http://127.0.0.1:$PORT"
TOKEN=second
call GET /nowhere
is "$code" 404 "the new token works"

stop_daemon TERM
is "$daemon_rc" 0 "daemon stopped"
finish
