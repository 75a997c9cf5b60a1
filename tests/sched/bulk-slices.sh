#!/bin/sh
# bulk-slices.sh - `task add --from` of 100,000 tasks through a running
# daemon (issue 18): once the tasks are written, the scheduler takes
# them on its loop in slices of a few milliseconds, so an interval task
# of 100 ms keeps firing meanwhile; the command still answers once every
# task is scheduled, with the same exit status and output as before; a
# task paused or removed while the tasks are being applied ends as its
# row says.
#
# Two windows: from the command's start (its commands row) to the
# commit (the last line's row seen by another reader), while the engine
# parses and writes the rows in one transaction, off the loop
# (sched_bulk.c); and from the commit to the answer: the scheduler's
# part.  The interval task keeps firing in both.  A task paused while
# the rows are written waits for the write lock and is paused.
. "$top_srcdir/tests/sched/common.sh"
plan 17
trap 'kill -KILL $daemon $adding 2>/dev/null; sched_cleanup' EXIT
sed -i 's/log_level = "warning"/log_level = "info"/' "$T/etc/m.conf"
# The client's wait for the bulk's answer: its default 30 s is a bound
# on the machine, not on the engine (tests/pg/sched-bulk-slices.sh saw
# 30 s pass on a loaded machine).  The checks wait for what they check.
: "${MANAGER_COMMAND_TIMEOUT:=600}"
export MANAGER_COMMAND_TIMEOUT

# A sanitizer build (ASan makes the loop several times slower) checks
# the same behaviour on 20,000 tasks and leaves out the timing check: its
# times say nothing of the real program's.  (5,000 were written in 296
# ms, in which the 100 ms task fired only 3 times: "fired meanwhile"
# needs an import that outlasts several fires.)
n=100000
if nm "$MANAGER" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	n=20000
fi
# PostgreSQL (tests/pg) writes a row a round trip: 100,000 took 21 s to
# write and 9 s to schedule here, beyond the client's 30 s limit; the
# same behaviour is checked on 5,000.
[ -z "${MANAGER_TEST_SUITE_PG:-}" ] || n=5000
last=$(printf 'b%06d' $n)
# Daily tasks, and every n/8-th a one-shot 6 s after it is added (the
# first and the last line among them): that they run shows the loop
# took them.
awk -v n=$n 'BEGIN {
	for (i = 1; i <= n; i++)
		if (i == 1 || i % (n / 8) == 0)
			printf "b%06d exec:true date run_date=+6s\n", i
		else
			printf "b%06d exec:true cron year=2099 hour=3 minute=%d\n", i, i % 60
}' >"$T/bulk.tasks"

run M task add tick exec:true interval seconds=0.1 --max-instances 20 \
	--misfire-grace-time 60
[ "$rc" = 0 ] || printf '# %s\n' "$err"
"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon \
	2>>"$T/daemon.log" &
