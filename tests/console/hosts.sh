#!/bin/sh
# hosts.sh - the hosts pane (H): one row per host of the registry with
# host list's columns, the engine's row marked, standbys shown so, and d
# draining the selected host (r undoing it) after a question, as host
# drain does.  On SQLite the console is the one host; on PostgreSQL
# (MANAGER_TEST_PG) a daemon runs the engine and a second one waits as a
# standby.
. "$top_srcdir/tests/console/lib.sh"

echo "1..34"
console_setup
printf 'manager = { host_id = "hq1"; };\n' >"$T/manager.conf"
seed_example || { echo "Bail out! cannot seed the database"; exit 1; }

# host_state ID: the host's state in host list --json.
host_state() {
	m host list --json | jq -r ".[] | select(.host_id == \"$1\") | .state"
}

# wait_state ID STATE: host list --json says so within 15 s.
state_is() { [ "$(host_state "$1")" = "$2" ]; }
wait_state() {
	retry 15 state_is "$1" "$2" && return 0
	echo "# host $1 is $(host_state "$1") in host list, expected $2" >&2
	return 1
}

# row_like ERE: a line of the screen matches (the pane's row).
shown_like() { screen | grep -E -q -- "$1"; }
row_like() {
	retry 15 shown_like "$1" && return 0
	echo "# no line matches $1" >&2
	screen | sed 's/^/# /' >&2
	return 1
}

console_start 120 40
wait_for "host: this console" >/dev/null
check "the hosts pane is hidden at first" test -z "$(screen | grep -F 'Hosts ')"
keys H
check "H opens the hosts pane, focused, with this host" \
	wait_selected "hq1"
keys H
check "H again hides it, leaving nothing of its box behind" \
	wait_gone "Hosts 1"
keys H
wait_selected "hq1" >/dev/null
epoch=$(sql "SELECT epoch FROM hosts WHERE host_id = 'hq1'")
check "the row shows its epoch and state, marked as the engine's (*)" \
	row_like "│\\* hq1 +$epoch +alive +- +0 "
check "the columns are host list's" \
	row_like "│  ID +EPOCH +STATE +LEASE +RUNNING +VERSION +PID"
check "the footer shows drain" wait_for " d drain "
keys d
check "d asks before draining, naming the host" \
	wait_for "Drain host hq1? It finishes its running runs and starts no new one (y/n)"
keys n
# The answer first: before n is read the host is alive as well.
wait_for "cancelled" >/dev/null
check "n keeps the host as it was" wait_state hq1 alive
keys d
wait_for "Drain host hq1?" >/dev/null
keys y
check "y drains it, as host drain does (host list --json)" \
	wait_state hq1 draining
check "the message line shows the command's answer" \
	wait_for "host hq1 is draining: its running runs go on"
check "the row says draining without a key press" \
	row_like "│\\* hq1 +$epoch +draining "
keys r
undrained() {
	wait_state hq1 alive && row_like "│\\* hq1 +$epoch +alive "
}
check "r undoes the drain (host list --json, and the row)" undrained
check "the message line shows it" wait_for "host hq1 is alive"
keys Enter
check "Enter opens the host's page: its labels and start too" \
	wait_for "Host hq1"
check "... which says it runs the engine" wait_for "runs the engine"
keys Escape
wait_gone "Host hq1" >/dev/null
keys Tab
check "Tab from the hosts pane goes round to the plugins" \
	wait_selected "base"
check "... and the hosts pane stays" wait_for "Hosts 1"
keys BTab
check "S-Tab back to the hosts pane" wait_selected "hq1"
keys H
check "H on the hosts pane hides it" wait_gone "Hosts 1"
keys d
check "d is no drain once the pane is hidden (the tasks pane: remove)" \
	wait_for "Remove task"
keys n
keys H
wait_selected "hq1" >/dev/null
keys Tab
wait_selected "base" >/dev/null
# The host's row is under the pane's header: the header's line counted
# from 1 is the row's counted from 0, as click takes it.
row=$(screen | grep -n '│  ID  ' | cut -d: -f1)
click 5 "${row:-1}"
check "a click on a host's row focuses the hosts pane on it" \
	wait_selected "hq1"
keys / z z z Enter
check "the filter applies to the hosts" wait_for "Hosts 0/1  /zzz"
keys Escape
check "Esc clears it: the row is back" wait_selected "hq1"

# A registry that cannot be read (as a lost database): said once, not
# once a second.
sql "ALTER TABLE hosts RENAME TO hosts_away"
check "a registry that cannot be read is said in the message line" \
	wait_for "cannot read the hosts"
