#!/bin/sh
# views.sh - what the console shows and how: colours (and NO_COLOR), the
# message history, units and one time format in details, the plugin
# view's dependency tree and functions, columns at 80x24, German text
# aligned in display cells, and the mouse (and console.mouse = false).
. "$top_srcdir/tests/console/lib.sh"

echo "1..28"
console_setup
seed_example || { echo "Bail out! cannot seed the database"; exit 1; }
sql "UPDATE tasks SET timeout=30, misfire_grace_time=1, max_instances=0
  WHERE id='backup.nightly';
UPDATE plugins SET manifest='{\"id\":\"hello\",\"tasks\":[{\"id\":\"hello.greet\",\"func\":\"greet\"}]}'
  WHERE id='hello'"
esc=$(printf '\033')
# line_attr TEXT: the escape codes of the screen line showing TEXT.
line_attr() {
	tmux -L "$SOCK" capture-pane -p -e -t c | grep -F -- "$1" | head -1 | cat -v
}

console_start 120 40
wait_for "hello.greet" >/dev/null
# After the engine's start (it marks runs left running interrupted).
sql "UPDATE tasks SET status='failed', updated_at=updated_at+1 WHERE id='backup.nightly';
INSERT INTO runs (task_id, attempt, started_at, status, output)
  VALUES ('sync.pull', 3, CAST(strftime('%s','now') AS INTEGER) * 1000000,
  'running', 'run-in-progress')"
wait_for "run-in-progress" >/dev/null
wait_for "failed     backup.nightly" >/dev/null
check "a failed task is drawn red" \
	sh -c "printf '%s' '$(line_attr "backup.nightly  Nightly")' | grep -q '31m'"
check "a running run is drawn cyan" \
	sh -c "printf '%s' '$(line_attr "run-in-progress")' | grep -q '36m'"
check "a paused task is dim, not yellow" \
	sh -c "printf '%s' '$(line_attr "report.weekly  ")' | grep -q '\[2m\|;2m' &&
	  ! printf '%s' '$(line_attr "report.weekly  ")' | grep -q '33m'"
check "the header gives the uptime in seconds below a minute" \
	sh -c "tmux -L '$SOCK' capture-pane -p -t c | head -1 | grep -Eq 'up [0-9]+s'"

keys m
check "m opens the message history" \
	wait_for "Messages since the console opened"
check "... each message with its time, the first one first" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c | sed -n 3p |
	  grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2}  \\? shows the keys'"
keys Escape

tmux -L "$SOCK" resize-window -t c -x 80 -y 24
check "at 80 columns the tasks pane keeps LAST (TASK is shortened)" \
	wait_for "LAST      STATUS"
keys : t a s k ' ' p a u s e ' ' n o . s u c h . t a s k . w i t h . a . n a m e . l o n g . e n o u g h . t o . o v e r f l o w . t h e . l i n e . e n d m a r k Enter
check "a message too long for the line says there is more" \
	wait_for "[m: whole message]"
keys : m e s s a g e s Enter
check ":messages shows it whole" wait_for "overflow.the.line.endmark"
keys Escape
tmux -L "$SOCK" resize-window -t c -x 120 -y 40

keys / n i g h t Enter Enter
wait_for "Task backup.nightly" >/dev/null
sql "UPDATE tasks SET status='succeeded', updated_at=updated_at+1 WHERE id='backup.nightly'"
check "details give the timeout with its unit" wait_for "timeout          30 s"
check "... the misfire grace too" wait_for "misfire_grace    1 s"
check "... and say \"no limit\" for max_instances 0" \
	wait_for "max_instances    no limit"
check "details give times as the CLI does (English weekday, date, time)" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c |
	  grep -Eq 'last run +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:'"
check "fire times in the same format" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c |
	  grep -Eq ' 1\. (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{4}-'"
keys Escape Escape

keys h g j j Enter
wait_for "Plugin hello" >/dev/null
check "a plugin's dependencies are names with what is installed" \
	wait_for "base >= 1.0 (1.0.0, "
check "... not raw JSON" sh -c "! tmux -L '$SOCK' capture-pane -p -t c | grep -q '\"base'"
check "the plugin view lists the functions its tasks call" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c |
	  grep -A1 'Functions (its manifest' | grep -q '  hello:greet'"