daemon=$!
wait_until 60 M host status >/dev/null
ticks() { sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $1"; }
t0=$(now_us)
ticked() { test "$(ticks "$t0")" -ge 20; }
wait_until 60 ticked

run M task add other exec:true cron year=2099 hour=5
M task add --from "$T/bulk.tasks" >"$T/add.out" 2>"$T/add.err" &
adding=$!
# Once the engine has the command, a pause sent meanwhile: the host's
# write waits for the bulk transaction's lock (no "database is locked").
taken() { test "$(sql "SELECT count(*) FROM commands WHERE argv LIKE '%--from%' AND state <> 'pending'")" -ge 1; }
wait_until 60 taken
M task pause other >"$T/pause.out" 2>&1 &
pausing=$!
# And a reload (SIGHUP): it waits for the write (its thread reads the
# configuration a reload frees; a sanitizer build would say so).
kill -HUP $daemon
# The commit: the rows are seen (a reader polling as fast as it can).
while [ "$(sqlite3 "$DB" "SELECT count(*) FROM tasks WHERE id = '$last'" 2>/dev/null)" != 1 ]; do
	kill -0 $adding 2>/dev/null || break
done
tc=$(now_us)
# Meanwhile two tasks near the end of the batch change before their
# slice comes: one paused, one removed.
M task pause "b$(printf %06d $((n - 2)))" >/dev/null 2>&1
M task remove "b$(printf %06d $((n - 3)))" >/dev/null 2>&1
wait $adding
add_rc=$?
ta=$(now_us)
is "$add_rc:$(cat "$T/add.out"):$(cat "$T/add.err")" \
	"0:$n tasks added from $T/bulk.tasks:" \
	"task add --from through the daemon: exit 0 and its one line"
# Answered once the last slice is applied: the daemon has logged it
# (before it answers), with its count then: every task (n and tick, less
# the one removed if its removal came before the last slice: on a fast
# machine the slices can all be done before the pause and the removal
# reach the daemon, so either is right here; the end state is checked
# below); scheduled (a next fire time): all but the paused one and the
# one-shots that have fired already.
counts=$(sed -n "s/.*scheduler: $n tasks changed, applied in [0-9]* slices, the longest [0-9]* us; \([0-9]*\) tasks, \([0-9]*\) scheduled$/\1 \2/p" "$T/daemon.log")
{ [ "${counts% *}" = $((n + 1)) ] || [ "${counts% *}" = $((n + 2)) ]; } &&
	[ "${counts#* }" -ge $((n - 10)) ] &&
	[ "${counts#* }" -le "${counts% *}" ]
ok $? "at the answer every task is in the scheduler, with a next fire time ($counts)"
# A task of the last slice can run at once.
manual=$(printf 'b%06d' $((n - 1)))
run M task run "$manual"
is "$rc" 0 "a task of the last slice runs at once after the answer"
[ "$rc" = 0 ] || printf '# %s\n' "$err"

# Every fire is recorded: the history writer may lag behind the loop.
fired_after() { test "$(ticks "$ta")" -ge 3; }
wait_until 60 fired_after
# While the rows were parsed and written (from the command's row to the
# commit) the interval task fired: the loop was free.  On the loop, that
# transaction let no fire through: one at most before the host took the
# command, one (coalesced) after the commit before the reader saw it.
during=$(fires_during '%--from%' "$tc")
test "$during" -ge 3
ok $? "the interval task fired while the rows were written ($during fires)"
wait $pausing
is "$?:$(cat "$T/pause.out"):$(sql "SELECT status FROM tasks WHERE id = 'other'")" \
	"0:task other paused:paused" "a task paused while the rows are written: paused, no error"
reloaded() { grep -q 'configuration reloaded' "$T/daemon.log"; }
wait_until 60 reloaded
ok $? "a reload asked for while the rows are written is done once they are"
# The longest time without a fire from the commit to the answer (the
# window's ends count as fires): 100 ms when the loop is free.
gap=$(sql "WITH f(t) AS (SELECT started_at FROM runs WHERE task_id = 'tick'
	  AND started_at > $tc AND started_at < $ta UNION ALL SELECT $tc
	  UNION ALL SELECT $ta)
	SELECT coalesce(max(t - p), 0) / 1000 FROM (SELECT t,
	  lag(t) OVER (ORDER BY t) AS p FROM f) AS g")
echo "# commit to answer: $(( (ta - tc) / 1000 )) ms; longest time without a fire in it: $gap ms"
# A figure, not a check: beside other tests (make -j2) the daemon waits
# for a core as long as a slice lasts (1,081 ms seen in CI against 99-151
# ms alone), so the loop's gaps are measured by bench/bulk-gap.sh.
skip "the loop's longest gap is measured by bench/bulk-gap.sh (here $gap ms)"

is "$(M task list | tail -n 1 | sed 's/ .*//')" $((n + 1)) "task list counts every task (tick, other, and one removed)"
ran="SELECT count(DISTINCT task_id) FROM runs WHERE task_id LIKE 'b%'
	AND task_id <> '$manual' AND status = 'succeeded'"
oneshots() { test "$(sql "$ran")" -ge 9; }
wait_until 60 oneshots
is "$(sql "$ran")" 9 \
	"the one-shot tasks among them ran (the first and the last line's)"
is "$(M --json task show "b$(printf %06d $((n - 2)))" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'):$(M task show "b$(printf %06d $((n - 3)))" >/dev/null 2>&1; echo $?)" \
	"paused:3" "the task paused meanwhile stays paused, the one removed stays gone"

# The engine stops while the tasks of a second file are applied: the
# command still answers (the tasks are written; the next start schedules
# them), and the engine frees what it had left (a sanitizer build says
# so at its exit).
awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++)
	printf "c%06d exec:true cron year=2099 hour=4 minute=%d\n", i, i % 60 }' >"$T/more.tasks"
