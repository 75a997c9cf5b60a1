#!/bin/sh
# recover.sh - the folder swap's crash recovery, state by state: a swap
# interrupted before its commit is undone, one interrupted after it is
# finished, a swap still running elsewhere (journal locked) is left alone.
# The states are laid out by hand as a crash at each step leaves them.
. "$top_srcdir/tests/reload/common.sh"
plan 22

hello_variant "$T/v1" 1.0.0 One
hello_variant "$T/v2" 2.0.0 Two
M plugin install --no-enable "$T/v1" >/dev/null
P="$PLUGDIR"
leftovers() { ls -a "$P" | grep -c '^\.swap-'; }
same() { cmp -s "$P/$1/hello.so" "$2/hello.so" && cmp -s "$P/$1/plugin.conf" "$2/plugin.conf"; }

# 1. Killed after the old folder went aside, before the new one came in.
echo "swap:1.1 1" > "$P/.swap-hello.journal"
mkdir -p "$P/.swap-hello.stage"
cp -r "$T/v2" "$P/.swap-hello.stage/files"
mv "$P/hello" "$P/.swap-hello.old"
M plugin show hello >/dev/null 2>&1
same hello "$T/v1"; ok $? "aside, not in: undone, 1.0.0 whole"
is "$(leftovers)" 0 "nothing left over"

# 2. Killed after the new folder came in, before the commit.
echo "swap:2.2 1" > "$P/.swap-hello.journal"
mkdir -p "$P/.swap-hello.stage"
mv "$P/hello" "$P/.swap-hello.old"
cp -r "$T/v2" "$P/hello"
M plugin show hello >/dev/null 2>&1
same hello "$T/v1"; ok $? "in, not committed: undone, 1.0.0 whole"
is "$(M --json plugin show hello | jq -r .version)" 1.0.0 "row and files agree"

# 3. Killed after the commit, before the old folder was removed.
echo "swap:3.3 1" > "$P/.swap-hello.journal"
mkdir -p "$P/.swap-hello.stage"
mv "$P/hello" "$P/.swap-hello.old"
cp -r "$T/v2" "$P/hello"
sql "UPDATE plugins SET version='2.0.0' WHERE id='hello';
     INSERT INTO events (at, kind, subject, message)
     VALUES (0, 'snapshot.restored', 'hello', 'restored [swap:3.3]')"
M plugin show hello >/dev/null 2>&1
same hello "$T/v2"; ok $? "committed: finished, 2.0.0 whole"
is "$(leftovers)" 0 "the old folder is gone"

# 4. Re-creating an uninstalled plugin, killed before the commit.
echo "swap:4.4 0" > "$P/.swap-ghost.journal"
mkdir -p "$P/.swap-ghost.stage"
cp -r "$T/v2" "$P/ghost"
M plugin list >/dev/null 2>&1
test ! -e "$P/ghost"; ok $? "re-creation not committed: the folder is removed"

# 5. Killed while still extracting (journal written, nothing moved).
echo "swap:5.5 ?" > "$P/.swap-hello.journal"
mkdir -p "$P/.swap-hello.stage/files"
M plugin list >/dev/null 2>&1
same hello "$T/v2"; ok $? "nothing moved yet: the plugin is untouched"
is "$(leftovers)" 0 "and the stage is removed"

# lock_held FILE: another process ($locker, one process) holds FILE's
# lock until killed; returns once it does (a fixed 0.2-0.3 s after
# starting flock raced with its start on a loaded machine, and a 2 s
# hold with the next command's).
lock_held() {
	sh -c 'exec 9<"$1" && flock 9 && exec sleep 300' sh "$1" &
	locker=$!
	wait_eval 30 "! flock -n '$1' true"
}
unlock() { kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null; }

