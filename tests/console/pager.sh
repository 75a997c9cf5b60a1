#!/bin/sh
# pager.sh - a run's page over its log: a log the history keeps (no
# file) shown whole, stderr marked; opened at its last lines read from
# the end of the file (a log damaged near its start still shows them,
# where a read from the start stopped at the damage); searching a page
# as less does (/, n, N: matches reversed, wrapping, "pattern not
# found") in a run's page, a task's and a plugin's.
. "$top_srcdir/tests/console/lib.sh"

echo "1..17"
console_setup
seed_example || { echo "Bail out! cannot seed the database"; exit 1; }
now=$(date +%s)
sched=$((now * 1000000 - 5000000))
sql "INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at,
  status, exit_code, output, error) VALUES ('sync.pull', 3, $sched, $sched,
  $sched + 2000000, 'failed', 1, 'tailrun-marker', 'the-last-error')"
run=$(sql "SELECT max(id) FROM runs")
logdir="$XDG_STATE_HOME/manager/logs/sync.pull"
mkdir -p "$logdir"
# A log in the store's format (runlog.h): the magic, then records of a
# 16-byte head (length, kind, three zero bytes, time) and the payload.
# The second record's length is damage; 200000 stdout lines follow (13
# MB), the stderr line near the end is the only one in its last 3 MB.
perl -e '
	my $t = $ARGV[0];
	sub rec { my ($kind, $text) = @_;
		print pack("V C x3 V V", length $text, $kind, $t % 2**32,
		    int($t / 2**32)), $text; }
	print "MGRLOG1\n";
	rec(2, "early-error\n");
	print pack("V C x3 V V", 0xffffffff, 1, 0, 0);
	rec(1, sprintf("line %06d of the log, padded to be a longer line\n", $_))
	    for 0 .. 199999;
	rec(2, "the-last-error\n");
	rec(1, "the-end-line\n");
	rec(4, "failed");
' "$sched" > "$logdir/$sched-3.log" ||
	{ echo "Bail out! cannot write the log"; exit 1; }

# A run whose log the history keeps (run_logs: the records a file would
# hold after its magic), and no file; its excerpt says something else.
sched4=$((sched + 1000000))
records=$(perl -e '
	my $t = $ARGV[0];
	sub rec { my ($kind, $text) = @_;
		pack("V C x3 V V", length $text, $kind, $t % 2**32,
		    int($t / 2**32)) . $text; }
	print unpack("H*", rec(1, "inline-out-line\n") .
	    rec(2, "inline-err-line\n") . rec(4, "failed"));
' "$sched4")
sql "INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at,
  status, exit_code, output, error) VALUES ('sync.pull', 4, $sched4, $sched4,
  $sched4 + 1000, 'failed', 1, 'excerpt-only', NULL);
  INSERT INTO run_logs (run_id, records) VALUES ((SELECT max(id) FROM runs),
  X'$records')"
run4=$(sql "SELECT max(id) FROM runs")

console_start 120 40
wait_for "hello.greet" >/dev/null
keys Tab / a t t e m p t " " 4 Enter
wait_selected "attempt 4" >/dev/null
keys Enter
wait_for "Run #$run4" >/dev/null
check "a run's page shows the log the history keeps for it" \
	wait_for "inline-out-line" 15
check "... stderr marked" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c | grep -Eq '! +[0-9:]+ +inline-err-line'"
check "... and it has no file" test ! -e "$logdir/$sched4-4.log"
keys Escape
wait_gone "Run #$run4" >/dev/null
keys Escape	# the filter goes
wait_gone "/attempt 4" >/dev/null
keys / a t t e m p t " " 3 Enter
wait_selected "attempt 3" >/dev/null
keys Enter
wait_for "Run #$run" >/dev/null
keys G
check "Enter opens the run's page, G shows the end of its log" \
	wait_for "the-end-line" 15
check "... its last lines, read from the end past damage at its start" \
	wait_for "line 199990 of the log" 15
check "... stderr marked" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c | grep -Eq '! +[0-9:]+ +the-last-error'"

# highlighted TEXT: TEXT shows drawn in reverse video within 15 s (the
# console redraws after a key at its next tick: slower under load).
highlighted_now() {
	tmux -L "$SOCK" capture-pane -p -e -t c |
	    perl -ne 'BEGIN { $t = shift } $f = 1 if /\e\[[0-9;]*7m(?:\e\[[0-9;]*m)*\Q$t\E/;
		END { exit !$f }' "$1"
}
highlighted() { retry 15 highlighted_now "$1"; }
# top_line: the first line of the page (below the box's title).
top_line() { screen | sed -n 3p; }

keys / L I N E ' ' 1 9 6 0 0 0 Enter
check "/ in a run's page goes to the match (case ignored)" \
	line_has 3 'line 196000 of the log'
check "... and draws it reversed" highlighted "line 196000"
keys g
wait_for "Run #$run" >/dev/null
keys / e r r o r Enter
check "/ goes to the first match below the top" \
	line_has 3 'Error (marked !)'
keys n
check "n goes to the next match" \
	line_has 3 '! the-last-error'
keys N
check "N goes back" \
	line_has 3 'Error (marked !)'
keys N
check "... and wraps past the top, saying so" wait_for "search hit the top"
keys / n o - s u c h - p a t t e r n Enter
check "a pattern that is nowhere says so" \
	wait_for "pattern not found: no-such-pattern"
keys Escape

# The task's page and the plugin's.
keys BTab
keys g / s y n c Enter
keys Escape
wait_selected "sync.pull" >/dev/null
keys Enter
wait_for "Task sync.pull" >/dev/null
keys / m a x _ i n s t Enter
check "/ in a task's page puts the cursor on its setting" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -e -t c | grep -F 'ances    ' |
	  grep -q \"\$(printf '\\033')\\[[0-9;]*7m\""
keys / n o t - t h e r e Enter
check "... or says it is not there" wait_for "pattern not found: not-there"
keys Escape BTab g
wait_selected "base" >/dev/null
keys Enter
wait_for "Plugin base" >/dev/null
keys / s n a p s h o t s Enter
check "/ in a plugin's page finds its section" highlighted "Snapshots"
keys n
check "... n with one match wraps to it again" wait_for "search hit the end"
keys Escape q
exit 0