M task add --from "$T/more.tasks" >"$T/add.out" 2>"$T/add.err" &
adding=$!
while [ "$(sqlite3 "$DB" "SELECT count(*) FROM tasks WHERE id = 'c$(printf %06d $n)'" 2>/dev/null)" != 1 ]; do
	kill -0 $adding 2>/dev/null || break
done
kill $daemon
wait $adding
add_rc=$?
wait $daemon
is "$?" 0 "the engine stopped mid-batch exits 0"
is "$add_rc:$(cat "$T/add.out")" "0:$n tasks added from $T/more.tasks" \
	"... the command still answers: exit 0, its line"
# The stop races the last slices: when they were over first (a smaller
# file under a sanitizer, or a fast machine: CI once) nothing is left to
# say, and the check below (every task at the next start) still holds.
if [ ! -s "$T/add.err" ]; then
	skip "... saying the next start schedules the rest (the batch was over first)"
else
	is "$(cat "$T/add.err")" \
	    "manager: the engine stopped before it scheduled every task: its next start does" \
	    "... saying the next start schedules the rest"
fi
: >"$T/daemon.log"
"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon \
	2>>"$T/daemon.log" &
daemon=$!
started() { grep -q 'scheduler: [0-9]* tasks, [0-9]* scheduled' "$T/daemon.log"; }
wait_until 120 started
like "$(grep 'scheduler: [0-9]* tasks, [0-9]* scheduled' "$T/daemon.log")" \
	"scheduler: $((2 * n + 1)) tasks, " "... and the next start has every task of both files"

# The engine stops while a third file's rows are being written (the
# host has the command, the rows are not committed): its thread ends
# the transaction, all of it, and the command answers as above.
awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++)
	printf "d%06d exec:true cron year=2099 hour=5 minute=%d\n", i, i % 60 }' >"$T/third.tasks"
M task add --from "$T/third.tasks" >"$T/add.out" 2>"$T/add.err" &
adding=$!
third() { test "$(sql "SELECT count(*) FROM commands WHERE argv LIKE '%third.tasks%' AND state <> 'pending'")" -ge 1; }
wait_until 60 third
kill $daemon
wait $daemon
is "$?" 0 "the engine stopped while the rows are written exits 0"
wait $adding
add_rc=$?
# The slices may be over before the engine's stop is (it waits for the
# runs in flight), as above: with 5,000 tasks, and with 100,000 on a fast
# or a loaded machine (seen by a helper of session 33 on 3b4f369 too).
stopped="manager: the engine stopped before it scheduled every task: its next start does"
[ ! -s "$T/add.err" ] && stopped=
is "$add_rc:$(cat "$T/add.out"):$(cat "$T/add.err")" "0:$n tasks added from $T/third.tasks:$stopped" \
	"... the command answers: exit 0, its line (and that the next start schedules them)"
is "$(sql "SELECT count(*) FROM tasks WHERE id LIKE 'd%'")" $n \
	"... and every row of the file is written"
done_testing
