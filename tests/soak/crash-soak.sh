#!/bin/sh
# crash-soak.sh [KILLS] [TASKS] - the crash-injection test of make check
# (tests/engine/crash.sh), longer: KILLS kill -9 of a daemon firing TASKS
# tasks every second (default 200 and 200), then the counts.  Run from a
# built tree:  tests/soak/crash-soak.sh 200
# Not part of make check: it takes about 3 s per kill.
here=$(cd "$(dirname "$0")/../.." && pwd)
export top_srcdir="${top_srcdir:-$here}" top_builddir="${top_builddir:-$here}"
export MANAGER="${MANAGER:-$top_builddir/manager}" LC_ALL=C.UTF-8
export CRASH_KILLS="${1:-200}" CRASH_TASKS="${2:-200}"
start=$(date +%s)
sh "$top_srcdir/tests/engine/crash.sh"
rc=$?
echo "# $CRASH_KILLS kills of a daemon firing $CRASH_TASKS tasks/s in $(( $(date +%s) - start )) s"
exit $rc
