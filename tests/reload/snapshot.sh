#!/bin/sh
# snapshot.sh - manager snapshot create|list|restore|delete: upgrade and
# uninstall are undone byte for byte, a kill -9 in the middle of a
# restore leaves the old or the new version whole, never a mix.
. "$top_srcdir/tests/reload/common.sh"
plan 22

hello_variant "$T/v1" 1.0.0 One
hello_variant "$T/v2" 2.0.0 Two
run M plugin install --no-enable "$T/v1"
is "$rc" 0 "install 1.0.0"
run M plugin install --no-enable "$T/v2"
is "$rc" 0 "upgrade to 2.0.0"
run M --json snapshot list hello
like "$out" '"reason": "upgrade"' "the upgrade took a snapshot first"
like "$out" '"version": "1.0.0"' "of the version it replaced"
snap=$(M --json snapshot list hello | jq -r '.[0].id')
is "$(stat -c %a "$T/data/snapshots")" 700 "snapshot folder is 0700"
is "$(stat -c %a "$(M --json snapshot list hello | jq -r '.[0].path')")" 600 \
    "snapshot file is 0600"

sql "INSERT INTO plugin_state VALUES ('hello','greetings','7')"
run M snapshot restore "$snap"
is "$rc" 0 "restore the 1.0.0 snapshot"
cmp -s "$PLUGDIR/hello/hello.so" "$T/v1/hello.so"; ok $? "library is 1.0.0's byte for byte"
cmp -s "$PLUGDIR/hello/plugin.conf" "$T/v1/plugin.conf"; ok $? "manifest is 1.0.0's byte for byte"
is "$(M --json plugin show hello | jq -r .version)" 1.0.0 "row says 1.0.0"
is "$(sql "SELECT count(*) FROM plugin_state WHERE plugin_id='hello'")" 0 \
    "state is the snapshot's (none then)"

# Uninstall, then restore re-creates the plugin.
M snapshot create hello >/dev/null
run M plugin uninstall hello
is "$rc" 0 "uninstall"
last=$(M --json snapshot list hello | jq -r '.[0].id')
is "$(M --json snapshot list hello | jq -r '.[0].reason')" uninstall \
    "uninstall took a snapshot"
run M snapshot restore "$last"
is "$rc" 0 "restore after uninstall"
cmp -s "$PLUGDIR/hello/hello.so" "$T/v1/hello.so"; ok $? "re-created byte for byte"

# A corrupted snapshot is refused and changes nothing.
bad=$(M --json snapshot list hello | jq -r '.[1].path')
badid=$(M --json snapshot list hello | jq -r '.[1].id')
printf 'x' >> "$bad"
run M snapshot restore "$badid"
like "$err" "checksum mismatch" "a corrupted snapshot is refused"

# Retention: snapshot_keep = 3.
for i in 1 2 3 4; do M snapshot create hello >/dev/null; done
is "$(M --json snapshot list hello | jq length)" 3 "keeps the newest 3"
run M snapshot delete "$(M --json snapshot list hello | jq -r '.[0].id')"
is "$(M --json snapshot list hello | jq length)" 2 "delete removes one"

# kill -9 at random points of a restore: old or new, whole.
M plugin install --no-enable --force "$T/v2" >/dev/null
to1=$(M --json snapshot list hello | jq -r '[.[] | select(.version=="1.0.0")][0].id')
mixed=0 leftovers=0 ended=
for delay in 0.05 0.12 0.2 0.3 0.4 0.5 0.6; do
	LD_PRELOAD="$top_builddir/tests/lib/slow_rename.so" SLOW_RENAME_MS=100 \
	    "$MANAGER" --config "$T/etc/m.conf" \
	    --db "$T/m.db" snapshot restore "$to1" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# the next command, whatever it is, settles the swap first
	v=$(M --json plugin show hello | jq -r .version)
	if [ "$v" = 1.0.0 ]; then ref="$T/v1"; else ref="$T/v2"; fi
	ended="$ended $v"
	cmp -s "$PLUGDIR/hello/hello.so" "$ref/hello.so" &&
	    cmp -s "$PLUGDIR/hello/plugin.conf" "$ref/plugin.conf" || mixed=$((mixed + 1))
	ls -a "$PLUGDIR" | grep -q '^\.swap-' && leftovers=$((leftovers + 1))
	# back to 2.0.0 for the next round
	[ "$v" = 1.0.0 ] && M plugin install --no-enable "$T/v2" >/dev/null
done
echo "# versions after each kill:$ended"
is "$mixed" 0 "never a mix of versions after kill -9"
is "$leftovers" 0 "no swap folders left after recovery"
run M snapshot restore 999
is "$rc" 3 "unknown snapshot: not found"
run M snapshot restore abc
like "$err" "not a snapshot id" "bad id named"
done_testing
