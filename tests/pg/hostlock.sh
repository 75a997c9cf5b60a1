#!/bin/sh
# hostlock.sh - the host lock on PostgreSQL (a session advisory lock): a
# daemon that starts while the lock is held by a session whose client
# process is gone (kill -9 leaves the session until the server next reads
# from it) waits for that session's end instead of exiting as if another
# host ran; a holder that is alive is refused at once with host_standby
# false, and waited for as a standby by default (src/engine/standby.c),
# which takes the lock once the holder's session ends; a standby stopped
# while it takes the lock stops cleanly; a detached daemon removes its
# pidfile once it let the lock go.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/lib.sh"
echo "1..20"

mgr task list >/dev/null 2>&1	# the schema
HOLDER=

# hold NAME SECONDS: a psql session named NAME holds the host lock for
# SECONDS, in the background ($HOLDER); returns once it holds it.
hold() {
	psql -X -q "$DB application_name='$1'" \
		-c "SELECT pg_advisory_lock(1835493992, 1819239275)" \
		-c "SELECT pg_sleep($2)" >/dev/null 2>&1 &
	HOLDER=$!
	wait_until 30 held
}
# unhold NAME: ends the session named NAME at once (a killed psql's
# session would last as long as its pg_sleep), and its psql.
unhold() {
	sqlite3 "$DB" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE application_name = '$1' AND datname = current_database()" >/dev/null
	wait $HOLDER 2>/dev/null || :	# psql ended with its session
}
# (this suite's database only: the other PostgreSQL suites' daemons, run
# beside it by make -j, hold the same keys in theirs)
held() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_locks WHERE locktype =
	    'advisory' AND granted AND objid = 1819239275 AND database =
	    (SELECT oid FROM pg_database WHERE datname = current_database())")" = 1 ]
}

# A gone client's pid: one above pid_max, which no process can have.  A
# pid that was a process a moment ago is what a kill -9 leaves, but it
# races: with pid_max at 32768 and make -j2 starting processes, another
# process took it within the test's 3 s (the daemon then saw a live
# holder and exited 4, in one CI run of this stop).
gone=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))

hold "manager $gone daemon" 3
t0=$(date +%s%N)
start_daemon
ok $? "a daemon starts while a gone client's session still holds the lock"
t1=$(date +%s%N)
ok $([ $(( (t1 - t0) / 1000000 )) -ge 1500 ]; echo $?) \
	"... after waiting for that session to end ($(( (t1 - t0) / 1000000 )) ms)"
wait $HOLDER
stop_daemon TERM
is "$daemon_rc" 0 "... and stops cleanly"

# A holder whose client lives: this shell's pid.
hold "manager $$ daemon" 30
printf 'manager = { shutdown_grace_seconds = 2; host_standby = false; };\n' \
	>"$T/nostandby.conf"
t0=$(date +%s%N)
"$MANAGER" --config "$T/nostandby.conf" --db "$DB" --daemon \
	>"$T/d2.out" 2>"$T/d2.err"
rc=$?
t1=$(date +%s%N)
is "$rc" 4 "a daemon started while a live client holds the lock exits 4"
like "$(cat "$T/d2.err")" "another engine host \\(daemon, pid $$\\) is running on this database" \
	"... naming the holder's kind and pid"
# Waiting would take the holder's 30 s: 20 s tells them apart with room
# for a loaded machine under ASan (5 s was a bound on the start itself).
ok $([ $(( (t1 - t0) / 1000000 )) -lt 20000 ]; echo $?) \
	"... at once, without waiting ($(( (t1 - t0) / 1000000 )) ms)"
unhold "manager $$ daemon"

