#!/bin/sh
# task-sandbox.sh - the sandbox of exec: tasks (issue 21) and their
# resource limits and I/O class (issue 13): --sandbox strict writes only
# its workdir and --write paths, reads the system and --read-only paths
# only, has no network unless --network, a PID namespace with a /proc of
# its own and, with --private-tmp, an empty /tmp; manager.task_sandbox
# as the default; --ioprio and --limit-* on the run; the errors of bad
# values name them.  Runs in the foreground (no daemon).
. "$top_srcdir/tests/sched/common.sh"
plan 37

SAN=
grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" && SAN=1
MISSING=$("$top_builddir/manager-run" probe)
has() { case "$MISSING" in *"$1"*) return 1 ;; esac; return 0; }
echo "# kernel parts missing: ${MISSING:-none}; sanitizers: ${SAN:-no}; uid $(id -u)"

mkdir -p "$T/wd" "$T/extra" "$T/ro"
echo "the secret" >"$T/secret"
echo "readable" >"$T/ro/file"
chmod 755 "$T"
flat() { printf '%s' "$1" | tr '\n' ' '; }

# try ID: runs task ID in the foreground; $st is its last run's status
# and $output its output.
try() {
	M task run "$1" >/dev/null 2>&1
	st=$(sql "SELECT status FROM runs WHERE task_id='$1' ORDER BY id DESC LIMIT 1")
	output=$(sql "SELECT output FROM runs WHERE task_id='$1' ORDER BY id DESC LIMIT 1")
}

add() {		# ID COMMAND OPTIONS...
	id=$1 cmd=$2
	shift 2
	M task add "$id" "exec:sh -c '$cmd'" cron year=2099 hour=3 --max-retries 0 "$@" >/dev/null
}

# ---- strict: write the workdir only ----
add free 'echo x > out.txt && echo y > ../outside-free && echo wrote' --workdir "$T/wd"
try free
is "$st:$output" "succeeded:wrote" "without a sandbox a task writes outside its workdir"
add strict 'echo x > in.txt && echo wrote-in; echo y > ../outside 2>&1 || echo refused' \
	--workdir "$T/wd" --sandbox strict
try strict
like "$output" "wrote-in" "a strict task writes in its workdir"
like "$output" "outside: Permission denied" "... and not outside it (the error recorded in its run)"
ok $([ -f "$T/wd/in.txt" ] && [ ! -e "$T/outside" ] && echo 0 || echo 1) \
	"... the file in the workdir is there, none outside"
add etc 'echo x > /etc/manager-sandbox-test' --workdir "$T/wd" --sandbox strict
try etc
is "$st" failed "a strict task cannot write /etc"
like "$output" "Permission denied" "... and its run says why"
ok $([ ! -e /etc/manager-sandbox-test ] && echo 0 || echo 1) "... nothing was written"

# --write PATH grants one more folder.
add extra 'echo x > ../extra/made && echo ok' --workdir "$T/wd" --sandbox strict --write "$T/extra"
try extra
is "$st:$output" "succeeded:ok" "--write PATH: the task writes there"

# ---- strict: read the system and what is granted ----
add sys 'cat /etc/passwd >/dev/null && ls /usr/bin >/dev/null && echo sys' --workdir "$T/wd" --sandbox strict
try sys
is "$st:$output" "succeeded:sys" "a strict task reads the system and writes /dev/null"
add secret "cat $T/secret" --workdir "$T/wd" --sandbox strict
try secret
is "$st" failed "a strict task cannot read a file outside what it is given"
like "$output" "Permission denied" "... Permission denied, recorded"
add db "cat $T/m.db >/dev/null" --workdir "$T/wd" --sandbox strict
try db
is "$st" failed "a strict task cannot read the database file"
add ro "cat $T/ro/file; echo x > $T/ro/new 2>&1 || echo refused" --workdir "$T/wd" \
	--sandbox strict --read-only "$T/ro"
try ro
like "$(flat "$output")" "^readable .*refused.*ro/new: Permission denied|^readable .*ro/new: Permission denied.*refused" \
	"--read-only PATH: read, and not written"

