#!/bin/sh
# retention.sh - history retention in slices on the history writer: each
# task keeps its newest history_keep_runs runs, none older than
# history_max_age_days, and the file gives the freed pages back
# (auto_vacuum = incremental, schema 7); a run's log kept in the history
# (run_logs) goes with its run.
. "$top_srcdir/tests/sched/common.sh"
plan 11
sed -i 's/^manager: {/manager: {\n  history_keep_runs = 3;\n  history_max_age_days = 1;/' "$T/etc/m.conf"

for t in a b c; do M task add "$t" 'exec:true' interval hours=1 >/dev/null; done
is "$(sql "PRAGMA auto_vacuum")" 2 "a new database gives pages back in slices (incremental)"

now=$(($(date +%s) * 1000000))
day=86400000000
# a: ten runs of the last hour; b: one two days old, one recent; c: 3,000
# runs with 1 KB of output each, so that pruning frees pages.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
     INSERT INTO runs (task_id, scheduled_at, started_at, ended_at, status)
     SELECT 'a', $now - 3600000000 + i, $now - 3600000000 + i, $now, 'succeeded' FROM n;
     INSERT INTO runs (task_id, scheduled_at, started_at, ended_at, status) VALUES
       ('b', $now - 2 * $day, $now - 2 * $day, $now - 2 * $day, 'succeeded'),
       ('b', $now - 60000000, $now - 60000000, $now, 'failed');
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
     INSERT INTO runs (task_id, scheduled_at, started_at, ended_at, status, output)
     SELECT 'c', $now - 7200000000 + i, $now - 7200000000 + i, $now, 'succeeded',
       printf('%.1000c', 'x') FROM n;"
newest_a=$(sql "SELECT group_concat(id) FROM (SELECT id FROM runs WHERE task_id = 'a' ORDER BY id DESC LIMIT 3)")
# Each of a's runs has its log in the history (a stdout record "a\n").
sql "INSERT INTO run_logs (run_id, records) SELECT id,
  X'02000000010000000000000000000000610a' FROM runs WHERE task_id = 'a'"

pages=$(sql "PRAGMA page_count")

# The writer prunes 1 s after the start, in slices, then gives pages
# back: the host runs until that is done (60 s at most; a fixed 3 s was
# most of it under ASan on a loaded machine), then stops.
"$MANAGER" --config "$T/etc/m.conf" --db "$DB" __scheduler-run --for 120 &
host=$!
pruned() {
	[ "$(sql "SELECT count(*) FROM runs WHERE task_id = 'c'")" -le 3 ] &&
	    [ "$(sql "SELECT count(*) FROM runs WHERE task_id = 'a'")" -le 3 ] &&
	    [ "$(sql "SELECT count(*) FROM runs WHERE task_id = 'b'")" -le 1 ] &&
	    [ "$(sql "PRAGMA freelist_count")" = 0 ]
}
wait_until 60 pruned
kill -TERM $host
wait $host
is "$(sql "SELECT group_concat(id) FROM (SELECT id FROM runs WHERE task_id = 'a' ORDER BY id DESC)")" \
	"$newest_a" "a task keeps its newest history_keep_runs runs"
is "$(sql "SELECT group_concat(run_id) FROM (SELECT run_id FROM run_logs ORDER BY run_id DESC)")" \
	"$newest_a" "the logs the history kept go with their runs"
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'b'")" 1 \
	"a run older than history_max_age_days goes"
is "$(sql "SELECT status FROM runs WHERE task_id = 'b'")" failed "... the recent one stays"
is "$(sql "SELECT count(*) FROM runs WHERE task_id = 'c'")" 3 \
	"3,000 runs of one task are pruned to 3 (in slices of 200)"
is "$(sql "PRAGMA freelist_count")" 0 "the freed pages are given back"
after=$(sql "PRAGMA page_count")
test "$after" -lt $((pages / 4))
ok $? "the file shrank ($pages to $after pages)"

# A database made before schema 7 is converted once when opened (the
# columns of later schemas dropped, as a schema-6 file had none).
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m2.db" host reload >/dev/null 2>&1
# (What later schemas added goes too, and what they dropped comes back.)
sqlite3 "$T/m2.db" "DROP INDEX tasks_hooks; DROP INDEX tasks_context;
    ALTER TABLE tasks DROP COLUMN hooks; PRAGMA auto_vacuum = NONE; VACUUM; PRAGMA user_version = 6;
    ALTER TABLE commands DROP COLUMN input; DROP TABLE notify_pending; DROP TABLE hosts;
    DROP TABLE run_logs; CREATE INDEX runs_task ON runs(task_id, id);
    DROP TRIGGER runs_settle_late; DROP TRIGGER runs_unsettle; DROP TABLE runs_settled;
    DROP TRIGGER runs_task_known; DROP TRIGGER runs_task_removed;
    DROP TABLE runs_settle; DROP INDEX runs_time; CREATE INDEX runs_started ON runs(started_at);
    CREATE UNIQUE INDEX runs_fire ON runs(task_id, scheduled_at, attempt);"
is "$(sqlite3 "$T/m2.db" "PRAGMA auto_vacuum")" 0 "(an old database: auto_vacuum off)"
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m2.db" task list >/dev/null 2>&1
is "$(sqlite3 "$T/m2.db" "PRAGMA auto_vacuum")" 2 "migrating to schema 7 turns it on"

# Setting auto_vacuum writes the file's first page even when unchanged:
# set at every open, it made every command, reads included, a writer (a
# WAL frame, and at the last close a checkpoint into the file).
before=$(stat -c %y "$T/m2.db")
"$MANAGER" --config "$T/etc/m.conf" --db "$T/m2.db" task list >/dev/null 2>&1
is "$(stat -c %y "$T/m2.db")" "$before" "a read command leaves the database file as it was"
