#!/bin/sh
# crash.sh - kill -9 `plugin install`, `plugin uninstall` and `snapshot
# restore` at random moments; after each kill the next command (or a
# daemon start) must leave nothing behind: no staging, removal or swap
# folder, no snapshot file without its row (nor a row without its file),
# every file under the data folder 0600 and every folder 0700, a sound
# database, and the plugin whole in its old or its new version.
#
# CRASH_KILLS (default 10) sets the number of kills; tests/soak/
# plugins-kill.sh runs this with more and reads the counts it prints.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

KILLS=${CRASH_KILLS:-10}
DB="$STATE/manager.db"
SNAPS="$STATE/snapshots"
sql() { sqlite3 -batch -noheader "$DB" "$1"; }
mgr() { "$MANAGER" --config "$CONF" "$@"; }

DAEMON=
kill_daemon() { [ -n "$DAEMON" ] && kill -KILL "$DAEMON" 2>/dev/null; rm -rf "$T"; }
trap kill_daemon EXIT

# Two versions of hello whose every file says which one it is.
variant() {
	cp -r "$EX/hello" "$T/$1"
	sed -i "s/^version = .*/version = \"$1\";/" "$T/$1/plugin.conf"
	echo "$1" > "$T/$1/VERSION"
}
variant 1.0.0
variant 2.0.0

rnd() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }

# count PATHS...: how many of them exist (unmatched globs do not).
count() { n=0; for f in "$@"; do [ -e "$f" ] && n=$((n + 1)); done; echo $n; }

