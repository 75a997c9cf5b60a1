#!/bin/sh
# plugin-show.sh - `plugin show` typed at the console's prompt while it
# hosts the engine and the engine's list of the plugin's functions is
# still being made (the library of "slow" takes 2 s to load): the
# command runs as a child process, as on a shell (ui/job.c), which hands
# it to the engine, which answers it once the list is made; before, it
# ran in the console and said "ask again in a moment".
. "$top_srcdir/tests/console/lib.sh"

echo "1..4"
console_setup
sh "$top_srcdir/tests/lib/slow-plugin.sh" "$top_srcdir" "$top_builddir" \
    "$T/slow" 2>"$T/err" &&
	m plugin install --no-enable "$T/slow" >/dev/null 2>>"$T/err" ||
	{ echo "Bail out! cannot install slow: $(cat "$T/err")"; exit 1; }

console_start 120 40
wait_for "host: this console" >/dev/null
# At once: the engine began listing slow's functions as it started.
keys : p l u g i n ' ' s h o w ' ' s l o w Enter
check "plugin show while the list is being made: its functions once made" \
	wait_for "greet" 15
check "... in the command's output page" wait_for "plugin show slow: done" 15
check "... never \"ask again\"" sh -c "! tmux -L '$SOCK' capture-pane -p -t c | grep -q 'ask again'"

# slow has no task, so nothing is scheduled and q asks nothing (this
# waited 15 s for a question that never came, and on a loaded machine
# its polls outlasted the pane).
keys Escape q
check "quitting stops the engine and exits 0" wait_for "exited with status 0" 10
exit 0
