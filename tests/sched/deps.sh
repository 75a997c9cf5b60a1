#!/bin/sh
# deps.sh - tasks that run after others (issue 14): after chains
# A -> B -> C and C does not run when B failed; after_any; after with two
# upstreams; cycles refused at add time naming the cycle; a dependent run
# is a run like any other (its row, its id) and a kill -9 during it
# leaves it interrupted, never run twice; adding a dependency runs
# nothing by itself; `task deps` shows both directions.
. "$top_srcdir/tests/sched/common.sh"
plan 34

LATER="run_date=2099-01-01T00:00:00"
start_daemon() {
	"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" --daemon \
		2>>"$T/daemon.log" &
	daemon=$!
	wait_until 30 M host status
}
trap 'kill -KILL $daemon 2>/dev/null; cleanup_tmp' EXIT
# started TASK, ended TASK: of its latest run, in µs.
started() { sql "SELECT started_at FROM runs WHERE task_id = '$1' ORDER BY id DESC LIMIT 1"; }
ended() { sql "SELECT ended_at FROM runs WHERE task_id = '$1' ORDER BY id DESC LIMIT 1"; }
# settled TASK N: TASK has N runs that are over
settled() {
	[ "$(sql "SELECT count(*) FROM runs WHERE task_id = '$1' AND ended_at IS NOT NULL")" -ge "$2" ]
}
wait_settled() {
	local i=0
	while ! settled "$1" "$2" && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	settled "$1" "$2"
}

M task add a "exec:/bin/sh -c 'sleep 0.2'" date $LATER >/dev/null
M task add b "exec:/bin/sh -c 'test ! -e $T/b-fails'" date $LATER --after a \
	--max-retries 1 >/dev/null
M task add c "exec:/bin/true" date $LATER --after b >/dev/null

# Refusals at add and edit time.
run M task edit a --after c
is "$rc" 4 "a cycle is refused"
like "$err" 'task "a": after: this makes a cycle: a -> b -> c -> a' \
	"... naming the cycle"
run M task edit a --after a
like "$err" 'cannot run after itself' "a task cannot run after itself"
run M task add d "exec:/bin/true" date $LATER --after nosuch
is "$rc" 3 "an unknown upstream is refused"
like "$err" 'after.*no task "nosuch"' "... naming it"
run M task deps b
like "$out" 'runs after \(all\): +a' "task deps shows the upstream"
like "$out" 'runs before: +c' "... and the downstream"
run M --json task show c
like "$out" '"after": \[' "task show --json has the after list"

start_daemon
M task run a >/dev/null
wait_settled c 1
ok $? "a -> b -> c: c ran after b after a"
is "$(count_runs b succeeded)$(count_runs c succeeded)" 11 "each once, succeeded"
ok "$([ "$(started b)" -ge "$(ended a)" ] && [ "$(started c)" -ge "$(ended b)" ]; echo $?)" \
	"each started after its upstream ended"
like "$(M --json task history b --limit 1)" '"id": [0-9]+' \
	"the dependent run is a run of the history with its id"

touch "$T/b-fails"
M task run a >/dev/null
wait_settled b 3
sleep 1
is "$(count_runs b failed)" 2 "b failed the second time (with its retry)"
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'c'")" 1 "c did not run after b failed"
rm "$T/b-fails"

# after with two upstreams, after_any.
M task add x "exec:/bin/sh -c 'test -e $T/x-ok'" date $LATER --max-retries 0 >/dev/null
M task add both "exec:/bin/true" date $LATER --after a --after x >/dev/null
M task add either "exec:/bin/true" date $LATER --after-any x --after-any a >/dev/null
M task run x >/dev/null 2>&1
sleep 0.5
is "$(sql "SELECT count(*) FROM runs WHERE task_id IN ('both', 'either')")" 0 \
	"a failed upstream runs neither"
M task run a >/dev/null
wait_settled either 1
ok $? "after_any: one upstream's success is enough"
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'both'")" 0 \
	"after: one of two is not"
touch "$T/x-ok"
M task run x >/dev/null
wait_settled both 1
ok $? "after: it runs once both succeeded since its last run"
M task run x >/dev/null
sleep 0.8
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'both'")" 1 \
	"... and not again until both succeeded again"

# A kill -9 while a dependent run goes on: interrupted, never run twice.
M task edit c --func "exec:/bin/sleep 3" >/dev/null
M task run a >/dev/null
wait_until 30 sh -c "sqlite3 '$T/m.db' \"SELECT status FROM runs WHERE task_id = 'c' ORDER BY id DESC LIMIT 1\" | grep -q running"
ok $? "c is running after b"
nc=$(sql "SELECT count(*) FROM runs WHERE task_id = 'c'")
kill -KILL $daemon
wait $daemon 2>/dev/null
start_daemon
# The restarted engine records the run interrupted (waited for, 30 s at
# most), then 1.5 s in which a second run of c would start.
c_last() { sql "SELECT status FROM runs WHERE task_id = 'c' ORDER BY id DESC LIMIT 1"; }
c_interrupted() { [ "$(c_last)" = interrupted ]; }
wait_until 30 c_interrupted
sleep 1.5
is "$(c_last)" interrupted "after kill -9 its run is interrupted"
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'c'")" "$nc" \
	"... and not run again at the next start"

