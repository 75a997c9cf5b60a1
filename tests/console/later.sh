#!/bin/sh
# later.sh - e (enable / disable) and R (reload) on a plugin served by
# its host worker (sandboxing) never freeze the console that hosts the
# engine: the command runs as a child process (ui/job.c) which hands it
# to the console's engine, which answers it later (cmd_later) while its
# loop goes on.  evil's on_enable and on_disable sleep 3 s here; while
# they do, ? shows the help (before the command is done), and an
# every-second task keeps starting runs; then the status line shows the
# command's answer.
. "$top_srcdir/tests/console/lib.sh"

echo "1..12"
console_setup
EX="$top_builddir/data/plugins"
mkdir -p "$T/evil"
cp "$EX/evil/evil.so" "$T/evil/"
cat "$EX/evil/plugin.conf" - > "$T/evil/plugin.conf" <<'EOF'
config = { enable_sleep = "3"; disable_sleep = "3"; };
EOF
m plugin install --no-enable "$T/evil" >/dev/null 2>"$T/err" &&
	m task add tick exec:/bin/true interval seconds=1 >/dev/null 2>>"$T/err" ||
	{ echo "Bail out! cannot install evil: $(cat "$T/err")"; exit 1; }

console_start 120 40
wait_for "host: this console" >/dev/null
keys h
wait_for "R reload  s snapshot  S restore" >/dev/null

now_us() { echo $(( $(date +%s%N) / 1000 )); }
started() {
	[ -n "$(sql "SELECT value FROM plugin_state WHERE plugin_id = 'evil' AND key = '$1'")" ]
}
# wait_started KEY: polls (10 s at most) until evil's worker set KEY.
wait_started() {
	i=0
	while [ $i -lt 200 ] && ! started "$1"; do
		sleep 0.05
		i=$((i + 1))
	done
	started "$1"
}

# working: the console's command about evil is not done yet (its row in
# the commands table), so the worker still sleeps.
working() {
	[ "$(sql "SELECT count(*) FROM commands WHERE argv LIKE '%\"evil\"%'
	  AND state <> 'done'")" -ge 1 ]
}
# The help drawn, and after that the command still not done: the help
# came while the worker slept (an order, not a time: a frozen console
# draws it only once the command is done).
help_meanwhile() {
	wait_for "restore a snapshot (pick from a list)" 15 && working
}

# later KEY STARTED ANSWER: presses KEY, waits until the worker's
# on_enable or on_disable began (STARTED), checks that the console
# answers ? meanwhile (the command not done yet), then that
# the status line shows ANSWER and that the every-second task started
# runs while the command waited (up to 0.5 s before the answer showed).
later() {
	sql "DELETE FROM plugin_state WHERE plugin_id = 'evil'"
	keys "$1"
	wait_started "$2" || echo "# the worker never set $2" >&2
	from=$(now_us)
	keys '?'
	check "$1: ? shows the help while the plugin's worker works" \
		help_meanwhile
	keys Escape
	check "$1: the status line shows the answer: $3" wait_for "$3" 15
	to=$(( $(now_us) - 500000 ))
	n=$(sql "SELECT count(*) FROM runs WHERE task_id = 'tick' AND started_at BETWEEN $from AND $to")
	echo "# $1: tick started $n run(s) in the $(( (to - from) / 1000 )) ms the console waited"
	check "$1: the every-second task kept starting runs meanwhile ($n)" \
		test "$n" -ge 1
}

later e enable_sleep.started "plugin enable evil: enabled evil"
check "e: the plugin is enabled" \
	wait_sql "SELECT state FROM plugins WHERE id = 'evil'" enabled
later R enable_sleep.started "plugin reload evil: reloaded evil"
later e disable_sleep.started "plugin disable evil: disabled evil"
check "e again: the plugin is disabled" \
	wait_sql "SELECT state FROM plugins WHERE id = 'evil'" disabled

keys q
wait_for "[d]aemon / [q]uit / [c]ancel" >/dev/null
keys q
check "quitting stops the engine and exits 0" wait_for "exited with status 0" 10
exit 0
