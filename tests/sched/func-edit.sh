#!/bin/sh
# func-edit.sh - a running engine runs a task's func_path as last edited:
# changed to a longer command, then back to the one it was added with
# (the scheduler keeps a task's text in the task's own allocation as
# added, a changed func_path apart: sched_task.c).
. "$top_srcdir/tests/sched/common.sh"
plan 4

trap 'kill -KILL $daemon 2>/dev/null; cleanup_tmp' EXIT
"$MANAGER" --config "$T/etc/m.conf" --db "$DB" --daemon 2>>"$T/daemon.log" &
daemon=$!
wait_until 30 M host status
# has LINE: the task's output file has that line.
has() { grep -qx "$1" "$T/out" 2>/dev/null; }

M task add f "exec:/bin/sh -c 'echo one >> $T/out'" interval seconds=1 >/dev/null
wait_until 20 has one
ok $? "the task runs the command it was added with"
M task edit f --func "exec:/bin/sh -c 'echo two-a-longer-command >> $T/out'" >/dev/null
wait_until 20 has two-a-longer-command
ok $? "... then the longer one it was changed to"
: >"$T/out"
M task edit f --func "exec:/bin/sh -c 'echo one >> $T/out'" >/dev/null
wait_until 20 has one
ok $? "... then the first again once changed back"
kill $daemon
wait $daemon
is "$?" 0 "the daemon exits 0"
