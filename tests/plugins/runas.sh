#!/bin/bash
# runas.sh - a task with user= (and/or group=) whose function is
# PLUGIN:FUNCTION runs in a sandbox worker of that user and group, one
# pool of workers per plugin and user/group (never the workers that
# serve the engine's user): evil:ids prints the uid, gid and groups the
# function sees.  Run by hand and by the scheduler of a daemon.  Needs
# root and useradd (skipped otherwise, saying so); without root, a task
# naming another user is refused when it is added.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

DB="$STATE/manager.db"
DAEMON=
U=
trap '[ -n "$DAEMON" ] && kill $DAEMON 2>/dev/null; wait; [ -n "$U" ] && { userdel "$U"; groupdel "${U}x"; } 2>/dev/null; cleanup_tmp' EXIT
write_conf 'shutdown_grace_seconds = 1;'
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
sorted() { tr ', ' '\n\n' | grep . | sort -n | tr '\n' ' '; }

check "install evil" m plugin install "$EX/evil"
check "enable evil" m plugin enable evil

if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null; then
	for i in 1 2 3 4 5 6 7 8 9 10; do
		skip "running as another user needs root and useradd (runs as $(id -un))"
	done
	run_status m task add other 'evil:ids' cron year=2099 hour=3 --user root
	is "$status" 1 "not root: a task naming another user is refused"
	like "$(cat "$T/err")" 'does not run as root' "... saying why"
	done_testing
	exit
fi

U=mgrrun$$
groupadd --system "${U}x"
useradd --system --no-create-home --shell /usr/sbin/nologin -G "${U}x" "$U"
UID_U=$(id -u "$U") GID_U=$(id -g "$U") GID_X=$(getent group "${U}x" | cut -d: -f3)
echo "# user $U: uid $UID_U gid $GID_U, groups $(id -G "$U")"
# The user reads the plugin's installed library (a private test folder).
chmod 755 "$T" "$STATE"
chmod -R a+rX "$PLUGINS"

# ids TASK: the uid, gid and groups its last run printed.
ids() { q "SELECT output FROM runs WHERE task_id = '$1' ORDER BY id DESC LIMIT 1"; }
groups_of() { ids "$1" | sed 's/.*groups //' | sorted; }

m task add asroot 'evil:ids' cron year=2099 hour=3 >/dev/null
m task add asuser 'evil:ids' cron year=2099 hour=3 --user "$U" >/dev/null
m task add asgroup 'evil:ids' cron year=2099 hour=3 --user "$U" --group "${U}x" >/dev/null
m task add grouponly 'evil:ids' cron year=2099 hour=3 --group "${U}x" >/dev/null

# By hand (this process hosts the engine for the run).
m task run asuser >/dev/null 2>&1
like "$(ids asuser)" "^uid $UID_U gid $GID_U groups " "user=: the function runs as that user and its group"
is "$(groups_of asuser)" "$(id -G "$U" | sorted)" "user=: ... with its groups (initgroups)"
m task run asgroup >/dev/null 2>&1
like "$(ids asgroup)" "^uid $UID_U gid $GID_X groups " "user= group=: that user, in that group"
m task run grouponly >/dev/null 2>&1
is "$(ids grouponly)" "uid 0 gid $GID_X groups " "group= alone: that group, no supplementary groups"
m task run asroot >/dev/null 2>&1
like "$(ids asroot)" "^uid 0 gid 0 " "a task without user= runs as the engine's user"

# Through a daemon: the scheduler's runs, the root worker and the
# user's worker side by side.
"$MANAGER" --config "$CONF" --daemon >"$T/daemon.out" 2>>"$T/daemon.log" &
DAEMON=$!
up() { m host status >/dev/null 2>&1; }
wait_until 30 up
m task add sched 'evil:ids' interval seconds=1 --user "$U" >/dev/null
fired() { [ "$(q "SELECT count(*) FROM runs WHERE task_id = 'sched' AND status = 'succeeded'")" -ge 1 ]; }
wait_until 30 fired
ok $? "the scheduler runs the task as well"
like "$(ids sched)" "^uid $UID_U gid $GID_U groups " "a scheduled run runs as that user too"
m task run asroot >/dev/null 2>&1
like "$(ids asroot)" "^uid 0 gid 0 " "... while a root task of the same plugin runs as root"
workers=$(pgrep -af "manager-run .*worker .*--id evil")
like "$workers" "--user $U" "one worker pool of evil runs as $U"
like "$(printf '%s\n' "$workers" | grep -v -- "--user")" "--id evil" "... another, the engine's user's"
m task pause sched >/dev/null 2>&1
kill $DAEMON
wait $DAEMON
DAEMON=

# An engine that does not run as root refuses, at add time, a plugin
# function's task naming another user (here: manager run as $U).
mkdir -p "$T/u/state"
chown "$U" "$T/u/state"
printf 'manager: {\n  data_directory = "%s";\n};\n' "$T/u/state" > "$T/u/m.conf"
run_status setpriv --reuid="$U" --regid="$GID_U" --init-groups \
	"$MANAGER" --config "$T/u/m.conf" task add other 'evil:ids' cron year=2099 hour=3 --user root
is "$status" 1 "not root: a task naming another user is refused"
like "$(cat "$T/err")" 'user "root": the engine does not run as root' "... saying why"
done_testing
