#!/bin/sh
# reload_bench.sh - hot reload latency: from the moment a rebuilt plugin
# is saved into its folder to the moment the host has the new code in
# service (the plugin.reloaded event is written after on_enable of the new
# code returned).  Each round saves a different build (greeting A, B, A,
# ...) the way a build script does (rename into place).
#
#   top_srcdir=. top_builddir=. MANAGER=./manager sh bench/reload_bench.sh [ROUNDS]
#
# MODE=cc compiles straight into the plugin folder instead (the library
# only; the file is written in many steps while the watcher runs); the
# time is then counted from the end of the compiler run.
#
# Prints one line per round and a summary (min, median, p90, max, in ms);
# the debounce (reload_debounce_ms, default 100) is included.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${MANAGER:=./manager}"
export top_srcdir top_builddir MANAGER
ROUNDS=${1:-20}
. "$top_srcdir/tests/reload/common.sh" >/dev/null
sed -i 's/reload_debounce_ms = 100;/reload_debounce_ms = '"${DEBOUNCE:-100}"';/' "$T/etc/m.conf"

hello_variant "$T/a" 1.0.0 Alpha
hello_variant "$T/b" 1.0.1 Beta
M plugin install "$T/a" >/dev/null && M plugin enable hello >/dev/null
start_host || { echo "host did not start"; exit 1; }
wait_eval 5 'test -n "$(live)"'

lat=""
for i in $(seq 1 "$ROUNDS"); do
	if [ $((i % 2)) -eq 1 ]; then v=b; else v=a; fi
	before=$(count_events plugin.reloaded)
	if [ "${MODE:-}" = cc ]; then
		if [ $v = b ]; then g=Beta; else g=Alpha; fi
		cc -shared -fPIC -I"$top_builddir/include" -o "$PLUGDIR/hello/hello.so" \
		    "$T/src/hello-$g.c"
		t0=$(date +%s%6N)
	else
		t0=$(date +%s%6N)
		deploy "$T/$v"
	fi
	wait_eval 10 'test "$(count_events plugin.reloaded)" -gt '"$before" || {
		echo "round $i: no reload within 10 s"; continue; }
	at=$(sql "SELECT max(at) FROM events WHERE kind='plugin.reloaded'")
	ms=$(( (at - t0) / 1000 ))
	echo "round $i: $ms ms"
	lat="$lat $ms"
	sleep 0.3
done
stop_host
echo "$lat" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '
	{ v[NR] = $1 }
	END { if (NR == 0) exit 1;
	      printf "rounds %d  min %d  median %d  p90 %d  max %d ms\n", NR, v[1],
	          v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], v[NR] }'
