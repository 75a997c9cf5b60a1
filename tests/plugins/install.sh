#!/bin/sh
# Installing from a folder and a zip, the JSON fields, reinstall, upgrade,
# downgrade, validation, and a plugin whose constructor crashes.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

# A copy of an example plugin with another version.
versioned() {
	rm -rf "$T/$1-$2"
	cp -r "$EX/$1" "$T/$1-$2"
	sed -i "s/^version = .*/version = \"$2\";/" "$T/$1-$2/plugin.conf"
}

zip_dir() {	# zip_dir OUT.zip FOLDER: the folder's files at top level
	python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
out, folder = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(folder)):
        z.write(os.path.join(folder, name), name)
PY
}

check "install from a folder" m plugin install "$EX/hello"
grep -q "installed hello 1.2.0" "$T/out" && ok 0 "install says what it did" ||
    not_ok "install says what it did" "$(cat "$T/out")"
plugins_dir_is "hello " "only the plugin folder is left"
[ -f "$PLUGINS/hello/hello.so" ] && [ -f "$PLUGINS/hello/plugin.conf" ] &&
    ok 0 "the plugin's files are in place" ||
    not_ok "the plugin's files are in place" "$(ls -l "$PLUGINS/hello")"
is "$(stat -c %a "$PLUGINS" "$PLUGINS/hello" "$PLUGINS/hello/hello.so" | tr '\n' ' ')" \
    "700 700 600 " \
    "installed files are private"

m --json plugin list > "$T/list.json"
python3 - "$T/list.json" <<'PY' && ok 0 "--json plugin list has the seed's Plugin fields" || not_ok "--json plugin list has the seed's Plugin fields" "$(cat "$T/list.json")"
import json, sys
p = json.load(open(sys.argv[1]))[0]
for k in ("id", "name", "version", "enabled", "installed_at", "description",
          "author", "path", "manifest", "dependencies", "state", "error"):
    assert k in p, k
assert p["id"] == "hello" and p["version"] == "1.2.0" and p["enabled"] is False
assert p["state"] == "disabled" and p["error"] is None
assert p["manifest"]["config"]["greeting"] == "Hello"
assert p["dependencies"] == []
import datetime
assert datetime.datetime.fromisoformat(p["installed_at"]).utcoffset().total_seconds() == 0
PY

expect_fail "reinstalling the same version needs --force" 4 \
    "hello 1.2.0 is already installed \(use --force" m plugin install "$EX/hello"
check "--force reinstalls" m plugin install --force "$EX/hello"

versioned hello 1.3.0
check "a newer version upgrades in place" m plugin install "$T/hello-1.3.0"
is "$(plugin_field hello version)" "1.3.0" "the upgraded version is recorded"
grep -q '"1.3.0"' "$PLUGINS/hello/plugin.conf" && ok 0 "the new files replaced the old" ||
    not_ok "the new files replaced the old"
plugins_dir_is "hello " "no staging folder after an upgrade"
expect_fail "a downgrade needs --force" 4 "installed version 1.3.0 is newer than 1.2.0" \
    m plugin install "$EX/hello"
check "--force downgrades" m plugin install --force "$EX/hello"
is "$(plugin_field hello version)" "1.2.0" "the downgrade is recorded"

check "uninstall" m plugin uninstall hello
plugins_dir_is "" "uninstall removes the files"
is "$(installed_ids)" "" "and the row"

