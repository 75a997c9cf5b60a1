# engine-runid.sh - tests/engine/runid.sh on PostgreSQL (MANAGER_TEST_PG):
# the engine's run ids are MANAGER_RUN_ID and the history's, across a
# kill -9.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/runid.sh"
