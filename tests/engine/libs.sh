#!/bin/sh
# A command maps only the libraries it uses (issue 18, item 8): libpq
# (and the 11 libraries it brings) only with a PostgreSQL database,
# libmicrohttpd (9 more) only in a process that serves the HTTP API,
# ncurses only in the console, libzip (bz2, z) only with an archive,
# libcrypto only for Ed25519 keys and signatures.  Each is opened with dlopen by the code
# that needs it, and one that cannot be loaded is an error naming it
# (and the database or the address that needed it).  glibc's loader
# names every file it loads under LD_DEBUG=files; /proc/PID/maps shows
# what a running daemon has mapped.
. "$top_srcdir/tests/engine/lib.sh"

LAZY='libpq|libmicrohttpd|libncurses|libtinfo|libzip|libcrypto'

# loaded CMD...: the shared objects the loader opened for CMD, one a line.
loaded() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null |
	    sed -n 's/.*file=\([^ ]*\).*\[0\];.*/\1/p' | sort -u
}

unlike "$(ldd "$MANAGER")" "$LAZY" \
    "the binary links none of libpq, libmicrohttpd, ncurses, libzip, libcrypto"
unlike "$(loaded mgr --version)" "$LAZY" "--version loads none of them"
mgr task add t1 exec:/bin/true interval seconds=60 >/dev/null
unlike "$(loaded mgr task list)" "$LAZY" \
    "task list on a SQLite database loads none of them"
unlike "$(loaded mgr task show t1)" "$LAZY" "... nor does task show"
like "$(loaded mgr --version)" "libsqlite3" \
    "(the check sees what is loaded: libsqlite3 is)"

# A daemon without the API does not map libmicrohttpd; one with it does.
start_daemon
unlike "$(cat "/proc/$DAEMON_PID/maps")" "$LAZY" \
    "a daemon without api.listen maps none of them"
stop_daemon
printf 'manager = { shutdown_grace_seconds = 2; };\napi = { listen = "127.0.0.1:0"; token = "a-long-enough-token"; };\n' >"$CONF"
start_daemon
like "$(cat "/proc/$DAEMON_PID/maps")" "libmicrohttpd" \
    "a daemon serving the API maps libmicrohttpd"
unlike "$(cat "/proc/$DAEMON_PID/maps")" "libpq|libncurses" \
    "... and not libpq or ncurses"
stop_daemon

# A plugin's archive: libzip is loaded to read it.
python3 - "$T/hello.zip" "$top_builddir/data/plugins/hello" <<'PY'
import os, sys, zipfile
out, plugin = sys.argv[1:3]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in ("plugin.conf", "hello.so"):
        z.write(os.path.join(plugin, f), f)
PY
like "$(loaded mgr plugin validate "$T/hello.zip")" "libzip" \
    "plugin validate of a zip loads libzip"
like "$(loaded mgr repo keygen "$T/key")" "libcrypto" \
    "repo keygen loads libcrypto"

# A library that cannot be loaded: a file of that name that is no
# library, first in the loader's path.  The old binary, which linked
# them, did not start at all ("error while loading shared libraries").
mkdir -p "$T/badlib"
for lib in libpq.so.5 libmicrohttpd.so.12 libncursesw.so.6 libzip.so.4 \
    libcrypto.so.3 libcrypto.so.1.1; do
	echo "not a library" >"$T/badlib/$lib"
done
run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "postgresql://someone:s3cret@127.0.0.1:1/nodb" task list
is "$rc" 1 "an unloadable libpq: task list on PostgreSQL exits 1"
like "$err" "cannot load libpq\.so\.5 for the PostgreSQL database postgresql://someone@127\.0\.0\.1:1/nodb: .*badlib/libpq\.so\.5" \
    "... naming the library, the database URL and the loader's reason"
unlike "$err" "s3cret" "... without the URL's password"
run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "host=/nowhere password='a b' dbname=x" task list
like "$err" "cannot load libpq\.so\.5 for the PostgreSQL database host=/nowhere +dbname=x:" \
    "... a keyword string is named without its password too"
run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "postgresql://u@h/db?password=zz&sslmode=disable" task list
like "$err" "database postgresql://u@h/db\?sslmode=disable:" \
    "... and a URL's password parameter"
run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "$DB" task list
is "$rc" 0 "task list on SQLite does not need it"
like "$out" "t1" "... and lists the task"

run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "$DB" --daemon
is "$rc" 1 "an unloadable libmicrohttpd: the daemon with api.listen exits 1"
like "$err" "api.listen \"127\.0\.0\.1:0\": cannot load libmicrohttpd\.so\.12 to serve the HTTP API: .*badlib" \
    "... naming the library and the address"

run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "$DB" plugin validate "$T/hello.zip"
is "$rc" 1 "an unloadable libzip: plugin validate of a zip exits 1"
like "$err" "hello\.zip: cannot load libzip\.so\.4 to read or write the archive: .*badlib" \
    "... naming the archive and the library"

run env LD_LIBRARY_PATH="$T/badlib" "$MANAGER" --config "$CONF" \
    --db "$DB" repo keygen "$T/key2"
is "$rc/$([ -e "$T/key2" ] && echo written)" "1/" \
    "an unloadable libcrypto: repo keygen exits 1, no key written"
like "$err" "cannot load libcrypto\.so\.[0-9.]* for Ed25519 keys and signatures: .*badlib" \
    "... naming the library"

# The console needs a terminal: script(1) gives it one.
if command -v script >/dev/null 2>&1; then
	LD_LIBRARY_PATH="$T/badlib" TERM=xterm script -qec \
	    "'$MANAGER' --config '$CONF' --db '$DB' console" "$T/typescript" \
	    </dev/null >/dev/null 2>&1
	like "$(cat "$T/typescript")" "cannot load libncursesw\.so\.6 for the console: .*badlib" \
	    "an unloadable ncurses: the console says which library"
else
	skip "script(1) is not installed: the console's error"
fi

# With a PostgreSQL database, libpq is loaded by the command, not linked.
if [ -n "${MANAGER_TEST_PG:-}" ]; then
	like "$(loaded "$MANAGER" --config "$CONF" --db "$MANAGER_TEST_PG" task list)" \
	    "libpq" "task list on PostgreSQL loads libpq"
else
	skip "MANAGER_TEST_PG is not set: libpq loaded for PostgreSQL"
fi
finish
