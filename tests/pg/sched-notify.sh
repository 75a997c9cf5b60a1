# sched-notify.sh - tests/sched/notify.sh on PostgreSQL (MANAGER_TEST_PG):
# notifications of a final outcome (exec:, mail:, webhook:), once per
# final failure with one retry; on_success, on_recovery, on_missed.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/sched/notify.sh"
