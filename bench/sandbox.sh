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
# before/after.  Environment: BENCH_COLD (200), BENCH_WARM (100000).
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
	"$top_builddir/bench/worker_bench" --run "$run" --db "$d/manager.db" \
		--lib "$d/plugins/noop/noop.so" --id noop \
		--cold "${BENCH_COLD:-200}" --warm "${BENCH_WARM:-100000}" |
		tee "$d/out"
	# The warm calls against the machine's floor, measured in the same
	# run: what the worker adds to a bare round trip.
	awk '/^floor_round_trips/ { split($4, f, "="); floor = f[2] }
	     /^warm_calls/ { split($4, w, "="); warm = w[2] }
	     END { if (floor > 0) printf "warm_vs_floor ratio=%.2f (warm %d/s, floor %d/s)\n", warm / floor, warm, floor }' "$d/out"
done
