#!/bin/sh
# notify.sh - notifications of a fire time's final outcome (issue 14):
# exec:, mail: (a fake sendmail on the test's task_path) and webhook: (a
# loopback HTTP server) fire once per final failure with one retry
# configured; on_success, on_recovery, on_output, on_missed; the
# configured defaults and "none"; a failing notifier is an event and
# never changes the task; errors at add time name the key.
. "$top_srcdir/tests/sched/common.sh"
plan 37

B="$T/bin"
mkdir -p "$B"
# The notifier command: one line per call, from its environment.
# (A run's environment is its own, never the engine's: the files are
# named in the scripts.)
NOTES="$T/notes" MAILBOX="$T/mailbox"
cat > "$B/notifier" <<SH
#!/bin/sh
echo "\$MANAGER_TASK_ID \$MANAGER_EVENT \$MANAGER_STATUS \$MANAGER_EXIT_CODE run=\$MANAGER_RUN_ID out=\$(printf '%s' "\$MANAGER_OUTPUT" | tr '\\n' ,)" >> "$NOTES"
SH
# A fake sendmail: each message, then a separator.
cat > "$B/sendmail" <<SH
#!/bin/sh
{ echo "ARGS \$*"; cat; echo "--END--"; } >> "$MAILBOX"
SH
# A curl that fails, first on the task path: webhooks are sent with
# libcurl (manager-webhook), never with a curl program.
cat > "$B/curl" <<SH
#!/bin/sh
echo "the curl of the task path ran" >&2
exit 7
SH
chmod +x "$B/notifier" "$B/sendmail" "$B/curl"

