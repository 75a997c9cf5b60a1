# lib.sh - a private manager environment for the plugin tests, on top of
# the TAP helpers of tests/cli/lib.sh (is GOT WANT TEXT, like, ok STATUS
# TEXT ...).  Source it; it sets T (temporary folder, removed on exit),
# CONF, STATE, PLUGINS, EX (the built example plugins) and defines m() to
# run the manager binary against them.  The plan is printed at the end,
# by done_testing.

: "${MANAGER:?MANAGER must point at the built manager binary}"
: "${top_builddir:?top_builddir must be set}"
. "${top_srcdir:-.}/tests/cli/lib.sh"

setup_tmp
STATE="$T/state"
PLUGINS="$STATE/plugins"
CONF="$T/manager.conf"
EX="$top_builddir/data/plugins"

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

# not_ok DESCRIPTION [DIAGNOSTIC LINES...]: a failed check, with why.
not_ok() {
	_tap_report 1 "$1"
	shift
	for line in "$@"; do echo "# $line"; done
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1
	shift
	if "$@" > "$T/out" 2> "$T/err"; then
		ok 0 "$desc"
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
		ok 0 "$desc"
	else
		not_ok "$desc" "wanted exit $want and /$pattern/, got $status:" \
		    "$(cat "$T/err")"
	fi
}

# plugins_dir_is WANT DESCRIPTION: no staging or removal folders left,
# and only the listed plugins (names, each followed by a space).
plugins_dir_is() {
	is "$(ls -A "$PLUGINS" 2>/dev/null | sort | tr '\n' ' ')" "$1" "$2"
}

installed_ids() {
	m --json plugin list | python3 -c \
	    'import json,sys; print(" ".join(sorted(p["id"] for p in json.load(sys.stdin))))'
}

plugin_field() {
	m --json plugin show "$1" | python3 -c \
	    "import json,sys; v=json.load(sys.stdin)[\"$2\"]; print(json.dumps(v) if not isinstance(v,str) else v)"
}

# The plan comes last: some checks are reported only when they fail.
done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# api_daemon: a daemon of $CONF in the background ($DAEMON, its log in
# $T/daemon.log); once its HTTP API listens, the port in $APIPORT and
# $URL.  The configurations say listen = "127.0.0.1:0", so the kernel
# picks the port as the daemon binds it: a port the test found free and
# wrote in the file beforehand could be taken by another process's
# connection (make -j2) before the daemon bound it.
api_daemon() {
	"$MANAGER" --config "$CONF" --daemon >"$T/daemon.out" 2>>"$T/daemon.log" &
	DAEMON=$!
	APIPORT= URL=
	wait_until 30 api_port_known
}
api_port_known() {
	APIPORT=$(listen_port "$DAEMON") && URL="http://127.0.0.1:$APIPORT"
}
# listen_port PID: the TCP port PID listens on, from /proc (the inode of
# one of its sockets in a LISTEN row of /proc/net/tcp).
listen_port() {
	python3 - "$1" <<'PY'
import os, sys
fds = "/proc/%s/fd" % sys.argv[1]
inodes = set()
for fd in os.listdir(fds):
    try:
        link = os.readlink(os.path.join(fds, fd))
    except OSError:
        continue
    if link.startswith("socket:["):
        inodes.add(link[8:-1])
for line in open("/proc/net/tcp").readlines()[1:]:
    f = line.split()
    if f[3] == "0A" and f[9] in inodes:
        print(int(f[1].split(":")[1], 16))
        sys.exit(0)
sys.exit(1)
PY
}

# slow_evil_setup SECONDS [API-KEYS]: a suite around data/plugins/evil
# whose on_enable and on_disable sleep SECONDS (tests/plugins/later.sh,
# api-later.sh): $DB, $DAEMON (killed at exit), a config with the HTTP
# API on a loopback port the kernel picks (api_daemon sets $URL; $TOKEN;
# API-KEYS are more keys of its group) and evil installed from $T/evil,
# not enabled.
slow_evil_setup() {
	DB="$STATE/manager.db"
	DAEMON=
	trap '[ -n "$DAEMON" ] && kill $DAEMON 2>/dev/null; wait; cleanup_tmp' EXIT
	write_conf 'shutdown_grace_seconds = 1;' 'fault_max_crashes = 100;' \
		'hot_reload = false;'
	TOKEN=slow-evil-token-0123456789abcdef
	printf 'api = { listen = "127.0.0.1:0"; token = "%s"; %s };\n' \
		"$TOKEN" "${2:-}" >> "$CONF"
	mkdir -p "$T/evil"
	cp "$EX/evil/evil.so" "$T/evil/"
	cat "$EX/evil/plugin.conf" - > "$T/evil/plugin.conf" <<EOF2
config = { enable_sleep = "$1"; disable_sleep = "$1"; };
EOF2
	check "install evil, not enabled" m plugin install --no-enable "$T/evil"
}
