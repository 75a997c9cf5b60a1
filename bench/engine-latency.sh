#!/bin/sh
# Control-plane latency: CLI submit -> host done (from the commands rows:
# finished_at - created_at) and the client's whole run, sequential and
# with 8 concurrent clients.  Usage: bench/engine-latency.sh [MANAGER] [N]
M=${1:-./manager}
N=${2:-200}
T=$(mktemp -d)
trap 'kill $D 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/cfg"
DB="$T/data/manager/manager.db"
"$M" --daemon >/dev/null 2>"$T/log" &
D=$!
i=0
until "$M" host status >/dev/null 2>&1; do
	sleep 0.02; i=$((i + 1))
	[ $i -lt 250 ] || { cat "$T/log"; exit 1; }
done

pct() {	# label: reads ms values, prints p50/p99/max
	sort -n | awk -v l="$1" '{v[NR]=$1} END {
		a = int(NR*0.5); if (a < 1) a = 1
		b = int(NR*0.99); if (b < 1) b = 1
		printf "%-34s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms\n", l, NR, v[a], v[b], v[NR] }'
}

i=0
: >"$T/wall"
while [ $i -lt "$N" ]; do
	s=$(date +%s%N); "$M" host echo x >/dev/null; e=$(date +%s%N)
	echo "($e - $s) / 1000000" | bc -l >>"$T/wall"
	i=$((i + 1))
done
sqlite3 "$DB" "SELECT (finished_at - created_at) / 1000.0 FROM commands" | pct "sequential: submit -> done"
pct "sequential: client wall time" <"$T/wall"
sqlite3 "$DB" "DELETE FROM commands"

pids=
for c in 1 2 3 4 5 6 7 8; do
	( j=0; while [ $j -lt $((N / 8)) ]; do "$M" host echo x >/dev/null || echo FAIL; j=$((j + 1)); done ) &
	pids="$pids $!"
done
for p in $pids; do wait $p; done
sqlite3 "$DB" "SELECT (finished_at - created_at) / 1000.0 FROM commands" | pct "8 concurrent: submit -> done"
