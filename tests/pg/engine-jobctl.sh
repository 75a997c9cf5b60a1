# engine-jobctl.sh - tests/engine/jobctl.sh on PostgreSQL
# (MANAGER_TEST_PG): stopping runs, run ids, the execution context, the
# sandbox fields of the API, a 45 s run through the daemon.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/jobctl.sh"