# One look at the state, with few processes: "STAGING ORPHANS LOST
# NONPRIVATE INSTALLED INTEGRITY", INSTALLED being a version whose files
# are whole, "none", or BROKEN:why.
look() {
	sql "SELECT coalesce((SELECT version FROM plugins WHERE id='hello'), '-');
	     PRAGMA integrity_check; SELECT path FROM snapshots" > "$T/look"
	{ read -r v; read -r integrity; } < "$T/look"
	rows=$(tail -n +3 "$T/look")
	staging=$(count "$PLUGINS"/.staging-* "$PLUGINS"/.removing-* \
	    "$PLUGINS"/.swap-*)
	orphans=0 lost=0
	for f in "$SNAPS"/* "$SNAPS"/.[!.]*; do
		[ -e "$f" ] || continue
		case "
$rows
" in *"
$f
"*) ;; *) orphans=$((orphans + 1)) ;; esac
	done
	for f in $rows; do [ -e "$f" ] || lost=$((lost + 1)); done
	nonprivate=$(find "$STATE" \( -type f ! -perm 600 \) -printf x -o \
	    \( -type d ! -perm 700 \) -printf x)
	if [ "$v" = - ]; then
		[ -e "$PLUGINS/hello" ] && installed=BROKEN:folder-no-row ||
		    installed=none
	elif [ -d "$T/$v" ] && diff -r "$T/$v" "$PLUGINS/hello" >/dev/null 2>&1
	then
		installed=$v
	else
		installed=BROKEN:row-$v
	fi
	echo "$staging $orphans $lost ${#nonprivate} $installed $integrity"
}

# start_daemon: a daemon hosting the engine, stopped again once up.
daemon_round() {
	"$MANAGER" --config "$CONF" --daemon > "$T/daemon.out" 2>&1 &
	DAEMON=$!
	i=0
	while ! mgr host status 2>/dev/null | grep -q "engine host: daemon"; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$DAEMON" 2>/dev/null; then
			echo "daemon did not start: $(cat "$T/daemon.out")"
			break
		fi
		sleep 0.05
	done
	kill "$DAEMON" 2>/dev/null
	wait "$DAEMON" 2>/dev/null
	DAEMON=
}

# One operation on what is installed now, in the background: its pid.
start_op() {
	snap=$(sql "SELECT id FROM snapshots ORDER BY random() LIMIT 1")
	case "$1:$(rnd 3)" in
	none:0|none:1) target=$(test "$(rnd 2)" = 0 && echo 1.0.0 || echo 2.0.0)
		op="install $target"
		"$MANAGER" --config "$CONF" plugin install --force "$T/$target" \
		    >/dev/null 2>&1 & ;;
	none:*|*:2) target=$(sql "SELECT version FROM snapshots WHERE id=$snap")
		op="restore $snap ($target)"
		"$MANAGER" --config "$CONF" snapshot restore "$snap" \
		    >/dev/null 2>&1 & ;;
	*:0) target=$(test "$1" = 1.0.0 && echo 2.0.0 || echo 1.0.0)
		op="install $target"
		"$MANAGER" --config "$CONF" plugin install --force "$T/$target" \
		    >/dev/null 2>&1 & ;;
	*:1) target=none op="uninstall"
		"$MANAGER" --config "$CONF" plugin uninstall hello \
		    >/dev/null 2>&1 & ;;
	esac
	pid=$!
}

mgr plugin install "$T/1.0.0" >/dev/null
mgr plugin install "$T/2.0.0" >/dev/null	# a first snapshot (1.0.0)

raw_st=0 raw_orph=0 raw_priv=0 bad_st=0 bad_orph=0 bad_lost=0 bad_priv=0
broken=0 unsound=0 daemons=0 start=$(date +%s)
set -- $(look)
before=$5
for k in $(seq "$KILLS"); do
	start_op "$before"
	sleep "$(printf '0.%03d' "$(rnd 150)")"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	set -- $(look)
	raw_st=$((raw_st + $1)) raw_orph=$((raw_orph + $2)) raw_priv=$((raw_priv + $4))
	# The restart: a daemon every fifth kill, a plain command otherwise.
	if [ $((k % 5)) -eq 0 ]; then
		daemon_round
		daemons=$((daemons + 1))
	else
		mgr plugin list >/dev/null 2>&1
	fi
	set -- $(look)
	bad_st=$((bad_st + $1)) bad_orph=$((bad_orph + $2))
	bad_lost=$((bad_lost + $3)) bad_priv=$((bad_priv + $4))
	case "$5" in
	"$before"|"$target") ;;
	*) broken=$((broken + 1))
		echo "# kill $k ($op): $before -> $5" ;;
	esac
	[ "$6" = ok ] || unsound=$((unsound + 1))
	before=$5
	# Each leftover is counted once: clear what recovery missed.
	if [ "$1$2" != 00 ]; then
		find "$PLUGINS" -mindepth 1 -maxdepth 1 \( -name '.staging-*' \
		    -o -name '.removing-*' \) -exec rm -rf {} +
		sql "SELECT path FROM snapshots" | sort > "$T/rows"
		find "$SNAPS" -mindepth 1 | sort | comm -13 "$T/rows" - | xargs -r rm -f
	fi
done
echo "# $KILLS kills ($daemons daemon starts) in $(( $(date +%s) - start )) s"
echo "# right after the kills: $raw_st staging/swap folders, $raw_orph snapshot files without a row, $raw_priv non-private files or folders"
echo "# after recovery: $bad_st staging/swap folders, $bad_orph snapshot files without a row, $bad_lost rows without a file, $bad_priv non-private, $broken broken plugins, $unsound unsound databases"

is "$bad_st" 0 "no staging, removal or swap folder outlives the next start"
is "$bad_orph" 0 "no snapshot file without a row outlives it"
is "$bad_lost" 0 "no snapshot row without its file"
is "$bad_priv" 0 "files 0600 and folders 0700 under the data folder"
is "$broken" 0 "the plugin is whole, old or new, after every kill"
is "$unsound" 0 "PRAGMA integrity_check says ok after every kill"
check "an install works afterwards" mgr plugin install --force "$T/1.0.0"
is "$(ls -A "$PLUGINS" | tr '\n' ' ')" "hello " "and leaves only the plugin"
done_testing
