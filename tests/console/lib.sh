# lib.sh - helpers for the console tests: TAP, a private tmux server per
# test, and example data.  Sourced by tests/console/*.sh and by
# doc/make-screenshot.sh.

: "${MANAGER:?MANAGER must name the built manager binary}"

tap_n=0
tap_failed=0
ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}
not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
}
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}
check() {	# check "description" command...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# A private folder, database and configuration; removed on exit.
console_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/manager-console.XXXXXX")
	export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
	export XDG_STATE_HOME="$T/state" XDG_CACHE_HOME="$T/cache"
	export XDG_RUNTIME_DIR="$T/run"
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
	DB="$T/manager.db"
	: > "$T/manager.conf"
	SOCK="manager-test-$$"
	trap console_teardown EXIT
}

console_teardown() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}

m() {
	"$MANAGER" --config "$T/manager.conf" --db "$DB" "$@"
}

sql() {
	sqlite3 -cmd ".timeout 5000" "$DB" "$@"
}

# Example data: three plugins (one faulted), tasks due at various times,
# a few runs and events.
seed_example() {
	m host reload >/dev/null || return 1
	sql <<'SQL'
CREATE TEMP TABLE now AS SELECT CAST(strftime('%s','now') AS INTEGER) * 1000000 AS t;
INSERT INTO plugins (id, name, version, description, author, enabled,
  installed_at, path, manifest, dependencies, state, error, updated_at)
SELECT 'hello', 'Hello', '1.2.0', 'Greets the world', 'Ada', 1, t, '/srv/p/hello',
  '{"id":"hello","version":"1.2.0","tasks":[{"id":"hello.greet"}]}',
  '["base >= 1.0"]', 'enabled', NULL, t FROM now;
INSERT INTO plugins (id, name, version, enabled, installed_at, path, state, updated_at)
SELECT 'base', 'Base', '1.0.0', 1, t, '/srv/p/base', 'enabled', t FROM now;
INSERT INTO plugins (id, name, version, enabled, installed_at, path, state, error, updated_at)
SELECT 'broken', 'Broken', '0.1.0', 0, t, '/srv/p/broken', 'faulted',
  'on_enable crashed (SIGSEGV)', t FROM now;
INSERT INTO plugins (id, name, version, enabled, installed_at, path, state, updated_at)
SELECT 'wide', '日本語プラグイン', '2.0.0', 0, t, '/srv/p/wide', 'disabled', t FROM now;
INSERT INTO tasks (id, name, func_path, trigger, trigger_args, enabled, last_run,
  next_run, status, plugin_id, source, created_at, updated_at)
SELECT 'hello.greet', 'Greet everyone', 'hello:greet', 'interval', '{"minutes":"30"}',
  1, t - 1560000000, t + 240000000, 'succeeded', 'hello', 'plugin:hello', t, t FROM now;
INSERT INTO tasks (id, name, func_path, trigger, trigger_args, enabled, last_run,
  next_run, status, source, created_at, updated_at)
SELECT 'sync.pull', 'Pull the mirror', 'exec:/usr/bin/true', 'cron', '{"minute":"*/5"}',
  1, t - 10000000, t + 12000000, 'retrying', 'cli', t, t FROM now;
INSERT INTO tasks (id, name, func_path, trigger, trigger_args, enabled, last_run,
  next_run, status, source, created_at, updated_at)
SELECT 'backup.nightly', 'Nightly backup', 'exec:/usr/bin/true', 'cron',
  '{"hour":"2","minute":"0"}', 1, t - 25000000000, t + 7500000000, 'succeeded',
  'cli', t, t FROM now;
INSERT INTO tasks (id, name, func_path, trigger, trigger_args, enabled, last_run,
  next_run, status, source, created_at, updated_at)
SELECT 'report.weekly', '週報レポート 📊 weekly', 'exec:/usr/bin/true', 'cron',
  '{"day_of_week":"mon","hour":"9"}', 0, t - 300000000000, NULL, 'paused',
  'cli', t, t FROM now;
INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at, status,
  exit_code, output, error)
SELECT 'sync.pull', 2, t - 10000000, t - 10000000, t - 9000000, 'failed', 1,
  'connecting...', 'connection refused' FROM now;
INSERT INTO runs (task_id, attempt, scheduled_at, started_at, ended_at, status,
  exit_code, output)
SELECT 'hello.greet', 1, t - 1560000000, t - 1560000000, t - 1559000000,
  'succeeded', 0, 'Hello, world!' FROM now;
