#!/bin/sh
# cluster-busy.sh - an engine host whose loop is held longer than its
# lease keeps the lease (issue 19): the renewal runs on the heartbeat's
# thread with a connection of its own, never behind the loop's work.
# Two daemons on one PostgreSQL database, lease 2 s, heartbeat 200 ms:
# the engine host carries out `host drain hz` for a client while another
# session holds hz's registry row locked for five leases, so the loop
# waits that long in its own statement.  Checked: the loop did wait on
# the server; the engine host's lease moved meanwhile; afterwards it
# still holds the engine lock under the same epoch, the standby took
# nothing over, and the every-second task runs on.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/lib.sh"

HOLD_S=10	# the loop's wait: five leases (room for a loaded start of the drain)
HPIDS=

row() {		# row HOST: its epoch, state and role
	sqlite3 "$DB" "SELECT epoch || ' ' || state || ' ' || role FROM hosts
	    WHERE host_id = '$1'"
}
row_is() { [ "$(row "$1")" = "$2" ]; }
lease() { sqlite3 "$DB" "SELECT lease_until FROM hosts WHERE host_id = 'h1'"; }
lease_moved() { [ "$(lease)" != "$1" ]; }
# The engine host's loop waits in a statement for a lock: its own
# connection is the session named "manager PID" (the engine lock's says
# "manager PID daemon").
loop_waits() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_stat_activity WHERE
	    application_name = 'manager $H1' AND wait_event_type = 'Lock'")" = 1 ]
}
locker_sleeps() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_stat_activity WHERE
	    query LIKE '%pg_sleep($HOLD_S)%' AND state = 'active'
	    AND pid <> pg_backend_pid()")" = 1 ]
}
runs() { sqlite3 "$DB" "SELECT count(*) FROM runs"; }
runs_above() { [ "$(runs)" -gt "$1" ]; }

trap finish_hosts EXIT

mgr task list >/dev/null 2>&1	# the schema
start_host 1 2000
wait_until 30 holder_is "$H1"
ok $? "the first daemon runs the engine"
start_host 2 2000
wait_until 30 row_is h2 "1 alive standby"
ok $? "the second waits as a standby"
mgr task add tick "exec:/bin/true" interval seconds=1 --max-retries 0 \
	>/dev/null
wait_until 30 runs_above 1
ok $? "the engine host runs an every-second task"
epoch=$(row h1)
is "$epoch" "1 alive engine" "the engine host's row: epoch 1, alive"

# A registry row nobody renews (its lease an hour on), locked by
# another session for HOLD_S seconds; `host drain hz` on the engine
# host's loop waits for that lock.
sqlite3 "$DB" "INSERT INTO hosts (host_id, epoch, lease_until, state, pid,
    version, started_at, role) VALUES ('hz', 1,
    (extract(epoch FROM now()) * 1000000)::bigint + 3600000000, 'alive',
    0, 'test', 0, 'standby')" >/dev/null
printf 'BEGIN;\nSELECT 1 FROM hosts WHERE host_id = %s FOR UPDATE;\nSELECT pg_sleep(%s);\nCOMMIT;\n' \
	"'hz'" "$HOLD_S" | psql -X -q "$DB" >/dev/null &
LOCKER=$!
wait_until 30 locker_sleeps
ok $? "another session holds hz's row locked"
(mgr host drain hz >"$T/drain.out" 2>&1; echo $? >"$T/drain.rc") &
DRAIN=$!
wait_until 30 loop_waits
ok $? "the engine host's loop waits on the server for that lock"
l0=$(lease)
wait_until 30 lease_moved "$l0"
ok $? "its lease is renewed while its loop waits"
loop_waits
ok $? "... the loop still waiting then"
wait "$LOCKER"
wait "$DRAIN"
is "$(cat "$T/drain.rc")" 0 "host drain hz is answered once the lock is free"
is "$(row hz)" "1 draining standby" "... hz is draining"

is "$(row h1)" "1 alive engine" \
	"the engine host keeps its lease: epoch 1, alive, after five leases held"
holder_is "$H1"
ok $? "... and the engine lock"
is "$(row h2)" "1 alive standby" "the standby took nothing over"
kill -0 "$H1" 2>/dev/null
ok $? "the engine host still runs"
is "$(grep -c "held the engine lock" "$T/h2.log")" 0 \
	"no fence in the standby's log"
is "$(grep -c -E "was fenced|lost the engine lock" "$T/h1.log")" 0 \
	"none in the engine host's log"
now=$(runs)
wait_until 30 runs_above "$((now + 1))"
ok $? "the every-second task runs on"

kill -TERM "$H1" "$H2"
wait "$H1"
is "$?" 0 "the engine host stops cleanly"
finish
