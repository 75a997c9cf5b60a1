#!/bin/sh
# jobs.sh - job control from a console attached to a daemon: x starts a
# run and answers at once with its id (the console stays live while the
# run goes on), X stops the selected run, or every run of a task.
. "$top_srcdir/tests/console/lib.sh"

echo "1..15"
console_setup
m task add aa.slow 'exec:/bin/sleep 300.4242' interval hours=1 >/dev/null &&
printf '#!/bin/sh\necho first-out\necho first-err >&2\nsleep 1\necho later-out\nexec sleep 300.4242\n' >"$T/talk.sh"
chmod +x "$T/talk.sh"
m task add bb.slow 'exec:/bin/sleep 300.4242' interval hours=1 >/dev/null ||
	{ echo "Bail out! cannot add the tasks"; exit 1; }
"$MANAGER" --config "$T/manager.conf" --db "$DB" daemon >"$T/daemon.log" 2>&1 &
daemon=$!
daemon_hosts() { m host status 2>/dev/null | grep -q daemon; }
retry 30 daemon_hosts
stop_daemon() {
	kill -TERM "$daemon" 2>/dev/null
	wait "$daemon" 2>/dev/null
	console_teardown
}
trap stop_daemon EXIT

# The focused pane, from its selected row: the top panes share a screen
# line ("││" between them), the runs pane has it to itself.
in_top_pane() { selected | grep -q '││'; }
in_runs_pane() { sel=$(selected); [ -n "$sel" ] && ! echo "$sel" | grep -q '││'; }
wait_pane() {	# wait_pane top|runs
	i=0
	while [ $i -lt 100 ]; do
		if [ "$1" = top ] && in_top_pane; then return 0; fi
		if [ "$1" = runs ] && in_runs_pane; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

wait_no_sleep() {
	i=0
	while [ $i -lt 100 ] && pgrep -f 'sleep 300.4242' >/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	! pgrep -f 'sleep 300.4242' >/dev/null
}

console_start 120 40
check "the console attaches to the daemon" wait_for "host: daemon pid $daemon"
keys g
wait_selected "aa.slow" >/dev/null
keys x
check "x answers at once with the run's id" \
	wait_for "task aa.slow: run 1 started" 15
check "... and the run goes on" \
	wait_sql "SELECT status FROM runs WHERE task_id = 'aa.slow'" running 15
# The run's row can be written before its program is exec'd.
running_sleep() { pgrep -f 'sleep 300.4242' >/dev/null; }
check "... as a process" retry 10 running_sleep
keys '?'
check "the console takes keys while the run goes on" wait_for "Keys" 15
keys Escape
keys j x
wait_sql "SELECT count(*) FROM runs WHERE status = 'running'" 2 15 >/dev/null
keys l
wait_pane runs
check "both runs show in the runs pane" wait_for "bb.slow" 15
keys g
wait_selected "running" >/dev/null
sel=$(selected)
case "$sel" in
*bb.slow*) keep=aa.slow stop=bb.slow ;;
*) keep=bb.slow stop=aa.slow ;;
esac
keys X
check "X stops the selected run" wait_sql \
	"SELECT status FROM runs WHERE task_id = '$stop'" stopped 10
check "... and no other" \
	test "$(sql "SELECT status FROM runs WHERE task_id = '$keep'")" = running
keys h
wait_pane top
keys g
[ "$keep" = bb.slow ] && keys j
wait_selected "$keep" >/dev/null
keys X
check "X on a task stops its runs" wait_sql \
	"SELECT status FROM runs WHERE task_id = '$keep'" stopped 10
check "no process of the runs is left" \
	wait_no_sleep

# A run's page shows its full log, stderr marked, and follows it.
m task add zz.talk "exec:$T/talk.sh" interval hours=1 >/dev/null
m task run --detach zz.talk >/dev/null
keys l
wait_pane runs
# The runs pane also lists events: "zz.talk task.added" can be its top
# row before the run's own row comes (Enter there opens the task's page).
# g again until the top row is the run.
top_is_run() {
	i=0
	while [ $i -lt 100 ]; do
		keys g
		selected | grep -q -E 'zz\.talk +running' && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
top_is_run
keys Enter
check "Enter on a run opens its log" wait_for "first-out" 15
# first-err comes on another pipe than first-out: a later tick can draw it.
stderr_marked() { screen | grep -q -E '! +[0-9:]+ +first-err'; }
check "... stderr marked !" retry 5 stderr_marked
check "... and the page follows the log as it grows" wait_for "later-out" 10
check "... saying so" wait_for "follows its log"
keys X
check "X on a run's page stops it" wait_sql \
	"SELECT status FROM runs WHERE task_id = 'zz.talk'" stopped 10
keys Escape q
exit 0