# ---- network ----
python3 - "$T" <<'PY' &
import socket, sys, time, os
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(0.2)
open(sys.argv[1] + "/port.tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + "/port.tmp", sys.argv[1] + "/port")
n = 0
end = time.time() + 300
while time.time() < end and not os.path.exists(sys.argv[1] + "/stop"):
    try:
        c, _ = s.accept()
        n += 1
        open(sys.argv[1] + "/accepted", "w").write(str(n))
        c.close()
    except socket.timeout:
        pass
PY
listener=$!
wait_until 60 test -s "$T/port"
PORT=$(cat "$T/port")
M task add nonet "exec:bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PORT && echo connected'" \
	cron year=2099 hour=3 --max-retries 0 --workdir "$T/wd" --sandbox strict >/dev/null
try nonet
is "$st" failed "a strict task cannot connect to a loopback listener"
is "$(cat "$T/accepted" 2>/dev/null || echo 0)" 0 "... the listener saw no connection"
M task add net "exec:bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PORT && echo connected'" \
	cron year=2099 hour=3 --max-retries 0 --workdir "$T/wd" --sandbox strict --network >/dev/null
try net
is "$st:$output" "succeeded:connected" "--network: the same task connects"
touch "$T/stop"
wait "$listener" 2>/dev/null

# ---- PID namespace and /proc; private /tmp ----
add procs 'ls /proc | grep -c "^[0-9]"' --workdir "$T/wd" --sandbox strict
try procs
if [ -n "$SAN" ]; then
	skip "PID namespace: a sanitizer build keeps the host's for LeakSanitizer"
elif ! has "PID namespaces"; then
	skip "PID namespace: this kernel lacks PID namespaces"
else
	ok $([ "$st" = succeeded ] && [ "$output" -le 6 ] && echo 0 || echo 1) \
		"a strict task sees its own processes only ($output in /proc)"
fi
run M task add ptmp "exec:true" cron hour=3 --workdir "$T/wd" --sandbox strict --private-tmp
like "$rc:$err" "^[1-9].*workdir \"$T/wd\" is under /tmp, which private_tmp replaces" \
	"a workdir under /tmp with --private-tmp is refused, saying why"
name="manager-sandbox-$$"
add ptmp "ls -A /tmp | wc -l; echo x > /tmp/$name && cat /tmp/$name" --workdir / \
	--sandbox strict --private-tmp
try ptmp
is "$st:$(flat "$output")" "succeeded:0 x" "--private-tmp: an empty /tmp, writable"
ok $([ ! -e "/tmp/$name" ] && echo 0 || echo 1) "... and gone with the run (not in the host's /tmp)"
add notmp "echo x > /tmp/$name" --workdir "$T/wd" --sandbox strict
try notmp
is "$st" failed "strict without --private-tmp: /tmp is not writable"

# ---- the configuration's default ----
cp "$T/etc/m.conf" "$T/etc/plain.conf"
sed -i 's/log_level = "warning";/log_level = "warning"; task_sandbox = "strict";/' "$T/etc/m.conf"
add dflt 'echo y > ../outside-dflt 2>&1 || echo refused' --workdir "$T/wd"
try dflt
like "$output" "refused" "manager.task_sandbox = \"strict\" confines a task that says nothing"
M task edit dflt --sandbox none >/dev/null
try dflt
is "$st:$output" "succeeded:" "... and --sandbox none takes it out"
run M task show dflt
like "$out" "sandbox: +none" "task show says the sandbox"
M task edit dflt --sandbox "" >/dev/null
run M task show dflt
like "$out" "sandbox: +strict \(manager.task_sandbox\)" "... and where the default comes from"
sed -i 's/task_sandbox = "strict";/task_sandbox = "tight";/' "$T/etc/m.conf"
run M task list
like "$rc:$err" "^[1-9].*manager.task_sandbox: \"tight\" is not one of none, strict" \
	"a bad manager.task_sandbox is an error naming key and value"
cp "$T/etc/plain.conf" "$T/etc/m.conf"

# ---- I/O class and limits ----
add io 'ionice -p $$; ulimit -n; ulimit -v' --ioprio idle --limit-nofile 40 --limit-memory 300
try io
is "$(flat "$output")" "idle 40 307200" "--ioprio idle, --limit-nofile and --limit-memory reach the run"
M task edit io --ioprio best-effort:6 --limit-nofile "" >/dev/null
try io
like "$(flat "$output")" "^best-effort: prio 6 [0-9]+ 307200$" "task edit changes them (\"\" is the default)"
add cpu 'while :; do :; done' --limit-cpu 1
try cpu
is "$st" crashed "--limit-cpu 1: a busy loop is ended by SIGXCPU"
like "$(sql "SELECT error FROM runs WHERE task_id='cpu' ORDER BY id DESC LIMIT 1")" "SIGXCPU|SIGKILL" \
	"... and the history names the signal"

# ---- bad values ----
run M task add bad 'exec:true' cron hour=3 --sandbox tight
like "$rc:$err" '^[1-9].*--sandbox: sandbox "tight": expected none or strict' "--sandbox tight is refused"
run M task add bad 'exec:true' cron hour=3 --ioprio fast
like "$rc:$err" '^[1-9].*ioprio "fast": expected idle, best-effort\[:0-7\] or realtime\[:0-7\]' "--ioprio fast is refused"
run M task add bad 'exec:true' cron hour=3 --limit-memory lots
like "$rc:$err" '^[1-9].*limit_memory "lots": expected a whole number' "--limit-memory lots is refused"
run M task add bad 'exec:true' cron hour=3 --sandbox strict --write "$T/nowhere"
like "$rc:$err" "^[1-9].*write \"$T/nowhere\": No such file or directory" "a --write path that does not exist is refused"
run M task add bad 'exec:true' cron hour=3 --write 'a/../../etc'
like "$rc:$err" '^[1-9].*expected an absolute path without ".."' "a path with .. is refused"

# Task files take the same keys.
mkdir -p "$T/tasks"
cat >"$T/tasks/f.conf" <<EOF
tasks = (
  { id = "filed"; func = "exec:sh -c 'echo y > ../out-filed 2>&1 || echo refused'";
    trigger = "cron"; hour = 3; workdir = "$T/wd";
    sandbox = "strict"; network = false; write = [ "$T/extra" ]; limit_nofile = 64; }
);
EOF
M host reload >/dev/null 2>&1
try filed
like "$output" "refused" "a task file's sandbox = \"strict\" confines its task"
sed -i 's/sandbox = "strict";/sandbox = "loose";/' "$T/tasks/f.conf"
run M host reload
like "$err" 'f.conf:4: .*sandbox "loose": expected none or strict' \
	"a task file's bad sandbox names file, line and value"
rm "$T/tasks/f.conf"
