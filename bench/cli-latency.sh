#!/bin/sh
# cli-latency.sh - what one CLI command costs (issue 18, Deliver 8),
# beside Debian's crontab and systemctl run by the same script in the
# same rounds (A B A B):
#
#   manager --version                  beside  systemctl --version
#   task show ID, task list (10 tasks) beside  crontab -l (10 lines)
#   task list (10,000 tasks)           beside  crontab -l (10,000 lines)
#   task pause / task resume (daemon)  beside  crontab FILE (10 lines)
#
#   top_builddir=. sh bench/cli-latency.sh [CALLS [ROUNDS]]
#
# Counted, per call: wall is the time from the shell's fork to its wait
# returning (fork, exec, the dynamic loader, the command, exit), from a
# loop of CALLS calls (default 200; a fifth of it at 10,000 tasks) with
# output to /dev/null; CPU is the user + system time of those children
# (the shell's `times`), over the same calls.  `/bin/true` is measured
# the same way as the floor of fork + exec here.  Medians of ROUNDS
# (default 3).  The machine's load is printed with every round: the
# wall figures of a shared 2-core machine move with it, CPU less so.
# `systemctl list-timers` needs systemd as PID 1: measured only where it
# runs.  crontab's lines go to user nobody's crontab (removed at exit);
# crontab is setgid, which is why CPU comes from `times` and not perf.
# MANAGER_BEFORE=BINARY: another build's --version, task show and task
# list (10 tasks) measured in the same rounds (before/after figures of a change).
set -u
: "${top_builddir:=.}"
CALLS=${1:-200}
ROUNDS=${2:-3}
MANAGER=${MANAGER:-$top_builddir/manager}
case $MANAGER in /*) ;; *) MANAGER=$(pwd)/$MANAGER ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-cli.XXXXXX")
pid=
had_cron=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$had_cron" ] && crontab -u nobody -r 2>/dev/null; rm -rf "$T"' EXIT

# setup DIR N: a data directory with N tasks (cron, 03:MM daily), and
# the same lines as a crontab in DIR/crontab.
setup() {
	mkdir -p "$1/data" "$1/cfg" "$1/state"
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "t%06d exec:/bin/true cron hour=3 minute=%d\n", i, i % 60 }' >"$1/tasks"
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "%d 3 * * * /bin/true\n", i % 60 }' >"$1/crontab"
	env XDG_DATA_HOME="$1/data" XDG_CONFIG_HOME="$1/cfg" XDG_STATE_HOME="$1/state" \
		"$MANAGER" task add --from "$1/tasks" >/dev/null || exit 1
}

# per_call N CMD...: runs CMD N times; prints "WALL_US CPU_US" per call.
per_call() {
	n=$1
	shift
	(
		s=$(date +%s%N)
		i=0
		while [ "$i" -lt "$n" ]; do
			"$@" >/dev/null 2>&1
			i=$((i + 1))
		done
		e=$(date +%s%N)
		times >"$T/times"	# here: in a pipe it would be a subshell's
		echo "$s $e $(sed -n 2p "$T/times")"
	) | awk -v n="$n" 'function sec(x) { split(x, p, "m"); sub("s", "", p[2]); return p[1] * 60 + p[2] }
		{ printf "%d %d\n", ($2 - $1) / 1000 / n, (sec($3) + sec($4)) * 1e6 / n }'
}

# in DIR CMD...: CMD with DIR's data directory.
in_dir() {
	d=$1
	shift
	XDG_DATA_HOME="$d/data" XDG_CONFIG_HOME="$d/cfg" XDG_STATE_HOME="$d/state" "$@"
}
m10() { in_dir "$T/10" "$MANAGER" "$@"; }
m10k() { in_dir "$T/10k" "$MANAGER" "$@"; }
paused=
pause_resume() {	# one call in two pauses, the other resumes
	if [ -n "$paused" ]; then m10 task resume t000001; paused=
	else m10 task pause t000001; paused=1; fi
}

setup "$T/10" 10
setup "$T/10k" 10000
crontab -u nobody -l >/dev/null 2>&1 && { echo "cli-latency.sh: user nobody has a crontab: not touching it" >&2; exit 1; }
had_cron=1
have_timers=
systemctl list-timers >/dev/null 2>&1 && have_timers=1
[ -n "$have_timers" ] || echo "# systemctl list-timers: not measured (systemd is not PID 1 here: \"$(systemctl list-timers 2>&1 | head -n 1)\")"

# The daemon for task pause: the 10-task directory's.
# (env, not in_dir: $! must be the daemon, not a subshell that runs it)
env XDG_DATA_HOME="$T/10/data" XDG_CONFIG_HOME="$T/10/cfg" XDG_STATE_HOME="$T/10/state" \
	"$MANAGER" --daemon >/dev/null 2>"$T/daemon.err" &
pid=$!
i=0
until m10 host status >/dev/null 2>&1; do
	i=$((i + 1))
	{ [ "$i" -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; } &&
		{ echo "cli-latency.sh: the daemon did not start:" >&2; cat "$T/daemon.err" >&2; exit 1; }
	sleep 0.1
done
# task pause answers only through the daemon: checked once, not timed.
m10 task pause t000001 >/dev/null && m10 task resume t000001 >/dev/null ||
	{ echo "cli-latency.sh: task pause through the daemon failed" >&2; exit 1; }

# case NAME CALLS CMD...: one measurement appended to $T/NAME.{w,c}.
case_() {
	name=$1
	n=$2
	shift 2
	set -- $(per_call "$n" "$@")
	echo "$1" >>"$T/$name.w"
	echo "$2" >>"$T/$name.c"
	printf ' %s=%s/%s' "$name" "$1" "$2"
}
crontab_install() { crontab -u nobody "$T/10/crontab"; }
for r in $(seq 1 "$ROUNDS"); do
	printf 'round %s (wall/CPU us per call):' "$r"
	case_ true "$CALLS" /bin/true
	case_ version "$CALLS" "$MANAGER" --version
	[ -n "${MANAGER_BEFORE:-}" ] && case_ version_before "$CALLS" "$MANAGER_BEFORE" --version
	case_ systemctl_version "$CALLS" systemctl --version
	if [ -n "$have_timers" ]; then case_ systemctl_timers "$CALLS" systemctl list-timers; fi
	crontab -u nobody "$T/10/crontab"
	case_ show10 "$CALLS" m10 task show t000001
	[ -n "${MANAGER_BEFORE:-}" ] && case_ show10_before "$CALLS" in_dir "$T/10" "$MANAGER_BEFORE" task show t000001
	case_ list10 "$CALLS" m10 task list
	[ -n "${MANAGER_BEFORE:-}" ] && case_ list10_before "$CALLS" in_dir "$T/10" "$MANAGER_BEFORE" task list
	case_ crontab10 "$CALLS" crontab -u nobody -l
	case_ pause "$CALLS" pause_resume
	case_ crontab_install "$CALLS" crontab_install
	crontab -u nobody "$T/10k/crontab"
	case_ list10k $((CALLS / 5)) m10k task list
	case_ crontab10k $((CALLS / 5)) crontab -u nobody -l
	echo "; load $(cut -d' ' -f1-3 /proc/loadavg)"
done

median() { sort -n "$T/$1" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
ratio() { awk -v a="$(median "$1.w")" -v b="$(median "$2.w")" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
out="mode=cli-latency calls=$CALLS rounds=$ROUNDS"
for k in true version version_before systemctl_version systemctl_timers show10 show10_before list10 list10_before crontab10 pause crontab_install list10k crontab10k; do
	[ -s "$T/$k.w" ] && out="$out ${k}_us=$(median "$k.w") ${k}_cpu_us=$(median "$k.c")"
done
out="$out version_vs_systemctl=$(ratio version systemctl_version) show10_vs_crontab=$(ratio show10 crontab10)"
out="$out list10_vs_crontab=$(ratio list10 crontab10) list10k_vs_crontab=$(ratio list10k crontab10k)"
out="$out pause_vs_crontab_install=$(ratio pause crontab_install)"
echo "$out"
