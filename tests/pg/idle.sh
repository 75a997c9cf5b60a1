#!/bin/sh
# idle.sh - an idle engine host on PostgreSQL writes nothing that wakes a
# watcher: the change counter (mgr_change, the data version every
# process's watch follows) stays put while nothing happens.  Its
# heartbeat writes only `hosts`, which has no change trigger.  (A claim
# of the next command with none pending used to fire commands' statement
# trigger, whose notification woke the same host, which claimed again:
# thousands of transactions a second, idle.)
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/lib.sh"

printf 'manager = { shutdown_grace_seconds = 2; host_heartbeat_ms = 200; };\n' \
	>"$CONF"
changes() { sqlite3 "$DB" "SELECT sum(n) FROM mgr_change"; }
renewals() { sqlite3 "$DB" "SELECT lease_until FROM hosts"; }
moved() { [ "$(renewals)" != "$1" ]; }

start_daemon
ok $? "the daemon starts"
# beats N: waits for N renewals; the count seen in $n.
beats() {
	n=0
	for _i in $(seq "$1"); do
		wait_until 30 moved "$(renewals)" && n=$((n + 1))
	done
}
# Settled: what the start writes (the writer's first retention pass
# among them) is written when the counter stays put across ten renewals
# (up to ten tries).
for i in $(seq 10); do
	c0=$(changes)
	beats 10
	[ "$(changes)" = "$c0" ] && break
done
# Ten renewals (two seconds at 200 ms) with nothing else going on.
beats 10
is "$n" 10 "the idle host renews its lease meanwhile"
c1=$(changes)
echo "# change counter: $c0, then $c1 after ten heartbeats"
is "$c1" "$c0" "an idle host changes nothing a watcher sees"
mgr task add t1 "exec:/bin/true" interval hours=1 >/dev/null
[ "$(changes)" -gt "$c1" ]
ok $? "... while a change (task add) still moves the counter"
stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"
finish
