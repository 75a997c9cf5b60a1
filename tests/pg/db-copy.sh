#!/bin/sh
# db-copy.sh - manager db copy FROM TO: every row into an empty database
# (the notifications owed and the run logs the history keeps too),
# SQLite to SQLite always, SQLite to
# PostgreSQL and back when MANAGER_TEST_PG names a server; refused into a
# non-empty target.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
A="$T/a.db"
m() { "$MANAGER" --db "$A" "$@"; }
# Every row of the copied tables, in key order, as text.
dump() {
	for q in "SELECT * FROM tasks ORDER BY id" \
		"SELECT id, task_id, attempt, scheduled_at, started_at, ended_at, status, exit_code, signal, output, error FROM runs ORDER BY id" \
		"SELECT * FROM events ORDER BY id" \
		"SELECT id, argv, state, quote(input) FROM commands ORDER BY id" \
		"SELECT run_id, hex(records) FROM run_logs ORDER BY run_id" \
		"SELECT $NOTIFY FROM notify_pending ORDER BY run_id, event"; do
		sqlite3 "$1" "$q"
	done
}
# notify_pending's columns, NULL told apart from "" (integers as text:
# PostgreSQL needs the cast, SQLite's COALESCE makes it by itself).
NOTIFY="run_id, event, action, task_id, attempt, starts, status"
PG_NOTIFY=$NOTIFY
for c in scheduled_at started_at ended_at exit_code signal output error; do
	NOTIFY="$NOTIFY, COALESCE($c, 'NULL')"
	PG_NOTIFY="$PG_NOTIFY, COALESCE($c::text, 'NULL')"
done

m task add t1 'exec:echo hi' interval seconds=5 >/dev/null
m task add t2 "exec:printf 'tab\there\\\\back\\nline'" cron year=2099 hour=3 >/dev/null
m task add t3 'exec:true' interval hours=1 --after t1 \
	--on-failure 'exec:/bin/true' >/dev/null