INSERT INTO events (at, kind, subject, message)
SELECT t - 2000000000, 'plugin.faulted', 'broken', 'on_enable crashed (SIGSEGV)' FROM now;
INSERT INTO events (at, kind, subject, message)
SELECT t - 1900000000, 'task.paused', 'report.weekly', 'paused from the CLI' FROM now;
SQL
}

# Starts the console in a detached tmux session of the given size.
# The pane outlives the console until console_teardown kills the server:
# waits count polls, not seconds, so under heavy load they last minutes,
# and a pane that went after 30 s took the exit status (and the screen a
# failed wait prints) with it.
console_start() {	# console_start COLS ROWS [extra env]
	tmux -L "$SOCK" -f /dev/null new-session -d -s c -x "$1" -y "$2" \
	    "cd '$T'; ulimit -c 0; env TERM=${CONSOLE_TERM:-screen-256color} LC_ALL=C.UTF-8 TZ=UTC $3 \
	    '$MANAGER' --config '$T/manager.conf' --db '$DB'; \
	    echo \"exited with status \$?\"; sleep 3600"
}

screen() {
	tmux -L "$SOCK" capture-pane -p -t c
}

keys() {
	tmux -L "$SOCK" send-keys -t c "$@"
}

# retry SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds
# (0) or SECONDS pass (1).
retry() {
	retry_n=$(( $1 * 20 ))
	shift
	while [ "$retry_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		retry_n=$((retry_n - 1))
	done
	return 1
}
shown() { screen | grep -F -q -- "$1"; }
not_shown() { ! shown "$1"; }
sql_is() { [ "$(sql "$1")" = "$2" ]; }

# Waits default to 15 s: a console under ASan on a machine loaded by
# other builds can take seconds to start or redraw, and a wait that
# succeeds returns at once.
# wait_for TEXT [SECONDS]: polls the pane until TEXT shows (fixed string).
wait_for() {
	retry "${2:-15}" shown "$1" && return 0
	echo "# timed out waiting for: $1" >&2
	screen | sed 's/^/# /' >&2
	return 1
}

# wait_gone TEXT [SECONDS]: polls until TEXT is no longer shown.
wait_gone() {
	retry "${2:-15}" not_shown "$1" && return 0
	echo "# timed out waiting for the end of: $1" >&2
	return 1
}

# wait_sql QUERY EXPECTED [SECONDS]
wait_sql() {
	retry "${3:-15}" sql_is "$1" "$2" && return 0
	echo "# $1 gave $(sql "$1"), expected $2" >&2
	return 1
}

# selected: the text of the row drawn in reverse video (the focused
# pane's selection), as "LINE:TEXT", LINE counted from 1.
selected() {
	tmux -L "$SOCK" capture-pane -p -e -t c |
	    grep -n -E "$(printf '\033')\[([0-9]+;)*7m" |
	    sed "s/$(printf '\033')\[[0-9;]*m//g" | grep "^[0-9]*:│" | head -1
}

# wait_selected TEXT [SECONDS]: polls until the selected row shows TEXT.
selected_has() { case "$(selected)" in *"$1"*) return 0 ;; esac; return 1; }
wait_selected() {
	retry "${2:-15}" selected_has "$1" && return 0
	echo "# the selected row is \"$(selected)\", expected $1" >&2
	return 1
}

# line_has N TEXT: line N of the screen (from 1) shows TEXT within 15 s
# (the console redraws after a key at its next tick: slower under ASan).
line_shows() { screen | sed -n "${1}p" | grep -F -q -- "$2"; }
line_has() {
	retry 15 line_shows "$1" "$2" && return 0
	echo "# line $1 is \"$(screen | sed -n "${1}p")\", expected $2" >&2
	return 1
}

# click X Y [double]: a left click (two with double) at column X, row Y
# (from 0) as the terminal sends it (X10 mouse encoding: ESC [ M, then
# button + 32, column + 33, row + 33; button 3 is the release).
click() {
	c=$(printf "\\$(printf %o $(( $1 + 33 )))")
	r=$(printf "\\$(printf %o $(( $2 + 33 )))")
	seq="$(printf '\033[M ')$c$r$(printf '\033[M#')$c$r"
	[ "${3:-}" = double ] && seq="$seq$seq"
	tmux -L "$SOCK" send-keys -t c -l "$seq"
}

# wheel up|down X Y: one turn of the wheel over column X, row Y.
wheel() {
	b='`'
	[ "$1" = down ] && b=a
	c=$(printf "\\$(printf %o $(( $2 + 33 )))")
	r=$(printf "\\$(printf %o $(( $3 + 33 )))")
	tmux -L "$SOCK" send-keys -t c -l "$(printf '\033[M')$b$c$r"
}
