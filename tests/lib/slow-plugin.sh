#!/bin/sh
# slow-plugin.sh - makes the plugin "slow" in DIR: the example plugin
# hello renamed, whose library takes SECONDS (default 2) to load (a
# constructor sleeps), as a library of foreign code may.  Its functions:
# greet, noop.
#
#   sh tests/lib/slow-plugin.sh TOP_SRCDIR TOP_BUILDDIR DIR [SECONDS]
set -eu
src=$1 build=$2 dir=$3 seconds=${4:-2}
mkdir -p "$dir"
sed -e 's/^id = .*/id = "slow";/' -e 's/^version = .*/version = "1.0.0";/' \
    -e 's/^library = .*/library = "slow.so";/' -e '/^tasks = (/,/^);/d' \
    "$src/data/plugins/hello/plugin.conf" > "$dir/plugin.conf"
sed -e 's/\.id = "hello"/.id = "slow"/' "$src/data/plugins/hello/hello.c" > "$dir.c"
printf '#include <unistd.h>\n__attribute__((constructor)) static void slow(void) { sleep(%d); }\n' \
    "$seconds" >> "$dir.c"
cc -shared -fPIC -I"$build/include" -I"$src/src" -o "$dir/slow.so" "$dir.c"
rm -f "$dir.c"
