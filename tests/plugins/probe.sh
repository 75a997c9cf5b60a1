#!/bin/sh
# Structure checks through the probe child: ABI version, id, missing
# symbol, unresolved symbols, not ELF, a constructor that hangs.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

# plugin ID SOURCE: a plugin folder built from C source on stdin.
plugin() {
	mkdir -p "$T/$1"
	cat > "$T/$1/$1.c"
	printf 'id = "%s"; name = "%s"; version = "1.0.0"; library = "%s.so";\n' \
	    "$1" "$1" "$1" > "$T/$1/plugin.conf"
	${CC:-cc} -shared -fPIC -I"$top_builddir/include" -o "$T/$1/$1.so" "$T/$1/$1.c"
}

plugin abi99 <<'C'
#include <manager/plugin.h>
__attribute__((visibility("default")))
const struct mgr_plugin_def mgr_plugin = { .abi_version = 99, .id = "abi99" };
C
expect_fail "a plugin built for another ABI is refused" 1 \
    "plugin ABI version 99, this manager speaks 1" m plugin install "$T/abi99"

plugin wrongid <<'C'
#include <manager/plugin.h>
MGR_PLUGIN(.id = "other");
C
expect_fail "a library whose id differs from the manifest is refused" 1 \
    'library id "other" differs from the manifest.s id "wrongid"' m plugin install "$T/wrongid"

plugin nosym <<'C'
int not_a_plugin(void) { return 0; }
C
expect_fail "a library without mgr_plugin is refused" 1 \
    "does not export mgr_plugin" m plugin install "$T/nosym"

plugin unresolved <<'C'
#include <manager/plugin.h>
extern int no_such_function_anywhere(void);
static int t(mgr_task_ctx *c) { (void)c; return no_such_function_anywhere(); }
static const struct mgr_task_def tasks[] = { { "t", t, "" }, { 0 } };
MGR_PLUGIN(.id = "unresolved", .tasks = tasks);
C
expect_fail "unresolved symbols are found at install (RTLD_NOW)" 1 \
    "cannot load: .*no_such_function_anywhere" m plugin install "$T/unresolved"

mkdir -p "$T/notelf"
printf 'id = "notelf"; name = "N"; version = "1.0.0"; library = "notelf.so";\n' > "$T/notelf/plugin.conf"
echo "just text" > "$T/notelf/notelf.so"
expect_fail "a library that is not ELF is refused" 1 "notelf.so: not an ELF file" \
    m plugin install "$T/notelf"

plugin hang <<'C'
#include <manager/plugin.h>
#include <unistd.h>
__attribute__((constructor)) static void stall(void) { sleep(60); }
MGR_PLUGIN(.id = "hang");
C
# install_hang: installs it while watching for the probe child, whose pid
# goes to $T/probe.pid once seen; exits as the install did.  The pattern
# must be seen to match while the child lives, or the check that it is
# gone afterwards would pass on a pattern that never matches anything.
# With sandboxing (the default) the probe child is a confined host worker
# (manager-run host ... --lib DIR/LIB), else `manager plugin probe`.
probe_pattern="(plugin probe -- |host --db .* --lib )$PLUGINS/"
install_hang() {
	m plugin install "$T/hang" &
	installer=$!
	wait_until 30 pgrep -f "$probe_pattern" &&
	    pgrep -f "$probe_pattern" > "$T/probe.pid"
	wait "$installer"
}
start=$(date +%s)
expect_fail "a constructor that hangs is refused after the probe timeout" 1 \
    "probe timed out after 5 s \(the constructor did not return\)" install_hang
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -lt 20 ] && ok 0 "the probe gave up in bounded time (${elapsed} s)" ||
    not_ok "the probe gave up in bounded time" "took $elapsed s"
probe_pid=$(cat "$T/probe.pid" 2>/dev/null)
case $probe_pid in
[1-9]*) ok 0 "the hung probe child was seen while it hung (pid $probe_pid)" ;;
*) not_ok "the hung probe child was seen while it hung" \
    "no process matched: $probe_pattern" ;;
esac
if [ -z "$probe_pid" ] || kill -0 "$probe_pid" 2>/dev/null ||
    pgrep -f "$probe_pattern" > /dev/null 2>&1; then
	not_ok "the hung probe child was killed" "$(pgrep -af "$probe_pattern")"
else
	ok 0 "the hung probe child was killed"
fi

is "$(installed_ids)" "" "nothing was installed"
plugins_dir_is "" "no staging folders left"

done_testing
