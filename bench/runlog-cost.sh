#!/bin/sh
# bench/runlog-cost.sh [MB] - what a task printing MB megabytes (100) at
# full speed costs the engine, with full run logs and without: a daemon
# runs `yes | head -c` once per case; the engine's own CPU time (utime +
# stime of the daemon, not of its children, from /proc) over the run's
# wall time is the share of one core.  The same from the nanoseconds
# its threads ran (/proc/PID/task/*/schedstat), as ticks of 10 ms say
# little of a run under a second: engine_sched_ms, sched_share.  Run from
# a built tree (or top_builddir=DIR for another build).
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
MANAGER="$top_builddir/manager"
export MANAGER_RUN="$top_builddir/manager-run" MANAGER_EXEC="$top_builddir/manager-exec" \
	MANAGER_EXE="$top_builddir/manager"
MB=${1:-100}
TCK=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sched_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { print s }'; }

one() {	# CASE EXTRA-KEYS
	d=$(mktemp -d "${TMPDIR:-/tmp}/manager-bench.XXXXXX")
	cat > "$d/m.conf" <<CONF
manager: { data_directory = "$d"; log_level = "error"; tasks_directory = "$d/tasks";
  log_run_max_mb = $((MB * 2)); $2 };
CONF
	m="$MANAGER --config $d/m.conf --db $d/m.db"
	$m task add big "exec:sh -c 'yes 0123456789abcdef | head -c $((MB * 1000000))'" \
		interval seconds=3600 --max-retries 0 >/dev/null
	$MANAGER --config "$d/m.conf" --db "$d/m.db" --daemon 2>"$d/daemon.log" &
	pid=$!
	while ! $m host status 2>/dev/null | grep -q 'engine host: daemon'; do sleep 0.1; done
	c0=$(cpu_ticks $pid)
	s0=$(sched_ns $pid)
	t0=$(date +%s.%N)
	$m task run big >/dev/null
	t1=$(date +%s.%N)
	c1=$(cpu_ticks $pid)
	s1=$(sched_ns $pid)
	size=$(du -sk "$d/logs" 2>/dev/null | cut -f1)
	kill -TERM $pid
	wait $pid
	echo "case=$1 mb=$MB wall_s=$(echo "$t1 - $t0" | bc) engine_cpu_s=$(echo "scale=3; ($c1 - $c0) / $TCK" | bc) engine_share=$(echo "scale=3; ($c1 - $c0) / $TCK / ($t1 - $t0)" | bc) log_kb=${size:-0} engine_sched_ms=$(echo "scale=1; ($s1 - $s0) / 1000000" | bc) sched_share=$(echo "scale=3; ($s1 - $s0) / 1000000000 / ($t1 - $t0)" | bc)"
	rm -rf "$d"
}

one logs-off "log_max_mb = 0;"
one logs-on ""
