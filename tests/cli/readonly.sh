#!/bin/sh
# Read-only commands create nothing: `host status` and `db check` on a
# database that does not exist say so, exit 3 and leave no file or folder
# behind (no data folder, no database, no lock); `task list` lists no
# task, help is printed; a change to a task, plugin, run or snapshot
# that does not exist, and an import's dry run, read a missing database
# as an empty one; and on an existing database none of them adds a file
# or a folder (`find` before and after).
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

# created: what exists under $T besides what setup_tmp made.
created() {
	find "$T" -mindepth 1 | grep -v -e "^$T/home\$" -e "^$T/empty.conf\$" \
	    -e "^$T/home/crontab\$"
}

# clean: back to nothing, so that one command's leftovers do not fail
# the next one's check.
clean() {
	rm -rf "$T/data" "$T/state" "$T/cache" "$T/config"
}

DB="$T/data/manager/manager.db"
for cmd in "--help" "help" "task list --help" "help host status" \
    "db check --help"; do
	# shellcheck disable=SC2086
	run "$MANAGER" $cmd
	is "$rc $(created)" "0 " "manager $cmd exits 0 and creates nothing"
done

run "$MANAGER" host status
is "$rc" 3 "host status without a database exits 3"
like "$out" "none running on $DB" "... and says no host runs on it"
is "$(created)" "" "... and creates nothing"

run "$MANAGER" db check
is "$rc" 3 "db check without a database exits 3"
like "$err" "database $DB does not exist" "... and says the database does not exist"
is "$(created)" "" "... and creates nothing"

run "$MANAGER" --json db check
is "$rc" 3 "db check --json without a database exits 3"
like "$err" "\"error\": *\"database $DB does not exist\"" "... with a JSON error"
is "$(created)" "" "... and creates nothing"

run "$MANAGER" task list
is "$rc" 0 "task list without a database exits 0"
like "$out" "0 tasks listed" "... and lists no task"
is "$(created)" "" "... and creates nothing"

run "$MANAGER" --json task list
is "$out" "[]" "task list --json without a database is an empty list"
is "$(created)" "" "... and creates nothing"

# Each line of stdin, WANT|PATTERN|COMMAND, run without a database: exit
# WANT, PATTERN said, nothing created.
check_each() {
	while IFS='|' read -r want pattern cmd; do
		# shellcheck disable=SC2086
		run "$MANAGER" $cmd
		is "$rc" "$want" "$cmd without a database exits $want"
		like "$out$err" "$pattern" "... and says: $pattern"
		is "$(created)" "" "... and creates nothing"
		clean
	done
}

# Every other read-only command reads a missing database as an empty
# one: an empty list, or "no such task/run/plugin" (exit 3).
check_each <<'LIST'
3|no task "t1"|task show t1
3|no task "t1"|task logs t1
3|no task "t1"|task deps t1
3|no run 1|run show 1
3|no run 1|run wait 1
0|^RUN +STARTED|task history
0|^RUN +STARTED|task history t1
0|0 of 0 tasks|task export crontab
0|no plugins installed|plugin list
0|^\[\]$|--json plugin list
3|plugin "p1" is not installed|plugin show p1
1|/nonexistent: No such file or directory|plugin validate /nonexistent
0|up to date|plugin outdated
0|no snapshots|snapshot list
0|^\[\]$|--json snapshot list
LIST

# A change to something that must exist already (a task, a plugin, a
# run, a snapshot) finds nothing when there is no database: it says so,
# with the exit status it has on an empty database, and creates nothing
# (no data folder, database or lock), where it used to make them all on
# its way to a host.
check_each <<'LIST'
3|no task "nosuch"|task remove nosuch
3|no task "nosuch"|task pause nosuch
3|no task "nosuch"|task resume nosuch
3|no task "nosuch"|task edit nosuch --max-retries 2
3|no task "nosuch"|task run nosuch
3|no task "nosuch"|task stop nosuch
3|"code": *"not found"|--json task pause nosuch
3|plugin "nosuch" is not installed|plugin enable nosuch
3|plugin "nosuch" is not installed|plugin disable nosuch
3|plugin "nosuch" is not installed|plugin uninstall nosuch
3|plugin "nosuch" is not installed|plugin reload nosuch
3|plugin "nosuch" is not installed|plugin upgrade nosuch
0|nothing to upgrade|plugin upgrade --all
3|plugin "nosuch" is not installed|snapshot create nosuch
3|no snapshot 1|snapshot restore 1
3|no snapshot 1|snapshot delete 1
LIST

# A dry run of an import reads a missing database as an empty one: every
# task would be created, and nothing is (not even the database).
CRON="$T/home/crontab"
printf '0 2 * * * /bin/true\n' >"$CRON"
run "$MANAGER" task import crontab "$CRON" --dry-run
is "$rc" 0 "task import --dry-run without a database exits 0"
like "$out" "1 task, 0 lines not imported \(dry run: nothing written\)" \
    "... and shows the task it would create"
is "$(created)" "" "... and creates nothing"
run "$MANAGER" --json task import crontab "$CRON" --dry-run
like "$out" '"func_path": *"exec:/bin/sh -c /bin/true"' "... with --json, the task as JSON"
is "$(created)" "" "... and creates nothing"

# Commands that create still do: the import itself makes the database.
run "$MANAGER" task import crontab "$CRON"
is "$rc" 0 "task import without --dry-run exits 0"
test -f "$DB"
ok $? "... and creates the database"
clean

# A usage error is found before anything is opened: no database, no
# lock, not even for a command that goes through the host.
for cmd in "task add" "task add t1 exec:true interval --bogus" \
    "task pause" "--json task remove" "plugin enable" "task import" \
    "task import --dry-run /dev/null" "task export bogus"; do
	# shellcheck disable=SC2086
	run "$MANAGER" $cmd
	is "$rc $(created)" "2 " "manager $cmd: a usage error (exit 2) that creates nothing"
	clean
done
like "$(cd "$T" && "$MANAGER" --json task remove 2>&1)" '"code": *"usage"' \
    "... a usage error with --json is a JSON error"

run "$MANAGER" --db "$T/other/x.db" db check
is "$rc" 3 "db check --db on a missing file exits 3"
test ! -e "$T/other"
ok $? "... and does not create its folder"

# Once there is a database, they read it and add nothing to what exists.
"$MANAGER" task add t1 "exec:true" interval seconds=3600 >/dev/null
ok $? "a task is added (the database is made)"
before=$(find "$T" | sort)
run "$MANAGER" task list
is "$rc" 0 "task list exits 0"
like "$out" "t1" "... and lists the task"
run "$MANAGER" db check
is "$rc" 0 "db check on an existing database exits 0"
like "$out" "integrity: +ok" "... and reports its integrity"
run "$MANAGER" host status
is "$rc" 3 "host status on an existing database without a host exits 3"
run "$MANAGER" --help
run "$MANAGER" task list --json
is "$(find "$T" | sort)" "$before" "... and none of them added a file or a folder"

echo "1..$_tap_n"
done_testing
