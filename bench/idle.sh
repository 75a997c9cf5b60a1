#!/bin/sh
# idle.sh - what an idle daemon costs (issue 18, Deliver 3: "idle like
# cron"): wake-ups per minute and CPU per minute of a `manager --daemon`
# with N daily tasks none of which is due in the window, beside Debian's
# cron with N crontab lines (run by the same script in the same rounds,
# A B A B) when this machine has it and the script runs as root.
#
#   top_builddir=. sh bench/idle.sh [SECONDS [ROUNDS [N...]]]
#
# SECONDS: the window (default 60, after the daemon has loaded its tasks
# and gone quiet); ROUNDS (default 3); N: task counts (default 0 1000
# 100000).  Counted over every thread of the process: wake-ups are its
# context switches (voluntary and not: a thread that sleeps in
# epoll_wait or nanosleep and runs again switches once), CPU the time
# its threads ran (/proc/PID/task/*/schedstat, nanoseconds).  Medians.
# The target: one wake-up a minute of housekeeping at most, under 1 ms
# of CPU a minute, at any N.
set -u
: "${top_builddir:=.}"
W=${1:-60}
ROUNDS=${2:-3}
shift 2 2>/dev/null || shift $#
COUNTS=${*:-0 1000 100000}
MANAGER=${MANAGER:-$top_builddir/manager}
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-idle.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f /etc/cron.d/manager-idle-bench; rm -rf "$T"' EXIT

# An hour 12 hours from now: nothing falls due in the window.
far=$(( ($(date +%H | sed 's/^0//') + 12) % 24 ))

# sample PID: "SWITCHES NS" summed over its threads.
sample() {
	for t in /proc/"$1"/task/*; do
		sw=$(awk '/ctxt_switches/ { n += $2 } END { print n + 0 }' "$t/status" 2>/dev/null)
		ns=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)
		echo "${sw:-0} ${ns:-0}"
	done | awk '{ s += $1; n += $2 } END { printf "%.0f %.0f\n", s, n }'
}

# threads PID: "TID NAME SWITCHES", a line a thread (engine threads are
# named: mgr-writer, mgr-heartbeat, ...).
threads() {
	for t in /proc/"$1"/task/*; do
		echo "${t##*/} $(cat "$t/comm" 2>/dev/null) $(awk '/ctxt_switches/ { n += $2 } END { print n + 0 }' "$t/status" 2>/dev/null)"
	done
}

# window PID: waits until it has gone quiet (under 2 ms of CPU a second
# for 6 seconds running: the task rows the scheduler writes a while
# after loading, TASK_ROW_EVERY_S = 5 s, are part of the start), then
# measures W seconds: "WAKEUPS_PER_MIN CPU_US_PER_MIN".
window() {
	i=0 quiet=0
	prev=$(sample "$1" | cut -d' ' -f2)
	while [ "$quiet" -lt 6 ] && sleep 1; do
		cur=$(sample "$1" | cut -d' ' -f2)
		if [ $((cur - prev)) -lt 2000000 ]; then
			quiet=$((quiet + 1))
		else
			quiet=0
		fi
		prev=$cur
		i=$((i + 1))
		[ "$i" -gt 600 ] && { echo "idle.sh: never went quiet" >&2; exit 1; }
	done
	threads "$1" >"$T/threads.a"
	a=$(sample "$1")
	sleep "$W"
	b=$(sample "$1")
	threads "$1" >"$T/threads.b"
	# Which threads woke, on stderr, when more than once a minute did.
	awk -v w="$W" 'NR == FNR { a[$1] = $3; next }
	    { d = $3 - ($1 in a ? a[$1] : 0); if (d > 0) { s = s " " $2 "=" d; n += d } }
	    END { if (n * 60 / w > 1) print "#   woke:" s, "(thread=switches; a thread started and ended in the window is not seen)" }' \
	    "$T/threads.a" "$T/threads.b" >&2
	echo "$a $b" | awk -v w="$W" '{ printf "%.1f %.0f\n", ($3 - $1) * 60 / w, ($4 - $2) / 1000 * 60 / w }'
}

# daemon N: a daemon on a new data directory with N daily tasks from a
# task file; its window.
daemon() {
	d="$T/run"
	rm -rf "$d"
	mkdir -p "$d/data" "$d/plugins" "$d/tasks"
	awk -v n="$1" -v h="$far" 'BEGIN { print "tasks = ("
		for (i = 0; i < n; i++)
			printf "  { id = \"t%06d\"; func = \"exec:/bin/true\"; trigger = \"cron\"; hour = \"%d\"; minute = \"%d\"; }%s\n",
			    i, h, i % 60, i < n - 1 ? "," : ""
		print ");" }' >"$d/tasks/tasks.conf"
	printf 'manager: { log_level = "error"; data_directory = "%s/data"; plugins_directory = "%s/plugins"; tasks_directory = "%s/tasks"; };\n' \
		"$d" "$d" "$d" >"$d/m.conf"
	"$MANAGER" --config "$d/m.conf" --daemon 2>"$d/err" &
	pid=$!
	last=$(printf 't%06d' $(($1 - 1)))
	i=0
	until if [ "$1" -gt 0 ]; then "$MANAGER" --config "$d/m.conf" task show "$last"
	      else "$MANAGER" --config "$d/m.conf" host status; fi >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 1200 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "idle.sh: the daemon did not start:" >&2
			cat "$d/err" >&2
			exit 1
		fi
		sleep 0.1
	done
	window "$pid"
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
}

# cron N: Debian's cron in the foreground with N lines in /etc/cron.d,
# at the same far hour; its window.  Empty when it cannot run here.
have_cron() {
	command -v cron >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
		! pgrep -x cron >/dev/null 2>&1
}
cron_peer() {
	awk -v n="$1" -v h="$far" 'BEGIN { for (i = 0; i < n; i++)
		printf "%d %d * * * root /bin/true\n", i % 60, h }' \
		>/etc/cron.d/manager-idle-bench
	chmod 644 /etc/cron.d/manager-idle-bench
	cron -f -L 0 &
	pid=$!
	sleep 2
	window "$pid"
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	rm -f /etc/cron.d/manager-idle-bench
}

median() { sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
have_cron || echo "# cron: not measured (needs Debian's cron, root, and no cron running: apt-get install cron)"
for n in $COUNTS; do
	: >"$T/m.w"; : >"$T/m.c"; : >"$T/c.w"; : >"$T/c.c"
	for r in $(seq 1 "$ROUNDS"); do
		set -- $(daemon "$n") || exit 1
		echo "$1" >>"$T/m.w"; echo "$2" >>"$T/m.c"
		line="round $r, $n tasks: manager $1 wake-ups/min, $2 us CPU/min"
		if have_cron; then
			set -- $(cron_peer "$n")
			echo "$1" >>"$T/c.w"; echo "$2" >>"$T/c.c"
			line="$line; cron $1 wake-ups/min, $2 us CPU/min"
		fi
		echo "$line; load $(cut -d' ' -f1-3 /proc/loadavg)"
	done
	out="mode=idle tasks=$n seconds=$W manager_wakeups_per_min=$(median <"$T/m.w") manager_cpu_us_per_min=$(median <"$T/m.c")"
	[ -s "$T/c.w" ] && out="$out cron_wakeups_per_min=$(median <"$T/c.w") cron_cpu_us_per_min=$(median <"$T/c.c")"
	echo "$out"
done
