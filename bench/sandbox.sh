#!/bin/sh
# bench/sandbox.sh - the cost of the plugin sandbox: a confined worker's
# cold start (spawn, confinement, loading the plugin, one call) and calls
# into a warm worker, with bench/worker_bench and the noop plugin, beside
# the machine's floor (two processes echoing a byte, one after another).
#
#	bench/sandbox.sh [OTHER_MANAGER_RUN]
#
# OTHER_MANAGER_RUN: a manager-run of another build (say, of the commit
# before the sandbox) measured the same way on the same data, for a
# before/after.  Environment: BENCH_COLD (200), BENCH_WARM (100000),
# BENCH_SPIN_US (the bound of the spin before sleep, src/core/spin.h: the
# caller's for every manager-run, and this tree's worker's; not set, the
# default).  Warm calls are measured twice into one worker: the caller
# blocking at once, then spinning first; each with the CPU a call costs
# the caller and the worker.
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
make -s -C "$top_builddir" manager manager-run bench/worker_bench \
	bench/noop/noop.so >/dev/null
d=$(mktemp -d "${TMPDIR:-/tmp}/manager-bench.XXXXXX")
trap 'rm -rf "$d"' EXIT
printf 'manager: { data_directory = "%s"; log_level = "error"; };\n' "$d" > "$d/m.conf"
"$top_builddir/manager" --config "$d/m.conf" plugin install \
	"$top_builddir/bench/noop" >/dev/null
"$top_builddir/manager" --config "$d/m.conf" plugin enable noop >/dev/null
echo "# bench/sandbox.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r)"
for run in "$top_builddir/manager-run" "$@"; do
	echo "## $run (missing kernel parts: $("$run" probe 2>/dev/null || echo '?'))"
	ws=
	[ "$run" = "$top_builddir/manager-run" ] && ws=${BENCH_SPIN_US:-}
	"$top_builddir/bench/worker_bench" --run "$run" --db "$d/manager.db" \
		--lib "$d/plugins/noop/noop.so" --id noop \
		--cold "${BENCH_COLD:-200}" --warm "${BENCH_WARM:-100000}" \
		${BENCH_SPIN_US:+--spin-us "$BENCH_SPIN_US"} \
		${ws:+--worker-spin-us "$ws"} | tee "$d/out"
	# The warm calls against the machine's floor, measured in the same
	# run: what the worker adds to a bare round trip, blocking and
	# spinning.
	awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	     /^floor_round_trips/ { floor = v["calls_per_s"] }
	     /^floor_spin_round_trips/ { sfloor = v["calls_per_s"] }
	     /^warm_calls/ && v["caller_spin_us"] == 0 { warm = v["calls_per_s"] }
	     /^warm_calls/ && v["caller_spin_us"] > 0 { swarm = v["calls_per_s"] }
	     END {
		if (floor > 0) printf "warm_vs_floor ratio=%.2f (warm %d/s, floor %d/s)\n", warm / floor, warm, floor
		if (sfloor > 0) printf "spin_warm_vs_spin_floor ratio=%.2f (warm %d/s, floor %d/s)\n", swarm / sfloor, swarm, sfloor
	     }' "$d/out"
	echo "load $(cat /proc/loadavg)"
done
