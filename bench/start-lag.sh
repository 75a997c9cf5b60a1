#!/bin/sh
# start-lag.sh - the start lag of N exec:/bin/true tasks due every second
# in the same millisecond (added together with `task add --from`), on one
# daemon: how long the last of a burst waits for its spawn.  The runs
# after the first 3 s, lag = started_at - scheduled_at; p50, p99, max.
#
#   sh bench/start-lag.sh [MANAGER [N [SECONDS]]]
#
# MANAGER: the binary (./manager); N: tasks (100); SECONDS: the daemon's
# run (12).  Alternate two builds for a before/after.
M=${1:-./manager} N=${2:-100} S=${3:-12}
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-lag.XXXXXX")
mkdir -p "$T/data" "$T/p" "$T/t"
printf 'manager: { log_level = "error"; data_directory = "%s/data"; plugins_directory = "%s/p"; tasks_directory = "%s/t"; };\n' "$T" "$T" "$T" > "$T/m.conf"
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "b%03d exec:/bin/true interval seconds=1\n", i }' > "$T/tasks.txt"
"$M" --config "$T/m.conf" --daemon 2>"$T/err" & D=$!
sleep 1
"$M" --config "$T/m.conf" task add --from "$T/tasks.txt" >/dev/null
sleep "$S"
kill $D; wait $D 2>/dev/null
sqlite3 "$T/data/manager.db" "SELECT (started_at - scheduled_at) / 1000.0 FROM runs WHERE status = 'succeeded' AND scheduled_at > (SELECT min(scheduled_at) FROM runs) + 3000000 ORDER BY 1" > "$T/lag"
awk -v m="$M" -v ld="$(cut -d' ' -f1 /proc/loadavg)" '{ v[NR] = $1 } END { printf "%s: runs %d, lag p50 %.1f p99 %.1f max %.1f ms (load %s)\n", m, NR, v[int(NR/2)+1], v[int(NR*0.99)+1], v[NR], ld }' "$T/lag"
rm -rf "$T"
