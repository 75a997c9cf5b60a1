#!/bin/sh
# logs.sh - full run logs: stdout and stderr kept apart and in order,
# with their times; a small log kept in the history with its run's row,
# no file (text, --json, the API), a larger one a file holding every
# record in order; the per-run cap, the total cap and retention remove
# old logs; `task logs --follow` sees a running run's lines and ends with
# it; GET /manager/runs/{run}/log, plain and followed.
. "$top_srcdir/tests/sched/common.sh"
plan 44

L="$T/data/logs"
conf() {	# FILE EXTRA-KEYS: a configuration with full logs in $T/data
	cat > "$1" <<CONF
manager: {
  data_directory = "$T/data";
  retry_backoff_base = 0;
  kill_grace_seconds = 1;
  shutdown_grace_seconds = 1;
  tasks_directory = "$T/tasks";
  log_level = "info";
  $2
};
$3
CONF
}
conf "$T/etc/m.conf" ""

# Apart, in order, each line with its time.
M task add mixed "exec:sh -c 'echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; \
printf par; sleep 0.2; echo tial; echo err2 >&2; exit 3'" interval seconds=3600 \
	--max-retries 0 >/dev/null
run M task run mixed
is "$rc" 5 "the mixed task fails (exit 3; manager exits 5)"
run M task logs mixed
is "$rc" 0 "task logs exits 0"
lines=$(printf '%s\n' "$out" | sed 's/^[^ ]* //' | tr '\n' '|')
is "$lines" "stdout out1|stderr err1|stdout partial|stderr err2|" \
	"stdout and stderr apart, in order, a line cut across reads whole"
like "$out" '^20[0-9-]+T[0-9:.]+[-+Z0-9:]* stdout out1' "each line has its time"
run M task logs mixed --stderr
is "$(printf '%s\n' "$out" | sed 's/^[^ ]* //' | tr '\n' '|')" \
	"stderr err1|stderr err2|" "--stderr shows stderr alone"
run M task logs mixed --stdout --lines 1
is "$(printf '%s\n' "$out" | sed 's/^[^ ]* //')" "stdout partial" \
	"--stdout --lines 1: the last stdout line"
run M --json task logs mixed --stderr --lines 1
like "$out" '^\{"time":"[^"]+","stream":"stderr","text":"err2"\}$' \
	"--json gives one line object per line"
run M task logs mixed --since -1h
like "$out" 'stdout out1' "--since -1h keeps the run's lines"
run M task logs mixed --since 2999-01-01
is "$out" "" "--since a later time shows nothing"
run M task logs mixed --since yesterday
is "$rc" 1 "--since with a bad time fails"
like "$err" 'yesterday' "... naming it"
# A run that prints little and ends within a second: its log is in the
# history, with its run's row, and it has no file; it reads back whole,
# each line with its stream and time.
M task add small "exec:sh -c 'echo out; echo err >&2; exit 3'" \
	interval seconds=3600 --max-retries 0 >/dev/null
M task run small >/dev/null
ok $([ ! -e "$L/small" ] && echo 0 || echo 1) "a small log has no file"
is "$(sql "SELECT count(*) FROM run_logs JOIN runs ON runs.id = run_id
  WHERE task_id = 'small'")" 1 "... the history keeps it with its run"
run M task logs small
like "$(printf '%s\n' "$out" | tr '\n' '|')" \
	'^20[0-9-]+T[0-9:.]+[-+Z0-9:]* stdout out\|[^|]+ stderr err\|$' \
	"task logs reads it back: each line with its time and stream"
run M --json task logs small
like "$(printf '%s\n' "$out" | tr '\n' '|')" \
	'^\{"time":"[^"]+","stream":"stdout","text":"out"\}\|\{"time":"[^"]+","stream":"stderr","text":"err"\}\|$' \
	"... and --json as line objects"
# wide prints more than a log kept in the history holds (4 KiB of
# records), stderr first and last: its log is a file, every record in
# order, those kept in memory before it too.
M task add wide "exec:sh -c 'echo first >&2; sleep 0.2; seq 1 1500; sleep 0.2; echo last >&2'" \
	interval seconds=3600 --max-retries 0 >/dev/null
