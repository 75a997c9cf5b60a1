# lib.sh - runs a shell suite of another folder on PostgreSQL: sourced
# by the suite's own lib.sh when MANAGER_TEST_SUITE_PG is set (the files
# of this folder set it).  The suite then gets a database of its own on
# the server MANAGER_TEST_PG names (scripts/pg-test-cluster.sh), dropped
# at exit, as $DB; its `sqlite3 "$DB" SQL` checks go to psql through a
# shim first on PATH, so the same SQL checks both backends.

# pg_suite_skip: the whole file skips when there is no server.
pg_suite_skip() {
	if [ -z "${MANAGER_TEST_PG:-}" ]; then
		echo "1..0 # SKIP MANAGER_TEST_PG is not set: no PostgreSQL server to test on (scripts/pg-test-cluster.sh)"
		exit 0
	fi
}

# pg_suite_db: sets DB to a new database; needs $T.
pg_suite_db() {
	PG_SUITE_NAME="mgr_suite_$$"
	psql -X -q -v ON_ERROR_STOP=1 "$MANAGER_TEST_PG" \
		-c "DROP DATABASE IF EXISTS $PG_SUITE_NAME WITH (FORCE)" \
		-c "CREATE DATABASE $PG_SUITE_NAME" >/dev/null || {
		echo "Bail out! cannot create database $PG_SUITE_NAME"
		exit 1
	}
	DB="$MANAGER_TEST_PG dbname=$PG_SUITE_NAME"
	mkdir -p "$T/pgbin"
	real=$(command -v sqlite3)
	cat >"$T/pgbin/sqlite3" <<SHIM
#!/bin/sh
# sqlite3 [-cmd X]... DB SQL: psql when DB is the suite's database.
while [ "\$1" = -cmd ]; do shift 2; done
if [ "\$1" = "$DB" ]; then
	shift
	exec psql -X -q -A -t -F'|' -v ON_ERROR_STOP=1 "$DB" -c "\$*"
fi
exec "$real" "\$@"
SHIM
	chmod +x "$T/pgbin/sqlite3"
	PATH="$T/pgbin:$PATH"
	export PATH
}

# pg_suite_drop: at exit, after the suite's processes are gone.
pg_suite_drop() {
	[ -n "${PG_SUITE_NAME:-}" ] || return 0
	psql -X -q "$MANAGER_TEST_PG" \
		-c "DROP DATABASE IF EXISTS $PG_SUITE_NAME WITH (FORCE)" \
		>/dev/null 2>&1
}

# Several hosts on the suite's database (tests/pg/cluster-*.sh; need $T,
# $DB and $MANAGER).  start_host N [LEASE_MS [SETTINGS]]: hN as a daemon
# in a process group of its own, with its own folders, a heartbeat of
# 200 ms, a lease of LEASE_MS (1000) and SETTINGS, more keys of the
# manager group; its pid in H<N>, added to HPIDS.
start_host() {
	printf 'manager = { shutdown_grace_seconds = 2; host_id = "h%s";
  host_heartbeat_ms = 200; host_lease_ms = %s; %s };\n' "$1" "${2:-1000}" \
		"${3:-}" >"$T/h$1.conf"
	mkdir -p "$T/h$1"
	XDG_DATA_HOME="$T/h$1/data" XDG_STATE_HOME="$T/h$1/state" \
	XDG_CACHE_HOME="$T/h$1/cache" setsid "$MANAGER" \
		--config "$T/h$1.conf" --db "$DB" --daemon \
		>"$T/h$1.out" 2>>"$T/h$1.log" &
	eval "H$1=$!"
	HPIDS="${HPIDS:-} $!"
}

# The pid of the process holding the engine lock, from its session's name.
holder() {
	sqlite3 "$DB" "SELECT split_part(a.application_name, ' ', 2) FROM
	    pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE
	    l.locktype = 'advisory' AND l.granted AND l.objid = 1819239275
	    AND l.database = (SELECT oid FROM pg_database
	    WHERE datname = current_database())"
}
holder_is() { [ "$(holder)" = "$1" ]; }

# finish_hosts: at exit, every started host's process group killed, then
# the engine suite's cleanup (tests/engine/lib.sh).
finish_hosts() {
	for p in $HPIDS; do
		kill -KILL -- "-$p" 2>/dev/null
	done
	wait 2>/dev/null
	engine_cleanup
}
