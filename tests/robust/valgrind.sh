#!/bin/sh
# valgrind.sh - a fixed list of manager commands, good and bad input, run
# under valgrind (memcheck): each must finish with no invalid read or
# write and no definite or indirect leak.  Skips when valgrind is missing
# or the binary was built with sanitizers (they do not mix).
# Needs MANAGER and top_builddir, as `make check` exports them.
: "${MANAGER:?MANAGER must point at the built manager binary}"
: "${top_builddir:?top_builddir must be set}"
: "${top_srcdir:=$top_builddir}"

T=$(mktemp -d "${TMPDIR:-/tmp}/manager-valgrind.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/xdg-data" XDG_CONFIG_HOME="$T/xdg-config"
export HOME="$T/home"
unset MANAGER_CONFIG
STATE="$T/state"
CONF="$T/manager.conf"
EX="$top_builddir/data/plugins"
SUPP="$top_srcdir/tests/robust/valgrind.supp"
cat > "$CONF" <<EOC
manager: {
  data_directory = "$STATE";
  log_level = "warning";
  sandboxing = false;
};
EOC
n=0
failed=0

# The commands, one a line: "STATUS ARGS..." where STATUS is the exit
# status wanted (or "any").  Arguments are split on blanks, so none may
# hold one; @T@ stands for the temporary folder, @EX@ for the examples.
cat > "$T/cases" <<'EOC'
0 config show
3 db check
0 plugin validate @EX@/hello
0 plugin install @EX@/base
0 db check
0 plugin install @T@/greeter.zip
0 --json plugin list
0 plugin show greeter
0 plugin enable greeter
0 plugin disable --cascade base
3 plugin show nosuch
1 plugin install @T@/bad
1 plugin validate @T@/bad
1 plugin install @T@/text.zip
0 schedule preview cron minute=*/15 hour=9-17 day_of_week=mon-fri --count 5
0 schedule preview cron crontab=@daily timezone=Europe/Berlin --count 2
0 schedule preview date run_date=2026-03-29T02:30 --tz Europe/Berlin
1 schedule preview cron minute=61
1 schedule preview cron crontab=*/0
1 schedule preview interval minutes=-5
1 schedule preview cron hour=9 timezone=Mars/Olympus
0 task add t1 exec:/bin/true interval minutes=5
0 --json task list
0 task show t1
0 task edit t1 minutes=10
4 task add t1 exec:/bin/true interval minutes=5
1 task add t3 exec:/bin/true cron minute=99
2 task add t6 exec:/bin/true interval minutes=1 --max-retries -3
3 task show nosuch
0 plugin uninstall greeter
EOC

# Inputs the cases refer to.
mkdir -p "$T/bad"
printf 'id = "Bad Id"; version = "x"; library = 7;\n' > "$T/bad/plugin.conf"
printf 'not a zip' > "$T/text.zip"
(cd "$EX/greeter" && python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w")
for f in ("plugin.conf", "greeter.so"):
    z.write(f)
' "$T/greeter.zip") 2>/dev/null

total=$(grep -c . "$T/cases")
echo "1..$total"
if ! command -v valgrind > /dev/null 2>&1; then
	i=0
	while [ $i -lt "$total" ]; do
		i=$((i + 1))
		echo "ok $i # SKIP valgrind is not installed"
	done
	exit 0
fi
if nm "$MANAGER" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	i=0
	while [ $i -lt "$total" ]; do
		i=$((i + 1))
		echo "ok $i # SKIP built with sanitizers"
	done
	exit 0
fi

while read -r want args; do
	n=$((n + 1))
	args=$(printf '%s' "$args" | sed "s|@T@|$T|g; s|@EX@|$EX|g")
	# shellcheck disable=SC2086
	set -- $args
		status=0
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    --suppressions="$SUPP" --log-file="$T/vg.log" \
	    "$MANAGER" --config "$CONF" "$@" > "$T/out" 2> "$T/err" < /dev/null \
	    || status=$?
	if [ "$status" -eq 99 ] || [ -s "$T/vg.log" ]; then
		failed=$((failed + 1))
		echo "not ok $n - valgrind: manager $*"
		sed 's/^/# /' "$T/vg.log" | head -n 60
	elif [ "$want" != any ] && [ "$status" -ne "$want" ]; then
		failed=$((failed + 1))
		echo "not ok $n - manager $* exits $want, not $status"
		sed 's/^/# /' "$T/err" | head -n 5
	else
		echo "ok $n - valgrind clean: manager $*"
	fi
done < "$T/cases"
[ "$failed" -eq 0 ]
