#!/bin/sh
# help.sh - help from the command table: `manager help [NOUN [VERB]]`,
# --help and -h after every command and noun (stdout, exit 0, no
# configuration read, no database created), usage errors on stderr with
# exit 2, and the closest command to a mistyped one.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

# The commands --help lists ("  noun verb   summary"), and their nouns.
commands=$("$MANAGER" --help | sed -n '/^Commands:/,/^$/p' |
	sed -n 's/^  \([a-z_-]*\)\( [a-z_-]*\)\{0,1\}  .*/\1\2/p' |
	sed 's/ *$//')
nouns=$(printf '%s\n' "$commands" | awk '{ print $1 }' | sort -u)
ncommands=$(printf '%s\n' "$commands" | wc -l)
nnouns=$(printf '%s\n' "$nouns" | wc -l)
plan $((21 + 3 * ncommands + 2 * nnouns))

# A configuration that cannot be read: help must not need one.
export MANAGER_CONFIG="$T/missing.conf"

run "$MANAGER" help task add
is "$rc" 0 "help task add exits 0"
help_add=$out
run "$MANAGER" task add --help
is "$rc:$err" "0:" "task add --help exits 0, nothing on stderr"
is "$out" "$help_add" "help task add and task add --help print the same"
like "$out" "^usage: manager task add ID FUNC TYPE" "the help starts with the usage"
like "$out" "--max-retries N +retries after a failed run" \
	"each option with its value and help text, from the table"
like "$out" "-h, --help +show this help" "the common options too"
run "$MANAGER" task add -h
is "$out" "$help_add" "-h is --help"
run "$MANAGER" task add x --name -h --help
is "$rc:$out" "0:$help_add" "--help after an option's value (-h as the value)"

printf '%s\n' "$commands" | while read -r noun verb; do
	# shellcheck disable=SC2086
	run "$MANAGER" $noun $verb --help
	is "$rc" 0 "$noun $verb --help exits 0"
	like "$out" "^usage: manager $noun${verb:+ $verb}" "$noun $verb --help: its usage on stdout"
	is "$err" "" "$noun $verb --help: nothing on stderr"
done > "$T/each"
cat "$T/each"
_tap_n=$((_tap_n + 3 * ncommands))
_tap_failed=$((_tap_failed + $(grep -c '^not ok' "$T/each")))

printf '%s\n' "$nouns" | while read -r noun; do
	run "$MANAGER" "$noun" --help
	is "$rc" 0 "$noun --help exits 0"
	run "$MANAGER" help "$noun"
	like "$rc:$out" "^0:usage: manager $noun" "help $noun prints the noun's help"
done > "$T/nouns"
cat "$T/nouns"
_tap_n=$((_tap_n + 2 * nnouns))
_tap_failed=$((_tap_failed + $(grep -c '^not ok' "$T/nouns")))

run "$MANAGER" task --help
like "$out" "  pause +pause a task" "task --help lists the verbs of task"
unlike "$out" "plugin" "... and only those"

run "$MANAGER" help
is "$rc" 0 "help alone exits 0"
is "$out" "$("$MANAGER" --help)" "help alone is --help"
like "$out" "help NOUN" "--help says how to get a command's help"

ok "$([ ! -e "$XDG_DATA_HOME/manager" ] && echo 0 || echo 1)" \
	"no help created a data folder or a database"

# Usage errors stay errors: stderr, exit 2.
unset MANAGER_CONFIG
run "$MANAGER" task add
is "$rc:$out" "2:" "task add without arguments: exit 2, nothing on stdout"
like "$err" "usage: manager task add" "... the usage on stderr"

run "$MANAGER" task ad x
is "$rc" 2 "an unknown verb exits 2"
like "$err" "unknown command \"task ad\"; did you mean \"task add\"\?" \
	"an unknown verb suggests the closest"
run "$MANAGER" tsak list
like "$rc:$err" "^2:.*did you mean \"task\"" "an unknown noun suggests the closest"
run "$MANAGER" help task pase
like "$rc:$err" "^2:.*did you mean \"task pause\"" "help of an unknown verb suggests too"

# After "--" a word is an argument, never --help.
run "$MANAGER" task remove -- --help
like "$rc:$err" "^3:.*no task \"--help\"" "task remove -- --help looks for a task named --help"
done_testing