# Limits: a concurrency group of 2 never runs 3 at once, the others wait
# `queued` in order; max_concurrent_runs over every task.  The runs last
# 12 s so that two are still queued when the fourth `task run` returns
# even in a sanitizer build on a loaded machine (with 3 s, then 8 s, the
# first two could end first).
cat >> "$T/etc/m.conf" <<CONF
groups = { pool = { max_concurrent = 2; }; };
CONF
# overlap TASK-PATTERN: the most runs of those tasks going on at once,
# from their start and end times.
overlap() {
	sql "SELECT max(n) FROM (SELECT (SELECT count(*) FROM runs r2
	       WHERE r2.task_id LIKE '$1' AND r2.started_at <= r1.started_at
	       AND r2.ended_at > r1.started_at) AS n
	     FROM runs r1 WHERE r1.task_id LIKE '$1')"
}
for i in 1 2 3 4; do
	M task add g$i "exec:/bin/sleep 12" date $LATER --concurrency-group pool >/dev/null
done
run M task add gbad "exec:/bin/true" date $LATER --concurrency-group "no way"
like "$err" 'concurrency-group.*"no way" is not a group name' \
	"a bad group name is refused, naming it"
kill -TERM $daemon
wait $daemon
start_daemon
for i in 1 2 3 4; do M task run g$i --detach >/dev/null; done
# The list checked is the one the wait saw: a second listing could come
# after the first two runs ended.
wait_until 15 sh -c "'$MANAGER' --config '$T/etc/m.conf' --db '$T/m.db' task list >'$T/list'; [ \$(grep -c ' queued ' '$T/list') -eq 2 ]"
is "$(grep -c ' queued ' "$T/list")" 2 "task list shows the waiting runs as queued"
for i in 1 2 3 4; do wait_settled g$i 1; done
is "$(sql "SELECT count(*) FROM runs WHERE task_id LIKE 'g_' AND status = 'succeeded'")" 4 \
	"every run of the group ran"
is "$(overlap 'g_')" 2 "a group of 2 never ran 3 at once"
is "$(sql "SELECT group_concat(task_id, ' ') FROM (SELECT task_id FROM runs WHERE task_id LIKE 'g_' ORDER BY started_at)")" \
	"g1 g2 g3 g4" "the waiting runs started in order"
kill -TERM $daemon
wait $daemon

sed -i 's/^  log_level/  max_concurrent_runs = 1;\n  log_level/' "$T/etc/m.conf"
for i in 1 2 3; do
	M task add m$i "exec:/bin/sleep 0.3" date $LATER >/dev/null
done
start_daemon
for i in 1 2 3; do M task run m$i --detach >/dev/null; done
for i in 1 2 3; do wait_settled m$i 1; done
is "$(overlap 'm_')" 1 "max_concurrent_runs = 1: one run at a time in all"
kill -TERM $daemon
wait $daemon
start_daemon

# A new dependency on an upstream that succeeded before runs nothing,
# neither at once nor at the next start.
M task add late "exec:/bin/true" date $LATER --after a >/dev/null
kill -TERM $daemon
wait $daemon
start_daemon
sleep 1
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'late'")" 0 \
	"a dependency added after the upstream's success runs nothing"

# The same keys in task files: after as one id or a list; a cycle makes
# the file's error, naming it, and leaves the file's tasks as they were.
mkdir -p "$T/tasks"
cat > "$T/tasks/chain.conf" <<CONF
tasks = (
  { id = "fa"; func = "exec:/bin/true"; trigger = "date"; run_date = "2099-01-01T00:00:00"; },
  { id = "fb"; func = "exec:/bin/true"; trigger = "date"; run_date = "2099-01-01T00:00:00";
    after = "fa"; concurrency_group = "pool"; },
  { id = "fc"; func = "exec:/bin/true"; trigger = "date"; run_date = "2099-01-01T00:00:00";
    after_any = [ "fa", "fb" ]; }
);
CONF
M host reload >/dev/null
wait_until 30 sh -c "'$MANAGER' --config '$T/etc/m.conf' --db '$T/m.db' task deps fc | grep -q 'fa, fb'"
run M task deps fb
like "$out" 'runs after \(all\): +fa' "a task file's after"
like "$out" 'concurrency group: +pool' "... and concurrency_group"
M task run fa >/dev/null
wait_settled fc 1
ok $? "a task file's chain runs"
sed -i 's/trigger = "date"; run_date = "2099-01-01T00:00:00"; },$/trigger = "date"; run_date = "2099-01-01T00:00:00"; after = "fc"; },/' "$T/tasks/chain.conf"
M host reload >/dev/null
wait_until 30 grep -q 'cycle' "$T/daemon.log"
like "$(grep cycle "$T/daemon.log")" 'chain.conf.*this makes a cycle: fa -> f[bc] -> .*fa' \
	"a cycle in a task file is its error, naming the file and the cycle"
run M task deps fa
like "$out" 'runs after \(all\): +-' "... and the file's tasks stay as they were"
kill -TERM $daemon
wait $daemon
done_testing
