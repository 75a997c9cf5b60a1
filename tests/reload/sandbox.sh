#!/bin/sh
# sandbox.sh - hot reload of a sandboxed plugin (sandboxing = true): the
# plugin's code lives in its host worker, never in the engine.  A rebuilt
# plugin goes into service in a new host worker, started before the
# running one stops, without holding the engine's loop (the new worker's
# start is the reload's probe); a build that fails to start (its
# on_enable refuses, its constructor crashes) is rolled back, and the
# running host worker, the same process, keeps serving its routes.
. "$top_srcdir/tests/reload/common.sh"
plan 19
sed -i 's/^  hot_reload = true;$/  hot_reload = true;\n  sandboxing = true;/' "$T/etc/m.conf"
TOKEN=reload-sandbox-test-token-0123456789
APIPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$APIPORT"
printf 'api = { listen = "127.0.0.1:%s"; token = "%s"; };\n' "$APIPORT" "$TOKEN" >> "$T/etc/m.conf"

hello_variant "$T/v1" 1.0.0 One
hello_variant "$T/v2" 2.0.0 Two
# flaky: refuses its first on_enable (the new worker's), then accepts.
hello_variant "$T/flaky" 3.0.0 Flaky
sed -i 's/^\thost->api->hook_register(host, "task.succeeded"/\t{ char *n = host->api->state_get(host, "flaky"), b[16]; int k = n != NULL ? atoi(n) : 0; host->api->free_string(host, n); snprintf(b, sizeof b, "%d", k + 1); host->api->state_set(host, "flaky", b); if (k % 2 == 0) return 7; }\n&/' \
    "$T/src/hello-Flaky.c"
cc -shared -fPIC -I"$top_builddir/include" -I"$top_srcdir/src" \
    -o "$T/flaky/hello.so" "$T/src/hello-Flaky.c"
# slow: its on_enable says it began, then sleeps 2 s.
hello_variant "$T/slow" 4.0.0 Slow
sed -i 's/^\thost->api->hook_register(host, "task.succeeded"/\thost->api->state_set(host, "slow", "1"); sleep(2);\n&/' \
    "$T/src/hello-Slow.c"
printf '#include <unistd.h>\n' | cat - "$T/src/hello-Slow.c" > "$T/src/slow.c"
cc -shared -fPIC -I"$top_builddir/include" -I"$top_srcdir/src" \
    -o "$T/slow/hello.so" "$T/src/slow.c"
hello_variant "$T/ctor" 3.0.0 Ctor
printf '#include <signal.h>\n__attribute__((constructor)) static void boom(void) { raise(SIGSEGV); }\n' \
    >> "$T/src/hello-Ctor.c"
cc -shared -fPIC -I"$top_builddir/include" -o "$T/ctor/hello.so" "$T/src/hello-Ctor.c"

# worker: the pid of hello's host worker (the oldest process of that
# command line: a confined worker forks into its PID namespace); greeting:
# its route's answer.
worker() { pgrep -o -f "manager-run .*host --db $T/m.db --lib $PLUGDIR/hello/hello.so --id hello"; }
greeting() {
	curl -s -m 10 -H "Authorization: Bearer $TOKEN" "$URL/plugins/hello/greeting" |
	    jq -r .greeting
}

M plugin install "$T/v1" >/dev/null && M plugin enable hello >/dev/null
start_host
ok $? "the host starts with hot reload and sandboxing"
wait_eval 30 'test "$(greeting)" = One'
is "$(greeting)" One "1.0.0's route answers from its host worker"
w1=$(worker)
like "$w1" '^[0-9]+$' "one host worker serves it ($w1)"

deploy "$T/v2"
wait_eval 30 'test "$(count_events plugin.reloaded)" -ge 1'
is "$(count_events plugin.reloaded)" 1 "the change was reloaded"
is "$(greeting)" Two "the route answers with 2.0.0's code, without a restart"
w2=$(worker)
like "$w2" '^[0-9]+$' "one host worker serves it ($w2)"
test "$w2" != "$w1" && ! kill -0 "$w1" 2>/dev/null
ok $? "a new host worker; the old one is gone"

n=0
for bad in flaky ctor; do
	n=$((n + 1))
	deploy "$T/$bad"
	wait_eval 30 'test "$(count_events plugin.reload_failed)" -ge $n'
	is "$(count_events plugin.reload_failed)" $n "$bad: the failure is recorded"
	is "$(worker)" "$w2" "$bad: the running host worker, the same process, keeps serving"
	is "$(greeting)" Two "$bad: ... with 2.0.0's code"
	cmp -s "$PLUGDIR/hello/hello.so" "$T/v2/hello.so"
	ok $? "$bad: the folder holds 2.0.0's files again"
done
like "$(sql "SELECT message FROM events WHERE kind='plugin.reload_failed' ORDER BY id LIMIT 1")" \
    "on_enable refused \(returned 7\)" "the reason is named"
# A change to a plugin whose new on_enable takes 2 s: the engine's loop
# answers meanwhile (GET /manager/tasks in under 0.5 s), and the new
# code goes into service once it returned.
deploy "$T/slow"
wait_eval 30 'test "$(sql "SELECT value FROM plugin_state WHERE plugin_id = '"'hello'"' AND key = '"'slow'"'")" = 1'
api=$(curl -s -m 20 -o /dev/null -w '%{http_code} %{time_total}' \
    -H "Authorization: Bearer $TOKEN" "$URL/manager/tasks")
api_ms=$(awk -v t="${api#* }" 'BEGIN { printf "%d", t * 1000 }')
reloaded_then=$(count_events plugin.reloaded)
echo "# GET /manager/tasks while the new worker's on_enable sleeps: ${api%% *} in ${api_ms} ms"
ok "$([ "${api%% *}" = 200 ] && [ "$reloaded_then" -lt 2 ]; echo $?)" \
    "slow: the engine answers while the new worker starts (before the reload ends)"
wait_eval 30 'test "$(count_events plugin.reloaded)" -ge 2'
is "$(greeting)" Slow "slow: then its code serves"
! grep -q "$PLUGDIR/hello" "/proc/$HOST/maps"
ok $? "the engine never mapped the plugin's library"
stop_host
done_testing
