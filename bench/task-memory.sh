#!/bin/sh
# task-memory.sh - memory per idle task (issue 18, Deliver 4): the
# daemon's VmRSS with N daily cron tasks loaded from a task file, 1 s
# after the last of them is visible to `task show` and the daemon has
# gone idle (the scheduler loads the rows after they are visible: at
# 100,000 tasks that takes longer than 1 s), minus its VmRSS with no
# task file, over N; memory the daemon kept from parsing and loading
# counts.  Each daemon starts on a new data directory (the tasks are
# loaded into an empty database).  The two alternate (A B A B ...) for
# ROUNDS rounds; medians.
#
#   top_builddir=. sh bench/task-memory.sh [N [ROUNDS]]
#
# N: tasks (default 20,000); ROUNDS (default 3).  The target is at most
# 400 bytes per task.
set -u
: "${top_builddir:=.}"
N=${1:-20000}
ROUNDS=${2:-3}
MANAGER=${MANAGER:-$top_builddir/manager}
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-mem.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

# The task file: daily tasks at a minute of their own.
mkdir -p "$T/many" "$T/none"
awk -v n="$N" 'BEGIN { print "tasks = ("
	for (i = 0; i < n; i++)
		printf "  { id = \"t%05d\"; func = \"exec:/bin/true\"; trigger = \"cron\"; hour = \"%d\"; minute = \"%d\"; }%s\n",
		    i, int(i / 60) % 24, i % 60, i < n - 1 ? "," : ""
	print ");" }' >"$T/many/tasks.conf"
last=$(printf 't%05d' $((N - 1)))

# cpu PID: its user and system time in clock ticks.
CLK_TCK=$(getconf CLK_TCK)
cpu() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# rss KIND: starts a daemon on a new data directory with the task files
# of $T/KIND, waits for the last task (if any), prints its VmRSS in kB.
rss() {
	d="$T/run"
	rm -rf "$d"
	mkdir -p "$d/data" "$d/plugins"
	printf 'manager: { log_level = "error"; data_directory = "%s/data"; plugins_directory = "%s/plugins"; tasks_directory = "%s"; };\n' \
		"$d" "$d" "$T/$1" >"$d/m.conf"
	"$MANAGER" --config "$d/m.conf" --daemon 2>"$d/err" &
	pid=$!
	i=0
	while :; do
		if [ "$1" = many ]; then
			"$MANAGER" --config "$d/m.conf" task show "$last" >/dev/null 2>&1 && break
		else
			"$MANAGER" --config "$d/m.conf" host status >/dev/null 2>&1 && break
		fi
		i=$((i + 1))
		if [ "$i" -gt 1200 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "task-memory.sh: the daemon did not load its tasks:" >&2
			cat "$d/err" >&2
			exit 1
		fi
		sleep 0.1
	done
	# The rows are visible once the task files are applied; the
	# scheduler then loads them: wait until the daemon is idle (under
	# 0.05 s of CPU in a second), then the issue's 1 s.
	cpu0=$(cpu "$pid")
	i=0
	while sleep 1; do
		cpu1=$(cpu "$pid")
		[ $((cpu1 - cpu0)) -lt $((CLK_TCK / 20 + 1)) ] && break
		cpu0=$cpu1
		i=$((i + 1))
		[ "$i" -gt 120 ] && { echo "task-memory.sh: the daemon never went idle" >&2; exit 1; }
	done
	kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	echo "$kb"
}

: >"$T/none.kb"; : >"$T/many.kb"
for r in $(seq 1 "$ROUNDS"); do
	a=$(rss none) || exit 1
	b=$(rss many) || exit 1
	echo "round $r: none $a kB, $N tasks $b kB: $(( (b - a) * 1024 / N )) bytes per task; load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "$a" >>"$T/none.kb"; echo "$b" >>"$T/many.kb"
done
median() { sort -n "$1" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
a=$(median "$T/none.kb"); b=$(median "$T/many.kb")
echo "mode=task-memory tasks=$N rss_none_kb=$a rss_tasks_kb=$b bytes_per_task=$(( (b - a) * 1024 / N ))"
