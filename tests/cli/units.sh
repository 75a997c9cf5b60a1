#!/bin/sh
# The systemd units: `systemd-analyze security --offline=true` rates the
# system unit MEDIUM or better and the user unit OK or better; every
# exposure it still lists is named in a comment of the unit (the reason
# it stays); what tasks need is kept: ReadWritePaths= for system jobs,
# the capabilities of user= and group=.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

SYSTEM="$top_builddir/data/manager.service"
USER_UNIT="$top_builddir/data/user/manager.service"

# rating FILE: the word of "Overall exposure level ...: 3.8 OK".
rating() {
	sed -n 's/^→ Overall exposure level for .*: [0-9.]* \([A-Z]*\).*/\1/p' "$1"
}

# unexplained UNIT REPORT: the exposures (✗ lines) the unit's comments
# do not name, one per line.
unexplained() {
	grep '^✗' "$2" | awk '{ print $2 }' | while read -r name; do
		grep '^#' "$1" | grep -qF -- "$name" || echo "$name"
	done
}

# analyze UNIT REPORT: the offline report, copied under the unit's name.
analyze() {
	mkdir -p "$T/u"
	cp "$1" "$T/u/manager.service"
	systemd-analyze security --offline=true "$T/u/manager.service" >"$2" 2>&1
}

for unit in "$SYSTEM" "$USER_UNIT"; do
	test -s "$unit"
	ok $? "$unit is built"
done

# Without the tool the ratings cannot be checked here; .ci/run installs
# it (scripts/install-deps.sh: systemd).
if ! command -v systemd-analyze >/dev/null 2>&1; then
	for what in "system unit MEDIUM or better" "system unit's exposures explained" \
	    "user unit OK or better" "user unit's exposures explained"; do
		skip "$what: systemd-analyze is not installed"
	done
else
	analyze "$SYSTEM" "$T/system.txt"
	r=$(rating "$T/system.txt")
	case $r in MEDIUM|OK|SAFE|PERFECT) ok 0 "system unit rated $r (MEDIUM or better)" ;;
	*) ok 1 "system unit rated ${r:-nothing} (MEDIUM or better)"; sed 's/^/# /' "$T/system.txt" ;;
	esac
	is "$(unexplained "$SYSTEM" "$T/system.txt" | tr '\n' ' ')" "" \
		"every exposure of the system unit is explained in a comment"
	analyze "$USER_UNIT" "$T/user.txt"
	r=$(rating "$T/user.txt")
	case $r in OK|SAFE|PERFECT) ok 0 "user unit rated $r (OK or better)" ;;
	*) ok 1 "user unit rated ${r:-nothing} (OK or better)"; sed 's/^/# /' "$T/user.txt" ;;
	esac
	is "$(unexplained "$USER_UNIT" "$T/user.txt" | tr '\n' ' ')" "" \
		"every exposure of the user unit is explained in a comment"
fi

# What tasks need.
like "$(grep '^ReadWritePaths=' "$SYSTEM")" "/var" \
	"system unit: ReadWritePaths= keeps /var writable (run-parts /etc/cron.daily)"
caps=$(grep '^CapabilityBoundingSet=' "$SYSTEM")
like "$caps" "CAP_SETUID" "system unit: CAP_SETUID for user="
like "$caps" "CAP_SETGID" "system unit: CAP_SETGID for group="
unlike "$(grep -E '^(User|DynamicUser)=' "$SYSTEM")" "." \
	"system unit: runs as root (system jobs, user switching)"
like "$(grep '^ExecStart=' "$SYSTEM")" "^ExecStart=/.*/manager --daemon$" \
	"system unit: ExecStart has the installed binary's path"
like "$(grep '^ExecStart=' "$USER_UNIT")" "^ExecStart=/.*/manager --daemon$" \
	"user unit: ExecStart has the installed binary's path"
like "$(grep '^WantedBy=' "$USER_UNIT")" "default.target" \
	"user unit: wanted by default.target"

echo "1..$_tap_n"
done_testing
