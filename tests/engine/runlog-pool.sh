#!/bin/sh
# runlog-pool.sh - a run's log is a file only when it needs one, and
# that file is made ahead, off the engine's loop (issue 14,
# src/tasks/runlog_pool.c): a run that prints little and ends within a
# second takes none (its log is kept in the history, read back as
# before); the first run whose log passes the bound starts the pool, and
# the daemon then holds files of the logs folder that have no name yet
# (O_TMPFILE: 0600, the magic written); the next such run's log is one
# of them, given its name; a silent run takes none and leaves no file; a
# stopped daemon leaves nothing in the logs folder but the task folders.
. "$top_srcdir/tests/engine/lib.sh"

LOGS="$XDG_STATE_HOME/manager/logs"
start_daemon
ok $? "daemon started"
logfile() { find "$LOGS/$1" -name '*.log' 2>/dev/null | sort | tail -n 1; }

# The daemon's files made ahead: "INODE MODE SIZE", one a line.
pool() {
	for fd in /proc/"$DAEMON_PID"/fd/*; do
		case $(readlink "$fd" 2>/dev/null) in
		"$LOGS/#"*" (deleted)") stat -L -c '%i %a %s' "$fd" 2>/dev/null ;;
		esac
	done
}
pool_has() { [ "$(pool | wc -l)" -ge "$1" ]; }

mgr task add small "exec:echo one" cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run small >/dev/null
like "$(mgr task logs small)" " stdout one$" "a run printing a line has its log"
is "$(logfile small)$(pool | wc -l)" "0" \
	"... kept in the history: no file, and none made ahead"
mgr task add first "exec:seq 1 2000" cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run first >/dev/null
like "$(mgr task logs first --lines 1)" " stdout 2000$" \
	"a first run printing past the bound has its log (a file, or the history's)"
wait_until 30 pool_has 2
ok $? "the daemon then holds log files made ahead, without a name ($(pool | wc -l))"
pool >"$T/pool"
is "$(awk '$2 != 600 || $3 != 8' "$T/pool")" "" \
	"each is 0600 and holds the magic only"

mgr task add silent "exec:/bin/true" cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run silent >/dev/null
is "$(logfile silent)" "" "a silent run takes none: no log file"
mgr task add second "exec:sh -c 'echo err >&2; seq 1 2000; exit 3'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run second >/dev/null
f=$(logfile second)
ino=$(stat -c %i "$f")
ok $(awk -v i="$ino" '$1 == i { f = 1 } END { print f ? 0 : 1 }' "$T/pool") \
	"the next such run's log is one of them, named (inode $ino)"
is "$(stat -c %a "$f")" 600 "its log is 0600"
like "$(mgr task logs second --stderr; mgr task logs second --stdout --lines 1)" \
	" stderr err
.* stdout 2000$" "its stdout and stderr read back apart"
stop_daemon
# (first's log is a file only if the pool's thread, which its run
# started, made one before that run ended; else the history has it.)
is "$(ls -A "$LOGS" | grep -vx first | tr '\n' ' ')" "second " \
	"a stopped daemon leaves only the task folders in the logs folder"
finish
