#!/bin/sh
# runlog-exec.sh - past the excerpt, an exec: run's full log is written
# by its own manager-exec, to which the engine hands the pipes and the
# file (issue 14: the run pays for what it prints): the engine's threads
# dirty none of a 50 MB log's pages; the log and the excerpt are whole,
# also for a run whose stdout ended first; a run stopped by SIGKILL
# after its grace leaves no manager-exec behind and a log that reads to
# its end; what manager-exec itself says is in the log; a printing run
# ends with the engine, as before (a strict sandbox too), and a small
# log kept in the history is whole after that kill; with an excerpt of
# 0 bytes a silent run still has no log.
. "$top_srcdir/tests/engine/lib.sh"

printf 'manager = { shutdown_grace_seconds = 2; kill_grace_seconds = 1; log_run_max_mb = 60; };\n' >"$CONF"
start_daemon
ok $? "daemon started"
u=$(( $$ % 9000 + 1000 ))
gone() { ! pgrep -f "$1" >/dev/null; }

# io FIELD: FIELD of /proc/PID/io summed over the daemon's own threads
# (the process's total adds the I/O of every child it reaped).
io() {
	cat /proc/"$DAEMON_PID"/task/*/io 2>/dev/null |
	    awk -v f="$1:" '$1 == f { s += $2 } END { print s + 0 }'
}
logfile() { find "$T" -path "*/logs/$1/*.log" | head -n 1; }

mgr task add big "exec:sh -c 'yes 0123456789abcdef | head -c 50000000'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
w0=$(io write_bytes)
run mgr task run big
w1=$(io write_bytes)
is "$rc" 0 "a run printing 50 MB succeeds"
f=$(logfile big)
size=$(stat -c %s "$f")
ok $([ "$size" -gt 50000000 ] && [ "$size" -lt 50400000 ] && echo 0 || echo 1) \
	"its log holds the 50 MB, in records ($size bytes)"
like "$(mgr task logs big --lines 2)" \
	"stdout 0123456789abcdef
.* stdout 01234567$" "the log reads to its last, cut line"
like "$(mgr --json task history big --limit 1)" '\[49995904 more bytes not kept\]' \
	"the excerpt keeps 4096 bytes and counts the rest exactly"
echo "# the engine's threads dirtied $((w1 - w0)) bytes of page cache (write_bytes) for a 50 MB log"
if [ "$(stat -f -c %T "$f")" = tmpfs ]; then
	skip "tmpfs counts no write_bytes: the engine's share is not seen here"
else
	ok $([ $((w1 - w0)) -lt 5000000 ] && echo 0 || echo 1) \
		"the engine wrote none of the log (write_bytes of its threads: $((w1 - w0)))"
fi

# A run whose stdout ended before the excerpt filled: its stderr is
# handed over alone, every line of it kept.
mgr task add half "exec:sh -c 'exec >&-; seq 1 200000 >&2'" cron year=2099 hour=3 \
	--max-retries 0 >/dev/null
run mgr task run half
is "$rc" 0 "a run printing on stderr only, its stdout closed, succeeds"
mgr task logs half --stderr | sed 's/^[^ ]* stderr //' >"$T/half.err"
seq 1 200000 | cmp -s - "$T/half.err"
ok $? "every line of its stderr is in the log"

# Stopped after its grace: SIGKILL to the group, manager-exec with it.
mgr task add noisy "exec:sh -c 'trap \"\" TERM; yes noisy$u | head -c 3000000; exec sleep 300.$u'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run noisy --detach >/dev/null
wait_until 30 pgrep -f "sleep 300.$u" >/dev/null
run mgr task stop noisy
is "$rc" 0 "task stop ends the run that ignores SIGTERM"
wait_until 30 gone "manager-exec.*noisy$u"
ok $? "no manager-exec is left behind"
gone "sleep 300.$u"
ok $? "... nor the command"
stopped() { mgr --json task history noisy --limit 1 | grep -q '"status": *"stopped"'; }
wait_until 30 stopped
ok $? "the run is recorded stopped"
run mgr task logs noisy --stdout
is "$rc" 0 "its log reads to its end"
is "$(printf '%s\n' "$out" | sed 's/^[^ ]* stdout //' | sort | uniq -c | awk '{ print $1 }' | sort -n | tail -n 1)" \
	$((3000000 / (${#u} + 6))) "every line it printed is in the log"

# What manager-exec says itself (before the command starts: its working
# folder is gone) is the log's, as stderr, as the command's would be.
mkdir "$T/gone$u"
mgr task add nodir "exec:/bin/true" cron year=2099 hour=3 --max-retries 0 \
	--workdir "$T/gone$u" >/dev/null
rmdir "$T/gone$u"
mgr task run nodir >/dev/null 2>&1
like "$(mgr task logs nodir)" "stderr manager-exec: cannot enter the working folder $T/gone$u" \
	"manager-exec's own error is in the run's log, as stderr"
like "$(mgr --json task history nodir --limit 1)" '"exit_code": *127' \
	"... and the run failed with its status 127"

# The engine dies (SIGKILL): a run that prints ends at its next write,
# as when it wrote to the engine's pipe itself; its helper goes too.
# It prints its excerpt first: the helper then writes nothing more to
# the engine, and must see the engine's end of the pipe closed.
# The same in a strict sandbox, whose outer processes hold the socket.
mgr task add orphan "exec:sh -c 'seq 1 2000; while :; do echo orphan$u; sleep 0.05; done'" \
	cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task add orphan2 "exec:sh -c 'seq 1 2000; while :; do echo orphan2$u; sleep 0.05; done'" \
	cron year=2099 hour=3 --max-retries 0 --sandbox strict >/dev/null
mgr task run orphan --detach >/dev/null
mgr task run orphan2 --detach >/dev/null
wait_until 30 pgrep -f "echo orphan$u" >/dev/null
wait_until 30 pgrep -f "echo orphan2$u" >/dev/null
stop_daemon KILL 2>/dev/null
wait_until 30 gone "orphan$u"
ok $? "the engine killed, the printing run and its manager-exec end"
like "$(mgr task logs nodir)" "stderr manager-exec: cannot enter the working folder $T/gone$u" \
	"a log the history kept (no file) is whole after the engine's kill -9"
wait_until 30 gone "orphan2$u"
ok $? "... in a strict sandbox too"

# An excerpt of 0 bytes is full at once: the hand-over waits for bytes,
# so a run that prints nothing still has no log, and one that prints
# has all of it.
printf 'manager = { shutdown_grace_seconds = 2; output_excerpt_bytes = 0; };\n' >"$CONF"
start_daemon
mgr task add silent "exec:/bin/true" cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run silent >/dev/null
is "$(logfile silent)" "" "no excerpt: a run that prints nothing has no log file"
mgr task add few "exec:seq 1 3000" cron year=2099 hour=3 --max-retries 0 >/dev/null
mgr task run few >/dev/null
mgr task logs few --stdout | sed 's/^[^ ]* stdout //' >"$T/few.out"
seq 1 3000 | cmp -s - "$T/few.out"
ok $? "... and one that prints has all of it"
stop_daemon

finish
