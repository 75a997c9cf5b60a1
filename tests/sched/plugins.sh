#!/bin/sh
# plugins.sh - PLUGIN:FUNCTION tasks with the example plugins: in the
# manager-run sandbox (fail with retries, crash, timeout with cooperative
# cancel, output) and on the in-process worker pool (sandboxing = false).
. "$top_srcdir/tests/sched/common.sh"
plan 20
# Under AddressSanitizer a plugin's SIGSEGV must stay a signal death.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
P="$top_builddir/data/plugins"
# The breaker stays out of it (tests/reload/fault.sh is its test): c
# crashes every second; due before the engine started, it runs at once
# and then at its next two fire times, both within the 1.8 s, and its
# third crash faulted faulty, whose tasks then never ran in the
# in-process part below (seen under ASan once --for counted from the
# scheduler's start).
sed -i 's/^manager: {/manager: {\n  fault_max_crashes = 1000;/' "$T/etc/m.conf"

M plugin install "$P/faulty" >/dev/null 2>&1
M plugin install "$P/hello" >/dev/null 2>&1
M plugin enable faulty >/dev/null 2>&1
M plugin enable hello >/dev/null 2>&1
M task add f faulty:fail interval seconds=60 --max-retries 1 >/dev/null
M task add c faulty:crash interval seconds=60 --max-retries 0 >/dev/null
M task add s 'faulty:sleep seconds=5' interval seconds=60 --timeout 1 \
	--max-retries 0 >/dev/null
M task add g hello:greet interval seconds=60 >/dev/null
run M task add bad 'faulty:sleep seconds' interval seconds=60
like "$err" 'argument "seconds" is not NAME=VALUE' "a plugin argument without = is refused"
for t in f c s g; do M task edit $t seconds=1 >/dev/null; done
run M __scheduler-run --for 1.8
is "$rc" 0 "sandboxed: the engine host exits 0"
like "$(went_on crashed)" '^unfinished 0, ended after it: [1-9]' \
	"sandboxed: the engine survives failing, crashing and hanging plugins"
run M --json task history f --limit 2
like "$out" '"attempt": 2' "sandboxed: a failing function is retried"
like "$out" 'failing on purpose' "sandboxed: its output is kept"
# --limit 5, not 1: under ASan a crashing run can outlive its 1 s
# interval, and the newest row is then the skipped fire after it.
run M --json task history c --limit 5
like "$out" '"status": "crashed"' "sandboxed: a crashing function is crashed"
like "$out" '"signal": "SIGSEGV"' "sandboxed: with the signal's name"
run M --json task history s --limit 5
like "$out" '"status": "timed_out"' "sandboxed: a hanging function times out"
like "$out" 'cancelled' "sandboxed: SIGTERM cancels it cooperatively"
run M --json task history g --limit 5
like "$out" '"output": "Hello, world!' "sandboxed: hello greets"
run M task run g
is "$rc" 0 "foreground run of a plugin function succeeds"

# In-process: the worker pool of the hosting process.
printf 'manager: { sandboxing = false; retry_backoff_base = 0; log_level = "error"; };\n' \
	> "$T/etc/m.conf"
M task remove c >/dev/null
M task remove f >/dev/null
M task remove s >/dev/null
M task remove g >/dev/null
M task add f2 faulty:fail interval seconds=1 --max-retries 1 >/dev/null
M task add s2 'faulty:sleep seconds=5' interval seconds=1 --timeout 1 \
	--max-retries 0 >/dev/null
M task add g2 hello:greet interval seconds=1 >/dev/null
run M __scheduler-run --for 1.8
is "$rc" 0 "in-process: the engine host exits 0"
like "$(went_on failed)" '^unfinished 0, ended after it: [1-9]' \
	"in-process: the engine exits cleanly"
run M --json task history f2 --limit 2
like "$out" '"error": "returned 1"' "in-process: failure is the function's return value"
like "$out" '"attempt": 2' "in-process: retried"
run M --json task history s2 --limit 5
like "$out" '"status": "timed_out"' "in-process: timeout reported as timed_out"
like "$out" 'cancelled' "in-process: the function saw the cancellation"
run M --json task history g2 --limit 1
like "$out" '"output": "Hello, world!' "in-process: hello greets"

# A plugin that is not enabled: its tasks wait as `disabled`.
M plugin disable faulty >/dev/null 2>&1
before=$(count_runs f2 failed)
M __scheduler-run --for 1.2
is "$(count_runs f2 failed)" "$before" "a disabled plugin's task does not run"
is "$(task_field f2 status)" "disabled" "its status is disabled"
