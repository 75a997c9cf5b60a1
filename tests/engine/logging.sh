#!/bin/sh
# The log: SIGHUP reopens every log file after logrotate moved it (the
# detached daemon's default log and a configured log_file, even when the
# new configuration is broken); under systemd, stderr lines carry the
# journal's <N> priority prefix and no time stamp or pid of their own.
. "$top_srcdir/tests/engine/lib.sh"

# logrotate without copytruncate: rename, then SIGHUP (data/manager.logrotate).
# rotated LOG PID WHAT: the next reload's line lands in the new LOG.
rotated() {
	mv "$1" "$1.1"
	kill -HUP "$2"
	wait_until 30 grep -q "configuration reloaded" "$1"
	ok $? "$3: after rename and SIGHUP, new lines go to a new file"
	unlike "$(cat "$1.1")" "configuration reloaded" \
		"$3: ... and none to the renamed one"
	is "$(mode_of "$1")" 600 "$3: ... which is 0600"
}

# The detached daemon's default log (stderr pointed at a file).
run mgr --daemon --detach --pidfile "$T/m.pid"
is "$rc" 0 "--detach starts"
LOG=$(printf '%s\n' "$err" | sed -n 's/^manager: logging to \(.*\); set.*/\1/p')
pid=$(cat "$T/m.pid" 2>/dev/null)
wait_until 30 test -s "$LOG"
ok $? "the detached daemon logs to $LOG"
rotated "$LOG" "$pid" "detached default log"
# Whatever else writes to fd 2 (libraries, a crashing helper) follows too.
ls -l "/proc/$pid/fd/2" 2>/dev/null | grep -q "$LOG\$"
ok $? "the daemon's fd 2 is the new file"

# A broken configuration still lets logrotate move the log.
cp "$CONF" "$CONF.good"
printf 'manager = { shutdown_grace_seconds = ; };\n' >"$CONF"
mv "$LOG" "$LOG.2"
kill -HUP "$pid"
wait_until 30 grep -q "reload failed" "$LOG"
ok $? "with a broken configuration, SIGHUP still reopens the log"
cp "$CONF.good" "$CONF"
kill -TERM "$pid"
wait_until 30 test ! -e "$T/m.pid"
wait_until 30 no_host

# A configured log_file, under a foreground daemon.
printf 'manager = { shutdown_grace_seconds = 2; log_file = "%s/own.log"; };\n' \
	"$T" >"$CONF"
start_daemon
wait_until 30 test -s "$T/own.log"
rotated "$T/own.log" "$DAEMON_PID" "log_file"
stop_daemon TERM

# data/manager.logrotate itself, by logrotate, with the test's folders
# for /var/log/manager and /run/manager.pid.
if ! command -v logrotate >/dev/null 2>&1; then
	skip "logrotate rotates the log: logrotate is not installed (scripts/install-deps.sh installs it)"
	skip "logrotate: the daemon writes to the new file"
else
	mkdir -p "$T/var-log"
	printf 'manager = { shutdown_grace_seconds = 2; log_file = "%s/var-log/manager.log"; };\n' \
		"$T" >"$CONF"
	sed -e "s|/var/log/manager/|$T/var-log/|; s|/run/manager.pid|$T/lr.pid|g" \
	    -e "s|create 0600 root root|create 0600 $(id -un) $(id -gn)|" \
		"$top_srcdir/data/manager.logrotate" >"$T/lr.conf"
	run mgr --daemon --detach --pidfile "$T/lr.pid"
	wait_until 30 test -s "$T/var-log/manager.log"
	logrotate -f -s "$T/lr.state" "$T/lr.conf" 2>"$T/lr.err"
	ok $? "logrotate rotates the log with data/manager.logrotate" ||
		sed 's/^/# /' "$T/lr.err"
	pid=$(cat "$T/lr.pid" 2>/dev/null)
	kill -HUP "$pid"	# a second reload: a line the new file must get
	wait_until 30 grep -q "configuration reloaded" "$T/var-log/manager.log"
	ok $? "logrotate: the daemon writes to the new file"
	kill -TERM "$pid"
	wait_until 30 test ! -e "$T/lr.pid"
	wait_until 30 no_host
fi

# Under systemd: stderr is the journal stream $JOURNAL_STREAM names.
printf 'manager = { shutdown_grace_seconds = 2; };\n' >"$CONF"
: >"$T/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.log") \
	"$MANAGER" --config "$CONF" --db "$DB" --daemon \
	>/dev/null 2>>"$T/journal.log" &
DAEMON_PID=$!
wait_until 30 host_is daemon
stop_daemon TERM
like "$(cat "$T/journal.log")" "^<6>" "journal: info lines start with <6>"
unlike "$(cat "$T/journal.log")" "manager\[[0-9]+\]" \
	"journal: no manager[pid] (the journal records the pid)"
unlike "$(cat "$T/journal.log")" "[0-9]{4}-[0-9]{2}-[0-9]{2}T" \
	"journal: no time stamp (the journal records the time)"
bad=$(grep -cv '^<[0-7]>' "$T/journal.log")
is "$bad" 0 "journal: every line has a priority prefix"

# A warning is <4>: an unknown key, logged at reload.
: >"$T/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.log") \
	"$MANAGER" --config "$CONF" --db "$DB" --daemon \
	>/dev/null 2>>"$T/journal.log" &
DAEMON_PID=$!
wait_until 30 host_is daemon
printf 'manager = { shutdown_grace_seconds = 2; no_such_key = 1; };\n' >"$CONF"
kill -HUP "$DAEMON_PID"
wait_until 30 grep -q "configuration reloaded" "$T/journal.log"
stop_daemon TERM
like "$(grep no_such_key "$T/journal.log")" "^<4>" \
	"journal: a warning starts with <4>"

# JOURNAL_STREAM that names another file (a child of a unit whose stderr
# was redirected): the plain format with time stamps.
printf 'manager = { shutdown_grace_seconds = 2; };\n' >"$CONF"
: >"$T/other.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/other.log") start_daemon
stop_daemon TERM
like "$(cat "$T/daemon.log")" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T.* manager\[[0-9]+\] info: " \
	"stderr that is not the journal keeps time stamp, pid and level"
unlike "$(cat "$T/daemon.log")" "^<[0-7]>" "... and no priority prefix"

finish
