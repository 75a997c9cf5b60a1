#!/bin/sh
# history.sh - a task's page has a cursor: a run of its history is chosen
# with j/k (or a search), opened with Enter (the same run page as from the
# runs pane; Esc goes back to the task's page, where the cursor was), and
# stopped with X (that run, not the task's others).
. "$top_srcdir/tests/console/lib.sh"

echo "1..11"
console_setup
# The 120 runs of the paging checks stay: the engine the console hosts
# keeps 100 per task by default and prunes the rest while the test runs.
printf 'manager: { history_keep_runs = 1000; };\n' > "$T/manager.conf"
m task add aa.sleepy 'exec:/bin/sleep 300.5151' interval hours=1 --max-instances 2 >/dev/null ||
	{ echo "Bail out! cannot add the task"; exit 1; }
now=$(date +%s)
sql "INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at,
  status, exit_code, output, error) VALUES ('aa.sleepy', 1,
  ($now - 100) * 1000000, ($now - 100) * 1000000, ($now - 99) * 1000000,
  'failed', 2, 'old-output', 'old-run-error')"
old=$(sql "SELECT max(id) FROM runs")
console_start 120 40
wait_for "aa.sleepy" >/dev/null
m task run --detach aa.sleepy >/dev/null
m task run --detach aa.sleepy >/dev/null
wait_sql "SELECT count(*) FROM runs WHERE status = 'running'" 2 10 >/dev/null
keys g Enter
wait_for "Task aa.sleepy" >/dev/null
keys j
check "j moves the cursor of a task's page" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -e -t c | grep -F 'id ' |
	  grep -q \"\$(printf '\\033')\\[[0-9;]*7m\""
keys / o l d - r u n Enter
wait_for "old-run-error" >/dev/null
keys k
check "the cursor goes to a run of the history" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -e -t c | grep -F '#$old ' |
	  grep -q \"\$(printf '\\033')\\[[0-9;]*7m\""
keys Enter
check "Enter opens that run's page" wait_for "Run #$old"
check "... its page, as from the runs pane" wait_for "Error (marked !)"
keys Escape
check "Esc goes back to the task's page" wait_for "Task aa.sleepy"
check "... with the cursor where it was" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -e -t c | grep -F '#$old ' |
	  grep -q \"\$(printf '\\033')\\[[0-9;]*7m\""
stop=$(sql "SELECT max(id) FROM runs WHERE status = 'running'")
keep=$(sql "SELECT min(id) FROM runs WHERE status = 'running'")
keys g / "#$stop " Enter
wait_for "#$stop" >/dev/null
keys X
check "X on a run of the history stops that run" \
	wait_sql "SELECT status FROM runs WHERE id = $stop" stopped 10
check "... and not the task's other run" \
	test "$(sql "SELECT status FROM runs WHERE id = $keep")" = running
m task stop aa.sleepy >/dev/null 2>&1
keys Escape

# The history a page at a time: 120 runs, 50 shown, the cursor moving
# past the last line shows 50 more.
m task add bb.many 'exec:/bin/true' interval hours=1 >/dev/null
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
  INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at,
  status, exit_code, output) SELECT 'bb.many', 1, ($now - 1000 + i) * 1000000,
  ($now - 1000 + i) * 1000000, ($now - 999 + i) * 1000000, 'succeeded', 0,
  'many-' || i FROM n"
oldest=$(sql "SELECT min(id) FROM runs WHERE task_id = 'bb.many'")
wait_for "bb.many" >/dev/null	# the pane has the new task before the filter
keys / b b . m a n y Enter Escape
wait_selected "bb.many" >/dev/null
keys Enter
wait_for "Task bb.many" >/dev/null
keys G
check "a long history shows its newest runs and says more follow" \
	wait_for "older runs follow"
keys j
check "moving past its end shows the next page" wait_for "many-70"
keys G j G j G
check "... down to the oldest run" wait_for "#$oldest "
keys Escape q
exit 0
