# sched-bulk-slices.sh - tests/sched/bulk-slices.sh on PostgreSQL
# (MANAGER_TEST_PG): task add --from through a daemon, its rows written
# on the bulk thread's own connection while the interval task fires, a
# task paused meanwhile (row locks, not SQLite's one write lock), the
# engine stopped during the write and during the slices.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
# The client's wait for the bulk's answer: its default 30 s is a bound
# on the machine, not on the engine (an ASan engine on a loaded machine
# took 15 s to commit and 15 s more to answer, and check 1 failed with
# 'did not finish the command within 30.0 s').  The checks wait for
# what they check.
export MANAGER_COMMAND_TIMEOUT=600
. "$top_srcdir/tests/sched/bulk-slices.sh"
