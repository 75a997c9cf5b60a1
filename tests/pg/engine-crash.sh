# engine-crash.sh - tests/engine/crash.sh on PostgreSQL (MANAGER_TEST_PG):
# kill -9 of a daemon while tasks fire every second; no fire time
# recorded twice, none left running.  50 tasks, not 200: the backend's
# statements are synchronous on the loop (doc/ARCHITECTURE.md), and 200
# took 6.7 min on the shared 2-core machine (CRASH_TASKS=200 for more).
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
CRASH_TASKS=${CRASH_TASKS:-50}
. "$top_srcdir/tests/engine/crash.sh"
