#!/bin/sh
# files-reload.sh - what a SIGHUP costs the engine's loop with N declarative
# tasks (issue 18): an interval task fires every 100 ms while the task files
# are read again (one file of them changed: a task added); per round, the
# reload's time (signal to the added task stored), the longest time
# between two fires across it, the longest slice the loop gave to applying
# (from the log) and the CPU the host used meanwhile.
#
#   top_srcdir=. top_builddir=. MANAGER=./manager sh bench/files-reload.sh [N [ROUNDS]]
#
# N tasks (default 100,000) in files of 1,000; ROUNDS reloads (default 3).
: "${top_srcdir:=.}" "${top_builddir:=.}" "${MANAGER:=./manager}"
export top_srcdir top_builddir MANAGER
N=${1:-100000}
ROUNDS=${2:-3}
. "$top_srcdir/tests/sched/common.sh" >/dev/null
sed -i 's/log_level = "warning"/log_level = "info"/' "$T/etc/m.conf"
mkdir -p "$T/tasks"
trap 'kill -KILL $daemon 2>/dev/null; cleanup_tmp' EXIT

awk -v dir="$T/tasks" -v n="$N" 'BEGIN {
	for (f = 0; f * 1000 < n; f++) {
		path = sprintf("%s/f%04d.conf", dir, f)
		print "tasks = (" > path
		for (i = 0; i < 1000 && f * 1000 + i < n; i++)
			printf "%s  { id = \"t%04d_%03d\"; func = \"exec:true\"; trigger = \"cron\"; hour = 3; minute = %d; }\n",
			    (i > 0 ? "," : ""), f, i, i % 60 > path
		print ");" > path
		close(path)
	}
}'
cat > "$T/tasks/tick.conf" <<'CONF'
tasks = ( { id = "tick"; func = "exec:true"; trigger = "interval";
	    seconds = 0.1; max_instances = 20; misfire_grace_time = 60; } );
CONF
# The first load (no engine: `host reload` reads the files into the
# store, as the engine's start does), timed whole: linear time is N and
# 10 N taking 10 times as long.
now_us() { echo $(($(date +%s%N) / 1000)); }
l0=$(now_us)
M host reload >/dev/null || exit 1
echo "first load of $N tasks: $(( ($(now_us) - l0) / 1000 )) ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" --daemon 2>>"$T/daemon.log" &
daemon=$!
wait_until 120 M host status >/dev/null || { echo "no host"; exit 1; }
# Past the start (the host lock is taken before the tasks are loaded) and
# the first writing of the task rows: 100 fires of the interval task.
fired() { test "$(sql "SELECT count(*) FROM runs WHERE task_id = 'tick'")" -ge 100; }
wait_until 600 fired || { echo "the interval task does not fire"; exit 1; }
cpu() { awk '{ print $14 + $15 }' /proc/$daemon/stat; }	# ticks
hz=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
	printf 'tasks = ( { id = "added%d"; func = "exec:true"; trigger = "cron"; minute = 1; } );\n' \
		"$r" > "$T/tasks/zz.conf"
	c0=$(cpu)
	t0=$(now_us)
	kill -HUP $daemon
	added() { test "$(sql "SELECT count(*) FROM tasks WHERE id = 'added$r'")" = 1; }
	wait_until 600 added
	t1=$(now_us)
	c1=$(cpu)
	sleep 1
	gap=$(sql "SELECT coalesce(max(s - p), 0) / 1000 FROM (SELECT started_at AS s,
		lag(started_at) OVER (ORDER BY started_at) AS p FROM runs
		WHERE task_id = 'tick' AND started_at BETWEEN (SELECT max(started_at)
		  FROM runs WHERE task_id = 'tick' AND started_at < $t0) AND $t1 + 500000)")
	slice=$(sed -n 's/.*task files: .*the longest \([0-9]*\) us.*/\1/p' "$T/daemon.log" | tail -1)
	echo "round $r: reload $(( (t1 - t0) / 1000 )) ms, longest gap between fires $gap ms," \
	    "longest slice ${slice:-?} us, host CPU $(( (c1 - c0) * 1000 / hz )) ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
	sleep 2
done
