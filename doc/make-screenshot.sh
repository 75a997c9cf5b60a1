#!/bin/sh
# make-screenshot.sh - regenerates doc/console.txt, a capture of the
# console on the example data (scripts/example-data.sh plus a few runs),
# taken from a detached tmux like the tests; and doc/console.png from it
# when ImageMagick's convert is installed.
# Run from a built tree: doc/make-screenshot.sh [COLUMNS ROWS]
set -e
cd "$(dirname "$0")/.."
MANAGER=${MANAGER:-$PWD/manager}
export MANAGER
. tests/console/lib.sh
console_setup
cols=${1:-120}
rows=${2:-32}

# The example data goes into the private database through a wrapper.
printf '#!/bin/sh\nexec "%s" --config "%s" --db "%s" "$@"\n' \
	"$MANAGER" "$T/manager.conf" "$DB" > "$T/manager"
chmod +x "$T/manager"
sh scripts/example-data.sh "$T/manager" >/dev/null 2>&1
for t in demo.uptime demo.disk demo.weekday demo.uptime; do
	m task run "$t" >/dev/null 2>&1 || true
done
m task pause demo.nightly >/dev/null 2>&1

console_start "$cols" "$rows"
wait_for "demo.uptime" 10 >/dev/null
sleep 1
{
	screen
	printf '\n'
	keys Enter
	wait_for "Next fire times" 5 >/dev/null
	screen
} > doc/console.txt
keys q q	# the second answers the quit question of a hosting console
echo "wrote doc/console.txt"
if command -v convert >/dev/null 2>&1; then
	screen_only=$(mktemp)
	sed -n "1,${rows}p" doc/console.txt > "$screen_only"
	convert -background '#1d1f21' -fill '#d8d8d8' -font DejaVu-Sans-Mono \
		-pointsize 14 -border 12 -bordercolor '#1d1f21' \
		"label:@$screen_only" doc/console.png 2>/dev/null &&
		echo "wrote doc/console.png" ||
		echo "convert could not render doc/console.png (is it ImageMagick?)"
	rm -f "$screen_only"
fi