zip_dir "$T/hello.zip" "$EX/hello"
check "install from a zip" m plugin install "$T/hello.zip"
is "$(installed_ids)" "hello" "the zip's plugin is installed"
m plugin uninstall hello > /dev/null
(cd "$EX" && python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in ("plugin.conf", "hello.so"):
        z.write("hello/" + f, "hello/" + f)
' "$T/wrapped.zip")
check "install from a zip wrapping the plugin in a folder" m plugin install "$T/wrapped.zip"
plugins_dir_is "hello " "the wrapped plugin lands under its id"

# A plugin whose constructor segfaults: refused, the manager survives it.
expect_fail "a constructor that segfaults is refused with a clear error" 1 \
    "badctor: constructor crashed with SIGSEGV" m plugin install "$EX/badctor"
is "$(installed_ids)" "hello" "no row for the refused plugin"
plugins_dir_is "hello " "no files for the refused plugin"
check "the manager keeps working afterwards" m plugin show hello
expect_fail "validate reports the crash too" 1 "constructor crashed with SIGSEGV" \
    m plugin validate "$EX/badctor"

# Validation reports every problem, each naming file and line or field.
mkdir "$T/broken"
cat > "$T/broken/plugin.conf" <<'CONF'
id = "Broken!";
version = "one";
library = "missing.so";
dependencies = [ "nothere >= 1.0" ];
CONF
expect_fail "validate fails on a broken manifest" 1 "4 problems found|[5-9] problems found" \
    m plugin validate "$T/broken"
for want in 'plugin.conf:1: field "id"' 'field "name" is missing' \
    'plugin.conf:2: field "version"' 'plugin.conf:3: field "library"'; do
	grep -qF "$want" "$T/err" && ok 0 "validate names: $want" ||
	    not_ok "validate names: $want" "$(cat "$T/err")"
done
cp -r "$EX/hello" "$T/badtask"
sed -i 's/minutes = 30;/minutes = -5;/' "$T/badtask/plugin.conf"
expect_fail "a default task with a bad trigger is refused at validation" 1 \
    'plugin.conf:[0-9]+: task "hello.greet": minutes' m plugin validate "$T/badtask"
expect_fail "and at install" 1 'task "hello.greet": minutes' m plugin install "$T/badtask"
check "validate accepts a good plugin" m plugin validate "$EX/base"
grep -q "valid plugin base 1.0.0" "$T/out" && ok 0 "validate says so" || not_ok "validate says so"
m --json plugin validate "$T/broken" > "$T/v.json" 2>/dev/null
python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); assert v["valid"] is False and len(v["problems"]) >= 4' "$T/v.json" &&
    ok 0 "validate --json lists the problems" || not_ok "validate --json lists the problems"

cp -r "$EX/base" "$T/linked"
ln -s /etc/passwd "$T/linked/passwd"
expect_fail "a folder holding a symbolic link is refused" 1 \
    "linked/passwd: not a regular file or folder" m plugin install "$T/linked"
plugins_dir_is "hello " "nothing is left of it"

expect_fail "a missing source is a clear error" 3 "no such folder or zip file" \
    m plugin install "$T/nope/"
expect_fail "show of an unknown plugin exits 3" 3 'plugin "zzz" is not installed' \
    m plugin show zzz

# Every trigger field a task takes, a plugin's default tasks take too:
# quartz=, a calendar's oncalendar (several, ";"), fixed_jitter.
cp -r "$EX/hello" "$T/triggers"
sed -i '/^tasks = (/,$d' "$T/triggers/plugin.conf"
cat >> "$T/triggers/plugin.conf" <<'CONF'
tasks = (
  { id = "hello.q"; func = "greet"; trigger = "cron";
    quartz = "0 15 10 ? * 6L 2027"; },
  { id = "hello.c"; func = "greet"; trigger = "calendar";
    oncalendar = "Mon..Fri *-*-* 09:00 Europe/Berlin; Sat 10:00";
    jitter = 60; fixed_jitter = true; },
  { id = "hello.i"; func = "greet"; trigger = "interval"; minutes = 5;
    jitter = 30; fixed_jitter = false; }
);
CONF
check "validate accepts quartz, oncalendar and fixed_jitter" \
    m plugin validate "$T/triggers"
m plugin uninstall hello > /dev/null 2>&1
check "install the plugin with them" m plugin install "$T/triggers"
check "enable it" m plugin enable hello
is "$(sqlite3 "$STATE/manager.db" "SELECT group_concat(id || ' ' || trigger || ' ' || json_remove(trigger_args, '$.start_date'), '
') FROM (SELECT * FROM tasks WHERE plugin_id = 'hello' ORDER BY id)")" \
    'hello.c calendar {"oncalendar":"Mon..Fri *-*-* 09:00 Europe/Berlin; Sat 10:00","jitter":60,"fixed_jitter":"true"}
hello.i interval {"minutes":5,"jitter":30,"fixed_jitter":"false"}
hello.q cron {"quartz":"0 15 10 ? * 6L 2027"}' \
    "the default tasks have those triggers"
check "disable it" m plugin disable hello
sed -i 's/6L 2027/6X 2027/' "$T/triggers/plugin.conf"
expect_fail "a bad quartz token is named at validation" 1 \
    'plugin.conf:[0-9]+: task "hello.q": .*"6X"' m plugin validate "$T/triggers"

done_testing