# By default a daemon waits for a live holder as a standby: registered,
# and the engine's once the holder's session ends (ended by unhold once
# the standby is seen: a session that ended by itself after 4 s could
# end before a loaded machine's daemon had registered as a standby).
hold "manager $$ daemon" 60
"$MANAGER" --config "$CONF" --db "$DB" --daemon >"$T/d3.out" 2>>"$T/daemon.log" &
DAEMON_PID=$!
standby_row() {
	[ "$(sqlite3 "$DB" "SELECT role || ' ' || state || ' ' || pid FROM
	    hosts")" = "standby alive $DAEMON_PID" ]
}
wait_until 30 standby_row
ok $? "by default, a daemon that finds the lock held waits as a standby"
# The standby logs after its row is written: wait for the line too (an
# ASan build in CI was read between the two).
says_waiting() {
	grep -q "another host runs the engine on this database; waiting for its lock" \
	    "$T/daemon.log"
}
wait_until 30 says_waiting
ok $? "... and says so in its log"
unhold "manager $$ daemon"
wait_until 30 host_is daemon
ok $? "... and runs the engine once the holder's session ended"
stop_daemon TERM
is "$daemon_rc" 0 "... and stops cleanly"

# A standby told to stop while it takes the lock stops cleanly, as one
# told while it waits does: the signal waits in the standby's signalfd
# meanwhile, and was let loose by the engine's start (no handler yet),
# which killed the daemon (exit 143).  The take is held in its middle:
# the standby has the lock and waits to write the host row, which
# another session holds locked until the stop is sent.
hold "manager $$ daemon" 60
"$MANAGER" --config "$CONF" --db "$DB" --daemon >"$T/d4.out" 2>>"$T/d4.log" &
DAEMON_PID=$!
wait_until 30 standby_row
ok $? "another standby waits"
psql -X -q "$DB application_name='host row locker'" -c "BEGIN;
	LOCK TABLE host IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" \
	>/dev/null 2>&1 &
LOCKER=$!
row_locked() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON
	    c.oid = l.relation WHERE c.relname = 'host' AND
	    l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ]
}
wait_until 30 row_locked
unhold "manager $$ daemon"
# It took the lock and waits to write its row.
taking() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_stat_activity WHERE
	    application_name LIKE 'manager $DAEMON_PID%' AND
	    wait_event_type = 'Lock' AND datname = current_database()")" -ge 1 ]
}
wait_until 30 taking
ok $? "... takes the lock once it is free, its host row write held"
kill -TERM "$DAEMON_PID"
sqlite3 "$DB" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE
    application_name = 'host row locker' AND datname = current_database()" >/dev/null
wait "$LOCKER" 2>/dev/null || :
wait "$DAEMON_PID"
daemon_rc=$?
DAEMON_PID=
is "$daemon_rc" 0 "a standby stopped while it takes the lock stops cleanly (exit 0)"
held
ok $([ $? -ne 0 ]; echo $?) "... and leaves the lock free"

# A detached daemon's pidfile goes last, once the engine lock is free: a
# script that starts the next daemon when the pidfile is gone must not
# find the lock still held (exit 4 with host_standby false).  Its last
# write, the host row's removal, is held by another session's lock on
# the table, and the pidfile looked at meanwhile.
"$MANAGER" --config "$T/nostandby.conf" --db "$DB" --daemon --detach \
	--pidfile "$T/d5.pid" >/dev/null 2>"$T/d5.err"
ok $? "a detached daemon starts"
pid5=$(cat "$T/d5.pid")
psql -X -q "$DB application_name='host row locker'" -c "BEGIN;
	LOCK TABLE host IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" \
	>/dev/null 2>&1 &
LOCKER=$!
wait_until 30 row_locked
kill -TERM "$pid5"
clearing() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_stat_activity WHERE
	    application_name LIKE 'manager $pid5%' AND
	    wait_event_type = 'Lock' AND datname = current_database()")" -ge 1 ]
}
wait_until 30 clearing
ok $? "... told to stop, it waits to remove its host row"
held
ok $? "... holding the engine lock"
test -e "$T/d5.pid"
ok $? "... and its pidfile is still there"
sqlite3 "$DB" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE
    application_name = 'host row locker' AND datname = current_database()" >/dev/null
wait "$LOCKER" 2>/dev/null || :
wait_until 30 test ! -e "$T/d5.pid"
ok $? "... which goes once the daemon let the lock go"
held
ok $([ $? -ne 0 ]; echo $?) "... the lock free by then"
