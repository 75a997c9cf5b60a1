#!/bin/sh
# bulk-import.sh - `task import crontab` of many jobs through a running
# daemon (issue 18): the crontab is parsed, checked and written in one
# transaction on the engine's bulk thread (sched_bulk.c), so an interval
# task of 100 ms keeps firing meanwhile; the command answers as before.
. "$top_srcdir/tests/sched/common.sh"
plan 3
trap 'kill -KILL $daemon $importing 2>/dev/null; sched_cleanup' EXIT

# 50,000 jobs: about a second of writing here (ASan: 20,000, its loop
# being several times slower).  The import must last several of the
# interval task's 100 ms for "it fired meanwhile" to mean anything: with
# 5,000 jobs under ASan (and task inserts made cheaper, schema 18) it
# lasted 295 ms, in which a free loop fired only twice.
n=50000
if nm "$MANAGER" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	n=20000
fi
awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++)
	printf "%d 3 * * * echo job%d\n", i % 60, i }' >"$T/crontab"

run M task add tick exec:true interval seconds=0.1 --max-instances 20 \
	--misfire-grace-time 60
[ "$rc" = 0 ] || printf '# %s\n' "$err"
"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon \
	2>>"$T/daemon.log" &
daemon=$!
wait_until 60 M host status >/dev/null
t0=$(now_us)
ticked() { test "$(sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $t0")" -ge 5; }
wait_until 60 ticked

M task import crontab "$T/crontab" --prefix cr >"$T/import.out" 2>"$T/import.err" &
importing=$!
# The commit: the imported rows are seen (a reader polling).
while [ "$(sqlite3 "$DB" "SELECT count(*) FROM tasks" 2>/dev/null)" != $((n + 1)) ]; do
	kill -0 $importing 2>/dev/null || break
done
tc=$(now_us)
wait $importing
is "$?:$(cat "$T/import.out"):$(cat "$T/import.err")" \
	"0:$n created, 0 updated, 0 not imported:" \
	"task import crontab through the daemon: exit 0 and its line"
# Every fire is recorded: the history writer may lag behind the loop.
ta=$(now_us)
after() { test "$(sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $ta")" -ge 2; }
wait_until 60 after
# From the command's row to the commit the interval task fired: the loop
# was free.  On the loop, the import let no fire through but one before
# the host took it and one (coalesced) after the commit.
during=$(fires_during '%import%' "$tc")
test "$during" -ge 3
ok $? "the interval task fired while the crontab was imported ($during fires)"
kill $daemon
wait $daemon
is "$?" 0 "the daemon exits 0"
done_testing
