#!/bin/sh
# bulk-add.sh - adding many tasks at once (issue 18, Deliver 7): N tasks
# by `manager task add --from FILE` (one per line), N jobs of a crontab by
# `manager task import crontab FILE`, each into a new database, and as
# the peer in the same run APScheduler 3 (Debian's python3-apscheduler and
# python3-sqlalchemy) adding jobs to a SQLAlchemyJobStore on SQLite in one
# process (bench/apscheduler_bulk.py).  The three alternate (A B C A B C
# ...) for ROUNDS rounds; medians, and their ratios as tasks per second.
# Each time is the whole command: the process, the new database, every
# task checked and written, the commit.
#
#   top_srcdir=. top_builddir=. sh bench/bulk-add.sh [N [ROUNDS]]
#
# N: tasks (default 100,000); ROUNDS (default 3).  BENCH_APS_N: the jobs
# APScheduler adds (default 1,000, or N when smaller): its job store
# commits each add_job on its own, with SQLite's sync to disk, so it adds
# about 75 jobs a second here and 100,000 would take over 20 minutes a
# round; the ratio compares rates (tasks per second).  `make bench` runs
# it before bench/run.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
N=${1:-100000}
ROUNDS=${2:-3}
APS_N=${BENCH_APS_N:-$(( N < 1000 ? N : 1000 ))}
MANAGER=${MANAGER:-$top_builddir/manager}
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-bulk.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf 'manager: { log_level = "error"; data_directory = "%s"; };\n' "$T" >"$T/m.conf"

# The same N tasks both ways: interval tasks for --from, cron jobs (each
# its own command, so each its own id) for the import.
seq 1 "$N" | awk '{ printf "t%06d \"exec:/bin/echo job %d\" interval hours=%d\n", $1, $1, $1 % 24 + 1 }' >"$T/tasks"
seq 1 "$N" | awk '{ printf "%d %d * * * /bin/echo job %d\n", $1 % 60, $1 % 24, $1 }' >"$T/crontab"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ms NAME COMMAND...: runs it on a new database, prints its time in ms.
ms() {
	rm -f "$T/m.db" "$T/m.db-wal" "$T/m.db-shm" "$T/aps.db"
	t0=$(now_ms)
	"$@" >"$T/out" 2>"$T/err" || { echo "bulk-add.sh: $* failed:" >&2; cat "$T/err" >&2; exit 1; }
	echo $(($(now_ms) - t0))
}
from() { "$MANAGER" --config "$T/m.conf" --db "$T/m.db" task add --from "$T/tasks"; }
import() { "$MANAGER" --config "$T/m.conf" --db "$T/m.db" task import crontab "$T/crontab" --prefix c; }
aps() { /usr/bin/python3 "$top_srcdir/bench/apscheduler_bulk.py" --tasks "$APS_N" --db "$T/aps.db"; }
have_aps=true
/usr/bin/python3 -c 'import apscheduler, sqlalchemy' 2>/dev/null || have_aps=false

: >"$T/from.ms"; : >"$T/import.ms"; : >"$T/aps.ms"
for r in $(seq 1 "$ROUNDS"); do
	a=$(ms from) || exit 1
	[ "$(sqlite3 "$T/m.db" 'SELECT count(*) FROM tasks')" = "$N" ] ||
		{ echo "bulk-add.sh: task add --from did not add $N tasks" >&2; exit 1; }
	b=$(ms import) || exit 1
	[ "$(sqlite3 "$T/m.db" 'SELECT count(*) FROM tasks')" = "$N" ] ||
		{ echo "bulk-add.sh: task import did not add $N tasks" >&2; exit 1; }
	c=-
	$have_aps && { c=$(ms aps) || exit 1; }
	echo "round $r: task add --from $a ms, task import crontab $b ms, APScheduler ($APS_N jobs) $c ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "$a" >>"$T/from.ms"; echo "$b" >>"$T/import.ms"; echo "$c" >>"$T/aps.ms"
done
median() { sort -n "$1" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
fm=$(median "$T/from.ms"); im=$(median "$T/import.ms")
echo "mode=task-add-from tasks=$N median_ms=$fm tasks_per_s=$(rate "$N" "$fm")"
echo "mode=task-import-crontab tasks=$N median_ms=$im tasks_per_s=$(rate "$N" "$im")"
if $have_aps; then
	am=$(median "$T/aps.ms")
	echo "mode=apscheduler-sqlalchemy tasks=$APS_N median_ms=$am tasks_per_s=$(rate "$APS_N" "$am")"
	awk -v a="$(rate "$N" "$fm")" -v b="$(rate "$N" "$im")" -v c="$(rate "$APS_N" "$am")" 'BEGIN {
		printf "ratio task add --from vs APScheduler: %.1fx\n", a / c
		printf "ratio task import crontab vs APScheduler: %.1fx\n", b / c }'
else
	echo "mode=apscheduler-sqlalchemy skipped: python3-apscheduler or python3-sqlalchemy is not installed"
fi
