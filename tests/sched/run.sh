#!/bin/sh
# run.sh - attempts end with the right status and the engine runs on:
# success with output, failure with retries, timeout kill (also of a child
# ignoring SIGTERM), crash by signal, overlap skip, foreground runs.
. "$top_srcdir/tests/sched/common.sh"
plan 32

M task add ok 'exec:sh -c "echo out; echo err >&2"' interval seconds=1 >/dev/null
M task add fail 'exec:sh -c "echo bad; exit 3"' interval seconds=60 \
	--max-retries 2 >/dev/null
M task add crash "exec:sh -c 'kill -SEGV \$\$'" interval seconds=60 \
	--max-retries 0 >/dev/null
M task add hang "exec:sh -c 'trap \"\" TERM; sleep 30'" interval seconds=60 \
	--timeout 1 --max-retries 0 >/dev/null
M task add slow 'exec:sleep 1.2' interval seconds=0.5 --max-retries 0 >/dev/null
# The 60 s tasks run once, now, through the hosted scheduler's run-now.
M task edit fail seconds=1 >/dev/null
M task edit crash seconds=1 >/dev/null
M task edit hang seconds=1 >/dev/null
start=$(date +%s)
run M __scheduler-run --for 2.6
end=$(date +%s)
is "$rc" 0 "the scheduler host exits 0"
like "$(went_on crashed)" '^unfinished 0, ended after it: [1-9]' \
	"the scheduler host lives through crashes, hangs and failures"
# Held, the engine would end after the hang's 30 s sleep; let go, after
# its 2.6 s, its start and a 1 s kill grace: 20 s leaves room for a slow
# start (ASan on a loaded machine), not for the sleep.
ok $([ $((end - start)) -le 20 ] && echo 0 || echo 1) "a hanging task does not hold the engine"

ok $([ "$(count_runs ok succeeded)" -ge 2 ] && echo 0 || echo 1) "ok ran every second"
run M --json task history ok --limit 1
like "$out" '"output": "out\\nerr\\n"' "stdout and stderr are captured"
like "$out" '"exit_code": 0' "exit code 0 is recorded"

run M --json task history fail --limit 3
like "$out" '"attempt": 3' "failure retried up to max_retries"
like "$out" '"exit_code": 3' "failure exit code recorded"
like "$out" '"error": "exit status 3"' "failure error says the exit status"

run M --json task history crash --limit 1
like "$out" '"status": "crashed"' "a signal death is recorded as crashed"
like "$out" '"signal": "SIGSEGV"' "the signal is named"

run M --json task history hang --limit 5
like "$out" '"status": "timed_out"' "a hanging task times out"
like "$out" '"signal": "SIGKILL"' "SIGTERM ignored: SIGKILL after kill_grace_seconds"

ok $([ "$(count_runs slow skipped)" -ge 1 ] && echo 0 || echo 1) \
	"an overlapping run is skipped (max_instances 1)"
run M --json task history slow --limit 20
like "$out" 'maximum number of running instances reached \(1\)' "skip says why"

run M task list
like "$out" 'NEXT +LEFT +LAST +PASSED +STATUS +TASK' "task list has timer columns"
like "$out" 'crashed +crash' "task list shows the last status"

# Foreground runs when no engine is hosted.
run M task run ok
is "$rc" 0 "task run of a succeeding task exits 0"
like "$out" 'task ok: succeeded' "task run says succeeded"
run M task run fail
is "$rc" 5 "task run of a failing task exits 5 (the task failed)"
like "$out" 'task fail: failed' "task run says failed"
run M task add missing 'exec:/nonexistent/prog' interval seconds=60 --max-retries 0
is "$rc" 1 "a task whose program does not exist is refused"
like "$err" 'program "/nonexistent/prog" does not exist' "... naming the program"
run M task add nopath 'exec:no-such-prog-xyz' interval seconds=60
like "$rc:$err" '^1:.*"no-such-prog-xyz" is not found on the run.s PATH \(/usr/local/sbin' \
	"a program not on the run's PATH is refused, naming the PATH"
# One that goes away after it was added: the run fails, naming it.
cp /bin/true "$T/vanish"
M task add missing "exec:$T/vanish" interval seconds=60 --max-retries 0 >/dev/null
rm "$T/vanish"
run M task run missing
like "$out" 'task missing: failed' "a command that cannot start fails"
run M --json task history missing --limit 1
like "$out" 'vanish' "its error names the command"

# The sandbox: limits, no_new_privs, no inherited descriptors.
printf 'manager: { sandbox_open_files = 40; sandbox_memory_mb = 512; log_level = "error"; };\n' \
	> "$T/etc/m.conf"
M task add lim "exec:sh -c 'ulimit -n; ulimit -v'" interval seconds=60 >/dev/null
M task run lim >/dev/null
run M --json task history lim --limit 1
like "$out" '"output": "40\\n524288\\n"' "rlimits from the configuration are set"
M task add nnp 'exec:grep NoNewPrivs /proc/self/status' interval seconds=60 >/dev/null
M task run nnp >/dev/null
run M --json task history nnp --limit 1
like "$out" 'NoNewPrivs:.t1' "runs have no_new_privs"
M task add fds 'exec:ls /proc/self/fd' interval seconds=60 >/dev/null
M task run fds >/dev/null
run M --json task history fds --limit 1
like "$out" '"output": "0\\n1\\n2\\n3\\n"' "only stdin, stdout, stderr are inherited"
printf 'manager: { sandboxing = false; log_level = "error"; };\n' > "$T/etc/m.conf"
M task run nnp >/dev/null
run M --json task history nnp --limit 1
like "$out" 'NoNewPrivs:.t0' "without sandboxing, runs have no no_new_privs"
M task run fds >/dev/null
run M --json task history fds --limit 1
like "$out" '"output": "0\\n1\\n2\\n3\\n"' "descriptors are closed without sandboxing too"

# --for SECONDS counts from the scheduler's start: a plugin whose library
# takes 1 s to load (read twice: its functions listed, then loaded)
# held the start past a 2 s window, and the @reboot run it starts was
# cut at once.  Its run now lasts the window (2 s, 1 s checked: the
# spawning thread may read the start late).
sh "$top_srcdir/tests/lib/slow-plugin.sh" "$top_srcdir" "$top_builddir" "$T/slow" 1
printf 'manager: { sandboxing = false; shutdown_grace_seconds = 0; log_level = "error"; };\n' \
	> "$T/etc/slow.conf"
S() { "$MANAGER" --config "$T/etc/slow.conf" --db "$T/slow.db" "$@"; }
S plugin install --no-enable "$T/slow" >/dev/null && S plugin enable slow >/dev/null
S task add boot 'exec:sleep 30' cron crontab=@reboot >/dev/null
S __scheduler-run --for 2
is "$(sqlite3 "$T/slow.db" "SELECT status || ' ' || (ended_at - started_at >= 1000000)
	FROM runs WHERE task_id = 'boot'")" "interrupted 1" \
	"--for counts from the scheduler's start, however long the plugins took"
