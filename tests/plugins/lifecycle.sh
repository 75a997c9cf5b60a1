#!/bin/sh
# Enable, disable, uninstall: dependencies, --cascade, default tasks,
# events, --keep-tasks, auto_enable.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

DB="$STATE/manager.db"
sql() { sqlite3 "$DB" "$1"; }

for p in base greeter hello faulty; do
	m plugin install "$EX/$p" > /dev/null 2>&1 || not_ok "install $p"
done
is "$(sql "SELECT group_concat(id || ':' || state) FROM (SELECT * FROM plugins ORDER BY id)")" \
    "base:disabled,faulty:disabled,greeter:disabled,hello:disabled" \
    "four plugins installed, all disabled"

check "enable a plugin with a dependency" m plugin enable greeter
is "$(plugin_field base state)" "enabled" "its dependency was enabled first"
is "$(sql "SELECT group_concat(subject) FROM (SELECT subject FROM events WHERE kind='plugin.enabled' ORDER BY id)")" \
    "base,greeter" \
    "enable order in the events"
check "enabling again is harmless" m plugin enable greeter

expect_fail "disable refuses while a dependent is enabled" 4 \
    "cannot disable base: enabled plugins depend on it: greeter" m plugin disable base
is "$(plugin_field base state)" "enabled" "base is still enabled"
check "disable --cascade disables the dependents first" m plugin disable --cascade base
is "$(plugin_field greeter enabled)" "false" "greeter is disabled"
is "$(sql "SELECT group_concat(subject) FROM (SELECT subject FROM events WHERE kind='plugin.disabled' ORDER BY id)")" \
    "greeter,base" \
    "disable order in the events"

check "enable hello" m --json plugin enable hello
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["enabled"] is True and p["state"] == "enabled"' "$T/out" &&
    ok 0 "enable --json prints the plugin" || not_ok "enable --json prints the plugin" "$(cat "$T/out")"
is "$(sql "SELECT id, func_path, trigger, json_extract(trigger_args, '$.minutes'), plugin_id, source, next_run > 0 FROM tasks")" \
    'hello.greet|hello:greet|interval|30|hello|plugin:hello|1' \
    "the manifest's default task was created"
check "disable and enable again" sh -c "'$MANAGER' --config '$CONF' plugin disable hello && '$MANAGER' --config '$CONF' plugin enable hello"
is "$(sql "SELECT count(*) FROM tasks")" "1" "the default task is not duplicated"

check "uninstall --keep-tasks" m plugin uninstall --keep-tasks hello
is "$(sql "SELECT count(*) FROM tasks")" "1" "the task row stays"
is "$(sql "SELECT count(*) FROM plugins WHERE id='hello'")" "0" "the plugin row is gone"
m plugin install "$EX/hello" > /dev/null 2>&1
m plugin enable hello > /dev/null 2>&1
check "uninstall an enabled plugin" m plugin uninstall hello
is "$(sql "SELECT count(*) FROM tasks")" "0" "its tasks are removed"
is "$(ls "$PLUGINS" | tr '\n' ' ')" "base faulty greeter " "its folder is removed"
is "$(sql "SELECT group_concat(kind) FROM (SELECT DISTINCT kind FROM events WHERE subject='hello' AND kind IN ('plugin.installed','plugin.enabled','plugin.disabled','plugin.uninstalled') ORDER BY kind)")" \
    "plugin.disabled,plugin.enabled,plugin.installed,plugin.uninstalled" \
    "events record install, enable, disable, uninstall"
[ "$(sql "SELECT count(*) FROM events WHERE subject='hello' AND kind='plugin.uninstalled'")" -eq 2 ] &&
    ok 0 "each uninstall wrote an event" || not_ok "each uninstall wrote an event"

check "enable greeter again" m plugin enable greeter
expect_fail "uninstall refuses a plugin enabled plugins depend on" 4 \
    "cannot disable base" m plugin uninstall base
is "$(installed_ids)" "base faulty greeter" "base stays installed"

# A dependency that is gone: enabling fails and the error is stored.
check "uninstall greeter" m plugin uninstall greeter
check "uninstall base" m plugin uninstall base
m plugin install "$EX/base" > /dev/null 2>&1
sed 's/base >= 1.0/base >= 5.0/' "$EX/greeter/plugin.conf" > /dev/null
m plugin install "$EX/greeter" > /dev/null 2>&1
m plugin uninstall base > /dev/null 2>&1
expect_fail "enabling with a missing dependency fails" 3 \
    "plugin greeter needs base >= 1.0, which is not installed" m plugin enable greeter
is "$(plugin_field greeter state): $(plugin_field greeter error)" \
    "disabled: plugin greeter needs base >= 1.0, which is not installed" \
    "the plugin stays disabled with the error stored"

# on_enable refusing or crashing, in the probe child.
mkdir -p "$T/src/refuser"
cat > "$T/src/refuser/refuser.c" <<'C'
#include <manager/plugin.h>
#include <signal.h>
#include <stdlib.h>
static int on_enable(mgr_host *h)
{
	const char *how = h->api->config_get(h, "how");
	if (how != NULL && how[0] == 'c')
		raise(SIGSEGV);
	return 7;
}
MGR_PLUGIN(.id = "refuser", .on_enable = on_enable);
C
printf 'id = "refuser"; name = "R"; version = "1.0.0"; library = "refuser.so";\nconfig = { how = "refuse"; };\n' > "$T/src/refuser/plugin.conf"
if ${CC:-cc} -shared -fPIC -I"$top_builddir/include" -o "$T/src/refuser/refuser.so" "$T/src/refuser/refuser.c"; then
	check "a plugin whose on_enable refuses installs" m plugin install "$T/src/refuser"
	expect_fail "enabling it fails with the plugin's answer" 1 \
	    "on_enable refused \(returned 7\)" m plugin enable refuser
	is "$(plugin_field refuser state)" "disabled" "it stays disabled"
	sed -i 's/how = "refuse"/how = "crash"/' "$PLUGINS/refuser/plugin.conf"
	expect_fail "an on_enable that crashes is contained" 1 \
	    "on_enable crashed with SIGSEGV" m plugin enable refuser
	is "$(plugin_field refuser state)" "faulted" "the plugin is marked faulted"
else
	not_ok "compile a test plugin with cc"
fi

write_conf "auto_enable = true;"
check "auto_enable enables on install" m plugin install "$EX/base"
is "$(plugin_field base state)" "enabled" "base is enabled"
check "--no-enable overrides auto_enable" m plugin install --no-enable "$EX/hello"
is "$(plugin_field hello state)" "disabled" "hello is disabled"

rm -rf "$T/base-0.9"
cp -r "$EX/base" "$T/base-0.9"
sed -i 's/^version = .*/version = "0.9.0";/' "$T/base-0.9/plugin.conf"
expect_fail "a downgrade that would break an installed dependent is refused" 1 \
    "installed plugin greeter needs base >= 1.0, which 0.9.0 does not satisfy" \
    m plugin install --force "$T/base-0.9"
is "$(plugin_field base version)" "1.0.0" "base keeps its version"


done_testing
