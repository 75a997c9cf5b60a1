#!/bin/bash
# later.sh - `plugin enable`, `disable` and `reload` carried out by the
# engine for a plugin served by its host worker (sandboxing) do not hold
# the engine's loop while the plugin's on_enable or on_disable runs: the
# loop sends the call and goes on, and the command is answered when the
# worker has.  evil's on_enable and on_disable sleep 3 s here
# (config.enable_sleep, disable_sleep); meanwhile another command through
# the daemon (host echo), `task list` and GET /manager/tasks answer in
# under 0.5 s (the times are printed), and each command still ends with
# the right answer and state.  Then the worker's queue: with a route
# hanging in the worker, calls wait behind it up to HOSTW_QUEUE_MAX (64,
# the hanging one included); the next is refused at once with 503 saying
# the queue is full while the engine's other routes answer; a disable
# answers the waiting calls 503 at once (not 504 after the timeout).
. "${top_srcdir:-.}/tests/plugins/lib.sh"

slow_evil_setup 3 'max_connections_per_ip = 200;'

api_daemon
api_up() { curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/manager/tasks"; }
wait_until 30 api_up

state() {
	sqlite3 "$DB" "SELECT value FROM plugin_state WHERE plugin_id = 'evil' AND key = '$1'"
}
started() { test -n "$(state "$1")"; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# background NAME COMMAND...: runs it, its output, status and duration
# (ms) into $T/NAME.out, .rc, .ms.
background() {
	name=$1
	shift
	rm -f "$T/$name.rc"
	(
		t0=$(date +%s%N)
		"$@" > "$T/$name.out" 2>&1
		echo $? > "$T/$name.rc.tmp"
		ms "$t0" > "$T/$name.ms"
		mv "$T/$name.rc.tmp" "$T/$name.rc"
	) &
	BG=$!
}

# latency: the times (ms) of `host echo` (a command carried out by the
# daemon), `task list` (a client reading the database) and GET
# /manager/tasks (served by the engine's loop).
latency() {
	api=$(curl -s -m 20 -o /dev/null -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $TOKEN" "$URL/manager/tasks")
	api_ms=$(awk -v t="${api#* }" 'BEGIN { printf "%d", t * 1000 }')
	t0=$(date +%s%N)
	echo_out=$(m host echo ping 2>&1)
	echo_ms=$(ms "$t0")
	t0=$(date +%s%N)
	m task list >/dev/null 2>&1
	list_ms=$(ms "$t0")
}
# idle: the same with nothing going on, for comparison (a client's own
# start costs; under ASan and load more than 0.5 s).
idle() {
	latency
	idle_echo=$echo_ms idle_list=$list_ms
	echo "# idle: host echo ${echo_ms} ms, task list ${list_ms} ms, GET /manager/tasks ${api_ms} ms (load $(cut -d' ' -f1 /proc/loadavg))"
}
# meanwhile WHAT: while WHAT waits for the plugin (3 s), the engine
# answers, and WHAT still waits.
meanwhile() {
	latency
	pending=$(test -e "$T/$1.rc" && echo answered || echo waiting)
	echo "# during $1: host echo through the daemon ${echo_ms} ms, task list ${list_ms} ms, GET /manager/tasks ${api_ms} ms (load $(cut -d' ' -f1 /proc/loadavg))"
	# The times are figures (printed above, beside the idle ones), not
	# checks: under make -j2 they say the machine's load.  That the
	# command still waits when the others have answered is the check.
	is "$echo_out" ping "$1: another command through the daemon answers"
	is "${api%% *}" 200 "$1: GET /manager/tasks answers"
	is "$pending" waiting "$1: ... while the command still waits for the plugin"
}

# enable: on_enable sleeps 3 s in the new worker.
idle
background enable m plugin enable evil
wait_until 30 started enable_sleep.started
meanwhile enable
wait $BG
is "$(cat "$T/enable.rc")" 0 "enable: exits 0"
like "$(cat "$T/enable.out")" '^enabled evil 0\.1\.0' "enable: says so"
ok "$([ "$(cat "$T/enable.ms")" -ge 2500 ]; echo $?)" \
	"enable: answered once on_enable returned ($(cat "$T/enable.ms") ms)"
is "$(plugin_field evil state)" enabled "enable: the plugin is enabled"
call() {
	body=$(curl -s -m 20 -o - -w '\n%{http_code}' -X "$1" \
		-H "Authorization: Bearer $TOKEN" "$URL$2")
	code=$(printf '%s\n' "$body" | tail -n 1)
	body=$(printf '%s\n' "$body" | sed '$d')
}
call GET /plugins/evil/attempt
is "$code" 200 "enable: its routes are served"

# reload: the new worker's on_enable (3 s), then the old one's
# on_disable (3 s).
sqlite3 "$DB" "DELETE FROM plugin_state WHERE plugin_id = 'evil'"
background reload m plugin reload evil
wait_until 30 started enable_sleep.started
meanwhile reload
wait $BG
is "$(cat "$T/reload.rc")" 0 "reload: exits 0"
like "$(cat "$T/reload.out")" '^reloaded evil 0\.1\.0' "reload: says so"
ok "$([ "$(cat "$T/reload.ms")" -ge 5000 ]; echo $?)" \
	"reload: answered once on_enable and on_disable returned ($(cat "$T/reload.ms") ms)"
is "$(state disable_sleep.started)" 1 "reload: the old worker's on_disable ran"
is "$(plugin_field evil state)" enabled "reload: the plugin is enabled"
is "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE kind = 'plugin.reloaded' AND subject = 'evil'")" \
	1 "reload: recorded"
call GET /plugins/evil/attempt
is "$code" 200 "reload: its routes are served by the new worker"

# disable: on_disable sleeps 3 s.
sqlite3 "$DB" "DELETE FROM plugin_state WHERE plugin_id = 'evil'"
background disable m plugin disable evil
wait_until 30 started disable_sleep.started
meanwhile disable
wait $BG
is "$(cat "$T/disable.rc")" 0 "disable: exits 0"
like "$(cat "$T/disable.out")" '^disabled evil 0\.1\.0' "disable: says so"
ok "$([ "$(cat "$T/disable.ms")" -ge 2500 ]; echo $?)" \
	"disable: answered once on_disable returned ($(cat "$T/disable.ms") ms)"
is "$(plugin_field evil state)" disabled "disable: the plugin is disabled"
noworker() { ! pgrep -f "manager-run .*host --db $DB --lib $PLUGINS/evil/" >/dev/null; }
wait_until 30 noworker
ok $? "disable: its host worker is gone"

# An enable that fails in the worker, answered later: the same exit
# status and message as when waited for, the plugin faulted.
sed -i 's/^config = {/config = { on_enable = "crash";/; s/enable_sleep = "3"/enable_sleep = "0"/; s/disable_sleep = "3"/disable_sleep = "0"/' \
	"$PLUGINS/evil/plugin.conf"
run_status m plugin enable evil
is "$status" 1 "an on_enable that crashes: exit 1"
like "$(cat "$T/err")" 'plugin evil: on_enable crashed with SIGSEGV' "... saying why"
is "$(plugin_field evil state)" faulted "... the plugin is faulted"
sed -i 's/on_enable = "crash"; //' "$PLUGINS/evil/plugin.conf"
check "enable again" m plugin enable evil

# A reload whose new worker's on_enable crashes, answered later: the
# reload is refused with the reason, counted by the fault breaker, and
# the running worker keeps serving.
sed -i 's/^config = {/config = { on_enable = "crash";/' "$PLUGINS/evil/plugin.conf"
run_status m plugin reload evil
ok "$([ "$status" -ne 0 ]; echo $?)" "a reload whose on_enable crashes fails (exit $status)"
like "$(cat "$T/err")" 'plugin evil: on_enable crashed with SIGSEGV' "... saying why"
is "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE kind = 'plugin.reload_failed' AND subject = 'evil'")" \
	1 "... recorded"
like "$(sqlite3 "$DB" "SELECT message FROM events WHERE kind = 'plugin.crashed' AND subject = 'evil' ORDER BY id DESC LIMIT 1")" \
	'SIGSEGV' "... and counted by the fault breaker"
is "$(plugin_field evil state)" enabled "... the plugin stays enabled"
call GET /plugins/evil/attempt
is "$code" 200 "... its running worker keeps serving"
sed -i 's/on_enable = "crash"; //' "$PLUGINS/evil/plugin.conf"

# The queue: GET hang holds the worker (it sleeps 60 s, cut at 2 s, and
# the calls waiting behind it are hangs too, so the queue drains slowly);
# 63 wait behind it, 64 in all (HOSTW_QUEUE_MAX): the 65th is refused at
# once.  One client sends the 63 at once (threads: a shell starting 63
# curls may take longer than the 2 s of the first), then the 65th (and,
# should a hang have timed out meanwhile under load, a few more: a call
# that is queued is given up after 1 s), and reports how each ended.
sqlite3 "$DB" "DELETE FROM plugin_state WHERE plugin_id = 'evil'"
curl -s -m 30 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	"$URL/plugins/evil/hang" > "$T/hang.code" &
HANG=$!
wait_until 30 started hang.started
python3 - "$APIPORT" "$TOKEN" "$T" > "$T/queue.out" 2>&1 <<'PY' &
import http.client, sys, threading, time
port, token, t = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def get(path, timeout):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, r.read().decode()
    except Exception:
        return 0, ""
    finally:
        c.close()
codes = [None] * 63
def waiter(i):
    codes[i] = "%d:%d" % (get("/plugins/evil/hang", 30)[0], time.time() * 1000)
threads = [threading.Thread(target=waiter, args=(i,)) for i in range(63)]
for th in threads:
    th.start()
time.sleep(0.3)
for n in range(65, 71):
    t0 = time.time()
    code, body = get("/plugins/evil/attempt", 1)
    took = int((time.time() - t0) * 1000)
    if code == 503:
        break
    print("# call %d was taken (%d): a hang timed out while the queue filled" % (n, code))
print("refused %d %d %d" % (n, code, took))
print("body " + body.replace("\n", " "))
sys.stdout.flush()
open(t + "/filled", "w").close()
for th in threads:
    th.join()
print("waiting " + " ".join(str(c) for c in codes))
PY
QPY=$!
wait_until 30 test -e "$T/filled"
read -r _ sent code took < <(grep '^refused ' "$T/queue.out")
grep '^# ' "$T/queue.out"
echo "# call $sent answered $code in $took ms (load $(cut -d' ' -f1 /proc/loadavg))"
is "$code" 503 "with 64 calls queued for the worker, the next is refused: 503"
like "$(grep '^body ' "$T/queue.out")" 'plugin evil: its host worker.s queue is full' \
	"... saying the worker's queue is full"
# At once: the client gives up after 1 s (code 0); the time is above.
api=$(curl -s -m 20 -o /dev/null -w '%{http_code} %{time_total}' \
	-H "Authorization: Bearer $TOKEN" "$URL/manager/tasks")
like "$api" '^200 0\.' "the engine's other routes still answer ($api s)"

# A disable now, just as a hang begins in the worker: that call keeps
# the rest of its time (504 at its timeout, 2 s after its start), the
# calls waiting behind it are answered 503 at once, before it ends (a
# disable that waited for it first would answer them after).
sqlite3 "$DB" "DELETE FROM plugin_state WHERE plugin_id = 'evil' AND key = 'hang.started'"
wait_until 30 started hang.started
t0=$(date +%s%N)
background qdisable m plugin disable evil
wait $QPY
ends=$(grep '^waiting ' "$T/queue.out" | cut -d' ' -f2-)
codes=$(printf '%s\n' $ends | cut -d: -f1)
answers=$(printf '%s\n' $codes | sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
# ms after the disable: the last 503, the last 504 (the call in the worker)
last() {
	printf '%s\n' $ends | awk -F: -v c="$1" -v t0="$((t0 / 1000000))" \
		'$1 == c && $2 - t0 > m { m = $2 - t0 } END { print m + 0 }'
}
l503=$(last 503) l504=$(last 504)
echo "# the waiting calls' answers: $answers(the last 503 ${l503} ms after the disable, the call in the worker's 504 ${l504} ms)"
n503=$(printf '%s\n' $codes | grep -c '^503$')
ok "$([ "$n503" -ge 60 ]; echo $?)" "a disable answers the waiting calls 503 ($answers)"
unlike "$(printf '%s\n' $codes)" '^(0|200)$' "... none is left hanging or served"
ok "$([ "$l503" -lt "$l504" ]; echo $?)" \
	"... at once, before the call in the worker ends (${l503} ms < ${l504} ms)"
wait $HANG
wait $BG
is "$(cat "$T/qdisable.rc")" 0 "the disable ends"
is "$(plugin_field evil state)" disabled "... and the plugin is disabled"
ok "$(kill -0 "$DAEMON" 2>/dev/null; echo $?)" "the engine keeps running"

kill $DAEMON
wait $DAEMON
is "$?" 0 "the engine stops cleanly"
DAEMON=

# The engine's start does not wait for its plugins' on_enable: with evil
# enabled (its on_enable sleeps 3 s), a task that needs no plugin runs
# and the API answers before its on_enable ends, while evil serves once its
# on_enable answered.
check "enable evil (no daemon)" m plugin enable evil
check "an every-second task" m task add tick exec:/bin/true interval seconds=1
sqlite3 "$DB" "DELETE FROM plugin_state WHERE plugin_id = 'evil'"
t0=$(date +%s%N)
api_daemon
ran() { [ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE task_id = 'tick'")" -ge 1 ]; }
wait_until 30 ran
first=$(sqlite3 "$DB" "SELECT min(started_at) FROM runs WHERE task_id = 'tick'")
first_ms=$(( (first - t0 / 1000) / 1000 ))
wait_until 30 api_up
api_ms=$(ms "$t0")
evil_then=$(state enable.write)
echo "# after the start: tick's first run at ${first_ms} ms, the API up at ${api_ms} ms (load $(cut -d' ' -f1 /proc/loadavg))"
# Both before evil's on_enable (3 s) has written its state: the loop
# did not wait for it (the times above are figures).
ok "$([ -n "$first" ]; echo $?)" \
	"an engine start with a plugin whose on_enable takes 3 s: a task runs"
ok "$(api_up; echo $?)" "... the API answers"
is "$evil_then" "" "... while evil's on_enable still runs"
serves() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/plugins/evil/attempt")" = 200 ]; }
wait_until 30 serves
ok $? "evil serves once its on_enable answered"
is "$(plugin_field evil state)" enabled "... enabled"
kill $DAEMON
wait $DAEMON
is "$?" 0 "the engine stops cleanly"
DAEMON=
done_testing
