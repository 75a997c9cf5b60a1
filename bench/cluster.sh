#!/bin/sh
# cluster.sh - three `manager --daemon` hosts on one PostgreSQL database
# under faults (issue 19's soak): one runs the engine, two wait as
# standbys; N tasks every second append each execution to a ledger
# ("TASK SCHEDULED ATTEMPT").  Faults during the window: every FAULT_S
# seconds the engine host's process group is killed (kill -9); once, the
# engine host is paused (SIGSTOP) past two leases and resumed; once, the
# PostgreSQL server restarts.  Each host runs under a loop that starts it
# again when it exits 1 (as systemd's Restart=on-failure: a fenced host,
# or one whose database went away, exits 1 and comes back as a standby).
#
#   top_builddir=. sh bench/cluster.sh [SECONDS [TASKS [FAULT_S]]]
#   top_builddir=. sh bench/cluster.sh rate [SECONDS [TASKS [HOSTS [FUNC]]]]
#
# BENCH_CONF: more settings of the hosts' manager group (e.g.
# "sandboxing = false;" for in-process plugin functions).  KEEP=1: the
# run's folder (hosts' logs, the ledger) is left in place and its
# server left running, to be asked.
#
# rate: no faults; HOSTS (default 3) daemons, TASKS (default 500) tasks
# every second running FUNC (default exec:/bin/true; a plugin function,
# noop:noop, is bench/noop's, installed on every host), for SECONDS
# (default 60) after a 5 s warm-up: recorded runs a second, their start
# lag, and the database's work a run (transactions committed and rows
# written, from pg_stat_database over the window, every client's: the
# standbys' heartbeats included), to compare 1, 3 and 5 hosts.
#
# Defaults: 600 s, 100 tasks, a kill -9 every 120 s.  The server: a
# throwaway cluster of scripts/pg-test-cluster.sh in the run's folder.
# Counted after the last host stopped cleanly, in SQL and in the ledger
# (every run row kept: history_keep_runs is raised for the run):
# fire times (distinct task and scheduled time), missing ones (a second
# between a task's first and last fire time with no row), run rows twice,
# runs left unfinished, fire times executed twice and whether each was in
# flight on a faulted host (its first run recorded interrupted) and on
# two hosts;
# takeovers (from the fault to the next holder of the engine lock); the
# start lag of first attempts (started_at - scheduled_at), p50/p99/max,
# overall and outside the faults' windows; and each run not succeeded
# and each fire time never executed, with its rows.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=$top_builddir}"
MODE=soak
if [ "${1:-}" = rate ]; then
	MODE=rate
	shift
