#!/bin/sh
# runlog-pool.sh - a printing run's log file is made ahead, off the
# engine's loop (issue 14, src/tasks/runlog_pool.c): once a first run
# printed, the daemon holds files of the logs folder that have no name
# yet (O_TMPFILE: 0600, the magic written); the next printing run's log
# is one of them, given its name; a silent run takes none and leaves no
# file; the log reads as before; a stopped daemon leaves nothing in the
# logs folder but the task folders.
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

mgr task add first "exec:echo one" cron hour=3 --max-retries 0 >/dev/null
mgr task run first >/dev/null
like "$(mgr task logs first)" " stdout one$" "a first printing run has its log"
wait_until 20 pool_has 2
ok $? "the daemon then holds log files made ahead, without a name ($(pool | wc -l))"
pool >"$T/pool"
is "$(awk '$2 != 600 || $3 != 8' "$T/pool")" "" \
	"each is 0600 and holds the magic only"

mgr task add silent "exec:/bin/true" cron hour=3 --max-retries 0 >/dev/null
mgr task run silent >/dev/null
is "$(logfile silent)" "" "a silent run takes none: no log file"
mgr task add second "exec:sh -c 'echo out; echo err >&2; exit 3'" cron hour=3 \
	--max-retries 0 >/dev/null
mgr task run second >/dev/null
f=$(logfile second)
ino=$(stat -c %i "$f")
ok $(awk -v i="$ino" '$1 == i { f = 1 } END { print f ? 0 : 1 }' "$T/pool") \
	"the next printing run's log is one of them, named (inode $ino)"
is "$(stat -c %a "$f")" 600 "its log is 0600"
like "$(mgr task logs second)" " stdout out
.* stderr err$" "its stdout and stderr read back apart"
stop_daemon
is "$(ls -A "$LOGS" | sort | tr '\n' ' ')" "first second " \
	"a stopped daemon leaves only the task folders in the logs folder"
finish