# 6. A swap in progress in another process is left alone.
echo "swap:6.6 1" > "$P/.swap-hello.journal"
mkdir -p "$P/.swap-hello.stage"
lock_held "$P/.swap-hello.journal"
M plugin list >/dev/null 2>&1
test -e "$P/.swap-hello.journal"; ok $? "a locked journal is not touched"
unlock
M plugin list >/dev/null 2>&1
is "$(leftovers)" 0 "once released, the next command settles it"

# 7. A daemon starting while a client settles an interrupted swap (the
# client holds the journal) waits for it instead of giving up.
echo "swap:7.7 1" > "$P/.swap-hello.journal"
mkdir -p "$P/.swap-hello.stage"
lock_held "$P/.swap-hello.journal"
(sleep 1; kill "$locker") &
start_host
ok $? "a daemon starting meanwhile waits for the journal, then runs"
wait "$locker" 2>/dev/null
# The host's row says "daemon" while its start still waits for the
# journal, so the settling is waited for, not looked at once.
wait_eval 10 '[ "$(leftovers)" = 0 ]'
is "$(leftovers)" 0 "and the swap is settled"
stop_host

# 8. Scratch folders: removed once their process is dead and their lock
# free, never while either lives.
# A dead process's pid: one above pid_max, which no process can have (a
# pid just freed can be taken by another process meanwhile under make -j2:
# pid_max is 32768 here; tests/pg/hostlock.sh lost that race in CI).
dead=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
mkdir "$P/.staging-$dead-AAAAAA" "$P/.staging-$$-BBBBBB" \
    "$P/.staging-$dead-CCCCCC" "$P/.staging-DDDDDD"
cp -r "$T/v1" "$P/.staging-$dead-AAAAAA/new"
lock_held "$P/.staging-$dead-CCCCCC"
M plugin list >/dev/null 2>&1
test ! -e "$P/.staging-$dead-AAAAAA" && test ! -e "$P/.staging-DDDDDD"
ok $? "a dead process's staging folder is removed (and an old unnamed one)"
test -d "$P/.staging-$$-BBBBBB"; ok $? "a live process's is kept"
test -d "$P/.staging-$dead-CCCCCC"; ok $? "so is a locked one"
unlock
rmdir "$P/.staging-$$-BBBBBB"

# 9. Snapshot files no row names: removed unless a process holds them.
S="$T/data/snapshots"
M snapshot create hello >/dev/null
one=$(sql "SELECT path FROM snapshots ORDER BY id DESC LIMIT 1")
cp "$one" "$S/hello-9.9.9-1.zip"
cp "$one" "$S/hello-9.9.9-2.zip.Ab12Cd"
cp "$one" "$S/.snapshot-$dead-EEEEEE"
cp "$one" "$S/hello-9.9.9-3.zip"
chmod 0644 "$one"
lock_held "$S/hello-9.9.9-3.zip"
M plugin list >/dev/null 2>&1
test ! -e "$S/hello-9.9.9-1.zip" && test ! -e "$S/hello-9.9.9-2.zip.Ab12Cd" &&
    test ! -e "$S/.snapshot-$dead-EEEEEE"
ok $? "files without a row, half-written ones, dead scratch files are removed"
test -e "$S/hello-9.9.9-3.zip"; ok $? "one being recorded (locked) is kept"
is "$(stat -c %a "$one")" 600 "a recorded file written 0644 becomes 0600"
test -e "$one"; ok $? "a recorded file stays"
unlock

# 10. A row whose file is gone is dropped, with an event saying so.
rm "$one"
M plugin list >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM snapshots WHERE path='$one'"):$(sql "SELECT count(*) FROM events WHERE kind='snapshot.lost'")" \
    "0:1" "a row whose file is missing is dropped, with a snapshot.lost event"

# 11. An older manager's upgrade or uninstall killed after moving the
# installed folder aside: the folder comes back.
mkdir "$P/.removing-FFFFFF"
mv "$P/hello" "$P/.removing-FFFFFF/old"
M plugin list >/dev/null 2>&1
same hello "$T/v2" && test ! -e "$P/.removing-FFFFFF"
ok $? "an installed folder left in .removing-*/old is put back"
done_testing
