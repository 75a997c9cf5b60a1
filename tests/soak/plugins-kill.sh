#!/bin/sh
# plugins-kill.sh [N] - soak test, not in `make check`: N (default 200)
# kill -9 of `plugin install`, `plugin uninstall` and `snapshot restore`
# at random moments, each followed by a restart (a command, or a daemon
# every fifth time), with the checks of tests/plugins/crash.sh after
# every one.  Prints the counts of leftovers right after the kills and
# after recovery, then the TAP results.  Run from the build tree:
#   tests/soak/plugins-kill.sh 300
# MANAGER=/path/to/manager runs another binary (e.g. an older build).
here=$(cd "$(dirname "$0")/../.." && pwd)
: "${top_srcdir:=$here}" "${top_builddir:=$here}"
: "${MANAGER:=$top_builddir/manager}"
export top_srcdir top_builddir MANAGER LC_ALL=C.UTF-8
CRASH_KILLS=${1:-200}
export CRASH_KILLS
exec sh "$top_srcdir/tests/plugins/crash.sh"
