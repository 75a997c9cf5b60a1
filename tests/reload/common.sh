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
  reload_debounce_ms = 50;
  snapshot_keep = 3;
  auto_enable = false;
  log_level = "warning";
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
	sed -e "s/mgr_log(host, MGR_LOG_INFO, \"enabled\");/mgr_log(host, MGR_LOG_INFO, \"enabled\"); host->api->state_set(host, \"loaded\", \"$greeting\");/" \
	    "$top_srcdir/data/plugins/hello/hello.c" > "$T/src/hello-$greeting.c"
	cc -shared -fPIC -I"$top_builddir/include" -I"$top_srcdir/src" "$@" \
	    -o "$dir/hello.so" "$T/src/hello-$greeting.c"
}

# sql QUERY: runs a query on the test database (sqlite3 CLI).
sql() { sqlite3 -batch -noheader "$T/m.db" "$1"; }