# The webhook server: every POST's body on a line of its own.
cat > "$T/hook.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[1], "ab") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b" " + body + b"\n")
        with open(sys.argv[1] + ".agent", "a") as f:
            f.write(self.headers.get("User-Agent", "") + "\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/hook.py" "$T/posts" > "$T/hook.port" &
hook=$!
wait_until 60 test -s "$T/hook.port"	# python starts slowly on a loaded machine
[ -s "$T/hook.port" ] || { echo "Bail out! the webhook server did not start"; exit 1; }
HPORT=$(cat "$T/hook.port")

conf() {	# EXTRA-KEYS
	cat > "$T/etc/m.conf" <<CONF
manager: {
  retry_backoff_base = 0;
  kill_grace_seconds = 1;
  shutdown_grace_seconds = 2;
  tasks_directory = "$T/tasks";
  log_level = "info";
  task_path = "$B:/usr/bin:/bin";
  notify_retries = 0;
  notify_timeout = 20;
  $1
};
CONF
}
conf ""
: > "$NOTES"
FAIL="exec:/bin/sh -c 'echo out; echo err >&2; exit 3'"

# Add-time errors name the key and the value.
run M task add bad1 "$FAIL" interval hours=1 --on-failure "pager:me"
is "$rc" 1 "an unknown action kind is refused"
like "$err" 'on_failure.*pager:me' "... naming the key and the action"
run M task add bad2 "$FAIL" interval hours=1 --on-success "webhook:ftp://x/"
like "$err" 'on_success.*not an http' "a webhook that is not http(s) is refused"
if [ ! -e /usr/sbin/sendmail ] && [ ! -e /usr/lib/sendmail ]; then
	mv "$B/sendmail" "$B/sendmail.off"
	run M task add bad3 "$FAIL" interval hours=1 --on-failure "mail:ops"
	like "$err" 'on_failure: mail needs a sendmail' \
		"mail with no sendmail is refused at add time"
	mv "$B/sendmail.off" "$B/sendmail"
else
	ok 0 "# SKIP this machine has a sendmail"
fi
run M task list
unlike "$out" 'bad[123]' "refused tasks were not added"

# The three kinds on one failing task each, with one retry.
M task add fexec "$FAIL" interval hours=1 --max-retries 1 \
	--on-failure "exec:$B/notifier" >/dev/null
M task add fmail "$FAIL" interval hours=1 --max-retries 1 \
	--on-failure "mail:ops@example.com" >/dev/null
M task add fhook "$FAIL" interval hours=1 --max-retries 1 \
	--on-failure "webhook:http://127.0.0.1:$HPORT/hook" >/dev/null
run M --json task show fhook
like "$out" "\"on_failure\": \"webhook:http://127.0.0.1:$HPORT/hook\"" \
	"task show --json gives the action"

"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon 2>"$T/daemon.log" &
daemon=$!
trap 'kill -KILL $daemon $hook 2>/dev/null; sched_cleanup' EXIT
wait_until 30 M host status

for t in fexec fmail fhook; do M task run $t >/dev/null 2>&1; done
wait_until 30 sh -c "grep -q fexec '$NOTES' && grep -q END '$MAILBOX' && test -s '$T/posts'"
sleep 1	# a second notification, if any, would come now
is "$(count_runs fexec failed)" 2 "the failing task ran twice (one retry)"
is "$(grep -c '^fexec ' "$NOTES")" 1 "exec: fired once for the final failure"
like "$(grep '^fexec ' "$NOTES")" '^fexec failure failed 3 run=[0-9]+ out=out,err,$' \
	"... with the task, event, status, exit code, run id and output"
is "$(grep -c -- '--END--' "$MAILBOX")" 1 "mail: one message for the final failure"
like "$(cat "$MAILBOX")" 'ARGS -t' "... through sendmail -t"
like "$(cat "$MAILBOX")" 'To: ops@example.com' "... to the address"
like "$(cat "$MAILBOX")" 'Subject: manager: task fmail failed \(exit code 3\)' \
	"... saying what failed"
like "$(tr '\n' '|' < "$MAILBOX")" '\|out\|err\|' "... with the output in its body"
is "$(wc -l < "$T/posts")" 1 "webhook: one POST for the final failure"
post=$(cat "$T/posts")
like "$post" '^application/json \{' "... of JSON"
like "$post" '"task_id":"fhook"' "... naming the task"
like "$post" '"status":"failed"' "... its status"
like "$post" '"exit_code":3' "... and exit code"
like "$post" '"attempt":2.*"output_excerpt":"out\\nerr\\n"' \
	"... the attempt and the output"
like "$post" '"run_id":[0-9]+,"event":"failure"' "... the run id and event"
like "$(cat "$T/posts.agent")" '^manager/' "... sent by manager-webhook, not by a curl program"
# The event is the history writer's, which commits on its own time.
gave_up() { sql "SELECT count(*) FROM events WHERE kind = 'task.gave_up' AND subject = 'fexec'"; }
gave_up_seen() { [ "$(gave_up)" -ge 1 ]; }
wait_until 30 gave_up_seen
is "$(gave_up)" 1 "task.gave_up is recorded once"

# Success, recovery, output; nothing printed, no on_output.
M task add flaky "exec:/bin/sh -c 'test -e $T/ok'" interval hours=1 \
	--max-retries 0 --on-failure "exec:$B/notifier" \
	--on-success "exec:$B/notifier" --on-recovery "exec:$B/notifier" \
	--on-output "exec:$B/notifier" >/dev/null
M task run flaky >/dev/null 2>&1
touch "$T/ok"
M task run flaky >/dev/null 2>&1
M task run flaky >/dev/null 2>&1
wait_until 30 sh -c "[ \$(grep -c '^flaky ' '$NOTES') -ge 4 ]"
sleep 0.5
# (Notifications run side by side: their order in the file is not said.)
is "$(grep '^flaky ' "$NOTES" | cut -d' ' -f2 | sort | tr '\n' ' ')" \
	"failure recovery success success " \
	"a failure, two successes, one recovery; no output, no on_output"
rec=$(sed -n 's/^flaky recovery .*run=\([0-9]*\) .*/\1/p' "$NOTES")
first=$(sed -n 's/^flaky success .*run=\([0-9]*\) .*/\1/p' "$NOTES" | sort -n | head -1)
is "$rec" "$first" "the recovery is the first success after the failure"
M task add talk "exec:/bin/echo hello" interval hours=1 \
	--on-output "exec:$B/notifier" >/dev/null
M task run talk >/dev/null 2>&1
wait_until 30 grep -q '^talk ' "$NOTES"
like "$(grep '^talk ' "$NOTES")" '^talk output succeeded 0 .*out=hello,$' \
	"on_output fires when a run printed something"

# on_missed: a fire time skipped (the instance still runs).
M task add busy "exec:/bin/sleep 1.6" interval seconds=1 \
	--on-missed "exec:$B/notifier" >/dev/null
wait_until 30 grep -q '^busy missed skipped' "$NOTES"
ok $? "on_missed fires when a fire time is skipped"
M task pause busy --stop >/dev/null

# A failing notifier: an event, and the task's status is its own.
M task add quiet "exec:/bin/true" interval hours=1 \
	--on-success "exec:/bin/sh -c 'exit 7'" >/dev/null
M task run quiet >/dev/null 2>&1
events_of() {	# KIND SUBJECT: how many
	sql "SELECT count(*) FROM events WHERE kind = '$1' AND subject = '$2'"
}
wait_events() {	# KIND SUBJECT: waits up to 15 s for one
	local i=0
	while [ "$(events_of "$1" "$2")" -lt 1 ] && [ $i -lt 300 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(events_of "$1" "$2")" -ge 1 ]
}
wait_events notify.failed quiet
ok $? "a failing notifier is recorded as a notify.failed event"
like "$(sql "SELECT message FROM events WHERE kind = 'notify.failed' AND subject = 'quiet'")" \
	'on_success.*exit 7.*failed' "... saying which action failed and how"
is "$(task_field quiet status)" succeeded "... and the task's status is its own"
M task add deaf "exec:/bin/true" interval hours=1 \
	--on-success "webhook:http://127.0.0.1:1/" >/dev/null
M task run deaf >/dev/null 2>&1
wait_events notify.failed deaf
ok $? "a webhook nobody answers is a notify.failed event"
kill -TERM $daemon
wait $daemon

# The configured default, and "none" for one task.
conf "on_failure = \"exec:$B/notifier\";"
TOKEN=a-long-enough-token-for-tests
printf 'api = { listen = "127.0.0.1:0"; token = "%s"; };\n' "$TOKEN" >> "$T/etc/m.conf"
M task add dflt "exec:/bin/false" interval hours=1 --max-retries 0 >/dev/null
M task add optout "exec:/bin/false" interval hours=1 --max-retries 0 \
	--on-failure none >/dev/null
"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon 2>"$T/daemon2.log" &
daemon=$!
wait_until 30 M host status
M task run dflt >/dev/null 2>&1
M task run optout >/dev/null 2>&1
wait_until 30 grep -q '^dflt ' "$NOTES"
sleep 0.5
is "$(grep -c '^dflt failure' "$NOTES")" 1 "manager.on_failure applies to a task without its own"
is "$(grep -c '^optout ' "$NOTES")" 0 "... and not to one that says none"

# The same keys through the HTTP API.
wait_until 30 grep -q 'api: listening' "$T/daemon2.log"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon2.log")
api() {	# METHOD PATH BODY: prints the body, then the status
	curl -s -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$3" \
		"http://127.0.0.1:$PORT/manager/$2"
}
body=$(api POST tasks '{"id": "viaapi", "name": "viaapi", "func_path": "exec:/bin/true", "trigger": "interval", "trigger_args": {"hours": 1}, "on_failure": "webhook:http://127.0.0.1:1/", "after": ["dflt"], "concurrency_group": "pool"}')
is "$(printf '%s\n' "$body" | tail -n 1)" 201 "the HTTP API creates a task with notifications and dependencies"
run M --json task show viaapi
like "$(printf '%s' "$out" | tr -d '\n ')" '"on_failure":"webhook:http://127.0.0.1:1/".*"after":\["dflt"\].*"concurrency_group":"pool"' \
	"... with its keys"
body=$(api PUT tasks/viaapi '{"after": [], "on_failure": ""}')
run M --json task show viaapi
like "$(printf '%s' "$out" | tr -d '\n ')" '"on_failure":null.*"after":\[\]' \
	"PUT with [] and \"\" clears them"
body=$(api PUT tasks/viaapi '{"after": "dflt"}')
is "$(printf '%s\n' "$body" | tail -n 1)" 422 "a list that is not a list is refused (422, as FastAPI)"
kill -TERM $daemon
wait $daemon
done_testing
