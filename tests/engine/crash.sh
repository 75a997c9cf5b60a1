#!/bin/sh
# crash.sh - kill -9 of a daemon while 200 tasks fire every second, then
# restart, several times: no fire time is recorded twice, nothing stays
# `running`, the database stays whole.  CRASH_KILLS sets the number of
# kills (tests/soak/crash-soak.sh runs many more).
. "$top_srcdir/tests/engine/lib.sh"
KILLS=${CRASH_KILLS:-6}
NTASKS=${CRASH_TASKS:-200}

mkdir -p "$T/tasks"
cat >"$CONF" <<CONF
manager = { shutdown_grace_seconds = 1; tasks_directory = "$T/tasks";
  log_level = "warning"; retry_backoff_base = 0; };
CONF
{
	echo 'tasks = ('
	i=1
	while [ $i -le "$NTASKS" ]; do
		sep=,; [ $i -eq "$NTASKS" ] && sep=
		# Odd tasks catch up every missed time, even ones the latest.
		co=true; [ $((i % 2)) -eq 1 ] && co=false
		echo "  { id = \"t$i\"; func = \"exec:true\"; trigger = \"interval\";"
		echo "    seconds = 1; misfire_grace_time = 60; coalesce = $co; }$sep"
		i=$((i + 1))
	done
	echo ');'
} >"$T/tasks/busy.conf"

sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
# Runs that ended well: the rows a restart records for the runs the kill
# cut short (interrupted) do not show that the daemon fires again.
nruns() { sql "SELECT COUNT(*) FROM runs WHERE status = 'succeeded';" 2>/dev/null || echo 0; }
# more_runs N: the history holds more than N succeeded runs.
more_runs() { [ "$(nruns)" -gt "$1" ]; }

k=1
while [ $k -le "$KILLS" ]; do
	before=$(nruns)
	start_daemon
	# Once it fires, kill it at a moment unrelated to the fire times.
	wait_until 30 more_runs "$before"
	sleep "0.$(( (k * 37) % 10 ))$(( k % 10 ))"
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	k=$((k + 1))
done
before=$(nruns)
start_daemon
wait_until 30 more_runs "$before"
stop_daemon TERM
is "$daemon_rc" 0 "the last daemon stops cleanly"
if [ "$daemon_rc" != 0 ]; then	# what it said, for the next reader
	echo "# the last daemon exited with $daemon_rc; its log ends:"
	tail -n 20 "$T/daemon.log" | sed 's/^/#   /'
fi

dups=$(sql "SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE scheduled_at IS NOT NULL
	GROUP BY task_id, scheduled_at, attempt HAVING COUNT(*) > 1) AS twice;")
is "$dups" 0 "no fire time recorded twice over $KILLS kills"
# SQLite says "UNIQUE constraint failed", PostgreSQL "violates unique
# constraint".
is "$(grep -ci 'unique constraint' "$T/daemon.log")" 0 "no fire time started twice"
is "$(sql "SELECT COUNT(*) FROM runs WHERE status = 'running';")" 0 \
	"no run stays running after a clean stop"
ran=$(sql "SELECT COUNT(*) FROM runs WHERE status = 'succeeded';")
ok "$([ "$ran" -ge "$NTASKS" ] && echo 0 || echo 1)" "the tasks ran ($ran runs)"
if [ -n "${MANAGER_TEST_SUITE_PG:-}" ]; then
	# The server's pages are its own (a client's kill -9 cannot tear
	# them): db check says whether every table is there.
	is "$(mgr db check | sed -n 's/^integrity: *//p')" ok \
		"the database is whole (db check; PostgreSQL has no integrity_check)"
else
	is "$(sql 'PRAGMA integrity_check;')" ok "the database is whole"
fi
interrupted=$(sql "SELECT COUNT(*) FROM runs WHERE status = 'interrupted';")
echo "# $KILLS kills: $dups duplicated fire times, $ran runs succeeded, $interrupted interrupted"
finish
