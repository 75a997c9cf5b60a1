#!/bin/sh
# stop.sh - the console's X (issue 13): on a task it stops the task's
# runs, on a run in the runs pane that run only; the console does not
# wait for the end (task stop --no-wait) and the run is recorded stopped.
. "$top_srcdir/tests/console/lib.sh"

echo "1..7"
console_setup
m host reload >/dev/null || { echo "Bail out! cannot make the database"; exit 1; }
# Nothing fires by itself while the test runs (New Year's Eve).
m task add slow "exec:sleep 301.7" cron month=12 day=31 hour=23 minute=59 >/dev/null 2>&1
m task add twice "exec:sleep 301.8" cron month=12 day=31 hour=23 minute=59 \
	--max-instances 2 >/dev/null 2>&1
last() { sql "SELECT status FROM runs WHERE task_id='$1' ORDER BY id DESC LIMIT 1"; }
alive() { pgrep -f "$1" >/dev/null; }

console_start 120 40
wait_for "slow" >/dev/null
keys / s l o w Enter
check "the task is selected" wait_selected "slow"
keys x
check "x starts its run" wait_sql "SELECT count(*) FROM runs WHERE task_id='slow' AND status='running'" 1
i=0
while ! alive "sleep 301.7" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
keys X
check "X on the task stops its run, recorded stopped" wait_sql \
	"SELECT status FROM runs WHERE task_id='slow' ORDER BY id DESC LIMIT 1" stopped 8
check "... and its process is gone" sh -c '! pgrep -f "slee[p] 301.7" >/dev/null'

# Two runs of one task; X on the newest in the runs pane stops that one.
keys Escape
m task run twice --detach >/dev/null
m task run twice --detach >/dev/null
newest=$(sql "SELECT max(id) FROM runs WHERE task_id='twice'")
oldest=$(sql "SELECT min(id) FROM runs WHERE task_id='twice'")
check "both runs go" wait_sql "SELECT count(*) FROM runs WHERE task_id='twice' AND status='running'" 2
keys l
wait_for "running only" >/dev/null
keys Home X
check "X on a run in the runs pane stops that run" wait_sql \
	"SELECT status FROM runs WHERE id=$newest" stopped 8
check "... and not the other" wait_sql "SELECT status FROM runs WHERE id=$oldest" running
m task stop twice >/dev/null 2>&1
