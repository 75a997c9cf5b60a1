#!/bin/sh
# The manual pages: each renders without a warning of man --warnings;
# manager.conf(5) lists every key of the configuration table (as `config
# show` prints it, from src/core/conf.c) with its default, and no key that
# is not in it; manager(1) has its EXAMPLES.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

PAGES="manager.1 manager.conf.5 manager-tasks.5 manager-plugin.3"

for page in $PAGES; do
	test -s "$top_srcdir/data/$page"
	ok $? "data/$page exists"
done

if ! command -v man >/dev/null 2>&1; then
	for page in $PAGES; do
		skip "man --warnings data/$page: man is not installed (scripts/install-deps.sh installs man-db)"
	done
else
	for page in $PAGES; do
		w=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$top_srcdir/data/$page" 2>&1 >/dev/null)
		is "$w" "" "man --warnings data/$page: no warning"
	done
fi

CONF5="$top_srcdir/data/manager.conf.5"
# The keys and defaults the program knows, with no file read.
run env -u MANAGER_CONFIG "$MANAGER" config show
is "$rc" 0 "config show runs"
printf '%s\n' "$out" | sed -n 's/^\([a-z_]*\.[a-z_]*\) *= *\(.*[^ ]\) *# default$/\1 \2/p; s/^\([a-z_]*\.[a-z_]*\) *= *# default$/\1/p' \
	>"$T/keys"
test "$(wc -l <"$T/keys")" -gt 30
ok $? "config show lists the keys ($(wc -l <"$T/keys"))"

# Documented: ".B group.key" then "(type...; default \fBVALUE\fR.)".
sed -n '/^\.SH SETTINGS/,/^\.SH /p' "$CONF5" | awk '
	/^\.B [a-z_]+\.[a-z_]+$/ { key = $2; next }
	key != "" { print key " " $0; key = "" }' >"$T/documented"

missing=
while read -r key value; do
	grep -q "^$key " "$T/documented" || missing="$missing $key"
done <"$T/keys"
is "$missing" "" "manager.conf(5) documents every key of the table"

stale=
while read -r key rest; do
	grep -q "^$key\( \|\$\)" "$T/keys" || stale="$stale $key"
done <"$T/documented"
is "$stale" "" "manager.conf(5) documents no key the table lacks"

# Defaults that do not depend on the machine (paths do: $HOME; host_id
# is the hostname).
wrong=
while read -r key value; do
	case $key in *_directory|*.database|*.task_path|*.token_file|*.host_id) continue ;; esac
	line=$(grep "^$key " "$T/documented")
	if [ -n "$value" ]; then
		printf '%s\n' "$line" | grep -qF "default \\fB$(printf '%s' "$value" | sed 's/-/\\-/g')\\fR" ||
			wrong="$wrong $key($value)"
	else
		printf '%s\n' "$line" | grep -qF "unset by default" || wrong="$wrong $key(unset)"
	fi
done <"$T/keys"
is "$wrong" "" "manager.conf(5) gives each key's default as the table does"

# manager(1): the EXAMPLES section and the other pages in SEE ALSO.
MAN1="$top_srcdir/data/manager.1"
grep -q '^\.SH EXAMPLES' "$MAN1"
ok $? "manager(1) has an EXAMPLES section"
for ref in manager.conf manager\\\\-tasks manager\\\\-plugin; do
	sed -n '/^\.SH SEE ALSO/,$p' "$MAN1" | grep -q "^\.BR $ref "
	ok $? "manager(1) SEE ALSO names $ref"
done

echo "1..$_tap_n"
done_testing
