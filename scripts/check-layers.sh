#!/bin/sh
# check-layers.sh [ROOT] - the folders are layers and only look down.
# Reads every #include "..." of the C files under ROOT (default: the
# source tree this script is in), finds the folder that holds the header,
# and prints each include that reaches a folder its layer may not use:
#   FILE:LINE: FOLDER may not include HEADER (from FOLDER2)
# Exits 1 when there is any.  The rule of each folder (doc/ARCHITECTURE.md):
#   core     core                     (configuration, errors, log, util)
#   store    core store               (the store interface and backend)
#   trigger  core trigger             (the trigger library)
#   tasks    core store trigger tasks abi
#   plugins  core store trigger tasks plugins abi
#   engine   all of the above, engine
#   ui       all of the above, ui
#   cli      everything
# "abi" is src/manager-plugin.h, the plugins' ABI header.  Beyond the
# layers, the store's seam: backend.h (the table a backend fills) is for
# the files of src/store only, and a backend's folder (src/store/sqlite)
# is seen by nobody outside it: the program sees storage only through
# db.h, store.h, control_store.h and snapshot_store.h.
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

folder_of() {	# PATH -> its layer's name
	case $1 in
	ui/*) echo ui ;;
	src/*/*) d=${1#src/}; echo "${d%%/*}" ;;
	src/*) echo abi ;;
	esac
}

# "NAME FOLDER" for every header of the tree, then every include line
# as FILE:LINE:TEXT; one awk pass judges them all.
{
	find src ui -name '*.h' | while read -r h; do
		echo "H $(basename "$h") $(folder_of "$h") $(dirname "$h")"
	done
	find src/core src/store src/trigger src/tasks src/plugins src/engine \
	    src/cli ui -name '*.[ch]' | sort |
	xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"'
} 2>/dev/null | awk '
function folder(path,   d) {
	if (path ~ /^ui\//) return "ui"
	d = path; sub(/^src\//, "", d)
	if (d !~ /\//) return "abi"
	sub(/\/.*/, "", d)
	return d
}
BEGIN {
	rule["core"] = "core"
	rule["store"] = "core store"
	rule["trigger"] = "core trigger"
	rule["tasks"] = "core store trigger tasks abi"
	rule["plugins"] = "core store trigger tasks plugins abi"
	rule["engine"] = "core store trigger tasks plugins engine abi"
	rule["ui"] = "core store trigger tasks plugins engine ui abi"
	rule["cli"] = "core store trigger tasks plugins engine ui cli abi"
}
$1 == "H" && NF == 4 && $2 !~ /:/ { where[$2] = $3; dir[$2] = $4; next }
{
	split($0, p, ":")
	h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
	if (!(h in where)) next		# config.h: generated
	from = folder(p[1])
	if ((h == "backend.h" && p[1] !~ /^src\/store\//) ||
	    (dir[h] ~ /^src\/store\/./ && index(p[1], dir[h] "/") != 1)) {
		printf "%s:%s: %s is private to %s\n", p[1], p[2], h, h == "backend.h" ? "src/store" : dir[h]
		bad = 1
		next
	}
	if (index(" " rule[from] " ", " " where[h] " ") == 0) {
		printf "%s:%s: %s may not include %s (from %s)\n", p[1], p[2], from, h, where[h]
		bad = 1
	}
}
END { exit bad }'
