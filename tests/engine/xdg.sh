#!/bin/sh
# xdg.sh - the XDG base directory layout.  A fresh start puts the
# database and plugins under $XDG_DATA_HOME/manager, the log, the run
# logs, the generated API token and hot reload's copies under
# $XDG_STATE_HOME/manager, the shadow copies of loaded plugins under
# $XDG_CACHE_HOME/manager (folders 0700, files 0600).  An installation
# of the old layout (all of it under data, the token next to
# manager.conf) is moved at the next start with nothing lost, and a move
# a crash cut short (across file systems) is finished.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
umask 077	# the fixtures' modes are those the program gives
unset NOTIFY_SOCKET MANAGER_COMMAND_TIMEOUT MANAGER_CONFIG
EX="$top_builddir/data/plugins"
PIDFILE="$T/daemon.pid"
SHM=

xdg_cleanup() {
	if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
		kill -KILL "$(cat "$PIDFILE")" 2>/dev/null
	fi
	[ -n "$SHM" ] && rm -rf "$SHM"
	cleanup_tmp
}
trap xdg_cleanup EXIT

# layout ROOT: the XDG folders under ROOT, and $D, $S, $C, $CONF.
layout() {
	export XDG_CONFIG_HOME="$1/config" XDG_DATA_HOME="$1/data"
	export XDG_STATE_HOME="${2:-$1/state}" XDG_CACHE_HOME="$1/cache"
	D="$XDG_DATA_HOME/manager" S="$XDG_STATE_HOME/manager"
	C="$XDG_CACHE_HOME/manager" CONF="$XDG_CONFIG_HOME/manager/manager.conf"
	mkdir -p "$XDG_CONFIG_HOME/manager"
}

# conf EXTRA-MANAGER-KEYS EXTRA-API-KEYS
conf() {
	printf 'manager = { hot_reload = true; sandboxing = false; shutdown_grace_seconds = 2; %s };\napi = { listen = "127.0.0.1:0"; %s };\n' \
		"$1" "$2" >"$CONF"
}

host_is_daemon() {
	"$MANAGER" host status 2>/dev/null | grep -q "engine host: daemon"
}

# start: a detached daemon (its log is the default one); stop: ends it.
start() {
	run "$MANAGER" --daemon --detach --pidfile "$PIDFILE"
	wait_until 30 host_is_daemon
}
stop() {
	local pid
	pid=$(cat "$PIDFILE")
	kill -TERM "$pid"
	wait_until 30 sh -c "! kill -0 $pid 2>/dev/null"
}

# sums DIR: "SHA256  ./PATH" of every file under DIR, sorted.
sums() {
	(cd "$1" 2>/dev/null && find . -type f -exec sha256sum {} + | sort)
}

# bad_modes DIR...: what is not 0700 (folders) or 0600 (files).
bad_modes() {
	find "$@" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \)
}

# ---- a fresh start ----
# t1 prints past the 4 KiB of records a log kept in the database holds,
# and again 0.3 s later (the thread making log files ahead has one by
# then): its log is a file.
layout "$T/fresh"
conf "" ""
"$MANAGER" plugin install "$EX/hello" >/dev/null &&
	"$MANAGER" plugin enable hello >/dev/null &&
	"$MANAGER" task add t1 "exec:sh -c 'echo fresh-output; seq 1 1500; sleep 0.3; echo end'" \
	    interval seconds=3600 \
	>/dev/null
ok $? "plugin hello installed and enabled, task t1 added"
start
is "$rc" 0 "the daemon starts"
like "$err" "logging to $S/manager.log" "... logging to state_directory/manager.log"
"$MANAGER" task run t1 >/dev/null
ok $? "t1 runs"
like "$("$MANAGER" task logs t1)" "fresh-output" "task logs shows its output"
ls "$C"/shadow-* >/dev/null 2>&1
ok $? "the shadow copy of the loaded plugin is under XDG_CACHE_HOME/manager"
stop
ok "$([ -f "$D/manager.db" ] && [ -d "$D/plugins/hello" ] && echo 0 || echo 1)" \
	"database and plugins under XDG_DATA_HOME/manager"
is "$(cd "$S" && ls -d api.token logs/t1/*.log manager.log reload/hello 2>&1 | \
	sed 's|logs/t1/.*\.log|logs/t1/RUN.log|' | tr '\n' ' ')" \
	"api.token logs/t1/RUN.log manager.log reload/hello " \
	"token, run log, daemon log and hot reload copy under XDG_STATE_HOME/manager"
is "$(cd "$D" && ls -d cache reload logs manager.log repositories 2>/dev/null)" "" \
	"no cache, reload, logs or manager.log under the data folder"
ok "$([ ! -e "$XDG_CONFIG_HOME/manager/api.token" ] && echo 0 || echo 1)" \
	"no token in the configuration folder"
is "$(mode_of "$D") $(mode_of "$S") $(mode_of "$C")" "700 700 700" \
	"data, state and cache folders are 0700"
is "$(bad_modes "$S" "$C" "$D/plugins")" "" \
	"every folder under them is 0700, every file 0600"

# ---- the old layout, as older versions left it ----
# The same binary with the old places named: everything under data, the
# API token next to manager.conf (the old example's token_file).
layout "$T/old"
conf "state_directory = \"$D\"; cache_directory = \"$D/cache\";" \
	'token_file = "api.token";'
"$MANAGER" plugin install "$EX/hello" >/dev/null &&
	"$MANAGER" plugin enable hello >/dev/null &&
	"$MANAGER" task add t1 "exec:sh -c 'echo old-output; seq 1 1500; sleep 0.3; echo end'" \
	    interval seconds=3600 \
	>/dev/null
