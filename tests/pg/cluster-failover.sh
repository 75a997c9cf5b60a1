#!/bin/sh
# cluster-failover.sh - three daemons on one PostgreSQL database (issue
# 19's fault test): the first runs the engine, the other two wait as
# standbys; the engine host's process group is killed (kill -9), then
# the next engine host is paused (SIGSTOP) past two leases.  Each time a
# standby takes the engine over (the paused one is fenced: its database
# sessions ended, and it exits 1 when it wakes); the tasks append every
# run they make to a ledger, with the host that ran it.  Checked in SQL
# and against the ledger: no fire time missing, no run row twice, no run
# left unfinished, and no fire time run twice except a run in flight on
# a faulted host (rerun): never twice on one host.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/lib.sh"

NTASKS=20
LEDGER="$T/ledger"
: >"$LEDGER"
HPIDS=

holder_not() { h=$(holder); [ -n "$h" ] && [ "$h" != "$1" ]; }
standbys() {
	sqlite3 "$DB" "SELECT count(*) FROM hosts WHERE role = 'standby' AND
	    state = 'alive'"
}
standbys_are() { [ "$(standbys)" = "$1" ]; }
runs() { sqlite3 "$DB" "SELECT count(*) FROM runs"; }
runs_above() { [ "$(runs)" -gt "$1" ]; }
# more_runs N: waits until the runs table grew by N rows.
more_runs() {
	wait_until 30 runs_above $(( $(runs) + $1 ))
}

trap finish_hosts EXIT

mgr task list >/dev/null 2>&1	# the schema
start_host 1
wait_until 30 holder_is "$H1"
ok $? "the first daemon runs the engine"
start_host 2
start_host 3
wait_until 30 standbys_are 2
ok $? "the two others wait as standbys"
run mgr host list
like "$out" "h2 +[0-9]+ +standby" "host list shows h2 as a standby"
kill -0 "$H2" && kill -0 "$H3"
ok $? "... and both standbys keep running"

for i in $(seq $NTASKS); do
	# The ledger's 4th field: the session of the host that ran it (each
	# daemon leads its own, start_host; field 6 of /proc/PID/stat).
	mgr task add "t$i" "exec:/bin/sh -c 'read a a a a a sid a </proc/\$\$/stat; echo \$MANAGER_TASK_ID \$MANAGER_SCHEDULED_AT \$MANAGER_ATTEMPT \$sid >>$LEDGER; sleep 0.3'" \
		interval seconds=1 --no-coalesce --misfire-grace-time 60 \
		--on-interrupt rerun --max-retries 0 >/dev/null || break
done
is "$(sqlite3 "$DB" "SELECT count(*) FROM tasks")" $NTASKS \
	"$NTASKS tasks every second"
more_runs $((NTASKS * 3))
ok $? "the engine host runs them"

# Fault 1: the engine host's process group dies at once.
t0=$(date +%s%N)
kill -KILL -- "-$H1"
wait "$H1" 2>/dev/null
wait_until 30 holder_not "$H1"
ok $? "a standby takes the engine over after kill -9 of its host"
t1=$(date +%s%N)
echo "# takeover after kill -9: $(( (t1 - t0) / 1000000 )) ms"
A=$(holder)
more_runs $((NTASKS * 3))
ok $? "... and runs the tasks"

# Fault 2: the new engine host is paused past two leases.
t0=$(date +%s%N)
kill -STOP "$A"
wait_until 30 holder_not "$A"
ok $? "the last standby takes over from a paused engine host"
t1=$(date +%s%N)
echo "# takeover from a paused host: $(( (t1 - t0) / 1000000 )) ms"
B=$(holder)
like "$(cat "$T"/h*.log)" "held the engine lock [0-9]+ ms past its lease: its database sessions were ended" \
	"... fencing it: its sessions ended, said in the log"
more_runs $((NTASKS * 2))
kill -CONT "$A"
wait "$A"
is "$?" 1 "the paused host, woken, exits 1 (fenced: started again, it would be a standby)"
like "$(cat "$T"/h*.log)" "lost the engine lock .*this one stops" \
	"... saying it lost the engine lock"
more_runs $((NTASKS * 2))
ok $? "the engine host goes on running the tasks"
kill -TERM "$B"
wait "$B"
is "$?" 0 "the last engine host stops cleanly"

# The checks, in SQL and against the ledger.
is "$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY
    task_id, scheduled_at, attempt HAVING count(*) > 1) d")" 0 \
	"no run row twice"
is "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE ended_at IS NULL OR
    status IN ('running', 'claimed')")" 0 "no run left unfinished"
# Every second from a task's first fire time to its last has a row.
is "$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT task_id FROM runs
    GROUP BY task_id HAVING count(DISTINCT scheduled_at) <>
    (max(scheduled_at) - min(scheduled_at)) / 1000000 + 1) g")" 0 \
	"no fire time missing between a task's first and last"
echo "# fire times: $(sqlite3 "$DB" "SELECT count(DISTINCT (task_id, scheduled_at)) FROM runs"), runs by status: $(sqlite3 "$DB" "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM runs GROUP BY status) s")"
# A fire time executed twice was in flight on a faulted host (on_interrupt
# = rerun is at least once): running, or over but its row not committed
# yet, or its row dropped by the fenced host, so the next engine host ran
# it again.  Which fire times those are depends on how far behind the
# faulted host's history writer was (seen under load at 18-23: h1's last
# committed run had ended 2.4 s before the kill, and times due 4 s before
# it ran twice), so a window of seconds around each fault does not say
# it; the host that ran each does.  No host runs a fire time twice.
twice=$(cut -d' ' -f1,2 "$LEDGER" | sort | uniq -d)
echo "# fire times executed twice (in flight on a faulted host): $(echo "$twice" | grep -c .)"
is "$(cut -d' ' -f1,2,4 "$LEDGER" | sort | uniq -d | grep -c .)" 0 \
	"a fire time runs twice only on two hosts (one of them faulted)"
is "$(cut -d' ' -f1-3 "$LEDGER" | sort | uniq -d | cut -d' ' -f3 | grep -vc '^1$')" 0 \
	"... and a rerun attempt (2 and up) never runs twice"
# Every fire time ran, unless recorded skipped or missed (rerun: at
# least once).
sqlite3 "$DB" "SELECT task_id || ' ' || scheduled_at / 1000000 FROM runs
    GROUP BY task_id, scheduled_at HAVING bool_and(status NOT IN
    ('skipped', 'missed'))" | sort -u >"$T/due"
cut -d' ' -f1,2 "$LEDGER" | sort -u >"$T/ran"
is "$(comm -23 "$T/due" "$T/ran" | wc -l)" 0 \
	"every fire time not recorded skipped or missed ran"
finish
