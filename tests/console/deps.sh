#!/bin/sh
# deps.sh - the console's task details show the tasks a task runs after
# and before, its concurrency group and its notifications (issue 14).
. "$top_srcdir/tests/console/lib.sh"

echo "1..4"
console_setup
m task add up "exec:/bin/true" interval hours=1 >/dev/null &&
m task add down "exec:/bin/true" interval hours=1 --after up \
	--concurrency-group pool --on-failure "exec:/bin/true" >/dev/null ||
	{ echo "Bail out! cannot add the tasks"; exit 1; }
console_start 120 50
wait_for "down" >/dev/null
keys / d o w n Enter Enter
wait_for "Task down" >/dev/null
check "a task's details show the tasks it runs after" \
	wait_for "runs after       up"
check "... its concurrency group" wait_for "group            pool"
check "... and its notifications" wait_for "on_failure       exec:/bin/true"
keys Escape / BSpace BSpace BSpace BSpace u p Enter Enter
wait_for "Task up" >/dev/null
check "the upstream's details show the tasks that run after it" \
	wait_for "runs before      down"
