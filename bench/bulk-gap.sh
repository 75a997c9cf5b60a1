#!/bin/sh
# bulk-gap.sh - what `task add --from` of N tasks through a daemon costs
# the engine's loop (issue 18): an interval task fires every 100 ms; per
# round, the command's time, the time from its start to the commit
# (the parse and the write) and the fires in it, the time from the commit (the last line's
# row seen by another reader) to the answer (the scheduler's part), the
# longest time between two fires across the whole command and within
# that window (its ends count as fires), and the daemon's log of the
# slices.
#
#   top_srcdir=. top_builddir=. MANAGER=./manager sh bench/bulk-gap.sh [N [ROUNDS]]
#
# N tasks (default 100,000), daily cron lines; ROUNDS (default 1), each
# on a new database.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${MANAGER:=./manager}"
export top_srcdir top_builddir MANAGER
N=${1:-100000}
ROUNDS=${2:-1}
. "$top_srcdir/tests/sched/common.sh" >/dev/null
sed -i 's/log_level = "warning"/log_level = "info"/' "$T/etc/m.conf"
trap 'kill -KILL $daemon 2>/dev/null; cleanup_tmp' EXIT
last=$(printf 'b%06d' "$N")
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
	printf "b%06d exec:true cron hour=3 minute=%d\n", i, i % 60 }' >"$T/bulk.tasks"
now_us() { echo $(($(date +%s%N) / 1000)); }
ticks() { sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $1"; }

round() {
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.claim"
	: >"$T/daemon.log"
	M task add tick exec:true interval seconds=0.1 --max-instances 20 \
		--misfire-grace-time 60 >/dev/null
	"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon \
		2>>"$T/daemon.log" &
	daemon=$!
	wait_until 60 M host status >/dev/null
	t0=$(now_us)
	ticked() { test "$(ticks "$t0")" -ge 20; }
	wait_until 60 ticked
	t0=$(now_us)
	M task add --from "$T/bulk.tasks" >/dev/null &
	adding=$!
	while [ "$(sqlite3 "$DB" "SELECT count(*) FROM tasks WHERE id = '$last'" 2>/dev/null)" != 1 ]; do
		kill -0 $adding 2>/dev/null || break
	done
	tc=$(now_us)
	wait $adding
	ta=$(now_us)
	after() { test "$(ticks "$ta")" -ge 3; }
	wait_until 60 after
	gap=$(sql "SELECT coalesce(max(s - p), 0) / 1000 FROM (SELECT started_at AS s,
		lag(started_at) OVER (ORDER BY started_at) AS p FROM runs
		WHERE task_id = 'tick' AND started_at BETWEEN (SELECT max(started_at)
		  FROM runs WHERE task_id = 'tick' AND started_at < $t0) AND
		  (SELECT min(started_at) FROM runs WHERE task_id = 'tick' AND started_at > $ta))")
	wgap=$(sql "WITH f(t) AS (SELECT started_at FROM runs WHERE task_id = 'tick'
		  AND started_at > $tc AND started_at < $ta UNION ALL SELECT $tc
		  UNION ALL SELECT $ta)
		SELECT coalesce(max(t - p), 0) / 1000 FROM (SELECT t,
		  lag(t) OVER (ORDER BY t) AS p FROM f)")
	# From the command's start to the commit: the parse and the write
	# (off the loop since sched_bulk.c); the fires in that window.
	fires=$(sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $t0 AND started_at < $tc")
	echo "tasks=$N command_ms=$(( (ta - t0) / 1000 )) start_to_commit_ms=$(( (tc - t0) / 1000 )) fires_start_to_commit=$fires commit_to_answer_ms=$(( (ta - tc) / 1000 )) longest_gap_ms=$gap longest_gap_commit_to_answer_ms=$wgap load=$(cut -d' ' -f1-3 /proc/loadavg)"
	sed -n 's/.*info: \(scheduler: [0-9]* tasks changed.*\)/# \1/p' "$T/daemon.log"
	kill $daemon
	wait $daemon
}
for r in $(seq 1 "$ROUNDS"); do
	round
done
