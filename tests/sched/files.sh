#!/bin/sh
# files.sh - task files loaded by difference: thousands of tasks, each
# looked up once (sched_files.c), unchanged rows not written again, ids
# defined twice or taken by another file refused with the file named.
. "$top_srcdir/tests/sched/common.sh"
plan 17
mkdir -p "$T/tasks"

# gen FROM TO [MINUTE_OF_500]: tasks tFROM..tTO, one per line.
gen() {
	awk -v a="$1" -v b="$2" -v m="${3:-5}" 'BEGIN {
		print "tasks = ("
		for (i = a; i <= b; i++)
			printf "  { id = \"t%05d\"; func = \"exec:true\"; trigger = \"cron\"; minute = %d; }%s\n",
			    i, i == 500 ? m : 5, i < b ? "," : ""
		print ");"
	}'
}
nfile() { sql "SELECT count(*) FROM tasks WHERE source = 'file:$T/tasks/$1'"; }
updated() { sql "SELECT updated_at FROM tasks WHERE id = '$1'"; }

gen 0 2999 > "$T/tasks/a.conf"
run M host reload
is "$rc" 0 "3,000 tasks load"
is "$(nfile a.conf)" 3000 "every task of the file is there"
before=$(updated t02000)
# Every row written from here on is noted (a trigger of the test's own).
sql "CREATE TABLE written (id TEXT);
     CREATE TRIGGER note AFTER UPDATE ON tasks BEGIN
       INSERT INTO written VALUES (new.id); END;"
sleep 0.01

# The difference: 100 gone, 100 new, one changed.
gen 100 3099 7 > "$T/tasks/a.conf"
run M host reload
is "$rc" 0 "the changed file loads"
is "$(nfile a.conf)" 3000 "still 3,000 tasks"
is "$(sql "SELECT count(*) FROM tasks WHERE id IN ('t00000', 't00099')")" 0 \
	"tasks that left the file are removed"
is "$(sql "SELECT count(*) FROM tasks WHERE id IN ('t03000', 't03099')")" 2 \
	"tasks new in the file are added"
like "$(sql "SELECT trigger_args FROM tasks WHERE id = 't00500'")" '"minute": ?"?7' \
	"a changed task is updated"
is "$(updated t02000)" "$before" "an unchanged task is not written again"
is "$(sql "SELECT group_concat(DISTINCT id) FROM written")" t00500 \
	"the changed task is the only row written"

# A context given to one task is written to it alone.
sed 's/{ id = "t02001"; func = "exec:true";/{ id = "t02001"; func = "exec:true"; env = "A=1";/' \
	"$T/tasks/a.conf" > "$T/a.tmp" && mv "$T/a.tmp" "$T/tasks/a.conf"
M host reload >/dev/null
like "$(sql "SELECT context FROM tasks WHERE id = 't02001'")" 'A=1' \
	"a task's new context is written"
is "$(sql "SELECT group_concat(DISTINCT id) FROM written WHERE id <> 't00500'")" \
	t02001 "... and no other row"

# An id twice in one file, far apart: refused, the file's tasks kept.
{ gen 100 3099 7 | sed '$d' | sed '$s/$/,/'
  echo '  { id = "t00100"; func = "exec:true"; trigger = "cron"; minute = 1; }'
  echo ');'; } > "$T/tasks/a.conf"
run M host reload
like "$err" 'a.conf: task "t00100" is defined twice' "an id defined twice is named"
is "$(nfile a.conf)" 3000 "... and the file's tasks stay as they were"
gen 100 3099 7 > "$T/tasks/a.conf"

# Two new files of one loading define the same new id: the first (in
# name order) takes it, the second is refused with the line.
printf 'tasks = ( { id = "both"; func = "exec:true"; trigger = "cron"; minute = 1; } );\n' \
	> "$T/tasks/m.conf"
printf 'tasks = (\n  { id = "z1"; func = "exec:true"; trigger = "cron"; minute = 1; },\n  { id = "both"; func = "exec:true"; trigger = "cron"; minute = 2; }\n);\n' \
	> "$T/tasks/z.conf"
run M host reload
like "$err" 'z.conf:3: task "both" already exists \(source file:.*/m.conf\)' \
	"an id another file took in the same loading is refused, naming both"
is "$(sql "SELECT source FROM tasks WHERE id = 'both'")" "file:$T/tasks/m.conf" \
	"... the first file keeps it"
is "$(sql "SELECT count(*) FROM tasks WHERE id = 'z1'")" 0 \
	"... and the refused file adds nothing"

rm "$T/tasks/a.conf"
M host reload >/dev/null
is "$(nfile a.conf)" 0 "a file that went takes its 3,000 tasks with it"
