# common.sh - set-up shared by the scheduler's shell tests: a private
# folder, a configuration with short retry and kill delays, and helpers
# that count runs in the history.  The database is $DB: a SQLite file,
# or with MANAGER_TEST_SUITE_PG set (tests/pg) a PostgreSQL database of
# its own; a test that sets its own EXIT trap calls sched_cleanup in it.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
DB="$T/m.db"
sched_cleanup() {
	[ -z "${MANAGER_TEST_SUITE_PG:-}" ] || pg_suite_drop
	cleanup_tmp
}
if [ -n "${MANAGER_TEST_SUITE_PG:-}" ]; then	# tests/pg: on PostgreSQL
	. "$top_srcdir/tests/pg/lib.sh"
	pg_suite_db
	trap sched_cleanup EXIT
fi
mkdir -p "$T/etc"
cat > "$T/etc/m.conf" <<CONF
manager: {
  retry_backoff_base = 0;
  kill_grace_seconds = 1;
  shutdown_grace_seconds = 1;
  tasks_directory = "$T/tasks";
  log_level = "warning";
};
CONF
M() { "$MANAGER" --config "$T/etc/m.conf" --db "$DB" "$@"; }

# count_runs TASK STATUS: runs of TASK with STATUS in the history.
count_runs() {
	M --json task history "$1" --limit 1000 | grep -c "\"status\": \"$2\""
}

# task_field TASK FIELD: a top-level string or number of task show --json.
task_field() {
	M --json task show "$1" | sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"
}

sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
now_us() { echo $(($(date +%s%N) / 1000)); }

# fires_during PATTERN COMMIT_US: runs of the task "tick" that started
# from the creation of the first commands row whose argv is LIKE PATTERN
# to COMMIT_US (the bulk commands' parse and write: bulk-slices.sh,
# bulk-import.sh); printed beside the window's length.
fires_during() {
	_cs=$(sql "SELECT created_at FROM commands WHERE argv LIKE '$1' ORDER BY id LIMIT 1")
	_n=$(sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at > $_cs AND started_at < $2")
	echo "# command's start to commit: $(( ($2 - _cs) / 1000 )) ms; fires in it: $_n" >&2
	echo "$_n"
}

# went_on STATUS: how the host of the last __scheduler-run (which exits 0
# whenever it started) came through the first run that ended with STATUS,
# as "unfinished N, ended after it: M".  N counts runs left "running" (a
# host that dies leaves the runs it was carrying out so), M the runs of
# other tasks that ended later (none when the host died of it, or when
# no run ended with STATUS).  A host that lived: "unfinished 0, ... M>0".
went_on() {
	sql "SELECT 'unfinished ' || (SELECT count(*) FROM runs
	       WHERE status = 'running') || ', ended after it: ' ||
	     (SELECT count(*) FROM runs r, (SELECT task_id, ended_at FROM runs
	       WHERE status = '$1' ORDER BY ended_at LIMIT 1) f
	       WHERE r.task_id <> f.task_id AND r.ended_at > f.ended_at)"
}
