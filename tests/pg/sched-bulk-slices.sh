# sched-bulk-slices.sh - tests/sched/bulk-slices.sh on PostgreSQL
# (MANAGER_TEST_PG): task add --from through a daemon, its rows written
# on the bulk thread's own connection while the interval task fires, a
# task paused meanwhile (row locks, not SQLite's one write lock), the
# engine stopped during the write and during the slices.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/sched/bulk-slices.sh"
