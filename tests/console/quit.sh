#!/bin/sh
# quit.sh - quitting a console that hosts the engine asks first
# ([d]aemon / [q]uit / [c]ancel); d hands the engine to a detached daemon
# and no fire time of a task firing every second is lost on the way.
. "$top_srcdir/tests/console/lib.sh"

echo "1..11"
console_setup
m host reload >/dev/null || { echo "Bail out! cannot create the database"; exit 1; }

console_start 120 40
wait_for "host: this console" >/dev/null
keys q
check "with no task scheduled, q quits at once" \
	wait_for "exited with status 0"
tmux -L "$SOCK" kill-server
SOCK="$SOCK-2"

console_start 120 40
wait_for "host: this console" >/dev/null
m task add tick.fast exec:/bin/true interval seconds=1 >/dev/null 2>"$T/err"
wait_for "tick.fast" >/dev/null
keys q
check "with a task scheduled, q asks first" \
	wait_for "quitting stops scheduling (1 task is scheduled); start the daemon instead? [d]aemon / [q]uit / [c]ancel"
check "the footer names the three answers" \
	wait_for "d hand the engine to a daemon and quit  q quit  c cancel"
keys c
check "c cancels, and says the console goes on hosting" \
	wait_for "cancelled: the console goes on hosting the engine"
check "the console still hosts the engine" \
	test "$(sql "SELECT kind FROM host")" = console
# Runs before the hand-over, so the series spans it.
wait_sql "SELECT count(*) >= 3 FROM runs WHERE task_id='tick.fast'" 1 10
keys q
wait_for "[d]aemon" >/dev/null
keys d
check "d hands the engine to a daemon and the console exits 0" \
	wait_for "exited with status 0" 30
check "the console says where the engine went" \
	wait_for "the engine runs on in a daemon (pid"
m host status >"$T/status" 2>&1
check "manager host status names a daemon" grep -q daemon "$T/status"
daemon=$(sql "SELECT pid FROM host")
handed=$(sql "SELECT max(scheduled_at) FROM runs WHERE task_id='tick.fast'")
check "the daemon runs the task on" \
	wait_sql "SELECT count(*) >= 3 FROM runs WHERE task_id='tick.fast' AND scheduled_at > $handed" 1 15
# Every fire time since the first has its run: none missed, none merged.
check "no fire time was lost in the hand-over" \
	test "$(sql "SELECT count(*) FROM runs r WHERE task_id='tick.fast'
	  AND scheduled_at > (SELECT min(scheduled_at) FROM runs WHERE task_id='tick.fast')
	  AND NOT EXISTS (SELECT 1 FROM runs p WHERE p.task_id = r.task_id
	  AND p.scheduled_at = r.scheduled_at - 1000000)")" = 0
check "and none was recorded missed or skipped" \
	test "$(sql "SELECT count(*) FROM runs WHERE task_id='tick.fast'
	  AND status NOT IN ('succeeded', 'running')")" = 0
kill -TERM "$daemon" 2>/dev/null
i=0
while [ $i -lt 100 ] && kill -0 "$daemon" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
exit 0
