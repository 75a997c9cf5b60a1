#!/bin/sh
# run.sh - builds the libFuzzer harnesses of tests/fuzz and runs them.
#
# Not part of `make check`: fuzzing takes minutes per target.  Needs clang
# with libFuzzer (Debian: apt-get install clang libclang-rt-14-dev) and a
# configured tree (config.h in the build folder).
#
# Usage: tests/fuzz/run.sh [-t SECONDS] [-b BUILDDIR] [TARGET...]
#   -t SECONDS   how long each target runs (default 150)
#   -b BUILDDIR  the configured build folder holding config.h (default: .)
#   TARGET       trigger crontab timefmt manifest index conf version tzif
#                (default: all)
# Environment: CC (default clang).
#
# Each target is compiled with -fsanitize=fuzzer,address,undefined from
# the library sources it needs, into BUILDDIR/tests/fuzz/out/.  It starts
# from the committed seeds in tests/fuzz/corpus/TARGET and grows a working
# corpus in out/corpus-TARGET (not committed).  Any crash, sanitizer report
# or input slower than 1 s (-timeout=1) stops the run and leaves
# out/crash-* / out/timeout-*; reproduce with `out/fuzz_TARGET FILE`.
# Exit status: 0 when every target ran clean, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=150
build=.
while getopts t:b: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	b) build=$OPTARG ;;
	*) sed -n '2,21p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
build=$(cd "$build" && pwd)
targets=${*:-trigger crontab timefmt manifest index conf version tzif}
cc=${CC:-clang}
out=$build/tests/fuzz/out
mkdir -p "$out"
if [ ! -f "$build/config.h" ]; then
	echo "run.sh: $build/config.h missing: run ./configure first" >&2
	exit 2
fi

# Library sources each target needs (besides error.c and util.c).
sources() {
	case $1 in
	trigger|crontab|timefmt) echo trigger.c cron.c cron_aps.c cron_tab.c cron_bits.c tz.c timefmt.c ;;
	tzif) echo tz.c ;;
	manifest) echo manifest.c version.c trigger.c cron.c cron_aps.c cron_tab.c cron_bits.c tz.c timefmt.c ;;
	index) echo package_index.c version.c ;;
	conf) echo conf.c log.c ;;
	version) echo version.c ;;
	esac
}

cflags="-std=gnu11 -DHAVE_CONFIG_H -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DLOCALEDIR=\"/nonexistent\" -DSYSCONFDIR=\"/nonexistent\" \
	-DPKGLIBEXECDIR=\"/nonexistent\" -DPKGLIBDIR=\"/nonexistent\" \
	-DPKGDATADIR=\"/nonexistent\" -I$build -I$top/src -I$top/src/core -I$top/src/store -I$top/src/trigger -I$top/src/plugins -I$top/src/tasks"
libs=$(pkg-config --cflags --libs libconfig jansson libzip sqlite3 2>/dev/null)

status=0
for t in $targets; do
	srcs="$top/src/core/error.c $top/src/core/util.c $top/src/core/sha256.c"
	for s in $(sources "$t"); do
		srcs="$srcs $(ls "$top"/src/*/"$s")"
	done
	echo "== fuzz_$t: building"
	# shellcheck disable=SC2086
	if ! $cc $cflags -o "$out/fuzz_$t" "$here/fuzz_$t.c" $srcs $libs -lm; then
		status=1
		continue
	fi
	mkdir -p "$out/corpus-$t"
	dict=
	case $t in
	manifest|index|conf) dict=-dict=$here/libconfig.dict ;;
	esac
	echo "== fuzz_$t: running ${secs}s"
	(cd "$out" && ASAN_OPTIONS=detect_leaks=1 \
		LSAN_OPTIONS=suppressions="$here/lsan.supp" \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"./fuzz_$t" -max_total_time="$secs" -timeout=1 -rss_limit_mb=1024 \
		-max_len=4096 -print_final_stats=1 $dict \
		"corpus-$t" "$here/corpus/$t") > "$out/fuzz_$t.log" 2>&1
	if grep -q 'ERROR: libFuzzer\|SUMMARY: \|runtime error' "$out/fuzz_$t.log"; then
		echo "== fuzz_$t: FAILED (see $out/fuzz_$t.log)"
		status=1
	else
		grep 'stat::number_of_executed_units\|Done ' "$out/fuzz_$t.log"
		echo "== fuzz_$t: clean"
	fi
done
exit $status
