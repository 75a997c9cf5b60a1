#!/bin/sh
# exec-child.sh - what the command of a scheduled exec: run gets at its
# start, through the daemon's spawning thread, manager-exec (linked
# statically where it can be) and the child it starts with vfork:
# descriptors 0-2 only (none of the engine's, nor the helper's usage
# pipe and run log socket), the configuration's limits, no_new_privs,
# its own process group, the environment the engine built and not the
# daemon's; a command that cannot be started fails with 127 and says
# why in its run; the run's recorded start (just before the spawn)
# lies between its fire time and its end; the command runs at the
# engine's nice (its shell's, 3), while the spawning threads run above it where
# the engine may raise a thread's priority (spawner.c).
. "$top_srcdir/tests/engine/lib.sh"

printf 'manager = { shutdown_grace_seconds = 2; sandbox_open_files = 40; sandbox_memory_mb = 512; };\n' >"$CONF"
# The daemon at nice 3 (from this shell): its commands' nice is its own,
# not its threads'.  May this test raise a priority (root,
# CAP_SYS_NICE)?  Then so may the daemon's spawning threads.
renice -n 3 -p $$ >/dev/null
mynice=$(cut -d' ' -f19 /proc/$$/stat)
boost=$(nice -n -2 cut -d' ' -f19 /proc/self/stat 2>/dev/null)
export MGR_EXEC_CHILD_LEAK=daemon-only
start_daemon
ok $? "daemon started"
unset MGR_EXEC_CHILD_LEAK
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
# first ID STATUS: the output of task ID's first run with that status
first() {
	q "SELECT output FROM runs WHERE task_id='$1' AND status='$2' ORDER BY id LIMIT 1"
}
has_run() {	# ID STATUS
	[ "$(q "SELECT count(*) FROM runs WHERE task_id='$1' AND status='$2'")" -ge 1 ]
}

mgr task add fds 'exec:ls /proc/self/fd' interval seconds=1 >/dev/null
mgr task add lim "exec:sh -c 'ulimit -n; ulimit -v; grep NoNewPrivs /proc/self/status'" \
	interval seconds=1 >/dev/null
mgr task add grp "exec:sh -c 'cut -d\" \" -f4,5 /proc/\$\$/stat'" interval seconds=1 >/dev/null
mgr task add envs "exec:sh -c 'env | sort'" interval seconds=1 --env ONE=1 >/dev/null
mgr task add clock "exec:true" interval seconds=1 >/dev/null
mgr task add nice "exec:sh -c 'cut -d\" \" -f19 /proc/\$\$/stat'" interval seconds=1 >/dev/null
printf '#!/bin/sh\necho never\n' >"$T/vanish"
chmod +x "$T/vanish"
mgr task add gone "exec:$T/vanish" interval seconds=1 --max-retries 0 >/dev/null
rm "$T/vanish"

for id in fds lim grp envs clock nice; do
	wait_until 30 has_run "$id" succeeded
done
wait_until 30 has_run gone failed

# ls's own listing of its folder is descriptor 3.
is "$(first fds succeeded | tr '\n' ' ' | sed 's/ *$//')" "0 1 2 3" \
	"a scheduled run's command has descriptors 0-2 only (3: ls's own)"
is "$(first lim succeeded | tr '\n' ' ' | tr -s ' \t' '  ')" "40 524288 NoNewPrivs: 1 " \
	"... the configuration's limits and no_new_privs"
set -- $(first grp succeeded)
dgrp=$(cut -d' ' -f5 /proc/"$DAEMON_PID"/stat)
ok $([ -n "${1:-}" ] && [ "$1" = "${2:-}" ] && [ "$2" != "$dgrp" ] && echo 0 || echo 1) \
	"... a process group of its own, led by its helper (parent ${1:-?}, group ${2:-?}, the daemon's $dgrp)"
out=$(first envs succeeded)
like "$out" "^ONE=1$" "... the task's environment"
like "$out" "^MANAGER_TASK_ID=envs$" "... and the engine's variables of the run"
unlike "$out" "MGR_EXEC_CHILD_LEAK" "... and none of the daemon's own"
out=$(q "SELECT exit_code || ':' || output FROM runs WHERE task_id='gone' AND status='failed' ORDER BY id LIMIT 1")
is "$out" "127:manager-exec: cannot run $T/vanish: No such file or directory" \
	"a command that cannot be started fails with 127, its run saying why and nothing else"
row=$(q "SELECT scheduled_at || ' ' || started_at || ' ' || ended_at FROM runs WHERE task_id='clock' AND status='succeeded' ORDER BY id LIMIT 1")
set -- $row
ok $([ "$2" -ge "$1" ] && [ "$2" -le "$3" ] && echo 0 || echo 1) \
	"the recorded start lies between the fire time and the run's end ($row)"

dnice=$(cut -d' ' -f19 /proc/"$DAEMON_PID"/stat)
is "$dnice" "$mynice" "the daemon runs at its shell's nice"
is "$(first nice succeeded)" "$dnice" "... and so does a scheduled run's command"
tnice=
for t in /proc/"$DAEMON_PID"/task/*; do
	[ "$(cat "$t/comm")" = mgr-spawn ] && tnice="$tnice$(cut -d' ' -f19 "$t/stat") "
done
if [ "${boost:-$mynice}" -lt "$mynice" ]; then
	b=$((mynice - 20 < -20 ? -20 : mynice - 20))
	is "$tnice" "$b $b " "... while the spawning threads run 20 steps above it ($b)"
else
	is "$tnice" "$mynice $mynice " "... as do the spawning threads (no right to raise a priority here)"
fi

stop_daemon
is "$daemon_rc" 0 "daemon stopped"
finish