sleep 3	# three more reads fail meanwhile
keys m
wait_for "Messages" >/dev/null
once() { [ "$(screen | grep -c '[0-9]:[0-9][0-9]  error: cannot read the hosts')" = 1 ]; }
check "... once, not at every read (the message history)" retry 15 once
keys Escape
sql "ALTER TABLE hosts_away RENAME TO hosts"
check "read again once it can be: the row is back" wait_selected "hq1"
# PostgreSQL: a daemon hosts the engine, another waits as its standby,
# and the console attaches to the first.
tmux -L "$SOCK" kill-server
SOCK="$SOCK-pg"
if [ -z "${MANAGER_TEST_PG:-}" ]; then
	for what in "both hosts' rows, the engine's marked, with its lease" \
	    "the standby's row says standby" \
	    "draining the standby from the pane (host list --json)" \
	    "the daemons stop cleanly" \
	    "a console hosting the engine on PostgreSQL: its row" \
	    "the row of a host that lost the database says so" \
	    "... and stops saying it once the host reconnected" \
	    "... under the same epoch"; do
		skip "$what" "MANAGER_TEST_PG is not set: no PostgreSQL server (scripts/pg-test-cluster.sh)"
	done
	exit 0
fi
. "$top_srcdir/tests/pg/lib.sh"
pg_suite_db
trap 'console_teardown; pg_suite_drop' EXIT
printf 'manager = { shutdown_grace_seconds = 2; host_id = "pa"; host_heartbeat_ms = 300; };\n' \
	>"$T/a.conf"
printf 'manager = { shutdown_grace_seconds = 2; host_id = "pb"; host_heartbeat_ms = 300; };\n' \
	>"$T/b.conf"
"$MANAGER" --config "$T/a.conf" --db "$DB" daemon >"$T/a.log" 2>&1 &
a=$!
i=0
while [ $i -lt 200 ] && [ "$(host_state pa)" != alive ]; do
	sleep 0.05
	i=$((i + 1))
done
"$MANAGER" --config "$T/b.conf" --db "$DB" daemon >"$T/b.log" 2>&1 &
b=$!
wait_state pb standby >/dev/null
console_start 120 40
wait_for "host: daemon pid $a" >/dev/null
keys H
check "both hosts' rows, the engine's marked, with its lease" \
	row_like "│\\* pa +[0-9]+ +alive +[0-9]+\\.[0-9]s +0 "
check "the standby's row says standby" row_like "│  pb +[0-9]+ +standby "
keys j d
wait_for "Drain host pb?" >/dev/null
keys y
check "draining the standby from the pane (host list --json)" \
	wait_state pb draining
kill -TERM "$b" "$a"
wait "$b"
rb=$?
wait "$a"
check "the daemons stop cleanly" test "$rb$?" = 00

# A console hosting the engine on PostgreSQL loses its database: its
# sessions ended, and no new one taken (the database takes no
# connection), so the host stays cut off until the database takes them
# again.  Its row says so meanwhile, as the status line does.
tmux -L "$SOCK" kill-server
SOCK="$SOCK-lost"
printf 'manager = { shutdown_grace_seconds = 2; host_id = "pc"; host_heartbeat_ms = 300; };\n' \
	>"$T/manager.conf"
console_start 140 40
wait_for "host: this console" >/dev/null
keys H
check "a console hosting the engine on PostgreSQL: its row" \
	row_like "│\\* pc +[0-9]+ +alive "
cpid=$(sql "SELECT pid FROM hosts WHERE host_id = 'pc' AND state = 'alive'")
cepoch=$(sql "SELECT epoch FROM hosts WHERE host_id = 'pc'")
# On the server's own database: the suite's takes no connection meanwhile.
pgadm() { psql -X -q -A -t "$MANAGER_TEST_PG" -c "$1" >/dev/null; }
pgadm "ALTER DATABASE $PG_SUITE_NAME ALLOW_CONNECTIONS false"
pgadm "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE
	datname = '$PG_SUITE_NAME' AND (application_name = 'manager $cpid' OR
	application_name LIKE 'manager $cpid %')"
lost() { shown_like "│\\* pc +$cepoch +alive .* $cpid  database unreachable since [0-9]{2}:[0-9]{2}:[0-9]{2}"; }
check "the row of a host that lost the database says so" retry 20 lost
pgadm "ALTER DATABASE $PG_SUITE_NAME ALLOW_CONNECTIONS true"
back() { ! lost && shown_like "│\\* pc +[0-9]+ +alive .* $cpid *│"; }
check "... and stops saying it once the host reconnected" retry 30 back
check "... under the same epoch" \
	test "$(sql "SELECT epoch FROM hosts WHERE host_id = 'pc'")" = "$cepoch"
exit 0
