# engine-notify-crash.sh - tests/engine/notify_crash.sh on PostgreSQL
# (MANAGER_TEST_PG): notifications owed across a kill -9, at most 4 copies.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/notify_crash.sh"
