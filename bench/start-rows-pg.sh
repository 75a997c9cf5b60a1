#!/bin/sh
# start-rows-pg.sh - what the engine's start pays on PostgreSQL to find
# the run rows past its tasks' next fire times (sched_rows_read): N
# tasks with R runs each a second apart, the tasks' stored next fire
# time LAG runs before their last (a task row is written lazily); the
# one statement of run_store_fires_from, timed by psql 3 times, against
# the read per fire time the start made before (task_settle_recorded:
# LAG + 1 reads per task), timed by pgbench over 20,000 reads.
#
#   MANAGER_TEST_PG=... sh bench/start-rows-pg.sh [MANAGER [N [R [LAG]]]]
#
# MANAGER: the binary (./manager); N 100000, R 10, LAG 5.
set -eu
M=${1:-./manager} N=${2:-100000} R=${3:-10} LAG=${4:-5}
: "${MANAGER_TEST_PG:?a server: scripts/pg-test-cluster.sh}"
NAME=mgr_start_rows_$$
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
q "$MANAGER_TEST_PG" -c "CREATE DATABASE $NAME"
DB="$MANAGER_TEST_PG dbname=$NAME"
trap 'q "$MANAGER_TEST_PG" -c "DROP DATABASE IF EXISTS $NAME WITH (FORCE)"' EXIT
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-rows.XXXXXX")
printf 'manager: { log_level = "error"; data_directory = "%s"; };\n' "$T" >"$T/m.conf"
"$M" --config "$T/m.conf" --db "$DB" task add t0 exec:/bin/true \
	interval seconds=1 >/dev/null
base=$(( ($(date +%s) - 3600) * 1000000 ))
q "$DB" <<SQL
INSERT INTO tasks SELECT (jsonb_populate_record(NULL::tasks, to_jsonb(t) ||
    jsonb_build_object('id', 'b' || lpad(i::text, 7, '0'),
    'next_nominal', $base + ($R - $LAG) * 1000000,
    'next_run', $base + ($R - $LAG) * 1000000))).*
  FROM tasks t, generate_series(0, $N - 1) i WHERE t.id = 't0';
DELETE FROM tasks WHERE id = 't0';
INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at, status)
  SELECT 'b' || lpad(i::text, 7, '0'), 1, $base + k * 1000000,
    $base + k * 1000000, $base + k * 1000000 + 1000, 'succeeded'
  FROM generate_series(0, $N - 1) i, generate_series(0, $R - 1) k;
VACUUM ANALYZE tasks;
VACUUM ANALYZE runs;
SQL
stmt="SELECT t.id, r.scheduled_at FROM tasks t CROSS JOIN LATERAL
    (SELECT scheduled_at FROM runs WHERE task_id = t.id AND scheduled_at >=
    greatest(t.next_nominal, $base) OFFSET 0) r"
q "$DB" -c "EXPLAIN $stmt"
for i in 1 2 3; do
	q "$DB" -c '\timing on' -c "$stmt" -o /dev/null | sed "s/^/one statement, rows $((N * LAG)): /"
done
cat >"$T/old.sql" <<SQL
\set i random(0, $N - 1)
\set k random($R - $LAG, $R)
SELECT 1 FROM runs WHERE task_id = 'b' || lpad(:i::text, 7, '0') AND scheduled_at = $base + :k * 1000000 LIMIT 1;
SQL
pgbench -n -M extended -c 1 -t 20000 -f "$T/old.sql" "$DB" 2>/dev/null |
	awk -v reads=$((N * (LAG + 1))) '/latency average/ { printf "a read per fire time: %s ms each, %d reads: %.1f s\n", $4, reads, $4 * reads / 1000 }'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$T"
