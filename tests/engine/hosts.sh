#!/bin/sh
# The host registry with the real daemon: registration under a new epoch
# at every start (a restart, a kill -9), `left` at a clean stop, host list
# and host status, drain and undo with an every-second task, a daemon
# fenced behind its back (the epoch bumped in SQL) that registers again
# and starts runs again; the configuration's checks.  Runs on PostgreSQL
# as tests/pg/engine-hosts.sh (the SQL goes through psql there).
. "$top_srcdir/tests/engine/lib.sh"

HB=300		# heartbeat (ms): the checks wait for renewals, not for time
printf 'manager = { shutdown_grace_seconds = 2; host_id = "hx";
  host_labels = ["db", "eu"]; host_heartbeat_ms = %d;
  host_lease_ms = 3000; };\n' "$HB" >"$CONF"

col() {		# col COLUMN: the registry row's value
	sqlite3 "$DB" "SELECT $1 FROM hosts WHERE host_id = 'hx'"
}
runs() {
	sqlite3 "$DB" "SELECT count(*) FROM runs WHERE task_id = 'tick'"
}
runs_above() { [ "$(runs)" -gt "$1" ]; }
lease_moved() { [ "$(col lease_until)" != "$1" ]; }
# renewals N: waits for N renewals of the lease (each moves lease_until).
renewals() {
	for _i in $(seq "$1"); do
		_l=$(col lease_until)
		wait_until 30 lease_moved "$_l" || return 1
	done
}

# The configuration's checks name the key and the value.
printf 'manager = { host_heartbeat_ms = 1000; host_lease_ms = 2000; };\n' \
	>"$T/bad.conf"
run "$MANAGER" --config "$T/bad.conf" --db "$DB" host list
[ "$rc" -ne 0 ]
ok $? "a lease not above twice the heartbeat is refused"
like "$err" "host_lease_ms: 2000 is not more than twice host_heartbeat_ms \\(1000\\)" \
	"the refusal names the key and both values"
printf 'manager = { host_id = "no way"; };\n' >"$T/bad.conf"
run "$MANAGER" --config "$T/bad.conf" --db "$DB" host list
like "$err" "host_id: host id \"no way\"" "a bad host_id is refused, named"

start_daemon
ok $? "daemon starts"
run mgr host list
is "$rc" 0 "host list exits 0"
like "$out" "^ID +EPOCH +STATE +LEASE +RUNNING +VERSION +PID" "host list's columns"
like "$out" "hx +1 +alive +[0-9.]+s +[0-9]+ +[^ ]+ +$DAEMON_PID" \
	"host list: this host, epoch 1, alive, its pid"
run mgr --json host list
like "$out" '"host_id": "hx"' "host list --json: host_id"
like "$out" '"epoch": 1,' "host list --json: epoch"
like "$out" '"state": "alive"' "host list --json: state"
like "$out" '"lease_left_ms": [0-9]+' "host list --json: lease_left_ms"
like "$out" '"started_at": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"' \
	"host list --json: started_at in RFC 3339"
like "$(echo "$out" | tr -d ' \n')" '"labels":\["db","eu"\]' \
	"host list --json: the configured labels"
run mgr --json host status
like "$out" '"host_id": "hx"' "host status --json: host_id"
like "$out" '"epoch": 1,' "host status --json: epoch"
like "$out" '"lease_left_ms": [0-9]+' "host status --json: lease_left_ms"
like "$out" '"fenced": false' "host status --json: not fenced"
like "$out" '"draining": false' "host status --json: not draining"
renewals 2
ok $? "the daemon renews its lease every heartbeat"

stop_daemon TERM
is "$(col state)" left "a clean stop leaves the row left"
start_daemon
is "$(col epoch)" 2 "a restart registers with epoch 2"
is "$(col state)" alive "... alive"

kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
is "$(col state)" alive "after kill -9 the row is still alive (its lease runs)"
start_daemon
is "$(sqlite3 "$DB" "SELECT count(*) || ' ' || max(epoch) || ' ' || min(state) FROM hosts")" \
	"1 3 alive" "a start after kill -9 supersedes the row: same id, epoch 3"