M task run wide >/dev/null
f=$(ls "$L"/wide/*.log)
cp "$f" "$T/sample.log"
is "$(mode_of "$f")" 600 "a log file is 0600"
is "$(mode_of "$L")$(mode_of "$L/wide")" 700700 "log folders are 0700"
M task logs wide | sed 's/^[^ ]* //' >"$T/wide.out"
{ echo 'stderr first'; seq 1 1500 | sed 's/^/stdout /'; echo 'stderr last'; } |
	cmp -s - "$T/wide.out"
ok $? "a log past the bound is a file holding every line, in order"
is "$(sql "SELECT count(*) FROM run_logs JOIN runs ON runs.id = run_id
  WHERE task_id = 'wide'")" 0 "... and nothing in the history"
run M --json task history mixed --limit 1
like "$out" '"output": "out1\\nerr1\\npartial\\nerr2\\n"' \
	"the history keeps the excerpt"
run_id=$(printf '%s\n' "$out" | sed -n 's/^ *"id": \([0-9]*\),$/\1/p')
run M task logs mixed --run "$run_id" --stderr
like "$out" 'stderr err1' "--run RUN shows that run"
run M task logs mixed --run 99999
is "$rc" 3 "an unknown run: not found"
run M task logs nosuch
is "$rc" 3 "an unknown task: not found"
M task add quiet 'exec:true' interval seconds=3600 >/dev/null
M task run quiet >/dev/null
run M task logs quiet
is "$rc:$out" "0:" "a run that printed nothing: no lines"
ok $([ ! -e "$L/quiet" ] && echo 0 || echo 1) "... and no file"
M plugin install "$top_builddir/data/plugins/hello" >/dev/null 2>&1
M plugin enable hello >/dev/null 2>&1
M task add greet hello:greet interval seconds=3600 >/dev/null
M task run greet >/dev/null
run M task logs greet
like "$out" 'stdout Hello, world!$' "a plugin function's mgr_task_output goes to its log"

# Follow, and the API, through a daemon.
conf "$T/etc/m.conf" "" 'api = { listen = "127.0.0.1:0"; token = "0123456789abcdef0123"; };'
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" --daemon 2>"$T/daemon.log" &
daemon=$!
trap 'kill -KILL $daemon 2>/dev/null; cleanup_tmp' EXIT
wait_until 30 grep -q 'listening on' "$T/daemon.log"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log")
api() { curl -s -H "Authorization: Bearer 0123456789abcdef0123" "$@"; }

M task add slow "exec:sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo line\$i; sleep 0.5; done; \
echo bye >&2'" interval seconds=1 --max-retries 0 >/dev/null
wait_until 30 sh -c "grep -q line1 '$L'/slow/*.log"
M task logs slow --follow >"$T/follow.out" 2>&1 &
follow=$!
# line1 shown while the run goes on (5 s): not after a fixed 1 s, which
# a sanitizer build's start on a loaded machine can take.
wait_until 30 grep -q line1 "$T/follow.out"
grep -q line1 "$T/follow.out" && ! grep -q bye "$T/follow.out"
ok $? "--follow shows the lines of a running run as they come"
wait_until 30 sh -c "! kill -0 $follow"
ok $? "--follow ends when the run ends"
wait $follow
is "$?" 0 "... with status 0"
like "$(tr '\n' '|' <"$T/follow.out")" 'stdout line1\|.*stdout line10\|[^|]* stderr bye\|$' \
	"--follow saw every line, the last one stderr's"

run_id=$(M --json task history mixed --limit 1 | sed -n 's/^ *"id": \([0-9]*\),$/\1/p')
out=$(api "http://127.0.0.1:$PORT/manager/runs/$run_id/log")
is "$(printf '%s\n' "$out" | sed 's/^[^ ]* //' | tr '\n' '|')" \
	"stdout out1|stderr err1|stdout partial|stderr err2|" "GET /manager/runs/RUN/log: text lines"
out=$(api "http://127.0.0.1:$PORT/manager/runs/$run_id/log?format=json&stream=stderr")
like "$(printf '%s\n' "$out" | tr '\n' '|')" \
	'^\{"time":"[^"]+","stream":"stderr","text":"err1"\}\|\{[^}]*"err2"\}\|$' \
	"?format=json&stream=stderr: JSON lines of stderr"
code=$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/manager/runs/99999/log")
is "$code" 404 "an unknown run: 404"
code=$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/manager/runs/$run_id/log?stream=both")
is "$code" 422 "a bad stream: 422"

# ?follow=1 on the next run of slow, while it runs.
wait_until 30 sh -c "[ \$(ls '$L/slow' | wc -l) -ge 2 ]"
running() { sql "SELECT id FROM runs WHERE task_id = 'slow' AND status = 'running'"; }
wait_until 30 sh -c "[ -n \"\$(sqlite3 -cmd '.timeout 10000' '$T/m.db' \"SELECT id FROM runs WHERE task_id = 'slow' AND status = 'running'\")\" ]"
slow_id=$(running)
api -N -D "$T/follow.hdr" "http://127.0.0.1:$PORT/manager/runs/$slow_id/log?follow=1" \
	>"$T/api-follow.out" &
curl_pid=$!
wait_until 30 sh -c "! kill -0 $curl_pid"
ok $? "?follow=1 ends when the run ends"
like "$(tr '\n' '|' <"$T/api-follow.out")" 'stdout line10\|[^|]* stderr bye\|$' \
	"?follow=1 streams the run to its end"
like "$(tr -d '\r' <"$T/follow.hdr" | tr '\n' '|')" 'Transfer-Encoding: chunked' \
	"... with chunked transfer"
kill -TERM $daemon
wait $daemon
is "$?" 0 "the daemon stops cleanly"

# The per-run cap: the rest is counted, not kept.
conf "$T/etc/m.conf" "log_run_max_mb = 1;"
M task add big "exec:sh -c 'yes 0123456789 | head -c 3000000'" interval \
	seconds=3600 --max-retries 0 >/dev/null
M task run big >/dev/null
size=$(stat -c %s "$L"/big/*.log)
ok $([ "$size" -gt 1000000 ] && [ "$size" -lt 1100000 ] && echo 0 || echo 1) \
	"a run's log stops at log_run_max_mb ($size bytes)"
run M task logs big --lines 1
like "$out" 'dropped \[[0-9]+ more bytes not kept' "task logs says how much was dropped"

# Retention: history_keep_runs per task; the total cap, oldest first;
# history_max_age_days.  Each run writes 400 KB: an eighth of the total
# (1 MiB) prunes at its end.
conf "$T/etc/m.conf" "log_run_max_mb = 1; log_max_mb = 1; history_keep_runs = 2;"
M task add keep "exec:sh -c 'yes 0123456789 | head -c 400000'" interval \
	seconds=3600 --max-retries 0 >/dev/null
for i in 1 2 3; do M task run keep >/dev/null; done
# Pruning runs on its own thread: wait for it rather than race it.
kept() { [ "$(ls "$L/keep" | wc -l)" -eq "$1" ]; }
wait_until 30 kept 2
is "$(ls "$L/keep" | wc -l)" 2 "history_keep_runs logs kept per task"
wait_until 30 test ! -d "$L/big"
ok $([ ! -d "$L/big" ] && echo 0 || echo 1) "the total cap removed the oldest log"
conf "$T/etc/m.conf" "log_max_mb = 2; history_max_age_days = 1;"
mkdir -p "$L/old"
cp "$T/sample.log" "$L/old/1000-1.log"
touch -d '3 days ago' "$L/old/1000-1.log"
M task run keep >/dev/null
wait_until 30 test ! -e "$L/old/1000-1.log"
ok $([ ! -e "$L/old/1000-1.log" ] && echo 0 || echo 1) \
	"a log older than history_max_age_days is removed"
is "$(ls "$L/keep" | wc -l)" 3 "newer logs stay"

