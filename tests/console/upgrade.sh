#!/bin/sh
# upgrade.sh - the plugins pane marks a plugin that a configured
# repository has a newer version of ("enabled ↑1.3.0"), read from the
# index already on disk (checked as `plugin outdated` checks it), and U
# upgrades it after a y/n question through the CLI's `plugin upgrade`, run
# as a child process that hands the command to the engine host (this
# console) through the commands table.
. "$top_srcdir/tests/console/lib.sh"

echo "1..26"
console_setup
EX="$top_builddir/data/plugins"
REPO="$T/repo"
mkdir -p "$REPO"

# package VERSION: a zip of the example hello plugin with that version in
# the repository folder, and its index.conf written again.
package() {
	rm -rf "$T/pkg"
	cp -r "$EX/hello" "$T/pkg"
	sed -i "s/^version = .*/version = \"$1\";/" "$T/pkg/plugin.conf"
	python3 - "$REPO/hello-$1.zip" "$T/pkg" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in ("plugin.conf", "hello.so"):
        z.write(os.path.join(sys.argv[2], f), f)
PY
	m repo index "$REPO" >/dev/null
}

printf 'manager: {\n  repositories = [ "%s" ];\n};\n' "$REPO" > "$T/manager.conf"
{ m plugin install "$EX/hello" && m plugin enable hello &&
	m plugin install "$EX/base"; } >/dev/null 2>"$T/err" ||
	{ echo "Bail out! cannot install the plugins: $(cat "$T/err")"; exit 1; }
package 1.2.0
package 1.3.0

console_start 120 40
wait_for "host: this console" >/dev/null
keys h
check "the plugins pane marks hello: its repository has 1.3.0" \
	wait_for "enabled ↑1.3.0"
check "... and not base, which the repository does not have" \
	sh -c "! tmux -L '$SOCK' capture-pane -p -t c | grep 'base' | grep -q '↑'"
check "the footer of the plugins pane shows U" wait_for "U upgrade"
keys '?'
check "? lists U" \
	wait_for "upgrade the plugin to the newest version in the repositories"
keys Escape

keys / upgradable Enter
check "the filter \"upgradable\" keeps the marked plugin ..." wait_selected "hello"
check "... only" wait_gone "│base "
keys Escape

keys G U
check "U asks first, naming both versions and the repository" \
	wait_for "Upgrade plugin hello from 1.2.0 to 1.3.0 (from $REPO)?"
keys n
check "n cancels" wait_for "cancelled"
check "... and nothing changed" \
	test "$(sql "SELECT version FROM plugins WHERE id='hello'")" = 1.2.0

keys U y
check "y upgrades hello to 1.3.0" \
	wait_sql "SELECT version FROM plugins WHERE id='hello'" 1.3.0 15
check "... and the status line says so" \
	wait_for "plugin upgrade hello: upgraded hello 1.2.0 -> 1.3.0" 10
check "... through the commands table, as the CLI's plugin upgrade goes" \
	test "$(sql "SELECT count(*) FROM commands WHERE argv LIKE '%\"upgrade\"%\"hello\"%' AND exit_status = 0")" = 1
check "... with a snapshot of 1.2.0 taken first" \
	test "$(sql "SELECT version FROM snapshots WHERE plugin_id='hello'")" = 1.2.0
check "... still enabled" \
	test "$(sql "SELECT state FROM plugins WHERE id='hello'")" = enabled
check "the mark is gone" wait_gone "↑1.3.0"

package 1.4.0
check "a new index shows without a restart" wait_for "enabled ↑1.4.0"
keys Enter
check "the plugin's page says what is available" \
	wait_for "1.4.0 in $REPO (U upgrades)"
keys Escape

keys g U
check "U on a plugin that is up to date says so" \
	wait_for "plugin base is the newest version in the repositories' indexes"

# Trusting a key makes the unsigned index unacceptable: the mark goes and
# the reason is said, as plugin outdated refuses it.
m repo keygen "$T/key" >/dev/null
m repo key add "$REPO" "$T/key.pub" >/dev/null
check "an index refused (unsigned, a key is trusted) is said in the status line" \
	wait_for "plugin upgrades unknown: "
check "... and the mark is gone" wait_gone "↑1.4.0"
keys G U
check "... U says why it knows no upgrade" wait_for "plugin hello: no upgrade known:"
m repo sign "$REPO" --key "$T/key" >/dev/null
check "signed by the trusted key, the index is read again" \
	wait_for "enabled ↑1.4.0"

# A failure is shown whole: a plugin that cannot be upgraded (its archive
# no longer matches the index's checksum) stays as it was.
echo corrupt >> "$REPO/hello-1.4.0.zip"
keys U y
check "a failed upgrade says so in the status line" \
	wait_for "plugin upgrade hello: manager: hello: not upgraded:" 10
keys m
check "... the whole reason in the messages" wait_for "checksum mismatch"
keys Escape
check "... and leaves the plugin as it was" \
	test "$(sql "SELECT version FROM plugins WHERE id='hello'")" = 1.3.0

keys q
wait_for "[d]aemon / [q]uit / [c]ancel" >/dev/null
keys q
check "q quits with status 0 (sanitizer builds: nothing leaked)" \
	wait_for "exited with status 0" 10
exit 0