m task run t1 >/dev/null
m task run t2 >/dev/null
# A log over the history's inline size (about 170 KB: chunks of 64 KiB
# at most, cut at whole records) and a run over a
# second, so that its log is a file whatever the load (a log whose file
# is not made by its end goes to the history): a file of the logs
# folder on SQLite, chunks on PostgreSQL.
m task add big "exec:/bin/sh -c 'seq 30000; sleep 1.5'" interval hours=1 >/dev/null
m task run big >/dev/null
BIGLOG=$(m task logs big)
bigfile=$(ls "$XDG_STATE_HOME"/manager/logs/big/*-1.log 2>/dev/null)
like "$BIGLOG" "stdout 30000$" "a run with a large log"
ok $([ -f "$bigfile" ] && echo 0 || echo 1) "... a file of the logs folder"
# Commands' stdin (schema 9): any bytes, none apart from empty.
sqlite3 "$A" "INSERT INTO commands (created_at, client_pid, argv, state, input)
	VALUES (1, 1, '[\"a\"]', 'done', X'00FF0A5C09'),
	(2, 1, '[\"b\"]', 'done', X''), (3, 1, '[\"c\"]', 'done', NULL)"
# Notifications owed (schema 10), keyed by (run_id integer, event text):
# run 10 after run 9 (number order, not text), "Output" before "failure"
# (byte order, not a locale's); no exit code (a signal, a run that never
# started), UTF-8 and a tab and a newline in the text.
sqlite3 "$A" "INSERT INTO notify_pending (run_id, event, action, task_id,
	attempt, scheduled_at, started_at, ended_at, status, exit_code, signal,
	output, error, starts) VALUES
	(10, 'failure', 'exec:/bin/true', 't1', 2, 5, 6, 7, 'failed', NULL, 9,
	 'Grüße, 日本 ✓' || char(9) || 'tab' || char(10) || 'line', NULL, 1),
	(10, 'Output', 'mail:ops@example.com', 't1', 2, 5, 6, 7, 'failed', NULL,
	 9, 'ÄÖÜ', 'killed by signal 9', 0),
	(9, 'missed', 'webhook:http://127.0.0.1:1/', 't2', 1, 3, NULL, NULL,
	 'skipped', NULL, NULL, NULL, 'ǅ', 2),
	(9, 'failure', 'exec:/bin/true', 't2', 1, 3, 4, 4, 'failed', 3, NULL,
	 '', '', 0)"

run "$MANAGER" db copy "$A" "$T/b.db"
is "$rc" 0 "db copy into a new SQLite file"
like "$out" "runs +3 rows, checksum [0-9a-f]{16}" "... reports rows and checksums"
like "$out" "notify_pending +4 rows, checksum [0-9a-f]{16}" "... the notifications owed too"
like "$out" "run_logs +2 rows, checksum [0-9a-f]{16}" "... the run logs the history keeps too"
is "$(dump "$T/b.db")" "$(dump "$A")" "... every row the same"

run "$MANAGER" db copy "$A" "$T/b.db"
is "$rc" 4 "db copy into a database that has rows is refused"
like "$err" "b.db is not empty \(table tasks has rows\)" "... naming the table"
is "$(sqlite3 "$T/b.db" "SELECT count(*) FROM runs")" 3 "... and writes nothing"
run "$MANAGER" db copy "$A" "$A"
like "$rc:$err" "^1:.*FROM and TO are the same database" "FROM and TO the same: refused"
run "$MANAGER" db copy "$A"
is "$rc" 2 "db copy needs FROM and TO"

if [ -z "${MANAGER_TEST_PG:-}" ]; then
	for d in "to PostgreSQL" "... every row" "... tasks' hooks" \
		"... commands' stdin, byte for byte" \
		"... the notifications owed, row for row" \
		"... the run logs the history keeps, byte for byte" \
		"... the large log: its file's bytes as chunks" \
		"... in several chunks, numbered from 0" \
		"... reported with a checksum" "... task logs reads it there" \
		"back to SQLite" \
		"... every row the same as the first file" \
		"... the large log a file again, byte for byte" \
		"... 0600 in a folder 0700" "... task logs reads it there" \
		"a log of the same name in the target's folder: refused, naming it" \
		"... nothing kept" "... the file there untouched" \
		"... ids go on after the copied ones"; do
		skip "$d: MANAGER_TEST_PG is not set (scripts/pg-test-cluster.sh)"
	done
else
	name="mgr_copy_$$"
	psql -X -q "$MANAGER_TEST_PG" -c "DROP DATABASE IF EXISTS $name" \
		-c "CREATE DATABASE $name" >/dev/null 2>&1
	trap 'psql -X -q "$MANAGER_TEST_PG" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1; cleanup_tmp' EXIT
	P="$MANAGER_TEST_PG dbname=$name"
	run "$MANAGER" db copy "$A" "$P"
	is "$rc" 0 "to PostgreSQL"
	is "$(psql -X -A -t -F'|' "$P" -c "SELECT id, task_id, status, output FROM runs ORDER BY id")" \
		"$(sqlite3 "$A" "SELECT id, task_id, status, output FROM runs ORDER BY id")" "... every row"
	is "$(psql -X -A -t -F'|' "$P" -c "SELECT id, hooks FROM tasks ORDER BY id")" \
		"$(sqlite3 "$A" "SELECT id, hooks FROM tasks ORDER BY id")" "... tasks' hooks"
	is "$(psql -X -A -t -F'|' "$P" -c "SELECT id, COALESCE('X''' || upper(encode(input, 'hex')) || '''', 'NULL') FROM commands ORDER BY id")" \
		"$(sqlite3 "$A" "SELECT id, quote(input) FROM commands ORDER BY id")" "... commands' stdin, byte for byte"
	is "$(psql -X -A -t -F'|' "$P" -c "SELECT $PG_NOTIFY FROM notify_pending ORDER BY run_id, event COLLATE \"C\"")" \
		"$(sqlite3 "$A" "SELECT $NOTIFY FROM notify_pending ORDER BY run_id, event")" \
		"... the notifications owed, row for row"
	is "$(psql -X -A -t -F'|' "$P" -c "SELECT run_id, upper(encode(records, 'hex')) FROM run_logs ORDER BY run_id")" \
		"$(sqlite3 "$A" "SELECT run_id, hex(records) FROM run_logs ORDER BY run_id")" \
		"... the run logs the history keeps, byte for byte"
	is "$(psql -X -A -t "$P" -c "SELECT encode(sha256(string_agg(bytes, ''::bytea ORDER BY seq)), 'hex') FROM run_log_chunks WHERE task_id = 'big'")" \
		"$(sha256sum <"$bigfile" | cut -d' ' -f1)" \
		"... the large log: its file's bytes as chunks"
	is "$(psql -X -A -t "$P" -c "SELECT count(*) >= 3, max(seq) = count(*) - 1 FROM run_log_chunks WHERE task_id = 'big'")" \
		"t|t" "... in several chunks, numbered from 0"
	like "$out" "large_logs +1 rows, checksum [0-9a-f]{16}" "... reported with a checksum"
	# Another state folder: on PostgreSQL no file is read.
	is "$(XDG_STATE_HOME="$T/state-p" "$MANAGER" --db "$P" task logs big | cksum)" \
		"$(printf '%s\n' "$BIGLOG" | cksum)" "... task logs reads it there"
	# Back into a SQLite file whose logs folder is another one.
	run env XDG_STATE_HOME="$T/state-c" "$MANAGER" db copy "$P" "$T/c.db"
	is "$rc" 0 "back to SQLite"
	is "$(dump "$T/c.db")" "$(dump "$A")" "... every row the same as the first file"
	cfile="$T/state-c/manager/logs/big/${bigfile##*/}"
	cmp -s "$cfile" "$bigfile"
	ok $? "... the large log a file again, byte for byte"
	is "$(mode_of "$cfile") $(mode_of "${cfile%/*}")" "600 700" \
		"... 0600 in a folder 0700"
	is "$(XDG_STATE_HOME="$T/state-c" "$MANAGER" --db "$T/c.db" task logs big | cksum)" \
		"$(printf '%s\n' "$BIGLOG" | cksum)" "... task logs reads it there"
	# Again into another file with the same logs folder: the log is there.
	run env XDG_STATE_HOME="$T/state-c" "$MANAGER" db copy "$P" "$T/d.db"
	like "$rc:$err" "^4:.*cannot write run log .*/logs/big/${bigfile##*/}: it exists already \(db copy writes no run log over another\)" \
		"a log of the same name in the target's folder: refused, naming it"
	is "$(sqlite3 "$T/d.db" "SELECT count(*) FROM runs")" 0 "... nothing kept"
	cmp -s "$cfile" "$bigfile"
	ok $? "... the file there untouched"
	"$MANAGER" --db "$P" task run t1 >/dev/null
	is "$(psql -X -A -t "$P" -c "SELECT max(id) FROM runs")" 4 \
		"... ids go on after the copied ones"
fi
echo "1..$_tap_n"
