#!/bin/sh
# Read-only commands create nothing: `host status` and `db check` on a
# database that does not exist say so, exit 3 and leave no file or folder
# behind (no data folder, no database, no lock).
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
export XDG_STATE_HOME="$T/state" XDG_CACHE_HOME="$T/cache"

# created: what exists under $T besides what setup_tmp made.
created() {
	find "$T" -mindepth 1 | grep -v -e "^$T/home\$" -e "^$T/empty.conf\$"
}

DB="$T/data/manager/manager.db"
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

run "$MANAGER" --db "$T/other/x.db" db check
is "$rc" 3 "db check --db on a missing file exits 3"
test ! -e "$T/other"
ok $? "... and does not create its folder"

# Once there is a database, both read it.
run "$MANAGER" task list
run "$MANAGER" db check
is "$rc" 0 "db check on an existing database exits 0"
like "$out" "integrity: +ok" "... and reports its integrity"
run "$MANAGER" host status
is "$rc" 3 "host status on an existing database without a host exits 3"

echo "1..$_tap_n"
done_testing
