#!/bin/sh
# make install (into a DESTDIR): the example plugins and the documents
# under $(docdir), the man pages, the system and user units, logrotate's
# snippet; and an installed example plugin installs into manager.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

D="$T/dest"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$D" \
	>"$T/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds" || sed 's/^/# /' "$T/install.log" | tail -20

# has PATTERN TEXT: a file whose path under $D matches PATTERN exists.
has() {
	find "$D" -type f | grep -q -- "$1"
	ok $? "$2"
}
has '/doc/manager/README.md$' "docdir: README.md"
has '/doc/manager/ARCHITECTURE.md$' "docdir: ARCHITECTURE.md"
has '/doc/manager/SCHEDULER.md$' "docdir: SCHEDULER.md"
has '/doc/manager/PLUGINS.md$' "docdir: PLUGINS.md"
for p in hello base greeter; do
	has "/doc/manager/examples/plugins/$p/$p.c\$" "example plugin $p: source"
	has "/doc/manager/examples/plugins/$p/plugin.conf\$" "example plugin $p: manifest"
	has "/doc/manager/examples/plugins/$p/$p.so\$" "example plugin $p: library"
done
has '/man/man1/manager.1$' "man page manager(1)"
has '/man/man5/manager.conf.5$' "man page manager.conf(5)"
has '/man/man5/manager-tasks.5$' "man page manager-tasks(5)"
has '/man/man3/manager-plugin.3$' "man page manager-plugin(3)"
has '/lib/systemd/system/manager.service$' "system unit"
has '/lib/systemd/user/manager.service$' "user unit"
has '/logrotate.d/manager$' "logrotate snippet"

hello=$(find "$D" -type d -path '*/doc/manager/examples/plugins/hello' | head -n 1)
run "$MANAGER" plugin install "$hello"
is "$rc" 0 "the installed example plugin hello installs" ||
	printf '# %s\n' "$err"

echo "1..$_tap_n"
done_testing
