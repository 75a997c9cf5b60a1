#!/bin/bash
# sandbox.sh - the kernel sandbox of plugin workers, with the hostile
# example plugin data/plugins/evil: each attempt (write into /etc of a
# test root, read a file outside its permissions, a TCP connection to a
# loopback listener, ptrace, a fork bomb, the database file, another
# plugin's state) is refused and recorded in its run while the engine's
# data stays whole; the same plugin granted the permissions succeeds
# where it should; an upgrade asking for more needs --accept-permissions;
# a worker holds no descriptor on the database.  A check that needs a
# kernel part this machine lacks (manager-run probe) is skipped, saying
# which; the refusals are asserted wherever the part is there.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

write_conf 'retry_backoff_base = 0;' 'kill_grace_seconds = 1;' \
	'shutdown_grace_seconds = 1;' "tasks_directory = \"$T/tasks\";"
DB="$STATE/manager.db"
ROOT="$T/root"		# stands for /: its etc/ and a secret
mkdir -p "$ROOT/etc" "$T/tasks"
echo "root:x:0:0::/root:/bin/sh" > "$ROOT/etc/passwd"
echo "the secret" > "$ROOT/secret"
chmod 755 "$T"		# a normal user's run reads the plugin below it

MISSING=$("$top_builddir/manager-run" probe)
SAN=
grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" && SAN=1
has() { case "$MISSING" in *"$1"*) return 1 ;; esac; return 0; }
echo "# kernel parts missing: ${MISSING:-none}; sanitizers: ${SAN:-no}; uid $(id -u)"

# attempt ID FUNCTION...: adds task ID and runs it in the foreground
# (through a sandbox worker); $out is then its last run in JSON.
attempt() {
	id=$1
	shift
	m task add "$id" "$*" interval seconds=3600 --max-retries 0 \
		>/dev/null 2>&1 || m task edit "$id" "func=$*" >/dev/null 2>&1
	m task run "$id" >/dev/null 2>&1
	out=$(m --json task history "$id" --limit 1)
}

# refused PART TEXT PATTERN: the last attempt failed, recorded with
# PATTERN, or a skip naming the missing PART.
refused() {
	if [ -n "$1" ] && ! has "$1"; then
		skip "$2: this kernel lacks $1"
		return
	fi
	if printf '%s' "$out" | grep -q '"status": "failed"' &&
	    printf '%s' "$out" | grep -Eq -- "$3"; then
		ok 0 "$2"
	else
		not_ok "$2" "expected a failed run matching /$3/:" "$out"
	fi
}

succeeded() {	# TEXT PATTERN
	if printf '%s' "$out" | grep -q '"status": "succeeded"' &&
	    printf '%s' "$out" | grep -Eq -- "$2"; then
		ok 0 "$1"
	else
		not_ok "$1" "expected a succeeded run matching /$2/:" "$out"
	fi
}

