# engine-crash-ended.sh - tests/engine/crash-ended.sh on PostgreSQL
# (MANAGER_TEST_PG).
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/crash-ended.sh"
