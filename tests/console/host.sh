#!/bin/sh
# host.sh - the console and the engine host: the console hosts the engine
# when none runs (and takes CLI commands), attaches to a running daemon
# (its keys go through the daemon), and takes over when the daemon exits.
. "$top_srcdir/tests/console/lib.sh"

echo "1..14"
console_setup
seed_example || { echo "Bail out! cannot seed the database"; exit 1; }

console_start 120 40
check "with no host running, the console hosts the engine" \
	wait_for "host: this console"
m task pause hello.greet >/dev/null 2>"$T/err"
check "a CLI command is carried out by the console's engine" \
	wait_sql "SELECT enabled FROM tasks WHERE id='hello.greet'" 0
check "and the console shows it without a key press" \
	wait_for "paused     hello.greet"
check "the host row names the console" \
	test "$(sql "SELECT kind FROM host")" = console
m task add tick.fast exec:/bin/echo interval seconds=1 >/dev/null 2>>"$T/err"
check "a run by the console's scheduler appears by itself" \
	wait_for "tick.fast          succeeded" 15
m task remove tick.fast >/dev/null 2>>"$T/err"
keys q
wait_for "[d]aemon / [q]uit / [c]ancel" >/dev/null
keys q
check "quitting stops the engine and exits 0" wait_for "exited with status 0"
tmux -L "$SOCK" kill-server
SOCK="$SOCK-2"

"$MANAGER" --config "$T/manager.conf" --db "$DB" daemon >"$T/daemon.log" 2>&1 &
daemon=$!
daemon_hosts() { m host status 2>/dev/null | grep -q daemon; }
retry 30 daemon_hosts
console_start 120 40
check "with a daemon running, the console attaches to it" \
	wait_for "host: daemon pid $daemon"
keys / s y n c Enter p
check "p on a task is carried out by the daemon" \
	wait_sql "SELECT enabled FROM tasks WHERE id='sync.pull'" 0
check "the status line shows the daemon's answer" \
	wait_for "task pause sync.pull: task sync.pull paused"
kill -TERM "$daemon"
wait "$daemon"
check "when the daemon exits, the console hosts the engine" \
	wait_for "hosts the engine now"
check "and the header says so" wait_for "host: this console"
keys C-c
check "Ctrl-C (SIGINT) stops the engine and the console, status 0" \
	wait_for "exited with status 0"
check "the terminal is restored" \
	test "$(tmux -L "$SOCK" display -p -t c '#{alternate_on}')" = 0
m host status >"$T/status" 2>&1
check "and the host lock is free again" grep -q "none running" "$T/status"
exit 0
