#!/bin/sh
# notify_crash.sh - notifications across a kill -9 of the engine (issue
# 14): a run whose failure is recorded but whose notification was not
# delivered when the engine died is notified at the next start, once; a
# notification that was delivered is not sent again after another kill;
# one cut short by a clean stop is sent at the next start; and one that
# never gets through is given up after a bounded number of engine starts
# (notify_run.c says which kill points lead where).
. "$top_srcdir/tests/engine/lib.sh"

printf 'manager = { shutdown_grace_seconds = 1; log_level = "info"; };\n' >"$CONF"
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
B="$T/bin" NOTES="$T/notes"
mkdir -p "$B"
: >"$NOTES"
# A notifier that takes a while: a line when it starts, one when it is
# through.  (Its environment is the run's: the file is named here.)
cat >"$B/slow" <<SH
#!/bin/sh
echo "start \$MANAGER_TASK_ID \$MANAGER_RUN_ID \$MANAGER_EVENT" >>"$NOTES"
sleep "\$1"
echo "done \$MANAGER_TASK_ID \$MANAGER_RUN_ID \$MANAGER_EVENT" >>"$NOTES"
SH
chmod +x "$B/slow"
lines() { grep -c "^$1 $2 " "$NOTES"; }		# start|done TASK: how many
has_lines() { [ "$(lines "$1" "$2")" -ge "$3" ]; }	# start|done TASK N

start_daemon
ok $? "daemon started"
mgr task add fail 'exec:/bin/false' interval hours=1 --max-retries 0 \
	--on-failure "exec:$B/slow 2" >/dev/null
mgr task run fail >/dev/null 2>&1
wait_until 30 has_lines start fail 1
ok $? "the failure's notification started"
is "$(q "SELECT status FROM runs WHERE task_id = 'fail'")" failed \
	"the run's failure is recorded"
# The kill: the failure is recorded, its notification not delivered.
stop_daemon KILL
sleep 3		# longer than the notifier takes
is "$(lines done fail)" 0 "the notification the kill cut short died with the engine"

start_daemon
wait_until 30 has_lines done fail 1
ok $? "the next start delivers it"
sleep 0.5	# a second delivery, if any, would start now
is "$(lines start fail)" 2 "... once (one start cut short, one delivery)"
is "$(sed -n 's/^done fail \([0-9]*\) failure$/\1/p' "$NOTES")" \
	"$(q "SELECT id FROM runs WHERE task_id = 'fail'")" \
	"... naming the run and the event"
# Delivered and marked: another kill must not send it again.  The mark
# is the row's removal from notify_pending, a batch of the history writer
# after the notifier's exit: a kill before it commits sends it again, as
# notify_run.c says, so the kill waits for it (a fixed 1 s was short for
# a loaded machine under ASan).
delivered() { [ "$(q "SELECT count(*) FROM notify_pending WHERE task_id = '$1'")" = 0 ]; }
wait_until 30 delivered fail
ok $? "... and marked delivered (its notify_pending row gone)"
stop_daemon KILL
start_daemon
sleep 1.5
is "$(lines start fail)" 2 "a delivered notification is not sent again after a kill"

# A clean stop that cuts a notification short (shutdown grace 1 s): it is
# sent at the next start, not reported failed.
mgr task add calm 'exec:/bin/false' interval hours=1 --max-retries 0 \
	--on-failure "exec:$B/slow 3" >/dev/null
mgr task run calm >/dev/null 2>&1
wait_until 30 has_lines start calm 1
stop_daemon TERM
is "$daemon_rc" 0 "a clean stop with a notification under way"
is "$(lines done calm)" 0 "... cuts it short"
start_daemon
wait_until 30 has_lines done calm 1
ok $? "... and the next start delivers it"
is "$(q "SELECT count(*) FROM events WHERE kind = 'notify.failed' AND subject = 'calm'")" \
	0 "... with no notify.failed"

# A notification that never gets through (the engine dies during every
# delivery) is given up after 3 more starts: at most 4 deliveries.
mgr task add hang 'exec:/bin/false' interval hours=1 --max-retries 0 \
	--on-failure "exec:$B/slow 60" >/dev/null
mgr task run hang >/dev/null 2>&1
n=1
while [ $n -le 4 ]; do
	wait_until 30 has_lines start hang $n || break
	stop_daemon KILL
	start_daemon
	n=$((n + 1))
done
is "$n" 5 "each of 3 starts after a kill tried the delivery again"
wait_until 30 sh -c "[ \$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM events WHERE kind = 'notify.failed' AND subject = 'hang'\") -ge 1 ]"
like "$(q "SELECT message FROM events WHERE kind = 'notify.failed' AND subject = 'hang'")" \
	'on_failure of run [0-9]+ .*slow 60.*engine start' \
	"the 4th start gives it up, as a notify.failed event saying why"
sleep 1
is "$(lines start hang)" 4 "... without a 5th delivery"
stop_daemon
is "$daemon_rc" 0 "daemon stopped cleanly"
finish
