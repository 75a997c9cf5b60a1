#!/bin/sh
# quickstart.sh - from a fresh clone to a running console: installs the
# dependencies, builds, puts the example plugins and a few tasks into the
# embedded default state (once), then opens the console.
set -e
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j2
./scripts/example-data.sh ./manager
exec ./manager
