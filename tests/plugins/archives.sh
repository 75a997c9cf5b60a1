#!/bin/sh
# Hostile archives, generated here: each is refused with a clear error,
# writes nothing outside staging, leaves no staging folder and no row.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

write_conf 'archive_max_entries = 20;' 'archive_max_ratio = 100;' 'archive_max_mb = 8;'
mkdir -p "$T/work/inner"
cd "$T/work/inner" || exit 1

# make_zip OUT KIND: a valid hello plugin plus one hostile twist.
make_zip() {
	python3 - "$1" "$2" "$EX/hello" <<'PY'
import os, sys, zipfile
out, kind, plugin = sys.argv[1:4]

def entry(name, mode=0o100644):
    zi = zipfile.ZipInfo(name)
    zi.create_system = 3
    zi.external_attr = mode << 16
    return zi

z = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
for f in ("plugin.conf", "hello.so"):
    z.write(os.path.join(plugin, f), f)
if kind == "slip":
    z.writestr("../escaped.txt", "pwned")
elif kind == "deep-slip":
    z.writestr("lib/../../../escaped.txt", "pwned")
elif kind == "absolute":
    z.writestr(entry("/tmp/manager-test-escaped-abs.txt"), "pwned")
elif kind == "symlink":
    z.writestr(entry("link", 0o120777), "/etc/passwd")
elif kind == "device":
    z.writestr(entry("dev", 0o020644), "")
elif kind == "bomb":
    z.writestr("zeros.bin", b"\0" * (4 << 20))
elif kind == "many":
    for i in range(30):
        z.writestr("f%02d.txt" % i, "x")
elif kind == "big":
    z.writestr(zipfile.ZipInfo("random.bin"), os.urandom(9 << 20),
               compress_type=zipfile.ZIP_STORED)
elif kind == "duplicate":
    import warnings
    warnings.simplefilter("ignore")
    z.writestr("plugin.conf", "id = \"evil\";")
z.close()
if kind == "corrupt":
    data = bytearray(open(out, "rb").read())
    data[len(data) // 2: len(data) // 2 + 64] = b"\xff" * 64
    open(out, "wb").write(bytes(data))
elif kind == "truncated":
    data = open(out, "rb").read()
    open(out, "wb").write(data[: len(data) // 2])
PY
}

check_refused() {	# check_refused KIND PATTERN
	make_zip "$T/$1.zip" "$1"
	expect_fail "$1 archive is refused ($2)" 1 "$2" m plugin install "$T/$1.zip"
	plugins_dir_is "" "$1: no staging folder left"
	is "$(installed_ids)" "" "$1: no row"
}

check_refused slip 'entry "\.\./escaped\.txt" has a "\.\." component'
check_refused deep-slip 'has a "\.\." component'
check_refused absolute 'has an absolute path'
check_refused symlink 'entry "link" is a symbolic link'
check_refused device 'entry "dev" is a device'
check_refused bomb 'expands [0-9]+ times, past the limit of 100'
check_refused many 'entries, past the limit of 20 \(archive_max_entries\)'
check_refused big 'exceeds the limit of 8 MiB \(archive_max_mb\)'
check_refused duplicate 'duplicate entry names|entry "plugin.conf" appears more than once'
check_refused corrupt 'corrupt|not a valid zip archive'
check_refused truncated 'not a valid zip archive'
printf 'not a zip at all' > "$T/text.zip"
expect_fail "a text file is not taken for a zip" 1 "not a valid zip archive" \
    m plugin install "$T/text.zip"

nothing=$(find "$T" /tmp/manager-test-escaped-abs.txt -name 'escaped*' 2>/dev/null)
is "$nothing" "" "nothing was written outside staging"

make_zip "$T/fine.zip" none
check "the same archive without the twist installs" m plugin install "$T/fine.zip"
plugins_dir_is "hello " "and lands in place"

done_testing