start
"$MANAGER" task run t1 >/dev/null
stop
R=0123456789abcdef	# a remote repository's cache, the old way
mkdir -p "$D/repositories/$R/keys" "$D/repositories/$R/cache/archives"
echo key >"$D/repositories/$R/keys/K.pub"
echo index >"$D/repositories/$R/cache/index.conf"
echo zip >"$D/repositories/$R/cache/archives/hello-1.2.0.zip"
ls -d "$D/logs/t1" "$D/reload/hello" "$D/manager.log" "$D/cache" \
	"$XDG_CONFIG_HOME/manager/api.token" >/dev/null
ok $? "the old layout: logs, reload, manager.log, cache under data, the token in config"
TOKEN=$(cat "$XDG_CONFIG_HOME/manager/api.token")
LOGS=$(sums "$D/logs")
RELOAD=$(sums "$D/reload")
REPO=$(sums "$D/repositories/$R/cache")
OLDLOG=$(cat "$D/manager.log")

# The new version: the keys are gone from the file, the defaults apply.
conf "" ""
start
is "$rc" 0 "the daemon starts on the old layout"
like "$err" "moved $D/manager.log to $S/manager.log" \
	"the move of the log is told on the terminal, before it opens"
stop
for p in logs reload manager.log cache "repositories/$R/cache"; do
	ok "$([ ! -e "$D/$p" ] && echo 0 || echo 1)" "data/$p moved away"
done
ok "$([ ! -e "$XDG_CONFIG_HOME/manager/api.token" ] && echo 0 || echo 1)" \
	"the token moved out of the configuration folder"
is "$(cat "$S/api.token")" "$TOKEN" "... to state_directory, the same token"
is "$(sums "$S/logs")" "$LOGS" "every run log moved to state_directory/logs"
is "$(sums "$S/reload")" "$RELOAD" "hot reload's copies to state_directory/reload"
is "$(sums "$C/repositories/$R")" "$REPO" \
	"the repository's downloads to cache_directory/repositories"
is "$(cat "$D/repositories/$R/keys/K.pub")" "key" "... its trusted keys stay in data"
like "$(cat "$S/manager.log")" "$(printf '%s' "$OLDLOG" | head -1 | \
	sed 's/[][\\.*^$()+?{}|]/\\&/g')" "the old manager.log is the new one's beginning"
like "$(cat "$S/manager.log")" "moved $D/logs to $S/logs" "the other moves are logged"
like "$(cat "$S/manager.log")" \
	"moved $XDG_CONFIG_HOME/manager/api.token to $S/api.token" "... the token's too"
like "$("$MANAGER" task logs t1)" "old-output" "task logs shows the old run's output"
is "$(bad_modes "$S" "$C")" "" "moved folders are 0700, files 0600"
n=$(wc -l <"$S/manager.log")
start
stop
unlike "$(tail -n +$((n + 1)) "$S/manager.log")" "moved |left where it is" \
	"the next start moves nothing"

# ---- a move across file systems, cut short by a crash ----
# State on another file system (tmpfs) than data: a rename fails with
# EXDEV, the files are copied.  The crash left: a run log copied whole
# but not removed, one half copied (its temporary copy), one not
# started, and a file at both places that differs.
SHM=$(mktemp -d /dev/shm/manager-test.XXXXXX 2>/dev/null)
if [ -n "$SHM" ] && [ "$(stat -c %d "$SHM")" != "$(stat -c %d "$T")" ]; then
	layout "$T/crash" "$SHM/state"
	conf "" ""
	"$MANAGER" task add t9 "exec:true" interval seconds=3600 >/dev/null
	mkdir -p "$D/logs/t9" "$S/logs/t9" "$D/reload/p/sub"
	echo one >"$D/logs/t9/1-1.log"
	echo one >"$S/logs/t9/1-1.log"
	echo two >"$D/logs/t9/2-1.log"
	echo tw >"$S/logs/t9/.2-1.log.migrating"
	echo three >"$D/logs/t9/3-1.log"
	echo old >"$D/logs/t9/4-1.log"
	echo new >"$S/logs/t9/4-1.log"
	echo copy >"$D/reload/p/sub/f"
	chmod 0600 "$D"/logs/t9/* "$D/reload/p/sub/f"
	start
	is "$rc" 0 "the daemon starts after the crash"
	stop
	is "$(cat "$S"/logs/t9/1-1.log "$S"/logs/t9/2-1.log "$S"/logs/t9/3-1.log \
		"$S"/logs/t9/4-1.log | tr '\n' ' ')" "one two three new " \
		"the moves are finished, the differing new file kept"
	is "$(ls -A "$S/logs/t9" | tr '\n' ' ')" "1-1.log 2-1.log 3-1.log 4-1.log " \
		"no temporary copy is left"
	is "$(ls -A "$D/logs/t9" | tr '\n' ' ')" "4-1.log " \
		"the old copies are gone but the differing one"
	is "$(cat "$D/logs/t9/4-1.log")" "old" "... which is kept as it was"
	like "$(cat "$S/manager.log")" \
		"$D/logs/t9/4-1.log is left where it is: $S/logs/t9/4-1.log exists and differs" \
		"a warning names both"
	is "$(cat "$S/reload/p/sub/f" 2>&1)" "copy" \
		"a folder is copied across file systems whole"
	ok "$([ ! -e "$D/reload" ] && echo 0 || echo 1)" "... and removed"
	like "$(cat "$S/manager.log")" "moved $D/reload to $S/reload \(copied" \
		"... which is logged"
	is "$(bad_modes "$S/logs" "$S/reload")" "" "copies are 0700 and 0600"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		skip "no second file system in /dev/shm"
	done
fi

echo "1..$_tap_n"
done_testing
