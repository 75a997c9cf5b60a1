#!/bin/sh
# plugins.sh - the plugins pane's keys on a real plugin: R reloads it,
# s snapshots it, S lists its snapshots to restore one (j/k, Enter, y/n,
# Esc); each checked in the database and in the status line.
. "$top_srcdir/tests/console/lib.sh"

echo "1..25"
console_setup
m plugin install "$top_builddir/data/plugins/hello" >/dev/null 2>"$T/err" &&
	m plugin enable hello >/dev/null 2>>"$T/err" ||
	{ echo "Bail out! cannot install hello: $(cat "$T/err")"; exit 1; }

console_start 120 40
wait_for "host: this console" >/dev/null
keys h
check "the plugins pane's footer shows R, s and S" \
	wait_for "R reload  s snapshot  S restore"
check "... with ? help and q quit kept at the end" wait_for " ? help  q quit"
tmux -L "$SOCK" resize-window -t c -x 80 -y 24
check "at 80 columns the keys before them are cut, ? and q stay" \
	wait_for ' ? help  q quit'
tmux -L "$SOCK" resize-window -t c -x 120 -y 40
keys '?'
check "? lists the restore key" wait_for "restore a snapshot (pick from a list)"
keys Escape

keys S
check "S without snapshots says how to take one" \
	wait_for "plugin hello has no snapshots: s takes one"

keys R
check "R reloads the plugin" \
	wait_sql "SELECT count(*) FROM events WHERE kind='plugin.reloaded' AND subject='hello'" 1
check "... and says so in the status line" \
	wait_for "plugin reload hello: reloaded hello"

keys s
check "s takes a snapshot" \
	wait_sql "SELECT count(*) FROM snapshots WHERE plugin_id='hello'" 1
check "... and says so in the status line" \
	wait_for "snapshot create hello: created snapshot 1 of hello"
sql "INSERT INTO plugin_state (plugin_id, key, value) VALUES ('hello', 'marker', 'after-1')"
keys s
check "a second s takes a second snapshot" \
	wait_sql "SELECT count(*) FROM snapshots WHERE plugin_id='hello'" 2

keys S
check "S lists the plugin's snapshots" wait_for "Restore hello: pick a snapshot"
check "... newest first, with version and reason" \
	wait_for "#2     1.2.0        "
check "the footer shows the picker's keys" wait_for "Enter restore (asks first)"
keys Escape
check "Esc cancels the picker" wait_for "cancelled"
check "... back to the panes" wait_for "Runs / events"

keys Enter S
check "S in the plugin's details opens the picker too" \
	wait_for "Restore hello: pick a snapshot"
keys Escape
keys l R
check "R outside the plugins pane is refused, saying why" \
	wait_for "R: reload the plugin (swap in its files) is not available here"
keys h
check "back in the plugins pane" wait_for "R reload  s snapshot  S restore"

keys S j Enter
check "Enter on the second row asks about snapshot #1" \
	wait_for "Restore hello to snapshot #1 (version 1.2.0"
keys n
check "n cancels the restore" wait_for "cancelled"
check "... nothing was restored" \
	test "$(sql "SELECT count(*) FROM events WHERE kind='snapshot.restored'")" = 0

keys S j Enter y
check "y restores snapshot 1" \
	wait_sql "SELECT count(*) FROM events WHERE kind='snapshot.restored' AND message LIKE '%from snapshot 1 %'" 1
check "... the state is the snapshot's (the later key is gone)" \
	wait_sql "SELECT count(*) FROM plugin_state WHERE plugin_id='hello' AND key='marker'" 0
check "... and the status line says so" \
	wait_for "snapshot restore 1: restored snapshot 1 of hello"

keys q
wait_for "[d]aemon / [q]uit / [c]ancel" >/dev/null
keys q
check "q quits with status 0 (sanitizer builds: nothing leaked)" \
	wait_for "exited with status 0" 10
exit 0