# A loopback listener that counts connections into $T/accepted.
python3 - "$T" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(0.2)
open(sys.argv[1] + "/port.tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + "/port.tmp", sys.argv[1] + "/port")
n = 0
end = time.time() + 600
while time.time() < end and not os.path.exists(sys.argv[1] + "/stop"):
    try:
        c, _ = s.accept()
        n += 1
        open(sys.argv[1] + "/accepted", "w").write(str(n))
        c.close()
    except socket.timeout:
        pass
PY
LISTENER=$!
sleep 300 &
VICTIM=$!
trap 'touch "$T/stop"; kill $VICTIM 2>/dev/null; wait; cleanup_tmp' EXIT
wait_until 30 test -s "$T/port"
PORT=$(cat "$T/port")

# Install: the permissions are printed, the plugin proceeds.
run_status m plugin install "$EX/evil"
like "$(cat "$T/out")" 'permissions:' "install prints the permissions"
like "$(cat "$T/out")" 'network: no' "by default: no network"
like "$(cat "$T/out")" 'exec: nothing' "by default: no programs"
m plugin enable evil >/dev/null 2>&1
m plugin install "$EX/hello" >/dev/null 2>&1
sqlite3 "$DB" "INSERT INTO plugin_state VALUES ('hello', 'secret', 'hello''s secret');"
like "$(m plugin show evil)" 'write: a private scratch folder' "plugin show lists them"
before=$(sqlite3 "$DB" "SELECT id, version, path, manifest FROM plugins ORDER BY id" | sha256sum)

attempt w evil:write "path=$ROOT/etc/passwd"
refused Landlock "writing /etc/passwd of the test root is refused" \
	'refused: .*/etc/passwd: Permission denied'
is "$(cat "$ROOT/etc/passwd")" "root:x:0:0::/root:/bin/sh" "the file is untouched"
attempt r evil:read "path=$ROOT/secret"
refused Landlock "reading a file outside the permissions is refused" \
	'refused: .*/secret: Permission denied'
attempt c evil:connect "port=$PORT"
refused seccomp "a TCP connection to a loopback listener is refused" \
	'refused: (socket|connect): '
is "$(cat "$T/accepted" 2>/dev/null || echo 0)" 0 "the listener saw no connection"
if [ -n "$SAN" ]; then
	skip "ptrace: a sanitizer build keeps ptrace for LeakSanitizer"
	skip "ptrace: a sanitizer build keeps ptrace for LeakSanitizer"
	skip "fork bomb: a sanitizer build keeps clone for LeakSanitizer"
else
	attempt p evil:ptrace "pid=$VICTIM"
	refused seccomp "ptrace of another process is refused" \
		'refused: ptrace: Operation not permitted'
	is "$(awk '/^TracerPid/ { print $2 }' /proc/$VICTIM/status)" 0 \
		"the process is not traced"
	attempt f evil:forkbomb n=10000
	refused seccomp "a fork bomb of 10,000 children is refused" \
		'forked 0 of 10000.*refused: fork: '
fi
attempt d evil:read "path=$DB"
refused Landlock "opening the database file is refused" \
	'refused: .*manager.db: Permission denied'
attempt s evil:steal key=secret "path=$DB"
refused Landlock "another plugin's state is out of reach" \
	'no state \\"secret\\" of mine.*manager.db: Permission denied'
unlike "$out" "hello's secret" "its value did not leak"

if [ -n "$SAN" ]; then
	skip "PID namespace: a sanitizer build keeps the host's for LeakSanitizer"
elif ! has "PID namespaces"; then
	skip "PID namespace: this kernel lacks PID namespaces"
else
	attempt i evil:whoami
	succeeded "the plugin runs in a PID namespace of its own" '"pid 2'
fi

# Its own state, through the engine (the worker has no database).
attempt k evil:remember key=count
attempt k evil:remember key=count
succeeded "a plugin keeps its own state through the engine" 'count = 2'
is "$(sqlite3 "$DB" "SELECT value FROM plugin_state WHERE plugin_id = 'evil' AND key = 'count'")" \
	2 "the engine stored it under the plugin's id"

# The engine is untouched.
is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "the database is whole"
is "$(sqlite3 "$DB" "SELECT id, version, path, manifest FROM plugins ORDER BY id" | sha256sum)" \
	"$before" "the plugins' rows are unchanged"
is "$(sqlite3 "$DB" "SELECT value FROM plugin_state WHERE plugin_id = 'hello'")" \
	"hello's secret" "the other plugin's state is unchanged"

# A live worker: no descriptor on the database, in any of its processes.
m task add nap 'evil:nap seconds=3' interval seconds=1 >/dev/null 2>&1
m __scheduler-run --for 3 >"$T/engine.log" 2>&1 &
ENGINE=$!
workers() { pgrep -f "manager-run .*worker --db $DB"; }
wait_until 30 workers
pids=$(workers)
if [ -z "$pids" ]; then
	not_ok "a worker ran" "no manager-run worker found" "$(cat "$T/engine.log")"
else
	fds=$(for p in $pids; do ls -l "/proc/$p/fd" 2>/dev/null; done)
	like "$pids" '[0-9]' "a worker ran"
	unlike "$fds" 'manager\.db' "no worker process has a descriptor on the database"
fi
wait $ENGINE
m task remove nap >/dev/null 2>&1

# An upgrade that asks for more is refused unless accepted.
mkdir -p "$T/evil2"
cp "$EX/evil/evil.so" "$T/evil2/"
sed 's/^version = .*/version = "0.2.0";/' "$EX/evil/plugin.conf" > "$T/evil2/plugin.conf"
cat >> "$T/evil2/plugin.conf" <<EOF
permissions = {
  network = true;
  read = [ "$ROOT/secret" ];
  write = [ "$ROOT/etc" ];
};
EOF
expect_fail "an upgrade asking for more permissions is refused" 1 \
	'asks for permissions that 0.1.0 was not given' m plugin install "$T/evil2"
like "$(cat "$T/err")" "write: $ROOT/etc" "the refusal lists what is asked"
like "$(m plugin show evil)" 'version: +0.1.0' "the plugin keeps its version"
run_status m plugin install --accept-permissions "$T/evil2"
is "$status" 0 "--accept-permissions grants them"
like "$(cat "$T/out")" 'network: yes' "install prints the granted permissions"

# Permitted: the same attempts succeed; the others stay refused.
attempt w evil:write "path=$ROOT/etc/passwd"
succeeded "with write permission, writing there works" 'wrote .*/etc/passwd'
attempt r evil:read "path=$ROOT/secret"
succeeded "with read permission, reading works" 'read .*/secret: the secret'
attempt c evil:connect "port=$PORT"
succeeded "with network permission, the connection works" 'connected to 127.0.0.1'
attempt d evil:read "path=$DB"
refused Landlock "the database stays out of reach" 'manager.db: Permission denied'
if [ -z "$SAN" ]; then
	attempt p evil:ptrace "pid=$VICTIM"
	refused seccomp "ptrace stays refused" 'Operation not permitted'
fi

# A permission that covers the database is refused at every worker's
# start, so already at install: its probe is a confined worker too.
sed -e 's/^version = .*/version = "0.3.0";/' \
	-e "s|read = \[ \"$ROOT/secret\" \];|read = [ \"$STATE\" ];|" \
	"$T/evil2/plugin.conf" > "$T/evil2/plugin.conf.new"
mv "$T/evil2/plugin.conf.new" "$T/evil2/plugin.conf"
if has Landlock; then
	expect_fail "a permission covering the database is refused" 1 \
		'covers the database' m plugin install --accept-permissions "$T/evil2"
	like "$(m plugin show evil)" 'version: +0.2.0' "the plugin keeps its version"
else
	skip "a permission covering the database: this kernel lacks Landlock"
fi

# The manifest's permissions are checked, naming file, line and field.
mkdir -p "$T/bad"
cp "$EX/evil/evil.so" "$T/bad/"
cat "$EX/evil/plugin.conf" - > "$T/bad/plugin.conf" <<'EOF'
permissions = {
  network = "yes";
  read = [ "../up" ];
  mount = [ "/" ];
};
EOF
run_status m plugin validate "$T/bad"
like "$(cat "$T/out" "$T/err")" 'plugin.conf:13: field "permissions.network" must be true or false' \
	"a bad network value is named with its line"
like "$(cat "$T/out" "$T/err")" 'plugin.conf:14: field "permissions.read": "../up"' \
	"a path with .. is refused"
like "$(cat "$T/out" "$T/err")" 'plugin.conf:15: unknown field "permissions.mount"' \
	"an unknown permission is named"

# sandbox_require: no plugin runs unconfined.
write_conf 'sandboxing = false;' 'sandbox_require = true;'
m plugin enable hello >/dev/null 2>&1
m task add h hello:greet interval seconds=1 --max-retries 0 >/dev/null 2>&1
m __scheduler-run --for 2.5 >/dev/null 2>&1
like "$(m --json task history h --limit 1)" 'sandbox_require = true' \
	"sandbox_require refuses an unconfined run"

done_testing
