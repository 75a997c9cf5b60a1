#!/bin/sh
# bench/console-log.sh [MB] [TIMES] - opening the console's page of a run
# whose log is MB megabytes (100): a task prints MB MB of 100-byte lines
# (a stderr line every 1000), then bench/console_log_bench opens the run's
# page TIMES times (3) with the console's code and prints the median.
# Run from a built tree (make bench/console_log_bench first).
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
MANAGER="$top_builddir/manager"
BENCH="$top_builddir/bench/console_log_bench"
export MANAGER_RUN="$top_builddir/manager-run" MANAGER_EXEC="$top_builddir/manager-exec" \
	MANAGER_EXE="$top_builddir/manager"
MB=${1:-100}
TIMES=${2:-3}
[ -x "$BENCH" ] || { echo "console-log.sh: make bench/console_log_bench first" >&2; exit 1; }
d=$(mktemp -d "${TMPDIR:-/tmp}/manager-bench.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$d"' EXIT; echo "folder: $d"
cat > "$d/m.conf" <<CONF
manager: { data_directory = "$d"; log_level = "error"; tasks_directory = "$d/tasks";
  log_run_max_mb = $((MB * 2)); };
CONF
m="$MANAGER --config $d/m.conf --db $d/m.db"
lines=$((MB * 10000))
$m task add big "exec:/usr/bin/awk 'BEGIN { for (i = 0; i < $lines; i++) { printf \"line %08d of a big log: 0123456789 abcdefghijklmnopqrstuvwxyz 0123456789 ABCDEFGHIJKLMNOPQRSTUVW\\n\", i; if (i % 1000 == 0) printf \"warning %d\\n\", i > \"/dev/stderr\" } }'" \
	interval seconds=3600 --max-retries 0 >/dev/null
$m task run big >/dev/null
echo "log: $(du -m "$d"/logs/big/*.log | cut -f1) MB, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BENCH" "$d/m.conf" "$d/m.db" "$(sqlite3 "$d/m.db" 'SELECT max(id) FROM runs')" "$TIMES"
