#!/bin/sh
# potfiles.sh - every source file with a message a person reads (_("...")
# or N_("...")) is in po/POTFILES.in, so xgettext extracts its messages
# and they can be translated; and every file the list names exists.
# (Sessions 31 and 32 each found new files missing from the list.)
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
plan 3

cd "$top_srcdir" || exit 1
find src ui -name '*.c' | sort >"$T/sources"
: >"$T/missing"
while read -r f; do
	grep -q '\bN\{0,1\}_("' "$f" && ! grep -qx "$f" po/POTFILES.in &&
		echo "$f" >>"$T/missing"
done <"$T/sources"
is "$(cat "$T/missing")" "" "every source file with translatable messages is in po/POTFILES.in"
gone=$(grep -v '^#' po/POTFILES.in | while read -r f; do
	[ -z "$f" ] || [ -e "$f" ] || echo "$f"
done)
is "$gone" "" "every file po/POTFILES.in names exists"
# The check itself: a list without one such file is caught.
grep -vx src/engine/standby.c po/POTFILES.in >"$T/POTFILES.in"
n=0
while read -r f; do
	grep -q '\bN\{0,1\}_("' "$f" && ! grep -qx "$f" "$T/POTFILES.in" && n=$((n + 1))
done <"$T/sources"
is "$n" 1 "a list without src/engine/standby.c is caught"