is "$(col pid)" "$DAEMON_PID" "... naming the new process"

# Drain: the every-second task starts no new run, then again after undo.
mgr task add tick "exec:/bin/true" interval seconds=1 --max-retries 0 >/dev/null
wait_until 30 runs_above 1
ok $? "the every-second task runs"
run mgr host drain
is "$rc" 0 "host drain exits 0"
like "$out" "host hx is draining" "host drain says so"
run mgr --json host status
like "$out" '"draining": true' "host status --json says draining"
like "$(mgr host list)" "hx +3 +draining" "host list says draining"
# A run started before the answer may still be recorded (the history
# writer's batch, later on a loaded machine): counted once the count held
# still across a renewal, then no run more across three.
settled() { _b=$(runs); renewals 1 && [ "$(runs)" = "$_b" ]; }
wait_until 30 settled
before=$(runs)
renewals 3
is "$(runs)" "$before" "a draining host starts no new run (3 heartbeats)"
like "$(mgr host list)" "hx +3 +draining" "a draining host keeps renewing its lease"
run mgr host drain --undo
like "$out" "host hx is alive" "host drain --undo says alive"
wait_until 30 runs_above "$before"
ok $? "after undo the task runs again"
log_like "hx \\(epoch 3\\): draining: starting no new run" \
	"the drain is logged"
run mgr host drain nosuch
is "$rc" 3 "host drain of an unknown host exits 3"
like "$err" "no host nosuch" "... naming it"

# Fenced behind its back: the epoch moves on in SQL; the daemon's next
# renewal matches no row, it registers again (epoch 5) and runs again.
sqlite3 "$DB" "UPDATE hosts SET epoch = epoch + 1 WHERE host_id = 'hx'"
fenced_logged() {
	grep -q "host hx was fenced (epoch 3 is no longer current); registered again with epoch 5" \
		"$T/daemon.log"
}
wait_until 30 fenced_logged
ok $? "a fenced daemon says so and registers again with a new epoch"
is "$(col epoch)" 5 "the registry holds the new epoch"
log_like "hx \\(epoch 3\\): fenced: starting no new run" \
	"the fence is logged"
wait_until 30 grep -q "hx (epoch 5): starting runs again" "$T/daemon.log"
ok $? "the recovery is logged"
now=$(runs)
wait_until 30 runs_above "$now"
ok $? "the re-registered host starts runs again"

# Paused past its lease: the renewal after SIGCONT is fenced (the lease
# ran out by the database's clock), so it registers again.
kill -STOP "$DAEMON_PID"
# The database's clock in microseconds, as the leases are.
if [ -n "${MANAGER_TEST_SUITE_PG:-}" ]; then
	DB_NOW="(extract(epoch FROM now()) * 1000000)::bigint"
else
	DB_NOW="CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
fi
expired() {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM hosts WHERE lease_until < $DB_NOW")" = 1 ]
}
wait_until 30 expired
kill -CONT "$DAEMON_PID"
wait_until 30 grep -q "registered again with epoch 6" "$T/daemon.log"
ok $? "a host paused past its lease is fenced and registers again"

stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"
is "$(col state)" left "... and leaves"

# The default heartbeat: none on a SQLite file (one host runs per file,
# as its lock says: no lease, nothing written while idle), 1,000 ms on
# PostgreSQL, where several hosts may share the database.
printf 'manager = { shutdown_grace_seconds = 2; host_id = "hx"; };\n' >"$CONF"
start_daemon
run mgr --json host list
if [ -n "${MANAGER_TEST_SUITE_PG:-}" ]; then
	like "$out" '"lease_left_ms": [0-9]+' \
		"by default on PostgreSQL the host holds a lease"
	renewals 1
	ok $? "... renewed every heartbeat"
else
	like "$out" '"lease_left_ms": null' \
		"by default on a SQLite file the host holds no lease"
	is "$(col "CASE WHEN lease_until IS NULL THEN 'none' ELSE 'set' END")" \
		none "... lease_until is NULL in its row"
	like "$(mgr host list)" "hx +7 +alive +- " "... host list shows none"
fi
stop_daemon TERM
is "$daemon_rc" 0 "the daemon stops cleanly"
finish
