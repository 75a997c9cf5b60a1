#!/bin/sh
# Transactions: when the database refuses the change (a trigger raising
# an error stands in for any failure at commit time), install, upgrade
# and uninstall leave files and rows exactly as they were.  (RAISE(ABORT)
# is a constraint failure: exit status 4.)
. "${top_srcdir:-.}/tests/plugins/lib.sh"

DB="$STATE/manager.db"
sql() { sqlite3 "$DB" "$1"; }

check "a first install creates the database" m plugin install "$EX/base"

sql "CREATE TRIGGER refuse_insert BEFORE INSERT ON plugins
     BEGIN SELECT RAISE(ABORT, 'refused by test'); END;"
expect_fail "an install the database refuses fails" 4 "refused by test" \
    m plugin install "$EX/hello"
plugins_dir_is "base " "its files were removed"
is "$(sql "SELECT count(*) FROM plugins WHERE id='hello'"):$(sql "SELECT count(*) FROM events WHERE subject='hello'")" \
    "0:0" \
    "no row, no event"
sql "DROP TRIGGER refuse_insert"

rm -rf "$T/base-2"
cp -r "$EX/base" "$T/base-2"
sed -i 's/^version = .*/version = "2.0.0";/' "$T/base-2/plugin.conf"
sql "CREATE TRIGGER refuse_update BEFORE UPDATE ON plugins
     BEGIN SELECT RAISE(ABORT, 'refused by test'); END;"
expect_fail "an upgrade the database refuses fails" 4 "refused by test" \
    m plugin install "$T/base-2"
is "$(grep '^version' "$PLUGINS/base/plugin.conf")" 'version = "1.0.0";' \
    "the old version's files are back"
is "$(sql "SELECT version FROM plugins WHERE id='base'")" "1.0.0" "the old row is unchanged"
plugins_dir_is "base " "no staging folder left"
sql "DROP TRIGGER refuse_update"

sql "CREATE TRIGGER refuse_delete BEFORE DELETE ON plugins
     BEGIN SELECT RAISE(ABORT, 'refused by test'); END;"
expect_fail "an uninstall the database refuses fails" 4 "refused by test" \
    m plugin uninstall base
[ -f "$PLUGINS/base/base.so" ] && ok 0 "the plugin's files are back" ||
    not_ok "the plugin's files are back" "$(ls -la "$PLUGINS")"
plugins_dir_is "base " "no removal folder left"
is "$(installed_ids)" "base" "the row stays"
sql "DROP TRIGGER refuse_delete"
m plugin install "$EX/hello" > /dev/null 2>&1
sql "CREATE TRIGGER refuse_task BEFORE INSERT ON tasks
     BEGIN SELECT RAISE(ABORT, 'no tasks today'); END;"
expect_fail "an enable whose default task the database refuses fails" 1 \
    "no tasks today" m plugin enable hello
is "$(sql "SELECT enabled, state, error LIKE '%no tasks today%' FROM plugins WHERE id='hello'"):$(sql "SELECT count(*) FROM tasks")" \
    "0|disabled|1:0" \
    "the plugin stays disabled, with the error stored, and no task"
is "$(sql "SELECT count(*) FROM events WHERE kind='plugin.enabled'")" "0" "no plugin.enabled event"
sql "DROP TRIGGER refuse_task"
check "enable works once the database agrees" m plugin enable hello
m plugin uninstall hello > /dev/null 2>&1
check "uninstall works once the database agrees" m plugin uninstall base
plugins_dir_is "" "and removes everything"

done_testing
