#!/bin/sh
# The control plane: state-changing commands carried out by the host,
# answered through the commands table, exactly as if run directly.
. "$top_srcdir/tests/engine/lib.sh"

# No host: the command acts directly (short-lived host).
run mgr host echo --pid --stderr warn --exit 5 a b
is "$rc" 5 "without a host: exit status of the command"
like "$out" "^pid [0-9]+" "without a host: the client itself ran it"
self_pid=$(printf '%s\n' "$out" | sed -n 's/^pid //p')
is "$(printf '%s\n' "$out" | tail -n 1)" "a b" "without a host: stdout"
is "$err" "warn" "without a host: stderr"
run mgr host status
is "$rc" 3 "the short-lived host released the lock"

# Left-overs: an answered command older than a day, one a dead host was
# carrying out, and one still pending (its client waits for it).
old=$(( $(date +%s) - 2 * 86400 ))000000
sqlite3 "$DB" "INSERT INTO commands (created_at, client_pid, argv, state, exit_status) VALUES ($old, 1, '[\"host\",\"echo\",\"old\"]', 'done', 0);
INSERT INTO commands (created_at, client_pid, argv, state) VALUES ($(date +%s)000000, 1, '[\"host\",\"echo\",\"half\"]', 'running');
INSERT INTO commands (created_at, client_pid, argv) VALUES ($(date +%s)000000, 1, '[\"host\",\"echo\",\"queued\"]')"
start_daemon
ok $? "daemon started"
is "$(sqlite3 "$DB" "SELECT count(*) FROM commands WHERE argv LIKE '%old%'")" 0 \
	"answered commands older than a day are pruned"
like "$(sqlite3 "$DB" "SELECT state, exit_status, error_output FROM commands WHERE argv LIKE '%half%'")" \
	"done\|1\|.*exited while carrying out" "a command a dead host left half-done is answered with an error"
is "$(sqlite3 "$DB" "SELECT state || ' ' || output FROM commands WHERE argv LIKE '%queued%'")" \
	"done queued" "a command queued before the host started is carried out"
run mgr host echo --pid --stderr warn --exit 5 a b
is "$rc" 5 "through the host: same exit status"
is "$(printf '%s\n' "$out" | head -n 1)" "pid $DAEMON_PID" "the daemon carried it out"
is "$(printf '%s\n' "$out" | tail -n 1)" "a b" "through the host: same stdout"
is "$err" "warn" "through the host: same stderr"
log_like 'command [0-9]+ from pid [0-9]+: \["host","echo"' \
	"the daemon's log shows the command"
n=$(sqlite3 "$DB" "SELECT count(*) FROM commands WHERE state='done' AND exit_status=5 AND argv LIKE '[\"host\",\"echo\"%'" 2>/dev/null)
is "$n" 1 "the commands row holds the answer"

run mgr --json host echo --exit 3 x
is "$rc" 3 "--json travels with the command"
run mgr host echo --bogus
is "$rc" 2 "a usage error comes back with status 2"
like "$err" "usage: manager host echo" "... and the usage text"

run mgr host reload
is "$rc" 0 "host reload through the host"
like "$out" "configuration reloaded" "host reload reloads in the daemon"

# Relative paths are the client's.
mkdir -p "$T/work"
out=$(cd "$T/work" && "$MANAGER" --config "$CONF" --db "$DB" host echo x)
is "$out" "x" "a command from another folder works"

# Concurrency: 8 clients x 10 commands at once, none may fail.
pids=
i=0
while [ $i -lt 8 ]; do
	(
		j=0
		while [ $j -lt 10 ]; do
			o=$(mgr host echo "c$i.$j" 2>&1) || echo "fail $i.$j: $o"
			[ "$o" = "c$i.$j" ] || echo "wrong $i.$j: $o"
			j=$((j + 1))
		done
	) >"$T/client.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
bad=$(cat "$T"/client.*)
is "$bad" "" "8 concurrent clients x 10 commands: none failed"
like "$(cat "$T"/client.* "$T/daemon.log")" "command" "daemon log has them"
n=$(sqlite3 "$DB" "SELECT count(*) FROM commands WHERE argv LIKE '%\"c%' AND state='done'" 2>/dev/null)
is "$n" 80 "80 answered rows"

# A command that reads stdin: the client sends it along with the command.
printf 'GREETING=hi\n0 1 * * * echo "$GREETING"; cat %%one%%two\n@daily echo two\n' >"$T/in"
run mgr task import crontab - --prefix piped <"$T/in"
is "$rc/$out" "0/2 created, 0 updated, 0 not imported" \
	"a crontab on stdin (-) goes through the host with its text"
log_like 'command [0-9]+ from pid [0-9]+: \["task","import","crontab","-"' \
	"... and the daemon carried it out"
is "$(mgr --json task list | grep -c '"id": "piped-[12]"')" 2 "... its lines are tasks"
run mgr task run piped-1
is "$(mgr task history piped-1 --limit 1 --output | sed 1,2d)" "hi
one
two" "... with the crontab's variables and the stdin after %"
printf '0 3 * * * echo three\n' >"$T/in"
run mgr --json task import crontab --dry-run <"$T/in"
like "$out" '"crontab": "0 3 \* \* \*"' "no FILE at all reads stdin too (--dry-run, --json)"
run mgr task import crontab - --prefix empty </dev/null
is "$rc/$out" "0/0 created, 0 updated, 0 not imported" "an empty stdin is an empty crontab"
head -c 4194305 /dev/zero | tr '\0' '#' >"$T/in"
run mgr task import crontab <"$T/in"
like "$rc/$err" "^1/manager: stdin is larger than 4 MiB" "more than 4 MiB of stdin is refused, naming the limit"
printf 'not read\n' >"$T/in"
run mgr host echo ok <"$T/in"
is "$rc/$out" "0/ok" "a command that reads no stdin sends none"

# The host vanishes: a pending command is taken back and run directly.
kill -STOP "$DAEMON_PID"
MANAGER_COMMAND_TIMEOUT=0.3 run mgr host echo late
is "$rc" 124 "a stopped host times the client out (exit 124)"
like "$err" "did not take the command" "... with a clear message"
kill -CONT "$DAEMON_PID"
n=$(sqlite3 "$DB" "SELECT count(*) FROM commands WHERE argv LIKE '%late%'" 2>/dev/null)
is "$n" 0 "the timed-out command was withdrawn"

stop_daemon TERM
is "$daemon_rc" 0 "daemon stopped"

# Concurrent clients with no host: short-lived hosts take turns.
i=0
while [ $i -lt 4 ]; do
	(
		j=0
		while [ $j -lt 5 ]; do
			o=$(mgr host echo "d$i.$j" 2>&1) || echo "fail $i.$j: $o"
			j=$((j + 1))
		done
	) >"$T/direct.$i" &
	i=$((i + 1))
done
wait
bad=$(cat "$T"/direct.*)
is "$bad" "" "4 concurrent clients without a host: none failed"

finish
