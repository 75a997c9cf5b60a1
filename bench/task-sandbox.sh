#!/bin/sh
# bench/task-sandbox.sh - the cost of an exec: task's sandbox: the wall
# and CPU time of one run of /bin/true through manager-exec as the engine spawns
# it, without a sandbox (sandboxing's limits), with --strict, and with
# --strict --private-tmp, against /bin/true alone.  Each variant runs N
# times (BENCH_RUNS, 500) from one shell loop; the per-run time includes
# the shell's fork and exec, the same for every row.
#
#	bench/task-sandbox.sh [OTHER_MANAGER_EXEC]
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
n=${BENCH_RUNS:-500}
d=$(mktemp -d /var/tmp/manager-bench.XXXXXX)
trap 'rm -rf "$d"' EXIT

# CPU seconds (user + system) of this shell's finished children: the
# builtin runs in this shell (a $(...) would ask a subshell).
child_cpu() {
	times >"$d/times"
	sed -n 2p "$d/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/);
	    printf "%.6f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}

# per_run LABEL COMMAND...: mean wall time and CPU time (user + system,
# of the whole process tree) of one run, in ms.
per_run() {
	label=$1
	shift
	child_cpu >"$d/c0"
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$n" ]; do
		"$@" 3>/dev/null >/dev/null 2>&1 || { echo "$label: failed" >&2; exit 1; }
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	child_cpu >"$d/c1"
	c0=$(cat "$d/c0") c1=$(cat "$d/c1")
	printf '| %s | %s ms | %s ms |\n' "$label" \
	    "$(echo "scale=3; ($t1 - $t0) / $n / 1000000" | bc)" \
	    "$(echo "scale=3; ($c1 - $c0) * 1000 / $n" | bc)"
}

echo "# bench/task-sandbox.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r), $n runs each, uid $(id -u)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run of /bin/true | wall per run | CPU per run |"
echo "| --- | --- | --- |"
per_run "/bin/true alone" /bin/true
for exe in "$top_builddir/manager-exec" "$@"; do
	per_run "$exe (sandboxing's limits)" "$exe" --open-files=256 \
	    --usage-fd=3 --workdir="$d" -- /bin/true
	"$exe" --strict --usage-fd=3 -- /bin/true 3>/dev/null 2>/dev/null || continue
	per_run "$exe --strict" "$exe" --open-files=256 --usage-fd=3 \
	    --workdir="$d" --strict -- /bin/true
	per_run "$exe --strict --private-tmp" "$exe" --open-files=256 \
	    --usage-fd=3 --workdir="$d" --strict --private-tmp -- /bin/true
done
