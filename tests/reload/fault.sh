#!/bin/sh
# fault.sh - the circuit breaker: runs of a plugin's task that crash the
# sandbox fault the plugin after fault_max_crashes (3), its tasks pause,
# the host keeps running; `plugin enable` clears it and resumes them.
. "$top_srcdir/tests/reload/common.sh"
plan 9

hello_variant "$T/v1" 1.0.0 One
M plugin install "$T/v1" >/dev/null && M plugin enable hello >/dev/null
# A task of the plugin whose runs die by a signal (as a crashing plugin
# function does in its sandbox child).
M task add crasher "exec:sh -c 'kill -SEGV \$\$'" interval seconds=1 \
    --max-retries 0 >/dev/null
sql "UPDATE tasks SET plugin_id='hello' WHERE id='crasher'"
start_host
ok $? "the host starts"
wait_eval 30 'test "$(count_events plugin.faulted)" -ge 1'
is "$(count_events plugin.faulted)" 1 "the breaker trips"
crashes=$(sql "SELECT count(*) FROM runs WHERE task_id='crasher' AND status='crashed'")
is "$crashes" 3 "after exactly fault_max_crashes crashed runs"
is "$(M --json plugin show hello | jq -r .state)" faulted "the plugin is faulted"
like "$(M --json plugin show hello | jq -r .error)" "crashes within 300 s" \
    "the console can show why"
wait_eval 30 'test "$(M --json task show crasher | jq -r .enabled)" = false'
is "$(M --json task show crasher | jq -r .status)" paused "its task is paused"
kill -0 "$HOST"
ok $? "the host is still running"
stop_host
run M plugin enable hello
is "$rc" 0 "plugin enable clears the fault"
is "$(M --json task show crasher | jq -r .enabled)" true "and resumes the task"
done_testing
