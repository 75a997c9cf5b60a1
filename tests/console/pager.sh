#!/bin/sh
# pager.sh - a run's page over its log: opened at its last lines read
# from the end of the file (a log damaged near its start still shows
# them, where a read from the start stopped at the damage).
. "$top_srcdir/tests/console/lib.sh"

echo "1..3"
console_setup
seed_example || { echo "Bail out! cannot seed the database"; exit 1; }
now=$(date +%s)
sched=$((now * 1000000 - 5000000))
sql "INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at,
  status, exit_code, output, error) VALUES ('sync.pull', 3, $sched, $sched,
  $sched + 2000000, 'failed', 1, 'tailrun-marker', 'the-last-error')"
run=$(sql "SELECT max(id) FROM runs")
logdir="$XDG_DATA_HOME/manager/logs/sync.pull"
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

console_start 120 40
wait_for "hello.greet" >/dev/null
keys Tab / a t t e m p t " " 3 Enter
wait_selected "attempt 3" >/dev/null
keys Enter
wait_for "Run #$run" >/dev/null
keys G
check "Enter opens the run's page, G shows the end of its log" \
	wait_for "the-end-line" 5
check "... its last lines, read from the end past damage at its start" \
	wait_for "line 199990 of the log" 2
check "... stderr marked" \
	sh -c "tmux -L '$SOCK' capture-pane -p -t c | grep -Eq '! +[0-9:]+ +the-last-error'"
keys Escape q
exit 0
