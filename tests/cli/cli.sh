#!/bin/sh
# cli.sh - the command line of the foundation: help, version, usage errors,
# config show, db check, modes of state files, translations.
. "$top_srcdir/tests/cli/lib.sh"
plan 41
setup_tmp

run "$MANAGER" --version
is "$rc" 0 "--version exits 0"
like "$out" "^manager [0-9]+\.[0-9]+\.[0-9]+$" "--version prints the version"

run "$MANAGER" --help
is "$rc" 0 "--help exits 0"
like "$out" "config show" "--help lists config show"
like "$out" "db check" "--help lists db check"

run "$MANAGER" frobnicate
is "$rc" 2 "unknown command exits 2"
like "$err" "unknown command \"frobnicate\"" "unknown command is named"

run "$MANAGER" --frob
is "$rc" 2 "unknown option exits 2"
like "$err" "unknown option --frob" "unknown option is named"

# The global options are read with getopt_long, as every command's are:
# a unique prefix is the option, an ambiguous one is named.
run "$MANAGER" --js --db "$T/g.db" task list
is "$rc $out" "0 []" "--js is --json (getopt_long: a unique prefix)"
run "$MANAGER" --d "$T/g.db" task list
is "$rc" 2 "an ambiguous option exits 2"
like "$err" "option --d is ambiguous" "... and is named"
run "$MANAGER" --db
is "$rc" 2 "a global option without its value exits 2"
like "$err" "option --db needs a value" "... and is named"
run "$MANAGER" --json=yes task list
is "$rc" 2 "a flag given a value exits 2"
run "$MANAGER" --json --frob task list
is "$rc" 2 "--json, then an unknown global option: exit 2"
like "$err" '^\{"error":"unknown option --frob","code":"usage"\}$' "... a JSON error"
is "$out" "" "... and nothing on stdout"

run "$MANAGER" config show extra
is "$rc" 2 "surplus argument exits 2"
like "$err" "usage: manager config show" "surplus argument prints usage"

run "$MANAGER" config
is "$rc" 2 "noun without verb exits 2"

# Embedded default: no file at all (setup_tmp's empty file is not used).
run env -u MANAGER_CONFIG "$MANAGER" config show
is "$rc" 0 "config show runs without a config file"
like "$out" "none \(embedded default\)" "config show says no file is used"
like "$out" "manager.database += $XDG_DATA_HOME/manager/manager.db +# default" \
	"database defaults under XDG_DATA_HOME"

# A config file: values and their origin, relative paths.
mkdir -p "$T/etc"
cat > "$T/etc/m.conf" <<'CONF'
manager: {
  plugins_directory = "plugs";
  auto_enable = true;
};
CONF
run "$MANAGER" --config "$T/etc/m.conf" config show
like "$out" "manager.plugins_directory += $T/etc/plugs +# $T/etc/m.conf:2" \
	"relative path resolves against the config's folder, origin has the line"
like "$out" "manager.auto_enable += true +# $T/etc/m.conf:3" "bool read from file"

MANAGER_CONFIG="$T/etc/m.conf" run "$MANAGER" --json config show
is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["settings"]["manager.auto_enable"]["value"])')" \
	"True" "MANAGER_CONFIG is used; --json gives typed values"

# Type error on line 7 names line 7 and the key.
printf 'manager:\n{\n  auto_enable = true;\n\n\n  # a comment\n  sandboxing = 1;\n};\n' > "$T/etc/bad.conf"
run "$MANAGER" --config "$T/etc/bad.conf" config show
is "$rc" 1 "type error exits 1"
like "$err" "bad.conf:7: manager.sandboxing must be true or false" \
	"type error names file, line 7 and key"

# The first command that writes creates the database with private modes
# (db check, task list, read-only, create nothing: tests/cli/readonly.sh).
"$MANAGER" host reload >/dev/null 2>&1
run "$MANAGER" db check
is "$rc" 0 "db check exits 0"
like "$out" "integrity: +ok" "db check reports integrity ok"
is "$(mode_of "$XDG_DATA_HOME/manager/manager.db")" 600 "database file is 0600"
is "$(mode_of "$XDG_DATA_HOME/manager")" 700 "data folder is 0700"

mkdir -p "$T/other"
"$MANAGER" --db "$T/other/x.db" host reload >/dev/null 2>&1
run "$MANAGER" --db "$T/other/x.db" --json db check
like "$out" "\"schema_version\": [0-9]+" "--db and --json: schema version reported"

sqlite3 "$T/other/x.db" "PRAGMA user_version = 999"
run "$MANAGER" --db "$T/other/x.db" db check
like "$err" "schema version 999 is newer" "newer schema refused with a clear error"

# task list: an overdue task says so; no engine host means nothing fires.
L() { "$MANAGER" --db "$T/tl.db" "$@"; }
L task add soon exec:/bin/true interval seconds=1 >/dev/null
sleep 1.3
run L task list
like "$out" "overdue [0-9]+s +-" "task list shows an overdue task as overdue"
like "$err" "no engine is running: nothing will fire; start .manager --daemon. or the console" \
	"task list says that no engine host is running"
run L --json task list
is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" \
	"soon" "task list --json stays a plain array of tasks"
"$MANAGER" --db "$T/tl.db" --daemon >/dev/null 2>&1 &
daemon=$!
wait_until 30 sh -c "\"$MANAGER\" --db '$T/tl.db' host status | grep -q 'engine host: daemon'"
ok $? "a daemon hosts the engine on that database"
run L task list
unlike "$err" "no engine is running" "with a daemon running it says nothing of the kind"
kill -TERM $daemon
wait $daemon

# Translations (the catalogue built for the tests).
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	LC_ALL=de_DE.UTF-8 run "$MANAGER" --help
	like "$out" "Befehle" "--help in German under de_DE.UTF-8"
else
	skip "de_DE.UTF-8 locale not generated"
fi
done_testing
