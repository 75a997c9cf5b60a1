#!/bin/sh
# engine-hosts.sh - tests/engine/hosts.sh on PostgreSQL (MANAGER_TEST_PG):
# the epoch bumped behind the daemon's back with psql.
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_skip
MANAGER_TEST_SUITE_PG=1
. "$top_srcdir/tests/engine/hosts.sh"
