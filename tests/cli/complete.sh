#!/bin/sh
# complete.sh - shell completion: `manager __complete -- WORD...` gives
# nouns, verbs and options from the command table and live task and
# plugin ids from the database; the bash completion, sourced, fills
# COMPREPLY with them; `make install` puts it where bash-completion looks
# and `bash -ic 'complete -p manager'` then shows it.
. "$top_srcdir/tests/cli/lib.sh"
plan 25
setup_tmp

C() { "$MANAGER" --db "$T/m.db" __complete -- "$@"; }
lines() { tr '\n' ' ' | sed 's/ $//'; }

like "$(C "" | lines)" "^help config console db daemon host schedule task run plugin snapshot repo$" \
	"the first word: every noun once, hidden ones not"
is "$(C ta | lines)" "task" "a prefix: the nouns it starts"
like "$(C task "" | lines)" "^add list show edit remove pause resume run stop history logs import export deps$" \
	"the second word: the noun's verbs"
is "$(C task p | lines)" "pause" "a verb's prefix"
is "$(C task add --max | lines)" "--max-retries --max-instances" \
	"options from the command's table"
like "$(C task list - | lines)" "--sort --json --help" "every command has --json and --help"
is "$(C task list --sort "" | lines)" "" "an option's value: nothing (the shell offers files)"
is "$(C task import "" | lines)" "crontab systemd" \
	"a first argument of fixed words: the words, not task ids"
is "$(C task export c | lines)" "crontab" "... and their prefix"
is "$(C task import crontab --f | lines)" "--format" \
	"task import: options from its table"
ok "$([ ! -e "$T/m.db" ] && echo 0 || echo 1)" "completion does not create the database"

"$MANAGER" --db "$T/m.db" task add alpha exec:true interval hours=1 >/dev/null
"$MANAGER" --db "$T/m.db" task add alpine exec:true interval hours=1 >/dev/null
"$MANAGER" --db "$T/m.db" task add beta exec:true interval hours=1 >/dev/null
is "$(C task show al | lines)" "alpha alpine" "task ids from the database"
is "$(C task show alpha "" | lines)" "" "only the first argument is an id"
is "$(C --json task pause --stop b | lines)" "beta" \
	"global options and the command's options are skipped"
is "$(C plugin show al | lines)" "" "plugin commands complete plugin ids, not tasks"
"$MANAGER" --db "$T/m.db" plugin install --no-enable \
	"$top_builddir/data/plugins/hello" >/dev/null 2>&1
is "$(C plugin enable h | lines)" "hello" "plugin ids from the database"
is "$(C help task "" | lines)" "$(C task "" | lines)" "help NOUN completes verbs"

# The bash completion, sourced: COMPREPLY for the word under the cursor.
PATH="$top_builddir:$PATH"
export PATH
comp() {	# WORD... (the last is completed)
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_manager; printf "%s\n" "${COMPREPLY[@]}"' bash \
		"$top_srcdir/data/completion/bash/manager" "$@" | lines
}
is "$(comp manager ta)" "task" "bash: a noun"
is "$(comp manager --db "$T/m.db" task show alp)" "alpha alpine" \
	"bash: task ids of the --db given on the line"
is "$(comp manager task edit alpha --nam)" "--name" "bash: an option"

# Installed where bash-completion looks, and loaded by an interactive bash.
if make -C "$top_builddir" install-dist_bashcompletionDATA \
    install-dist_zshcompletionDATA DESTDIR="$T/dest" >"$T/make.out" 2>&1; then
	ok 0 "make install of the completions"
else
	ok 1 "make install of the completions"
	sed 's/^/# /' "$T/make.out"
fi
file=$(find "$T/dest" -path '*/bash-completion/completions/manager' -type f)
like "$file" "/share/bash-completion/completions/manager$" \
	"installed as DATADIR/bash-completion/completions/manager"
like "$(find "$T/dest" -name _manager -type f)" "/share/zsh/site-functions/_manager$" \
	"zsh's as DATADIR/zsh/site-functions/_manager"
# bash-completion, when present, loads it by the command's name from
# XDG_DATA_DIRS; without it, a .bashrc sources the file itself.
loader=/usr/share/bash-completion/bash_completion
if [ -r "$loader" ]; then
	printf '. %s\n' "$loader" >"$HOME/.bashrc"
	XDG_DATA_DIRS="${file%/bash-completion/*}" bash -ic \
		'__load_completion manager 2>/dev/null || _completion_loader manager
		 complete -p manager' >"$T/complete.out" 2>/dev/null
else
	printf '. "%s"\n' "$file" >"$HOME/.bashrc"
	bash -ic 'complete -p manager' >"$T/complete.out" 2>/dev/null
fi
like "$(cat "$T/complete.out")" "complete .*-F _manager manager$" \
	"bash -ic 'complete -p manager' shows the completion"

# A new user on Debian: /etc/skel/.bashrc sources bash-completion's main
# script, which loads a command's completion from where `make install`
# put it the first time it is asked for (__load_completion, as a Tab
# does), with nothing in the user's files naming it.
if [ -r "$loader" ]; then
	if [ -r /etc/skel/.bashrc ]; then
		cp /etc/skel/.bashrc "$HOME/.bashrc"
	else
		printf '. %s\n' "$loader" >"$HOME/.bashrc"
	fi
	XDG_DATA_DIRS="${file%/bash-completion/*}" bash -ic \
		'__load_completion manager; complete -p manager' \
		>"$T/skel.out" 2>"$T/skel.err"
	like "$(cat "$T/skel.out")" "complete .*-F _manager manager$" \
		"a new user's bash (/etc/skel/.bashrc, bash-completion) loads it by name"
else
	skip "bash-completion is not installed ($loader): scripts/install-deps.sh installs it"
fi
done_testing
