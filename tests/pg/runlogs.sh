#!/bin/sh
# runlogs.sh - on PostgreSQL every run log lives in the database (issue
# 19), so `task logs` works from any host: two daemons on one database
# (an engine host, a standby), a task printing 200 KiB over 6 s read by
# a client whose folders are none of the engine host's: the whole output
# byte for byte, --follow showing lines while the run goes and ending at
# its end, no file left on the engine host once the run is over; the
# per-run cap cuts with the same marker as on SQLite; deleting a run
# deletes its chunks; after a kill -9 of the engine host mid-run, what
# was stored is readable from the other host.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/lib.sh"

HPIDS=
trap finish_hosts EXIT

# reader ARGS: a client with folders of its own (no file of a host's).
reader() {
	XDG_DATA_HOME="$T/r/data" XDG_STATE_HOME="$T/r/state" \
	XDG_CACHE_HOME="$T/r/cache" "$MANAGER" --config "$CONF" --db "$DB" "$@"
}
standby_up() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM hosts WHERE role = 'standby'
	    AND state = 'alive'")" = 1 ]
}
holder_not() { h=$(holder); [ -n "$h" ] && [ "$h" != "$1" ]; }
run_id() { sed -n 's/.*run \([0-9]*\) started.*/\1/p' "$1"; }
# The run's row: written a second into the run (or at its end).
run_row() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE id = $1")" = 1 ]
}
ended() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE id = $1 AND
	    ended_at IS NOT NULL")" = 1 ]
}
chunks() {
	sqlite3 "$DB" "SELECT count(*) FROM run_log_chunks c JOIN runs r ON
	    r.task_id = c.task_id AND r.scheduled_at = c.scheduled_at AND
	    r.attempt = c.attempt WHERE r.id = $1"
}
has_lines() { [ "$(grep -c . "$1" 2>/dev/null)" -ge "$2" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# 20 parts of 80 lines of 128 bytes: 200 KiB, a part every 0.3 s, so
# that the run still goes when the follower, an ASan client on a loaded
# machine, shows its first line (over 2 s it could be over by then).
for i in $(seq 20); do
	awk -v p="$i" 'BEGIN { for (j = 1; j <= 80; j++)
	    printf "part %02d line %02d %0111d\n", p, j, p * 100 + j }' >"$T/p$i"
done
cat $(for i in $(seq 20); do echo "$T/p$i"; done) >"$T/expect"

mkdir -p "$T/r"
mgr task list >/dev/null 2>&1	# the schema
start_host 1 1000 "log_run_max_mb = 1;"
wait_until 30 holder_is "$H1"
ok $? "the first daemon runs the engine"
start_host 2 1000 "log_run_max_mb = 1;"
wait_until 30 standby_up
ok $? "the second waits as a standby"

mgr task add big "exec:/bin/sh -c 'for i in \$(seq 20); do cat $T/p\$i; sleep 0.3; done'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run big --detach >"$T/big.run" 2>&1
RID=$(run_id "$T/big.run")
ok $([ -n "$RID" ] && echo 0 || echo 1) "a run of 200 KiB over 6 s started (run $RID)"
wait_until 30 run_row "$RID"
reader task logs big --run "$RID" --follow --stdout >"$T/follow" 2>"$T/follow.err" &
FPID=$!
wait_until 30 has_lines "$T/follow" 1
ok $? "--follow from another host's folders shows lines"
ok $(ended "$RID" && echo 1 || echo 0) "... while the run still goes"
wait_until 30 gone "$FPID"
ok $? "--follow ends at the run's end"
wait "$FPID"
is "$?" 0 "... with status 0"
sed 's/^[^ ]* stdout //' "$T/follow" | cmp -s - "$T/expect"
ok $? "... having shown every line, in order"
wait_until 30 ended "$RID"
# Recorded over, its last round stored within SHIP_END_GAP_MS (50 ms)
# of the end by the engine host: waited for, not assumed.
got_whole() {
	reader task logs big --run "$RID" --stdout | sed 's/^[^ ]* stdout //' >"$T/got"
	cmp -s "$T/got" "$T/expect"
}
wait_until 30 got_whole
ok $? "task logs from another host's folders: the whole output byte for byte ($(wc -c <"$T/got") bytes)"
ok $(find "$T/h1" "$T/h2" "$T/r" -name '*.log' | grep -q . && echo 1 || echo 0) \
	"no log file is left on either host once the run is over"
echo "# chunks of run $RID: $(chunks "$RID")"

# The per-run cap: 1.5 MiB printed, 1 MiB kept, the rest counted.
mgr task add capped "exec:/bin/sh -c 'yes 0123456789abcdef | head -c 1572864'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run capped --detach >"$T/capped.run" 2>&1
CID=$(run_id "$T/capped.run")
wait_until 30 ended "$CID"
capped_stored() {
	reader task logs capped --run "$CID" >"$T/capped"
	tail -n 1 "$T/capped" | grep -q " dropped "
}
wait_until 30 capped_stored
like "$(tail -n 1 "$T/capped")" " dropped \[524288 more bytes not kept: log_run_max_mb\]$" \
	"the cap cuts the log with the files' marker, counting exactly"
is "$(grep -c ' stdout 0123456789abcdef$' "$T/capped")" 61681 \
	"... after the first MiB (61,680 whole lines and a cut one)"

# Deleting a run deletes its chunks.
n=$(chunks "$CID")
sqlite3 "$DB" "DELETE FROM runs WHERE id = $CID" >/dev/null
is "$n:$(chunks "$CID"):$(sqlite3 "$DB" "SELECT count(*) FROM run_log_chunks WHERE task_id = 'capped'")" \
	"$n:0:0" "deleting the run (as retention does) deletes its $n chunks"
ok $([ "$(chunks "$RID")" -gt 0 ] && echo 0 || echo 1) "... and no other run's"

# A kill -9 of the engine host mid-run: what was stored stays readable.
mgr task add slow "exec:/bin/sh -c 'i=0; while [ \$i -lt 600 ]; do i=\$((i+1)); echo slow \$i; sleep 0.05; done'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run slow --detach >"$T/slow.run" 2>&1
SID=$(run_id "$T/slow.run")
wait_until 30 run_row "$SID"
reader task logs slow --run "$SID" --follow --stdout >"$T/slow.follow" 2>&1 &
SPID=$!
wait_until 30 has_lines "$T/slow.follow" 40
ok $? "a slow run's lines are read from the database while it goes"
seen=$(grep -c . "$T/slow.follow")
kill -KILL -- "-$H1"
wait "$H1" 2>/dev/null
wait_until 30 holder_not "$H1"
ok $? "after a kill -9 of the engine host the standby takes over"
wait_until 30 gone "$SPID"
ok $? "--follow ends once the run is recorded over"
reader task logs slow --run "$SID" --stdout | sed 's/^[^ ]* stdout //' >"$T/slow.got"
n=$(grep -c . "$T/slow.got")
seq 1 "$n" | sed 's/^/slow /' | cmp -s - "$T/slow.got"
ok $? "the log written before the kill reads from the other host in order ($n lines)"
ok $([ "$n" -ge "$seen" ] && echo 0 || echo 1) "... every line a follower saw before the kill ($seen)"
finish
