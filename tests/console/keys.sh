#!/bin/sh
# keys.sh - sorting and finding in the tasks and plugins panes (o, O, n,
# N, f), the runs pane's status filters (f, a) and a run opened whole.
. "$top_srcdir/tests/console/lib.sh"

echo "1..24"
console_setup
seed_example || { echo "Bail out! cannot seed the database"; exit 1; }
# Nothing fires while the test runs (the console hosts the engine):
# every trigger is for New Year's Eve, and the next runs a month out.
sql "UPDATE tasks SET trigger='cron',
  trigger_args='{\"month\":\"12\",\"day\":\"31\",\"hour\":\"23\",\"minute\":\"59\"}',
  next_run = CASE id WHEN 'sync.pull' THEN 1 WHEN 'hello.greet' THEN 2
  WHEN 'backup.nightly' THEN 3 ELSE 4 END * 86400000000
  + CAST(strftime('%s','now') AS INTEGER) * 1000000"

# Enough tasks that the pane scrolls, all run long before the others.
i=10
while [ $i -lt 40 ]; do
	echo "INSERT INTO tasks (id, name, func_path, trigger, trigger_args, enabled,
	  last_run, next_run, status, source, created_at, updated_at)
	  SELECT 'bulk.$i', 'bulk.$i', 'exec:/bin/true', 'cron', '{\"month\":\"12\",
	  \"day\":\"31\",\"hour\":\"23\",\"minute\":\"59\"}', 1, t - 200000000000 - $i,
	  t + 864000000000, 'succeeded', 'cli', t, t FROM now;"
	i=$((i + 1))
done | { echo "CREATE TEMP TABLE now AS SELECT CAST(strftime('%s','now')
  AS INTEGER) * 1000000 AS t;"; cat; } | sql

console_start 120 40
wait_for "hello.greet" >/dev/null
check "the tasks pane's header marks its sort column (NEXT)" wait_for "NEXT▲"
check "the first task due is selected" wait_selected "sync.pull"
keys o o
check "o cycles the sort column: NEXT, LEFT, then LAST" wait_for "LAST▲"
check "the selection stays on the task it was on" wait_selected "sync.pull"
keys g
check "sorted by LAST, the oldest last run comes first" \
	line_has 4 "report.weekly"
keys O
check "O reverses the sort, and the header says so" wait_for "LAST▼"
keys g
check "newest last run first" line_has 4 "sync.pull"

# Select backup.nightly (third), then other rows move around it.
keys g j j
wait_selected "backup.nightly" >/dev/null
before=$(selected | cut -d: -f1)
# An hour ago: between hello.greet's last run and backup.nightly's, so
# its row lands right above the selection, which stays on its line.
sql "UPDATE tasks SET last_run = (CAST(strftime('%s','now') AS INTEGER) - 3600) * 1000000,
  updated_at = updated_at + 5 WHERE id = 'report.weekly'"
check "a row moving above the selection is drawn in its new place" \
	line_has $((before - 1)) "report.weekly"
check "sorting stability: the selected task stays selected as rows update" \
	wait_selected "backup.nightly"
check "... on the same screen line" \
	test "$(selected | cut -d: -f1)" = "$before"

keys / l y Enter Escape
wait_for "Tasks 34 " >/dev/null
keys g
wait_selected "sync.pull" >/dev/null
keys n
check "n jumps to the next row matching the last filter" \
	wait_selected "report.weekly"
keys n
wait_selected "backup.nightly" >/dev/null
keys n
check "n wraps around to the first match" wait_selected "report.weekly"
keys N
check "N jumps back" wait_selected "backup.nightly"

keys f
check "f with no failed task says so" wait_for "no task has failed"
sql "UPDATE tasks SET status='failed', updated_at=updated_at+7 WHERE id='hello.greet'"
wait_for "failed     hello.greet" >/dev/null
keys f
check "f jumps to the next failed task" wait_selected "hello.greet"

keys h o
check "the plugins pane sorts by VERSION" wait_for "VERSION▲"
check "... lowest version first" \
	line_has 4 "│broken "
keys g f
check "f in the plugins pane jumps to the faulted plugin" wait_selected "broken"

# The runs pane: a running run joins the failed and succeeded ones.
sql "INSERT INTO runs (task_id, attempt, started_at, status, output)
     VALUES ('hello.greet', 1, CAST(strftime('%s','now') AS INTEGER) * 1000000,
     'running', 'still-going')"
keys l l
wait_for "still-going" >/dev/null
keys f
check "f in the runs pane shows failed runs only" wait_for "Failed runs 1/"
check "... and hides the others" wait_gone "still-going"
keys a
check "a shows running runs only" wait_for "Running runs 1/"
keys a
check "a again shows everything" wait_for "Runs / events (live) "

keys f Enter
check "Enter on a run opens it whole, its error marked" \
	wait_for "  ! connection refused"
check "... and its output" wait_for "connecting..."
keys Escape q
wait_for "exited with status" 15 >/dev/null
exit 0
