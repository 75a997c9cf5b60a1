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
# 400 bytes per task.  MANAGER_BEFORE=PATH (another build, say the one
# before a change): measured the same way in each round, before this one
# (A B A B).  The peer, in the same rounds: Debian's cron (cron -f) with
# the same N schedules as lines of /etc/cron.d/manager-mem-bench-*, its
# VmRSS once it has gone idle, and without the file (removed at the
# end); skipped, saying so, without cron, root, or with a cron running.
set -u
: "${top_builddir:=.}"
N=${1:-20000}
ROUNDS=${2:-3}
MANAGER=${MANAGER:-$top_builddir/manager}
BEFORE=${MANAGER_BEFORE:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-mem.XXXXXX")
CRON_FILES=/etc/cron.d/manager-mem-bench
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$CRON_FILES"-*; rm -rf "$T"' EXIT

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

# idle_rss: once process $pid has gone idle (under 0.05 s of CPU in
# each of two seconds running), its VmRSS in kB; it is then stopped.
# Two: under a load of 9-10 here a daemon still loading 100,000 tasks
# once had a second under 0.05 s, and was measured before the history
# writer gave its page cache back (1 s after its last write: 59.7 MB
# against 47.4 MB a few seconds later).
idle_rss() {
	cpu0=$(cpu "$pid")
	i=0
	quiet=0
	while sleep 1; do
		cpu1=$(cpu "$pid")
		if [ $((cpu1 - cpu0)) -lt $((CLK_TCK / 20 + 1)) ]; then
			quiet=$((quiet + 1))
			[ "$quiet" -ge 2 ] && break
		else
			quiet=0
		fi
		cpu0=$cpu1
		i=$((i + 1))
		[ "$i" -gt 180 ] && { echo "task-memory.sh: process $pid never went idle" >&2; exit 1; }
	done
	kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	echo "$kb"
}

# rss KIND [MANAGER]: starts a daemon on a new data directory with the
# task files of $T/KIND, waits for the last task (if any), prints its
# VmRSS in kB.
rss() {
	bin=${2:-$MANAGER}
	d="$T/run"
	rm -rf "$d"
	mkdir -p "$d/data" "$d/plugins"
	printf 'manager: { log_level = "error"; data_directory = "%s/data"; plugins_directory = "%s/plugins"; tasks_directory = "%s"; };\n' \
		"$d" "$d" "$T/$1" >"$d/m.conf"
	"$bin" --config "$d/m.conf" --daemon 2>"$d/err" &
	pid=$!
	i=0
	while :; do
		if [ "$1" = many ]; then
			"$bin" --config "$d/m.conf" task show "$last" >/dev/null 2>&1 && break
		else
			"$bin" --config "$d/m.conf" host status >/dev/null 2>&1 && break
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
	# scheduler then loads them: wait until the daemon is idle (which
	# includes the issue's 1 s).
	idle_rss
}

# cron_rss KIND: Debian's cron in the foreground, with the N lines
# (many) or none in /etc/cron.d, its VmRSS in kB once idle.  The lines
# are in files of 5,000: cron ignores a file of more than 10,000 lines
# ("crontab must not be longer than 10000 lines").
have_cron() {
	command -v cron >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
		! pgrep -x cron >/dev/null 2>&1
}
cron_rss() {
	rm -f "$CRON_FILES"-*
	if [ "$1" = many ]; then
		awk -v n="$N" -v f="$CRON_FILES" 'BEGIN {
			for (i = 0; i < n; i++)
				printf "%d %d * * * root /bin/true\n", i % 60,
				    int(i / 60) % 24 >(f "-" int(i / 5000)) }'
		chmod 644 "$CRON_FILES"-*
	fi
	cron -f -L 0 &
	pid=$!
	sleep 1
	idle_rss
	rm -f "$CRON_FILES"-*
}

: >"$T/none.kb"; : >"$T/many.kb"
: >"$T/bnone.kb"; : >"$T/bmany.kb"; : >"$T/cnone.kb"; : >"$T/cmany.kb"
cron=0
if have_cron; then cron=1; else
	echo "# cron: not measured (needs Debian's cron, root, and no cron running: apt-get install cron)"
fi
per() { echo $(( ($2 - $1) * 1024 / N )); }
for r in $(seq 1 "$ROUNDS"); do
	line="round $r:"
	if [ -n "$BEFORE" ]; then
		a=$(rss none "$BEFORE") || exit 1
		b=$(rss many "$BEFORE") || exit 1
		line="$line before: none $a kB, $N tasks $b kB: $(per "$a" "$b") bytes per task;"
		echo "$a" >>"$T/bnone.kb"; echo "$b" >>"$T/bmany.kb"
	fi
	a=$(rss none) || exit 1
	b=$(rss many) || exit 1
	line="$line none $a kB, $N tasks $b kB: $(per "$a" "$b") bytes per task;"
	echo "$a" >>"$T/none.kb"; echo "$b" >>"$T/many.kb"
	if [ "$cron" = 1 ]; then
		a=$(cron_rss none) || exit 1
		b=$(cron_rss many) || exit 1
		line="$line cron: none $a kB, $N lines $b kB: $(per "$a" "$b") bytes per line;"
		echo "$a" >>"$T/cnone.kb"; echo "$b" >>"$T/cmany.kb"
	fi
	echo "$line load $(cut -d' ' -f1-3 /proc/loadavg)"
done
median() { sort -n "$1" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
a=$(median "$T/none.kb"); b=$(median "$T/many.kb")
out="mode=task-memory tasks=$N rss_none_kb=$a rss_tasks_kb=$b bytes_per_task=$(per "$a" "$b")"
if [ -n "$BEFORE" ]; then
	a=$(median "$T/bnone.kb"); b=$(median "$T/bmany.kb")
	out="$out before_rss_none_kb=$a before_rss_tasks_kb=$b before_bytes_per_task=$(per "$a" "$b")"
fi
if [ "$cron" = 1 ]; then
	a=$(median "$T/cnone.kb"); b=$(median "$T/cmany.kb")
	out="$out cron_rss_none_kb=$a cron_rss_lines_kb=$b cron_bytes_per_line=$(per "$a" "$b")"
fi
echo "$out"
