# common.sh - set-up shared by the reload tests: a private folder and
# configuration, helpers to build variants of the hello example plugin.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
mkdir -p "$T/etc" "$T/data" "$T/src"
cat > "$T/etc/m.conf" <<CONF
manager: {
  data_directory = "$T/data";
  plugins_directory = "$T/data/plugins";
  tasks_directory = "$T/tasks";
  hot_reload = true;
  reload_debounce_ms = 100;
  fault_max_crashes = 3;
  snapshot_keep = 3;
  auto_enable = false;
  log_level = "warning";
  shutdown_grace_seconds = 1;
};
CONF
M() { "$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" "$@"; }
PLUGDIR="$T/data/plugins"

# hello_variant DIR VERSION GREETING [EXTRA_CFLAGS...]: a copy of the hello
# plugin whose version and greeting (state "loaded" set by on_enable)
# differ, compiled into DIR/hello.so.
hello_variant() {
	local dir=$1 version=$2 greeting=$3
	shift 3
	mkdir -p "$dir"
	sed -e "s/^version = .*/version = \"$version\";/" \
	    -e "s/greeting = \"Hello\"/greeting = \"$greeting\"/" \
	    "$top_srcdir/data/plugins/hello/plugin.conf" > "$dir/plugin.conf"
	# on_enable records which code runs in which process: live-PID.
	sed -e "s/mgr_log(host, MGR_LOG_INFO, \"enabled\");/{ char k[32]; snprintf(k, sizeof k, \"live-%d\", (int)getpid()); host->api->state_set(host, k, \"$greeting\"); }/" \
	    -e "s/#include <stdlib.h>/#include <stdlib.h>\n#include <unistd.h>/" \
	    "$top_srcdir/data/plugins/hello/hello.c" > "$T/src/hello-$greeting.c"
	cc -shared -fPIC -I"$top_builddir/include" -I"$top_srcdir/src" "$@" \
	    -o "$dir/hello.so" "$T/src/hello-$greeting.c"
}

# sql QUERY: runs a query on the test database (sqlite3 CLI).
sql() { sqlite3 -batch -noheader "$T/m.db" "$1"; }

# Events of KIND about hello.
count_events() { sql "SELECT count(*) FROM events WHERE kind='$1' AND subject='hello'"; }

# start_host: `manager --daemon` (hot_reload = true) in the background;
# $HOST is its pid, once it hosts the engine.
start_host() {
	unset NOTIFY_SOCKET
	"$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" --daemon \
	    > "$T/host.out" 2> "$T/host.err" &
	HOST=$!
	wait_eval 30 'M host status 2>/dev/null | grep -q "engine host: daemon"'
}
stop_host() { kill "$HOST" 2>/dev/null; wait "$HOST" 2>/dev/null; HOST=; }
cleanup_reload() {
	[ -n "${HOST:-}" ] && kill -KILL "$HOST" 2>/dev/null
	cleanup_tmp
}
trap cleanup_reload EXIT

# live: the greeting of the code loaded in the host right now.
live() { sql "SELECT value FROM plugin_state WHERE plugin_id='hello' AND key='live-$HOST'"; }

# deploy DIR: saves a plugin build into the installed folder the way a
# build script does (manifest, then library, each renamed into place).
deploy() {
	cp "$1/plugin.conf" "$PLUGDIR/hello/.plugin.conf.tmp"
	mv "$PLUGDIR/hello/.plugin.conf.tmp" "$PLUGDIR/hello/plugin.conf"
	cp "$1/hello.so" "$PLUGDIR/hello/.hello.so.tmp"
	mv "$PLUGDIR/hello/.hello.so.tmp" "$PLUGDIR/hello/hello.so"
}

# wait_eval SECONDS 'CONDITION': evaluates CONDITION every 50 ms until it
# holds or the time is up.
wait_eval() {
	local limit=$1 i=0
	while ! eval "$2" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $(($1 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}
