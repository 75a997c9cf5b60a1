#!/bin/sh
# files-hup.sh - a SIGHUP re-reads 40,000 declarative tasks off the
# engine's loop (issue 18): an interval task of 100 ms keeps firing on
# time while the files are read, parsed and compared, and the reload
# still applies what changed.
. "$top_srcdir/tests/sched/common.sh"
plan 5
mkdir -p "$T/tasks"
trap 'kill -KILL $daemon 2>/dev/null; cleanup_tmp' EXIT

# 400 files of 100 daily tasks each.  A sanitizer build (ASan runs the
# reading thread several times slower) checks the same behaviour on 40
# files and leaves out the two timing checks: its times say nothing of
# the real program's.
files=400
if nm "$MANAGER" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	files=40
fi
awk -v dir="$T/tasks" -v files=$files 'BEGIN {
	for (f = 0; f < files; f++) {
		path = sprintf("%s/f%03d.conf", dir, f)
		print "tasks = (" > path
		for (i = 0; i < 100; i++)
			printf "  { id = \"t%03d_%02d\"; func = \"exec:true\"; trigger = \"cron\"; hour = 3; minute = %d; }%s\n",
			    f, i, i % 60, i < 99 ? "," : "" > path
		print ");" > path
		close(path)
	}
}'
cat > "$T/tasks/tick.conf" <<'CONF'
tasks = ( { id = "tick"; func = "exec:true"; trigger = "interval";
	    seconds = 0.1; max_instances = 20;
	    misfire_grace_time = 60; } );
CONF
run M host reload
is "$rc" 0 "$((files * 100)) tasks load"
[ "$rc" = 0 ] || printf '# %s\n' "$err"

"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" --daemon \
	2>>"$T/daemon.log" &
daemon=$!
wait_until 120 M host status >/dev/null

ticks() { sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $1"; }
t0=$(now_us)
# Past the engine's first seconds: its first housekeeping, and the
# first writing of the 40,000 task rows (TASK_ROW_EVERY_S) that the
# history writer's lock makes the loop wait for on a busy machine.
ticked() { test "$(ticks "$t0")" -ge 80; }
wait_until 120 ticked

# A reload that has something to do: a task added in a file of its own.
printf 'tasks = ( { id = "added"; func = "exec:true"; trigger = "cron"; minute = 1; } );\n' \
	> "$T/tasks/zz.conf"
t0=$(now_us)
kill -HUP $daemon
added() { test "$(sql "SELECT count(*) FROM tasks WHERE id = 'added'")" = 1; }
wait_until 300 added
is "$(sql "SELECT count(*) FROM tasks WHERE id = 'added'")" 1 \
	"the reload adds the new file's task"
sleep 0.5
t1=$(now_us)
# Every 100 ms, and a reload that held the loop (the quadratic one took
# tens of seconds at this size) fires nothing meanwhile.  The bounds are
# far from both: one fire a second on average, no gap over 5 s.  Under a
# loaded CI machine the spawns themselves lag (a gap of 1,053 ms at load
# 78 failed a bound of 1 s); how fast a reload is belongs to bench/.
fired=$(ticks "$t0")
if [ $files -lt 400 ]; then
	skip "the interval task kept firing during the reload (sanitizer build)"
else
	[ "$fired" -ge $(( (t1 - t0) / 1000000 )) ]
	ok $? "the interval task kept firing during the reload ($fired fires in $(( (t1 - t0) / 1000 )) ms)"
fi
# The longest time between two fires from the last one before the signal
# to after the reload.
gap=$(sql "SELECT coalesce(max(s - p), 0) / 1000 FROM (SELECT started_at AS s,
	lag(started_at) OVER (ORDER BY started_at) AS p FROM runs
	WHERE task_id = 'tick' AND started_at BETWEEN (SELECT max(started_at)
	  FROM runs WHERE task_id = 'tick' AND started_at < $t0) AND $t1)")
if [ $files -lt 400 ]; then
	skip "no gap between fires over 5000 ms (sanitizer build; longest $gap ms)"
else
	[ "$gap" -le 5000 ]; ok $? "no gap between fires over 5000 ms (longest $gap ms)"
fi
is "$(sql "SELECT count(*) FROM tasks WHERE source LIKE 'file:%'")" $((files * 100 + 2)) \
	"every task of the files is there"
