#!/bin/bash
# functions-cache.sh - `task add PLUGIN:FUNCTION` through a running engine
# checks the function against the plugin's list that the engine made off
# its loop when it started (functions.h), not by running the listing
# helper (a confined child, up to 5 s) on the loop.  A plugin whose
# library takes 2 s to load (its constructor sleeps) shows it: the check
# answers at once.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

write_conf 'shutdown_grace_seconds = 1;' "tasks_directory = \"$T/tasks\";" \
	'auto_enable = false;'
mkdir -p "$T/tasks" "$T/slow" "$T/src"
sed -e 's/^id = .*/id = "slow";/' -e 's/^version = .*/version = "1.0.0";/' \
    -e 's/^library = .*/library = "slow.so";/' -e '/^tasks = (/,/^);/d' \
    "$top_srcdir/data/plugins/hello/plugin.conf" > "$T/slow/plugin.conf"
sed -e 's/\.id = "hello"/.id = "slow"/' "$top_srcdir/data/plugins/hello/hello.c" > "$T/src/slow.c"
printf '#include <unistd.h>\n__attribute__((constructor)) static void slow(void) { sleep(2); }\n' \
    >> "$T/src/slow.c"
cc -shared -fPIC -I"$top_builddir/include" -I"$top_srcdir/src" -o "$T/slow/slow.so" "$T/src/slow.c"

check "install slow (its library takes 2 s to load)" m plugin install "$T/slow"

"$MANAGER" --config "$CONF" --daemon >"$T/daemon.out" 2>>"$T/daemon.log" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; wait; cleanup_tmp' EXIT
hosting() { m host status 2>/dev/null | grep -q "engine host: daemon"; }
wait_until 10 hosting
ok $? "the engine runs"
# The engine lists slow's functions off its loop as it starts (2 s).
sleep 3

# time_of COMMAND...: runs it, leaving its status in $status and the
# seconds it took in $took.
time_of() {
	local t0 t1
	t0=$(date +%s.%N)
	run_status "$@"
	t1=$(date +%s.%N)
	took=$(echo "$t1 - $t0" | bc)
}
time_of m task add s slow:greet interval seconds=600
is "$status" 0 "a task of slow's function is added through the engine"
ok "$(echo "$took < 1.5" | bc | grep -qx 1; echo $?)" \
	"... checked against the engine's list, not a 2 s load ($took s)"
time_of m task add s2 slow:nosuch interval seconds=600
like "$status:$(cat "$T/err")" '^[1-9]:.*plugin slow has no task function "nosuch"; its functions: greet, noop' \
	"a function slow lacks is refused with its list"
ok "$(echo "$took < 1.5" | bc | grep -qx 1; echo $?)" "... as quickly ($took s)"
done_testing