keys Escape

# The mouse: rows of the tasks pane start on screen row 3 (from 0).
keys l g
wait_selected "sync.pull" >/dev/null
click 60 5
check "a click selects the row under the pointer" wait_selected "hello.greet"
click 10 4
check "a click in another pane focuses it and selects there" \
	wait_selected "broken"
click 60 3 double
check "a double-click opens the row" wait_for "Task sync.pull"
wheel down 30 10
check "the wheel scrolls a page" line_has 2 '4/'
keys Escape
keys q
wait_for "[d]aemon" >/dev/null
keys q
wait_for "exited with status 0" 15 >/dev/null
tmux -L "$SOCK" kill-server
SOCK="$SOCK-nc"

NO_COLOR=1 console_start 120 40 "NO_COLOR=1"
# The tasks pane's row: "hello.greet" alone can be the runs pane's.
wait_for "hello.greet  Greet" >/dev/null
check "with NO_COLOR set, no colour at all" \
	sh -c "! tmux -L '$SOCK' capture-pane -p -e -t c | grep -q '3[1-7]m'"
check "... a disabled task is still set apart (dim)" \
	sh -c "printf '%s' '$(line_attr "hello.greet  Greet")' | grep -q '2m'"
tmux -L "$SOCK" kill-server
SOCK="$SOCK-nomouse"

printf 'console:\n{\n  mouse = false;\n};\n' > "$T/manager.conf"
console_start 120 40
wait_for "hello.greet" >/dev/null
keys g
wait_selected "sync.pull" >/dev/null
click 60 5
# A key after the click, and its answer drawn: the click was read first.
keys m
wait_for "Messages since the console opened" >/dev/null
keys Escape
check "with console.mouse = false a click selects nothing" \
	wait_selected "sync.pull"
tmux -L "$SOCK" kill-server
SOCK="$SOCK-de"
: > "$T/manager.conf"

if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	for n in 1 2 3 4; do skip "German at 80x24" "de_DE.UTF-8 not generated"; done
	exit 0
fi
sql "INSERT INTO tasks (id, name, func_path, trigger, trigger_args, enabled,
  last_run, next_run, status, source, created_at, updated_at)
  SELECT 'prüfung.täglich', 'Größe prüfen', 'exec:/bin/true', 'cron',
  '{\"month\":\"12\",\"day\":\"31\"}', 1, t - 60000000, t + 2 * 86400000000,
  'succeeded', 'cli', t, t FROM (SELECT CAST(strftime('%s','now') AS INTEGER)
  * 1000000 AS t)"
console_start 80 24 "LC_ALL=de_DE.UTF-8"
wait_for "prüfung.täglich" >/dev/null
check "German at 80x24: every pane row ends on column 80" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c | grep '│\$' |
	  while IFS= read -r l; do printf '%s\n' \"\$l\" | LC_ALL=C.UTF-8 wc -L; done |
	  sort -u | tr '\n' ' ' | grep -qx '80 '"
check "weekdays stay English under de_DE (as in the CLI)" \
	retry 15 sh -c "tmux -L '$SOCK' capture-pane -p -t c |
	  grep -Eq '(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{2}:[0-9]{2}' &&
	  ! tmux -L '$SOCK' capture-pane -p -t c | grep -Eq '(Mo|Di|Mi|Do|Fr|Sa|So)\.? [0-9]{2}:[0-9]{2}'"
keys / p r ü f Enter Enter
# The details' label: the task's name shows in the pane before the keys.
wait_for "nächster Lauf" >/dev/null
# The value column: where "Funktion"'s and "nächster Lauf"'s values start.
col() {
	tmux -L "$SOCK" capture-pane -p -t c | grep -F -- "$1" | head -1 |
	    sed "s/$2.*//" | LC_ALL=C.UTF-8 wc -L
}
lined_up() {
	a=$(col "Funktion" "exec:")
	[ "$a" -gt 0 ] && [ "$a" = "$(col "nächster Lauf" "[MTWFS][a-z][a-z] 20")" ]
}
check "German details: the values line up after an umlaut label" retry 15 lined_up
check "... the label is the German one" wait_for "nächster Lauf"
exit 0
