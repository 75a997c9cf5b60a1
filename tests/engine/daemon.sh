#!/bin/sh
# The daemon: start, host lock, second host refused, signals, detach and
# pidfile, SIGHUP reload with a broken configuration.
. "$top_srcdir/tests/engine/lib.sh"
# A second daemon is refused (exit 4): on PostgreSQL it would wait as a
# standby by default (tests/pg/cluster-failover.sh), which this suite,
# run on both backends, turns off.
printf 'manager = { shutdown_grace_seconds = 2; host_standby = false; };\n' >"$CONF"

run mgr host status
is "$rc" 3 "host status without a host exits 3"
like "$out" "none running" "host status says none runs"

start_daemon
ok $? "daemon starts and hosts the engine"
run mgr --json host status
like "$out" "\"pid\": $DAEMON_PID" "host status --json names the daemon's pid"
if [ -n "${MANAGER_TEST_SUITE_PG:-}" ]; then	# an advisory lock, no file
	skip "lock file is 0600: on PostgreSQL the host lock is a session advisory lock, no file"
else
	is "$(mode_of "$DB.lock")" 600 "lock file is 0600"
fi

run mgr --daemon
is "$rc" 4 "a second daemon on the same database exits 4"
like "$err" "pid $DAEMON_PID" "the refusal names the running host's pid"
run mgr daemon
is "$rc" 4 "\"manager daemon\" is refused as well"

# SIGHUP with a broken file: logged with file and line, old one stays.
printf 'manager = { shutdown_grace_seconds = 2; host_standby = false; };\napi = { listen = ; };\n' >"$CONF.new"
cp "$CONF" "$CONF.good"
mv "$CONF.new" "$CONF"
kill -HUP "$DAEMON_PID"
wait_until 30 grep -q "reload failed" "$T/daemon.log"
ok $? "SIGHUP with a broken file logs the failure"
like "$(grep 'reload failed' "$T/daemon.log")" "manager.conf:2" \
	"the failure names the file and line"
cp "$CONF.good" "$CONF"
kill -0 "$DAEMON_PID"
ok $? "the daemon survives a broken reload"
kill -HUP "$DAEMON_PID"
wait_until 30 grep -q "configuration reloaded" "$T/daemon.log"
ok $? "SIGHUP with a good file reloads it"

stop_daemon TERM
is "$daemon_rc" 0 "SIGTERM ends the daemon with status 0"
like "$(cat "$T/daemon.log")" "SIGTERM: shutting down" "shutdown is logged"
run mgr host status
is "$rc" 3 "no host after shutdown"
test ! -e "$DB-wal" || test ! -s "$DB-wal"
ok $? "database closed cleanly (WAL checkpointed)"

start_daemon
kill -INT "$DAEMON_PID"
wait "$DAEMON_PID"
is "$?" 0 "SIGINT ends the daemon with status 0"
DAEMON_PID=

# Classic init: --detach with a pidfile.  (The next daemon starts once
# the pidfile is gone and no host runs: no_host, tests/engine/lib.sh.)
run mgr --daemon --detach --pidfile "$T/m.pid"
is "$rc" 0 "--detach returns 0 once the daemon runs"
LOG="$XDG_STATE_HOME/manager/manager.log"
like "$err" "logging to $LOG; set manager.log_file" \
	"without log_file, --detach says the log goes to state_directory/manager.log"
is "$(mode_of "$LOG")" 600 "... which is 0600"
wait_until 30 grep -q "api\|engine\|scheduler\|host" "$LOG"
ok $? "... and the detached daemon's log lands there"
pid=$(cat "$T/m.pid" 2>/dev/null)
kill -0 "$pid" 2>/dev/null
ok $? "the pidfile names a live process"
is "$(mode_of "$T/m.pid")" 644 "pidfile is 0644"
run mgr host status
like "$out" "daemon, pid $pid" "the detached daemon hosts the engine"
run mgr --daemon --detach --pidfile "$T/other.pid"
is "$rc" 4 "a second detached daemon reports the refusal, exit 4"
like "$err" "pid $pid" "... naming the pid"
test ! -e "$T/other.pid"
ok $? "the refused daemon wrote no pidfile"
kill -HUP "$pid"
wait_until 30 grep -q "configuration reloaded" "$LOG"
ok $? "after SIGHUP the log still goes to the file"
kill -TERM "$pid"
wait_until 30 test ! -e "$T/m.pid"
ok $? "the pidfile is removed on exit"
wait_until 30 grep -q "engine host exited" "$LOG"
ok $? "the shutdown is logged in the file"

# A configured log_file is left alone: nothing is said, nothing redirected.
printf 'manager = { shutdown_grace_seconds = 2; host_standby = false;
  log_file = "%s/own.log"; };\n' "$T" >"$CONF"
run mgr --daemon --detach --pidfile "$T/m.pid"
is "$rc" 0 "--detach with log_file starts"
unlike "$err" "logging to" "... and says nothing about where it logs"
pid=$(cat "$T/m.pid" 2>/dev/null)
wait_until 30 test -s "$T/own.log"
ok $? "... the log goes to the configured file"
kill -TERM "$pid"
wait_until 30 test ! -e "$T/m.pid"
wait_until 30 no_host
printf 'manager = { shutdown_grace_seconds = 2; host_standby = false; };\n' >"$CONF"

# The log file cannot be opened: syslog, and it says so.
rm -f "$LOG"
mkdir "$LOG"
run mgr --daemon --detach --pidfile "$T/m.pid"
is "$rc" 0 "--detach when manager.log cannot be opened still starts"
like "$err" "logging to syslog; set manager.log_file to log to a file" \
	"... saying the log goes to syslog"
pid=$(cat "$T/m.pid" 2>/dev/null)
kill -TERM "$pid"
wait_until 30 test ! -e "$T/m.pid"
wait_until 30 no_host
rmdir "$LOG"

# Type=notify: READY=1 once running, STOPPING=1 on SIGTERM.  python3 (the
# listener) is installed by scripts/install-deps.sh: without it both checks
# fail, they are not dropped.
if ! command -v python3 >/dev/null; then
	ok 1 "sd_notify: READY=1 once the engine runs"
	echo "# python3 is missing (scripts/install-deps.sh installs it)"
	ok 1 "sd_notify: STOPPING=1 on SIGTERM"
else
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(30)
out = open(sys.argv[2], "w")
for _ in range(2):
    try:
        out.write(s.recv(256).decode() + "\n"); out.flush()
    except socket.timeout:
        break
' "$T/notify.sock" "$T/notify.out" &
	notify_pid=$!
	# python3 can take seconds to start on a loaded machine.
	wait_until 30 test -S "$T/notify.sock" ||
		echo "# the listener did not bind $T/notify.sock within 30 s"
	NOTIFY_SOCKET="$T/notify.sock" start_daemon
	wait_until 30 grep -q READY=1 "$T/notify.out"
	ok $? "sd_notify: READY=1 once the engine runs"
	stop_daemon TERM
	wait "$notify_pid"
	like "$(cat "$T/notify.out")" "STOPPING=1" "sd_notify: STOPPING=1 on SIGTERM"
fi

run mgr --detach host status
is "$rc" 2 "--detach without --daemon is a usage error"
run mgr daemon --pidfile
is "$rc" 2 "--pidfile without a value is a usage error"

finish
