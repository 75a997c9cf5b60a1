# lag-split.awk - where a burst's start lag goes, from the TRACE lines a
# build with bench/spawn-trace.patch prints (MGR_TRACE=1), one a run:
#   TRACE SCHED ASKED TAKEN STARTED SPAWNED ANSWERED CPU_NS PID
# (Unix us: the fire time; the loop handing it to the spawner; a thread
# taking it; just before posix_spawn; posix_spawn back, the helper
# exec'd; the loop told; the thread's CPU for the run's spawn).  The
# runs after the first 3 s; p50 / p99 / max in ms of: the loop's share
# (fire time to handed), the wait for a thread, the thread's work before
# the spawn (pipes, the log's socket), the spawn itself, the answer's
# way back to the loop; the lag (fire time to STARTED); and the thread's
# CPU a spawn in us.
function pct(a, n, p,    i, j, t, b) {
	for (i = 1; i <= n; i++)
		b[i] = a[i]
	for (i = 2; i <= n; i++) {
		t = b[i]
		for (j = i - 1; j >= 1 && b[j] > t; j--)
			b[j + 1] = b[j]
		b[j + 1] = t
	}
	return p >= 1 ? b[n] : b[int(n * p) + 1]
}
function show(name, a, n, scale) {
	printf "#   %-28s p50 %8.2f  p99 %8.2f  max %8.2f\n", name,
	    pct(a, n, 0.5) / scale, pct(a, n, 0.99) / scale, pct(a, n, 1) / scale
}
$1 == "TRACE" { s[NR] = $2; r[NR] = $0; if (min == "" || $2 < min) min = $2 }
END {
	for (k in r) {
		split(r[k], f, " ")
		if (f[2] <= min + 3000000)
			continue
		n++
		loop[n] = f[3] - f[2]
		wait[n] = f[4] - f[3]
		prep[n] = f[5] - f[4]
		spawn[n] = f[6] - f[5]
		back[n] = f[7] - f[6]
		lag[n] = f[5] - f[2]
		cpu[n] = f[8] / 1000
	}
	printf "# split of %d runs (ms; CPU in us):\n", n
	show("loop (fire to handed)", loop, n, 1000)
	show("wait for a thread", wait, n, 1000)
	show("thread before the spawn", prep, n, 1000)
	show("posix_spawn", spawn, n, 1000)
	show("answer to the loop", back, n, 1000)
	show("lag (fire to spawn)", lag, n, 1000)
	show("thread CPU a spawn (us)", cpu, n, 1)
}
