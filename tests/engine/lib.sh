# lib.sh - TAP helpers for the engine's shell tests (sourced).
# Each test gets its own folder, removed on exit, and its own database.

: "${MANAGER:?MANAGER must name the built binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mgr-engine.XXXXXX")
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" HOME="$T/home"
unset MANAGER_CONFIG NOTIFY_SOCKET
DB="$T/data/manager.db"
CONF="$T/manager.conf"
printf 'manager = { shutdown_grace_seconds = 2; };\n' >"$CONF"
tap_n=0
tap_failed=0
DAEMON_PID=

cleanup() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do echo "# $line"; done
}

# check NAME COMMAND...: ok when the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

mgr() {
	"$MANAGER" --config "$CONF" --db "$DB" "$@"
}

# wait_for SECONDS COMMAND...: polls every 20 ms.
wait_for() {
	limit=$(($1 * 50))
	shift
	i=0
	while [ $i -lt $limit ]; do
		if "$@"; then return 0; fi
		sleep 0.02
		i=$((i + 1))
	done
	return 1
}

host_is() {
	mgr host status 2>/dev/null | grep -q "engine host: $1"
}

# start_daemon: foreground daemon in the background of this shell, log
# in $T/daemon.log; waits until it hosts the engine.
start_daemon() {
	mgr --daemon >"$T/daemon.out" 2>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_for 10 host_is daemon
}

stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=
	return $rc
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
