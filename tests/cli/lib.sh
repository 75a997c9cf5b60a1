# lib.sh - TAP helpers for the shell tests.  Source it, call `plan N`,
# then the checks; each prints "ok N - text" or "not ok N - text".
#
#   . "$top_srcdir/tests/cli/lib.sh"
#   plan 3
#   setup_tmp                      # $T: private folder, removed on exit
#   run $MANAGER --version         # sets $out, $err, $rc
#   is "$rc" 0 "version exits 0"
#   like "$out" "manager [0-9]" "version printed"

: "${MANAGER:=${top_builddir:-.}/manager}"

# sqlite3: a test's statements wait up to 10 s for the engine's writes.
# The shell's default is no wait: a test's UPDATE made while a daemon
# committed failed with "database is locked", and a check after it
# failed without saying why (api_group.sh 29, once, under distcheck).
sqlite3() { command sqlite3 -cmd ".timeout 10000" "$@"; }
_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }

_tap_report() {	# status text
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

ok() {		# condition-status text
	_tap_report "$1" "$2"
}

is() {		# got expected text
	if [ "$1" = "$2" ]; then
		_tap_report 0 "$3"
	else
		_tap_report 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
	fi
}

like() {	# got extended-regex text
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_report 0 "$3"
	else
		_tap_report 1 "$3"
		printf '#   got: %s\n#   expected to match: %s\n' "$1" "$2" | head -20
	fi
}

unlike() {	# got extended-regex text
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_report 1 "$3"
		printf '#   got: %s\n#   expected not to match: %s\n' "$1" "$2" | head -20
	else
		_tap_report 0 "$3"
	fi
}

# Runs a command capturing stdout, stderr and status into $out $err $rc.
run() {
	local e
	e=$(mktemp)
	out=$("$@" 2>"$e")
	rc=$?
	err=$(cat "$e")
	rm -f "$e"
}

# A private folder $T with XDG variables inside it, so tests never touch
# $HOME and can run in parallel, and an empty configuration file in
# $MANAGER_CONFIG, so that a command without --config never reads the
# machine's $(sysconfdir)/manager.conf.  A test of the lookup itself runs
# with MANAGER_CONFIG unset (env -u MANAGER_CONFIG).
setup_tmp() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/manager-test.XXXXXX")
	trap 'cleanup_tmp' EXIT
	export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
	export XDG_STATE_HOME="$T/state" XDG_CACHE_HOME="$T/cache"
	export MANAGER_CONFIG="$T/empty.conf"
	mkdir -p "$HOME"
	: >"$MANAGER_CONFIG"
}

cleanup_tmp() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

# Waits until a command succeeds, polling every 50 ms, up to $1 seconds.
wait_until() {
	local end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# skip TEXT: a check that cannot run here, counted as passed.
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - # SKIP $1"
}

# Octal mode of a file.
mode_of() { stat -c %a "$1"; }

# Failures are reported per case above; the exit status stays 0 so that
# the harness does not count them a second time as an error.
done_testing() {
	return 0
}
