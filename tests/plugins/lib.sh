# lib.sh - TAP helpers and a private manager environment for the plugin
# tests.  Source it; it sets T (temporary folder, removed on exit), CONF,
# STATE, PLUGINS, EX (the built example plugins) and defines m() to run
# the manager binary against them.

: "${MANAGER:?MANAGER must point at the built manager binary}"
: "${top_builddir:?top_builddir must be set}"

T=$(mktemp -d "${TMPDIR:-/tmp}/manager-plugins-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/xdg-data" XDG_CONFIG_HOME="$T/xdg-config"
export HOME="$T/home"
unset MANAGER_CONFIG
STATE="$T/state"
PLUGINS="$STATE/plugins"
CONF="$T/manager.conf"
EX="$top_builddir/data/plugins"
tap_n=0
tap_failed=0

# write_conf [EXTRA LINES...]: the manager group with extra settings.
write_conf() {
	{
		echo 'manager: {'
		echo "  data_directory = \"$STATE\";"
		echo '  log_level = "warning";'
		for line in "$@"; do echo "  $line"; done
		echo '};'
	} > "$CONF"
}
write_conf

m() {
	"$MANAGER" --config "$CONF" "$@"
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do echo "# $line"; done
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1
	shift
	if "$@" > "$T/out" 2> "$T/err"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $?: $*" "$(cat "$T/err")"
	fi
}

# run_status COMMAND...: runs it, keeping stdout, stderr and status in
# $T/out, $T/err and $status.
run_status() {
	status=0
	"$@" > "$T/out" 2> "$T/err" || status=$?
}

# expect_fail DESCRIPTION STATUS PATTERN COMMAND...: the command exits
# with STATUS and its stderr matches PATTERN (grep -E).
expect_fail() {
	desc=$1 want=$2 pattern=$3
	shift 3
	run_status "$@"
	if [ "$status" -eq "$want" ] && grep -Eq -- "$pattern" "$T/err"; then
		ok "$desc"
	else
		not_ok "$desc" "wanted exit $want and /$pattern/, got $status:" \
		    "$(cat "$T/err")"
	fi
}

# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:  $2" "want: $3"
	fi
}

# No staging or removal folders left, and only the listed plugins.
plugins_dir_is() {
	got=$(ls -A "$PLUGINS" 2>/dev/null | sort | tr '\n' ' ')
	is "$1" "$got" "$2"
}

installed_ids() {
	m --json plugin list | python3 -c \
	    'import json,sys; print(" ".join(sorted(p["id"] for p in json.load(sys.stdin))))'
}

plugin_field() {
	m --json plugin show "$1" | python3 -c \
	    "import json,sys; v=json.load(sys.stdin)[\"$2\"]; print(json.dumps(v) if not isinstance(v,str) else v)"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
