#!/bin/sh
# start-lag.sh - the start lag of N exec:/bin/true tasks due every second
# in the same millisecond (added together with `task add --from`), on one
# daemon: how long the last of a burst waits for its spawn.  The runs
# after the first 3 s, lag = started_at - scheduled_at; p50, p99, max;
# and the CPU a run over the same seconds: the engine's (its threads,
# /proc/PID/stat utime + stime) and its children's (cutime + cstime:
# manager-exec and the command, reaped), in clock ticks turned to us;
# and each thread's (schedstat, ns), by name.
#
#   sh bench/start-lag.sh [MANAGER [N [SECONDS]]]
#
# MANAGER: the binary (./manager); N: tasks (100); SECONDS: the daemon's
# run (12).  BENCH_PG: a PostgreSQL connection string (as
# scripts/pg-test-cluster.sh prints): the daemon runs on a database of
# its own made there (dropped after), else on SQLite.  BENCH_CMD: the
# command (/bin/true).  MGR_TRACE=1 with a build that prints TRACE lines
# (bench/spawn-trace.patch, made on main 9fa38ea: patch -p1): the split
# of each run's lag, by
# bench/lag-split.awk.  Alternate two builds for a before/after.
M=${1:-./manager} N=${2:-100} S=${3:-12}
case $M in /*) ;; *) M=$(pwd)/$M ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-lag.XXXXXX")
mkdir -p "$T/data" "$T/p" "$T/t"
printf 'manager: { log_level = "error"; data_directory = "%s/data"; plugins_directory = "%s/p"; tasks_directory = "%s/t"; };\n' "$T" "$T" "$T" > "$T/m.conf"
awk -v n=$N -v c="${BENCH_CMD:-/bin/true}" 'BEGIN { for (i = 0; i < n; i++) printf "b%03d \"exec:%s\" interval seconds=1\n", i, c }' > "$T/tasks.txt"
DB=
if [ -n "${BENCH_PG:-}" ]; then
	name=lag_$$
	psql -X -q "$BENCH_PG" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null || exit 1
	DB="$BENCH_PG dbname=$name"
fi
q() {
	if [ -n "$DB" ]; then
		psql -X -q -A -t "$DB" -c "$1"
	else
		sqlite3 "$T/data/manager.db" "$1"
	fi
}
# cpu: the daemon's own and its reaped children's ticks, and the time.
cpu() {
	awk -v t="$(date +%s%6N)" '{ print $14 + $15, $16 + $17, t }' "/proc/$D/stat"
}
# threads FILE: each thread's CPU by name, ns ("NAME NS" a line; the
# first field of schedstat: time on a CPU, not sampled by ticks).
threads() {
	for d in /proc/$D/task/*; do
		echo "$(cat "$d/comm") $(cut -d' ' -f1 "$d/schedstat")"
	done 2>/dev/null | awk '{ t[$1] += $2 } END { for (n in t) print n, t[n] }' | sort >"$1"
}
"$M" --config "$T/m.conf" ${DB:+--db "$DB"} --daemon 2>"$T/err" & D=$!
sleep 1
"$M" --config "$T/m.conf" ${DB:+--db "$DB"} task add --from "$T/tasks.txt" >/dev/null
sleep 4
set -- $(cpu)
e0=$1 c0=$2 t0=$3
threads "$T/th0"
sleep $((S - 4))
set -- $(cpu)
e1=$1 c1=$2 t1=$3
threads "$T/th1"
kill $D; wait $D 2>/dev/null
q "SELECT (started_at - scheduled_at) / 1000.0 FROM runs WHERE status = 'succeeded' AND scheduled_at > (SELECT min(scheduled_at) FROM runs) + 3000000 ORDER BY 1" > "$T/lag"
runs=$(q "SELECT count(*) FROM runs WHERE status = 'succeeded' AND scheduled_at >= $t0 AND scheduled_at < $t1")
tick=$(getconf CLK_TCK)
awk -v m="$M" -v ld="$(cut -d' ' -f1 /proc/loadavg)" -v e=$((e1 - e0)) -v c=$((c1 - c0)) -v r="$runs" -v hz="$tick" -v db="${DB:+pg}" '{ v[NR] = $1 } END { printf "%s %s: runs %d, lag p50 %.1f p99 %.1f max %.1f ms; CPU a run: engine %.0f us, children %.0f us (%d runs; load %s)\n", m, db == "" ? "sqlite" : db, NR, v[int(NR/2)+1], v[int(NR*0.99)+1], v[NR], e * 1e6 / hz / r, c * 1e6 / hz / r, r, ld }' "$T/lag"
join "$T/th0" "$T/th1" | awk -v r="$runs" '{ printf "%s %s %.0f", NR == 1 ? "#   engine threads, CPU us a run:" : ",", $1, ($3 - $2) / 1000 / r } END { print "" }'
if [ -n "${MGR_TRACE:-}" ] && grep -q '^TRACE' "$T/err"; then
	grep '^TRACE' "$T/err" | awk -f "$(dirname "$0")/lag-split.awk"
fi
[ -z "$DB" ] || psql -X -q "$BENCH_PG" -c "DROP DATABASE $name" >/dev/null 2>&1
rm -rf "$T"
