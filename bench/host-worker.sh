#!/bin/sh
# bench/host-worker.sh - a plugin's own code in its confined host worker
# (sandboxing = true) against the same code loaded in the engine
# (sandboxing = false), through the HTTP API of a daemon:
#   route:  GET /plugins/hello/greeting, one keep-alive connection, the
#           time curl gives for each request;
#   enable: POST /manager/plugins/hello/enable after a disable (the probe
#           child, then on_enable: in the engine, or a host worker's start
#           and on_enable there).
# Each mode is measured in BENCH_ROUNDS rounds (3) of a fresh daemon;
# prints each round's median and the median of the rounds' medians.
#
#	bench/host-worker.sh
#
# Environment: BENCH_ROUNDS (3), BENCH_CALLS (500), BENCH_ENABLES (20).
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
M="$top_builddir/manager"
make -s -C "$top_builddir" manager manager-run data/plugins/hello/hello.so >/dev/null
ROUNDS=${BENCH_ROUNDS:-3}
CALLS=${BENCH_CALLS:-500}
ENABLES=${BENCH_ENABLES:-20}
TOKEN=bench-host-worker-token-0123456789
d=$(mktemp -d "${TMPDIR:-/tmp}/manager-bench.XXXXXX")
D=
trap '[ -n "$D" ] && kill $D 2>/dev/null; wait; rm -rf "$d"' EXIT

median() {	# ms values on stdin (seconds in), the median in ms
	sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] * 1000 }'
}

# round SANDBOXING: "ROUTE_MS ENABLE_MS" of one fresh daemon.
round() {
	rm -rf "$d/data"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	url="http://127.0.0.1:$port"
	printf 'manager: { data_directory = "%s/data"; log_level = "error"; sandboxing = %s; };\napi = { listen = "127.0.0.1:%s"; token = "%s"; };\n' \
		"$d" "$1" "$port" "$TOKEN" > "$d/m.conf"
	"$M" --config "$d/m.conf" plugin install --no-enable "$top_builddir/data/plugins/hello" >/dev/null
	"$M" --config "$d/m.conf" --daemon >/dev/null 2>"$d/log" &
	D=$!
	i=0
	until curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$url/manager/tasks"; do
		sleep 0.05; i=$((i + 1))
		[ $i -lt 200 ] || { cat "$d/log" >&2; exit 1; }
	done
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$url/manager/plugins/hello/enable"
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$url/plugins/hello/greeting")
	[ "$code" = 200 ] || { echo "GET /plugins/hello/greeting: $code" >&2; exit 1; }
	urls=$(i=0; while [ $i -lt "$CALLS" ]; do printf -- '-o /dev/null %s ' "$url/plugins/hello/greeting"; i=$((i + 1)); done)
	# shellcheck disable=SC2086
	r=$(curl -s -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" $urls | median)
	e=$(i=0; while [ $i -lt "$ENABLES" ]; do
		curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$url/manager/plugins/hello/disable"
		curl -s -o /dev/null -w '%{time_total}\n' -X POST -H "Authorization: Bearer $TOKEN" "$url/manager/plugins/hello/enable"
		i=$((i + 1))
	done | median)
	kill $D
	wait $D || true
	D=
	echo "$r $e"
}

echo "# bench/host-worker.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r)"
echo "# load: $(uptime | sed 's/.*load average: //')"
echo "# $CALLS route calls and $ENABLES enables a round, medians in ms"
for mode in false true; do
	: > "$d/rounds"
	k=1
	while [ $k -le "$ROUNDS" ]; do
		round $mode | tee -a "$d/rounds" | sed "s/^/sandboxing = $mode, round $k: route, enable: /"
		k=$((k + 1))
	done
	printf 'sandboxing = %s: route %s ms, enable %s ms (median of %d rounds)\n' "$mode" \
		"$(awk '{ print $1 / 1000 }' "$d/rounds" | median)" \
		"$(awk '{ print $2 / 1000 }' "$d/rounds" | median)" "$ROUNDS"
done
echo "# load after: $(uptime | sed 's/.*load average: //')"