fi
W=${1:-600}
N=${2:-100}
FAULT_S=${3:-120}
MANAGER=${MANAGER:-$top_builddir/manager}
case $MANAGER in /*) ;; *) MANAGER=$(pwd)/$MANAGER ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-cluster.XXXXXX")
chmod 755 "$T"		# the server's owner reaches its socket folder
PGDIR=$T/pg
LEDGER=$T/ledger
FAULTS=$T/faults	# "KIND START_NS END_NS" a line
: >"$LEDGER"
: >"$FAULTS"
chmod 666 "$LEDGER"

# stop_left SIGNAL: every daemon of this run still there, by its
# configuration's path; waits up to 30 s for them, then kills them.
stop_left() {
	pkill -"$1" -f -- "--config $T/h[0-9]*[.]conf" 2>/dev/null || return 0
	i=0
	while pgrep -f -- "--config $T/h[0-9]*[.]conf" >/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pkill -9 -f -- "--config $T/h[0-9]*[.]conf" 2>/dev/null
	return 0
}

cleanup() {
	touch "$T/stop"
	for p in $(cat "$T"/pid.* 2>/dev/null); do
		kill -9 -"$p" 2>/dev/null
	done
	stop_left 9
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ]; then
		# The server too stays up, to be asked; stopping it removes it.
		echo "# kept: $T; the database: psql '$DB'; then: sh scripts/pg-test-cluster.sh stop $PGDIR"
		return
	fi
	sh "$top_srcdir/scripts/pg-test-cluster.sh" stop "$PGDIR" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

DB=$(sh "$top_srcdir/scripts/pg-test-cluster.sh" start "$PGDIR") || exit 1
sql() { psql -X -q -A -t -F' ' -v ON_ERROR_STOP=1 "$DB" -c "$*"; }
now_ns() { date +%s%N; }

# host_conf N: hN's configuration file and folder.
host_conf() {
	# Every run row kept (the default keeps 100 a task): counted at the end.
	printf 'manager = { shutdown_grace_seconds = 5; host_id = "h%s";
  history_keep_runs = 1000000; %s };\n' "$1" "${BENCH_CONF:-}" >"$T/h$1.conf"
	mkdir -p "$T/h$1"
}
# as_host N COMMAND...: COMMAND with hN's folders (its plugins are its own).
as_host() {
	n=$1
	shift
	XDG_DATA_HOME="$T/h$n/data" XDG_STATE_HOME="$T/h$n/state" \
	XDG_CACHE_HOME="$T/h$n/cache" HOME="$T/h$n" "$@"
}

# host N: hN, started again while it exits 1 (or was killed), until
# $T/stop exists; each start's pid in $T/pid.N, in a process group of
# its own (setsid).
host() {
	trap - EXIT INT TERM	# a subshell: the script's cleanup is not its
	host_conf "$1"
	while [ ! -e "$T/stop" ]; do
		as_host "$1" setsid "$MANAGER" \
			--config "$T/h$1.conf" --db "$DB" --daemon \
			>/dev/null 2>>"$T/h$1.log" &
		echo $! >"$T/pid.$1"
		wait $! 2>/dev/null
		rc=$?
		[ $rc -eq 1 ] || [ $rc -eq 137 ] || break
		sleep 0.1	# systemd's RestartSec
	done
}

# The pid of the engine lock's holder (its session says "manager PID").
holder() {
	sql "SELECT split_part(a.application_name, ' ', 2) FROM pg_locks l
	    JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype =
	    'advisory' AND l.granted AND l.objid = 1819239275" 2>/dev/null
}
# wait_holder_not PID: until another process holds the lock; the time.
wait_holder_not() {
	while :; do
		w=$(holder)
		[ -n "$w" ] && [ "$w" != "$1" ] && return 0
		sleep 0.05
	done
}

fault_kill() {
	h=$(holder)
	t0=$(now_ns)
	kill -9 -"$h"	# dash: no "--"
	wait_holder_not "$h"
	echo "kill9 $t0 $(now_ns)" >>"$FAULTS"
}

fault_pause() {
	h=$(holder)
	t0=$(now_ns)
	kill -STOP "$h"
	wait_holder_not "$h"
	t1=$(now_ns)
	sleep 2
	kill -CONT "$h"
	echo "pause $t0 $t1" >>"$FAULTS"
}

fault_pg_restart() {
	h=$(holder)
	t0=$(now_ns)
	sh "$top_srcdir/scripts/pg-test-cluster.sh" restart "$PGDIR"
	while [ -z "$(holder)" ]; do sleep 0.05; done
	echo "pgrestart $t0 $(now_ns)" >>"$FAULTS"
}

# start_hosts [N]: h1 (the engine host, waited for) and the others.
start_hosts() {
	for i in $(seq "${1:-3}"); do
		host "$i" &
		[ "$i" -eq 1 ] && while [ -z "$(holder)" ]; do sleep 0.1; done
	done
}

add_tasks() {
	h=$(holder)
	for i in $(seq "$N"); do
		# The 4th field: the session of the host that ran it (each
		# daemon is a session of its own), as cluster-failover.sh.
		echo "t$i \"exec:/bin/sh -c 'read a a a a a sid a </proc/\$\$/stat; echo \$MANAGER_TASK_ID \$MANAGER_SCHEDULED_AT \$MANAGER_ATTEMPT \$sid >>$LEDGER'\" interval seconds=1 --no-coalesce --misfire-grace-time 60 --on-interrupt rerun --max-retries 0"
	done >"$T/tasks"
	"$MANAGER" --config "$T/h1.conf" --db "$DB" task add --from "$T/tasks" \
		>/dev/null
}

# The database's transactions committed and rows written so far.
db_work() {
	sql "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted
	    FROM pg_stat_database WHERE datname = current_database()"
}

# install_plugin HOSTS: the bench plugin (noop:noop) installed on every
# host and enabled: a standby that takes the engine over runs the runs
# too.  The plugins table is shared: the first install records it, the
# others (--force) put the files in their own folders as well.
install_plugin() {
	for i in $(seq "$1"); do
		host_conf "$i"
		force=
		[ "$i" -eq 1 ] || force=--force
		as_host "$i" "$MANAGER" --config "$T/h$i.conf" --db "$DB" plugin \
		    install $force "$top_builddir/bench/noop" >/dev/null || exit 1
	done
	as_host 1 "$MANAGER" --config "$T/h1.conf" --db "$DB" plugin enable noop \
	    >/dev/null || exit 1
}

# The registry (host, epoch, state, role) on one line, and the fences
# the hosts' logs said so far: a lost lease shows in a rate run's figures.
registry() {
	sql "SELECT string_agg(host_id || ':' || epoch || ':' || state || ':' ||
	    role, ' ' ORDER BY host_id) FROM hosts"
}
fences() {
	cat "$T"/h*.log 2>/dev/null | grep -c "held the engine lock"
}

rate_run() {
	W=${1:-60} N=${2:-500} H=${3:-3} FUNC=${4:-exec:/bin/true}
	echo "# bench/cluster.sh rate: $H hosts, $N tasks every second ($FUNC), ${W} s; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	"$MANAGER" --db "$DB" task list >/dev/null 2>&1
	case $FUNC in
	exec:*) ;;
	*) install_plugin "$H" ;;
	esac
	start_hosts "$H"
	sleep 2
	for i in $(seq "$N"); do
		echo "r$i \"$FUNC\" interval seconds=1 --max-retries 0"
	done >"$T/tasks"
	"$MANAGER" --config "$T/h1.conf" --db "$DB" task add --from "$T/tasks" \
		>/dev/null
	sleep 5
	set -- $(db_work)
	x0=$1 w0=$2
	reg0=$(registry) f0=$(fences) lock0=$(holder)
	t0=$(( $(now_ns) / 1000 ))
	sleep "$W"
	t1=$(( $(now_ns) / 1000 ))
	set -- $(db_work)
	x1=$1 w1=$2
	reg1=$(registry) f1=$(fences) lock1=$(holder)
	touch "$T/stop"
	for i in $(seq "$H"); do kill -TERM "$(cat "$T/pid.$i")" 2>/dev/null; done
	wait 2>/dev/null
	sql "SELECT 'runs/s', round(count(*) * 1e6 / ($t1 - $t0), 1),
	    'lag p50/p99/max ms', round((percentile_cont(0.5) WITHIN GROUP
	    (ORDER BY started_at - scheduled_at) / 1000.0)::numeric, 1),
	    round((percentile_cont(0.99) WITHIN GROUP (ORDER BY started_at -
	    scheduled_at) / 1000.0)::numeric, 1), round(max(started_at -
	    scheduled_at) / 1000.0, 1), 'not succeeded', count(*) FILTER
	    (WHERE status <> 'succeeded') FROM runs WHERE scheduled_at
	    BETWEEN $t0 AND $t1" >"$T/rate"
	n=$(sql "SELECT count(*) FROM runs WHERE scheduled_at BETWEEN $t0 AND $t1")
	cat "$T/rate"
	echo "not succeeded by status: $(sql "SELECT coalesce(string_agg(status ||
	    '=' || n, ' '), '-') FROM (SELECT status, count(*) n FROM runs WHERE
	    scheduled_at BETWEEN $t0 AND $t1 AND status <> 'succeeded' GROUP BY
	    status ORDER BY 1) s")"
	echo "takeovers during the run: $((f1 - f0)) (engine lock held by pid $lock0, then $lock1)"
	echo "registry (host:epoch:state:role) before: $reg0"
	echo "registry after: $reg1"
	echo "database work a run: $(awk -v x=$((x1 - x0)) -v w=$((w1 - w0)) -v n="$n" -v s="$W" 'BEGIN { printf "%.2f transactions, %.2f rows written (%d runs; %.0f transactions/s in all)", x / n, w / n, n, x / s }')"
}
if [ "$MODE" = rate ]; then
	rate_run "$@"
	exit 0
fi

echo "# bench/cluster.sh: 3 hosts, $N tasks every second, ${W} s; kill -9 every ${FAULT_S} s, one pause past two leases, one PostgreSQL restart; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$MANAGER" --db "$DB" task list >/dev/null 2>&1	# the schema
start_hosts
sleep 3
add_tasks
t_start=$(now_ns)
t_end=$((t_start + W * 1000000000))
pause_at=$((t_start + (FAULT_S / 2 + FAULT_S) * 1000000000))
pg_at=$((t_start + (W / 2 + 30) * 1000000000))
next_kill=$((t_start + FAULT_S * 1000000000))
paused=0 restarted=0
while [ "$(now_ns)" -lt "$t_end" ]; do
	t=$(now_ns)
	if [ "$t" -ge "$next_kill" ]; then
		fault_kill
		next_kill=$((next_kill + FAULT_S * 1000000000))
	elif [ $paused -eq 0 ] && [ "$t" -ge "$pause_at" ]; then
		fault_pause
		paused=1
	elif [ $restarted -eq 0 ] && [ "$t" -ge "$pg_at" ]; then
		fault_pg_restart
		restarted=1
	fi
	sleep 0.5
done
touch "$T/stop"
h=$(holder)
for i in 1 2 3; do
	p=$(cat "$T/pid.$i")
	[ "$p" = "$h" ] || kill -TERM "$p" 2>/dev/null
done
kill -TERM "$h" 2>/dev/null
wait 2>/dev/null
# A daemon whose pid its loop did not record ($! can be the loop's
# subshell, not the daemon: seen as standbys left running for hours
# after the run) is found by its configuration's path.
stop_left TERM

echo "# faults (kind, takeover ms):"
awk '{ printf "#   %s %d\n", $1, ($3 - $2) / 1000000 }' "$FAULTS"
sql "SELECT 'fire times', count(DISTINCT (task_id, scheduled_at)),
    'over', round((max(scheduled_at) - min(scheduled_at)) / 1e6), 's' FROM runs"
sql "SELECT 'runs by status', string_agg(status || '=' || n, ' ') FROM
    (SELECT status, count(*) n FROM runs GROUP BY status ORDER BY 1) s"
sql "SELECT 'missing fire times', coalesce(sum(
    (max_s - min_s) / 1000000 + 1 - n), 0) FROM (SELECT task_id,
    min(scheduled_at) min_s, max(scheduled_at) max_s,
    count(DISTINCT scheduled_at) n FROM runs GROUP BY task_id) g"
sql "SELECT 'run rows twice', count(*) FROM (SELECT 1 FROM runs GROUP BY
    task_id, scheduled_at, attempt HAVING count(*) > 1) d"
sql "SELECT 'unfinished runs', count(*) FROM runs WHERE ended_at IS NULL"
# A fire time executed twice must have been in flight on a faulted host
# (on_interrupt = rerun is at least once): running, or over but its row
# not yet committed by that host's history writer, or dropped by it once
# fenced, so the next engine host ran it again.  How long before the
# fault such a time was due depends on how far behind that writer was,
# so no window of seconds says it; the host that ran each does (as in
# tests/pg/cluster-failover.sh): no host runs a fire time twice.
twice=$(cut -d' ' -f1,2 "$LEDGER" | sort | uniq -d)
echo "executed twice $(echo "$twice" | grep -c .)"
echo "  of them on one host (none may be) $(cut -d' ' -f1,2,4 "$LEDGER" | sort | uniq -d | grep -c .)"
echo "rerun attempts executed twice $(cut -d' ' -f1-3 "$LEDGER" | sort | uniq -d | cut -d' ' -f3 | grep -vc '^1$')"
# A first attempt still queued at the last host's clean stop keeps its
# `claimed` row and runs at the next start: not counted as never run.
sql "SELECT task_id || ' ' || scheduled_at / 1000000 FROM runs GROUP BY
    task_id, scheduled_at HAVING bool_and(status NOT IN ('skipped',
    'missed', 'claimed'))" | sort -u >"$T/due"
sql "SELECT 'queued at the stop (claimed, run at the next start)', count(*)
    FROM runs WHERE status = 'claimed'"
cut -d' ' -f1,2 "$LEDGER" | sort -u >"$T/ran"
echo "never executed (not recorded skipped or missed) $(comm -23 "$T/due" "$T/ran" | wc -l)"
# What went wrong, when something did (a soak's one failed run was lost
# with its folder once): the runs not succeeded, and the fire times
# never executed, each with its rows.
sql "SELECT '  not succeeded: task ' || task_id || ' at ' || scheduled_at /
    1000000 || ' attempt ' || attempt || ' ' || status || ': ' ||
    coalesce(left(error, 200), '') FROM runs WHERE status NOT IN
    ('succeeded', 'skipped', 'missed') ORDER BY scheduled_at LIMIT 20"
comm -23 "$T/due" "$T/ran" | head -5 | while read -r task s; do
	sql "SELECT '  never executed: task ' || task_id || ' at ' || $s ||
	    ' attempt ' || attempt || ' ' || status || ' started ' ||
	    coalesce((started_at - scheduled_at) / 1000, -1) || ' ms late: ' ||
	    coalesce(left(error, 200), '') FROM runs WHERE task_id = '$task' AND
	    scheduled_at / 1000000 = $s"
done
# Start lag of first attempts; outside: not within 10 s of a fault.
windows=$(awk '{ printf "%s(scheduled_at BETWEEN %.0f AND %.0f)", (NR > 1 ? " OR " : ""), $2 / 1000 - 2000000, $3 / 1000 + 10000000 }' "$FAULTS")
lag() {
	sql "SELECT $1, count(*), round((percentile_cont(0.5) WITHIN GROUP
	    (ORDER BY started_at - scheduled_at) / 1000.0)::numeric, 1),
	    round((percentile_cont(0.99) WITHIN GROUP (ORDER BY started_at -
	    scheduled_at) / 1000.0)::numeric, 1), round(max(started_at -
	    scheduled_at) / 1000.0, 1) FROM runs WHERE attempt = 1 AND
	    started_at IS NOT NULL $2"
}
echo "start lag (runs, p50 ms, p99 ms, max ms):"
lag "'  all'" ""
[ -n "$windows" ] && lag "'  outside faults'" "AND NOT ($windows)"
