#!/bin/sh
# import.sh - task import crontab|systemd and task export crontab: real
# crontabs (Debian's /etc/crontab, /etc/cron.d files with their user
# column) and real timer/service pairs from Debian, shown with --dry-run
# and written; a re-import updates; refused lines are named by file and
# line while the rest imports; imported tasks run as cron and systemd
# would run them; next elapse times agree with systemd-analyze.
. "$top_srcdir/tests/sched/common.sh"
plan 74

D="$top_srcdir/tests/data/import"
ME=$(id -un)
ntasks() { M --json task list 2>/dev/null | grep -c '"id":'; }
# field NAME: every "NAME": value of $out, one a line.
field() {
	printf '%s\n' "$out" | sed -n "s/^ *\"$1\": \(.*\)$/\1/p" |
	    sed 's/,$//; s/^"\(.*\)"$/\1/'
}

# ---- crontabs ----

run M --json task import crontab "$D/crontab" --format system --dry-run
is "$rc" 0 "Debian's /etc/crontab: a dry run exits 0"
is "$(field crontab | paste -sd, -)" "17 * * * *,25 6 * * *,47 6 * * 7,52 6 1 * *" \
	"... and lists its hourly, daily, weekly and monthly lines as cron tasks"
is "$(field user | paste -sd, -)" "root,root,root,root" "... each with user root"
is "$(field func_path | sed -n 2p)" \
	"exec:/bin/sh -c 'test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }'" \
	"... whose command runs through the crontab's SHELL -c, as cron runs it"
is "$(field max_retries | sort -u)/$(field on_interrupt | sort -u)/$(field misfire_grace_time | sort -u)" \
	"0/abandon/60" "... once, abandoned when interrupted, not caught up (cron's semantics)"
is "$(ntasks)" 0 "a dry run writes nothing"
run M --json task import crontab "$D/php.cron.d" --format system --dry-run
is "$(field crontab)/$(field user)" "09,39 * * * */root" \
	"Debian's /etc/cron.d/php: a list of minutes, user root"

sed "s/ root / $ME /" "$D/e2scrub_all.cron.d" > "$T/e2scrub_all"
run M task import crontab "$T/e2scrub_all" --format system
is "$rc" 0 "a cron.d file imports (exit 0)"
is "$out" "2 created, 0 updated, 0 not imported" "... and says what it did"
ids=$(M --json task list | sed -n 's/^ *"id": "\(.*\)",$/\1/p' | sort | paste -sd' ' -)
run M --json task show "${ids%% *}"
is "$(field user)" "$ME" "the user column is the task's user"
like "$(field source)" "^crontab:$T/e2scrub_all\$" "the source names the file"
run M task import crontab "$T/e2scrub_all" --format system
is "$out" "0 created, 2 updated, 0 not imported" "importing it again updates the tasks"
is "$(M --json task list | sed -n 's/^ *"id": "\(.*\)",$/\1/p' | sort | paste -sd' ' -)" \
	"$ids" "... with the same ids, no duplicate"
sed 's/^30 3 \* \* 0/45 4 * * 0/' "$T/e2scrub_all" > "$T/e2" && mv "$T/e2" "$T/e2scrub_all"
M task import crontab "$T/e2scrub_all" --format system >/dev/null
is "$(M --json task list | grep -c '"crontab": "45 4 \* \* 0"')/$(ntasks)" "1/2" \
	"a changed schedule updates its task (the id follows the command)"

printf 'SHELL=/bin/sh\n0 1 * * * echo good\n61 * * * * echo bad minute\n@every 5m echo alias\n0 2 * * *\n' > "$T/mixed"
run M task import crontab "$T/mixed"
is "$rc" 1 "a crontab with bad lines: exit 1"
like "$err" "$T/mixed:3: .*minute: \"61\" is out of range" "... the bad field is named with file:line"
like "$err" "$T/mixed:4: unknown schedule \"@every\"" "... an unknown alias too"
like "$err" "$T/mixed:5: no command" "... and a line without a command"
is "$out" "1 created, 0 updated, 3 not imported" "... and the good line still imports"

M task add busy-1 'exec:/bin/true' cron crontab='0 0 * * *' >/dev/null
printf '0 1 * * * echo one\n0 2 * * * echo two\n' > "$T/pfx"
run M task import crontab "$T/pfx" --prefix busy
like "$err" "$T/pfx:1: task id \"busy-1\" is taken by a task from cli" \
	"--prefix: an id another source holds is refused, naming the source"
is "$(M --json task show busy-2 | grep -c '"func_path": "exec:/bin/sh -c .echo two.')" 1 \
	"... the other line imports as PREFIX-N"

# All or nothing: a store that fails on the second task keeps none.
sql "CREATE TRIGGER boom BEFORE INSERT ON tasks WHEN NEW.id = 'atom-2'
     BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;"
printf '0 1 * * * echo one\n0 2 * * * echo two\n0 3 * * * echo three\n' > "$T/atom"
run M task import crontab "$T/atom" --prefix atom
is "$rc/$(M --json task list | grep -c '"id": "atom-')" "1/0" \
	"a write failing on the second task leaves none of the three"
like "$err" "$T/atom:2: .*refused by a test trigger" "... and names the line"
sql "DROP TRIGGER boom"

printf 'GREETING=hi there\n* * * * * echo "$GREETING"; tr a-z A-Z %%abc%%def\\%%%%\n' > "$T/pct"
run M --json task import crontab "$T/pct" --prefix pct
id=pct-1
M task run "$id" >/dev/null
is "$(M task history "$id" --output | tail -n 3)" "hi there
ABC
DEF%" "a run gets the crontab's variables, and after % its stdin as cron gives it"

run sh -c "printf '@reboot echo from-stdin\n' | \"$MANAGER\" --config '$T/etc/m.conf' --db '$T/m.db' task import crontab - --prefix stdin"
is "$rc/$(M --json task show stdin-1 | grep -c '"crontab": "@reboot"')" "0/1" \
	"a crontab on stdin (-) imports, @reboot and all"

printf '0 1 * * * nosuchuser-x echo\n' > "$T/nouser"
run M task import crontab "$T/nouser" --format system --dry-run
like "$out" "create cron-" "a dry run still shows a task this host would refuse"
like "$err" "$T/nouser:1: would be refused here: .*nosuchuser-x" "... with a note saying why"
run M task import crontab "$T/nouser" --format system
is "$rc/$(printf '%s' "$err" | grep -c "$T/nouser:1: .*nosuchuser-x")" "1/1" \
	"... which the import itself refuses"

# ---- systemd timers ----

run M --json task import systemd "$D/dpkg-db-backup.timer" --dry-run
is "$(field trigger)/$(field oncalendar)/$(field func_path)" \
	"calendar/daily/exec:/usr/libexec/dpkg/dpkg-db-backup" \
	"dpkg-db-backup.timer: OnCalendar= and ExecStart= make a calendar task"
is "$(field misfire_grace_time)/$(field max_instances)" "60/1" \
	"... not caught up without Persistent=, never two at once"
run M --json task import systemd "$D/e2scrub_all.timer" --dry-run
is "$(field jitter)/$(field misfire_grace_time)/$(printf '%s' "$out" | grep -c '"SERVICE_MODE=1"')" \
	"60/0/1" "e2scrub_all: RandomizedDelaySec= is jitter, Persistent= catches up, Environment= is kept"
like "$err" "e2scrub_all.service:[0-9]*: \[Unit\] ConditionACPower= is not imported" \
	"... what is not imported is said, with file:line"
run M --json task import systemd "$D/fstrim.timer" --dry-run
like "$err" "fstrim.timer:9: AccuracySec=1h: manager fires at the time itself" \
	"fstrim: AccuracySec= is noted"
is "$(field jitter)/$(field func_path)" \
	"6000/exec:/sbin/fstrim --listed-in /etc/fstab:/proc/self/mountinfo --verbose --quiet-unsupported" \
	"... jitter and the command's words"
run M --json task import systemd "$D/systemd-tmpfiles-clean.timer" --dry-run
is "$(field trigger)/$(field seconds)" "interval/86400" \
	"systemd-tmpfiles-clean: OnUnitActiveSec=1d is an interval"
start=$(field start_date)
left=$(( $(date -d "$start" +%s) - $(date +%s) ))
ok "$([ "$left" -ge 870 ] && [ "$left" -le 900 ]; echo $?)" \
	"... starting OnBootSec=15min from the import ($left s left, 30 s allowed for a loaded machine)"
run M --json task import systemd "$D/apt-daily.timer" --dry-run
is "$rc/$(field func_path)" \
	"0/exec:/bin/sh -c 'set -e; /usr/lib/apt/apt-helper wait-online || :; exec /usr/lib/apt/apt.systemd.daily update'" \
	"apt-daily: ExecStartPre=- and ExecStart= run in order by sh, every word quoted, a failure of the first counting as success"
run M task import systemd "$D/man-db.timer" --dry-run
like "$err" "man-db.service:9: ExecStart=: the prefix \"\\+\" runs this command as root, the others as User=man: a task runs as one user" \
	"man-db: an ExecStart=+ beside User= is refused with file:line and why"
is "$rc" 1 "... and the dry run exits 1"

mkdir -p "$T/units"
cat > "$T/units/hello.timer" <<EOF
[Timer]
OnCalendar=*-*-* 04:00
Persistent=yes
EOF
cat > "$T/units/hello.service" <<EOF
[Unit]
Description=Say hello (%n)

[Service]
Type=oneshot
User=$ME
Environment="GREETING=hello world" WHO=%N
WorkingDirectory=$T
UMask=0027
Nice=3
TimeoutStartSec=2min
ExecStart=/bin/sh -c 'echo "\$GREETING" from \$WHO in \$(pwd); umask' \${GREETING} \$\$
EOF
run M task import systemd "$T/units/hello.timer"
is "$rc/$out" "0/1 created, 0 updated, 0 not imported" "a timer and its service import"
M task run hello.timer >/dev/null
is "$(M task history hello.timer --output | tail -n 2)" "hello world from hello in $T
0027" "the run has the service's environment, folder and umask; \${VAR} and specifiers resolved"
run M --json task show hello.timer
is "$(field timeout)/$(field nice)/$(field name)" "120/3/Say hello (hello.service)" \
	"TimeoutStartSec= of a oneshot is the timeout, Nice= the nice, Description= the name"
# Drop-ins beside the units: .conf files by name, a later one wins, an
# empty assignment empties a list; the timer's too, and TYPE.d's.
mkdir "$T/units/hello.service.d" "$T/units/hello.timer.d" "$T/units/service.d"
printf '[Service]\nEnvironment=GREETING=first\nNice=5\n' > "$T/units/hello.service.d/20-b.conf"
printf '[Service]\nEnvironment=\nEnvironment=GREETING=drop-in WHO=x\nNice=4\n' > "$T/units/hello.service.d/10-a.conf"
printf '[Service]\nNice=7\n' > "$T/units/service.d/30-all.conf"
printf '[Timer]\nOnCalendar=\nOnCalendar=*-*-* 05:00\n' > "$T/units/hello.timer.d/x.conf"
echo ignored > "$T/units/hello.service.d/README"
run M task import systemd "$T/units/hello.timer"
is "$out" "0 created, 1 updated, 0 not imported" "importing the timer again updates it"
run M --json task show hello.timer
is "$(field oncalendar)/$(field nice)" "*-*-* 05:00/7" \
	"its drop-ins are read in the order of their names: OnCalendar= reset and set, service.d's Nice= last"
M task run hello.timer >/dev/null
is "$(M task history hello.timer --limit 1 --output | sed -n 3p)" "first from x in $T" \
	"... Environment= emptied by one drop-in and set by the next, in file name order"
printf '[Service]\nExecStartPre=@/bin/true x\n' > "$T/units/hello.service.d/40-c.conf"
run M task import systemd "$T/units/hello.timer"
like "$err" "hello.service.d/40-c.conf:2: ExecStartPre=: the prefix \"@\" \\(another argv\\[0\\]\\) cannot be kept" \
	"a line of a drop-in is named by the drop-in's file and line"
rm -r "$T/units/hello.service.d" "$T/units/hello.timer.d" "$T/units/service.d"

# Several commands of a oneshot service: in order, stopping at the first
# failure; "-" lets one fail; variables of an Environment= given later.
printf '[Timer]\nOnCalendar=daily\n' > "$T/units/seq.timer"
cat > "$T/units/seq.service" <<'UNIT'
[Service]
Type=oneshot
ExecStartPre=/bin/echo pre ${WORD}
ExecStartPre=-/bin/false
ExecStart=echo "one  two" '$$HOME' \; ; /bin/echo semi
ExecStart=/bin/sh -c 'echo "$1"; exit 3' sh second
ExecStart=/bin/echo never
ExecStartPost=/bin/echo post
Environment="WORD=it's"
UNIT
run M task import systemd "$T/units/seq.timer"
is "$rc" 0 "a oneshot service with ExecStartPre=, three ExecStart= and ExecStartPost= imports"
run M task run seq.timer
is "$rc/$(M --json task history seq.timer --limit 1 | sed -n 's/^ *"exit_code": \([0-9]*\),$/\1/p')" "5/3" \
	"its run fails (task run exits 5) with the status of the command that failed"
is "$(M task history seq.timer --limit 1 --output | sed 1,2d)" "pre it's
one  two \$HOME ;
semi
second" "... having run the commands in order (a lone ; separating two), each word as systemd gives it, none after the failure"
sed -i '/exit 3/d' "$T/units/seq.service"
M task import systemd "$T/units/seq.timer" >/dev/null
run M task run seq.timer
is "$rc/$(M task history seq.timer --limit 1 --output | sed 1,2d| paste -sd, -)" \
	"0/pre it's,one  two \$HOME ;,semi,never,post" "... and ExecStartPost= once they all succeeded"
sed -i 's/^Type=oneshot/Type=simple/; /^ExecStartPost=/d' "$T/units/seq.service"
run M task import systemd "$T/units/seq.timer"
like "$err" "seq.service:6: a second ExecStart=: only a Type=oneshot service may have several" \
	"several ExecStart= of a service that is not oneshot are refused, as systemd refuses them"
printf '[Service]\nExecStart=/bin/true\nExecStartPost=/bin/true\nExecStop=/bin/true\n' > "$T/units/seq.service"
run M task import systemd "$T/units/seq.timer" --dry-run
like "$err" "seq.service:3: ExecStartPost= of a service that is not Type=oneshot runs while ExecStart= runs" \
	"ExecStartPost= of a simple service is refused (it runs beside ExecStart=)"
like "$err" "seq.service:4: ExecStop= of a service that is not Type=oneshot stops its main process while it runs" \
	"ExecStop= of a simple service is refused, saying why"
printf '[Service]\nExecStart=-+/bin/false\n' > "$T/units/seq.service"
run M --json task import systemd "$T/units/seq.timer"
like "$err" "seq.service:2: ExecStart=: the prefix \"\\+\" \\(privileges beyond the unit.s\\) is not kept" \
	"the prefix + without User= is noted"
is "$rc/$(field func_path)" "0/exec:/bin/sh -c 'set -e; /bin/false || :'" \
	"one command whose failure counts as success (-) goes through sh"
run M task run seq.timer
is "$rc" 0 "... and its run succeeds, as systemd counts it"

# A unit given by name: the unit search path ($SYSTEMD_UNIT_PATH, as
# systemd reads it), drop-ins from every folder of it, the first folder
# holding a name hiding the others', /dev/null masking.
mkdir -p "$T/etc-sd/web-backup.service.d" "$T/lib-sd/web-backup.service.d" \
    "$T/lib-sd/web-.service.d" "$T/lib-sd/web-backup.timer.d"
printf '[Timer]\nOnCalendar=weekly\n' > "$T/lib-sd/web-backup.timer"
printf '[Service]\nType=oneshot\nExecStart=/bin/echo lib\n' > "$T/lib-sd/web-backup.service"
printf '[Service]\nNice=1\n' > "$T/lib-sd/web-backup.service.d/10-nice.conf"
printf '[Service]\nNice=2\n' > "$T/etc-sd/web-backup.service.d/10-nice.conf"
printf '[Service]\nTimeoutStartSec=9\n' > "$T/lib-sd/web-.service.d/20-prefix.conf"
printf '[Service]\nUMask=0077\n' > "$T/lib-sd/web-.service.d/30-prefix.conf"
printf '[Timer]\nOnCalendar=\nOnCalendar=monthly\n' > "$T/lib-sd/web-backup.timer.d/10-when.conf"
ln -s /dev/null "$T/etc-sd/web-backup.service.d/20-prefix.conf"
run env SYSTEMD_UNIT_PATH="$T/etc-sd:$T/lib-sd" "$MANAGER" --config "$T/etc/m.conf" \
    --db "$T/m.db" --json task import systemd web-backup.timer --dry-run
is "$rc/$(field oncalendar)/$(field nice)/$(field timeout)/$(field umask)" "0/monthly/2/0/0077" \
	"a unit by name: found in the unit search path, drop-ins of every folder and prefix read, /etc's hiding /lib's of the same name, a link to /dev/null masking one"
run env SYSTEMD_UNIT_PATH="$T/etc-sd" "$MANAGER" --config "$T/etc/m.conf" \
    --db "$T/m.db" task import systemd web-backup.timer --dry-run
like "$err" "web-backup.timer: no such unit in the unit search path \\($T/etc-sd\\)" \
	"a name not in the search path is refused, naming the path"

# The next elapse, as systemd computes it.
if command -v systemd-analyze >/dev/null 2>&1 &&
    systemd-analyze calendar daily >/dev/null 2>&1; then
	for u in e2scrub_all fstrim; do
		expr=$(sed -n 's/^OnCalendar=//p' "$D/$u.timer")
		now=$(date +%s)
		want=$(TZ=UTC systemd-analyze calendar --base-time="@$now" "$expr" |
		    sed -n 's/.*Next elapse: [A-Za-z]* \([0-9-]*\) \([0-9:]*\) UTC$/\1T\2.000Z/p')
		run env TZ=UTC "$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" \
		    --json task import systemd "$D/$u.timer" --dry-run
		is "$(field next_run)" "$want" "$u.timer: the next run is systemd-analyze's next elapse"
	done
else
	skip "systemd-analyze calendar is not available"
	skip "systemd-analyze calendar is not available"
fi

# ---- export ----

run M task export crontab
is "$rc" 0 "export crontab exits 0"
like "$out" "^45 4 \* \* 0 test -e /run/systemd/system \|\| SERVICE_MODE=1 " \
	"an imported cron task goes back as its line"
like "$out" "^# hello.timer: not a crontab line \(a crontab has no such trigger\): calendar " \
	"what a crontab cannot express is a comment naming the task and why"
like "$out" "^# busy-1: not kept: 3 retries" "what a line loses is said above it"
M task add aps 'exec:/bin/echo "a b" 50%' cron hour=3 day_of_week=mon-fri >/dev/null
run M task export crontab
like "$out" "^0 3 \* \* 1-5 /bin/echo 'a b' 50\\\\%$" \
	"APScheduler's fields become cron's (0 = Sunday), % is escaped"

# Round trip: a crontab imported, exported and imported again gives the
# same tasks.
cat > "$T/round" <<EOF
SHELL=/bin/bash
CRON_TZ=Europe/Berlin
MAILTO=""
GREETING=hi there
0 4 * * 1-5 $ME echo "\$GREETING" % and stdin%with \\% sign
@reboot $ME /usr/bin/true
*/15 9-17 * * mon-fri $ME cd /tmp && ls | wc -l
EOF
MD() { db=$1; shift; "$MANAGER" --config "$T/etc/m.conf" --db "$T/$db.db" "$@"; }
MD round task import crontab "$T/round" --format system >/dev/null
MD round task export crontab --format system > "$T/exported"
norm() { grep -v '"source"' | sort; }
a=$(MD empty --json task import crontab "$T/round" --format system --dry-run | norm)
b=$(MD empty --json task import crontab "$T/exported" --format system --dry-run | norm)
is "$(printf '%s\n' "$a" | grep -c '"id": "cron-')" 3 "the round trip's crontab gives three tasks"
is "$b" "$a" "a crontab exported and imported again gives the same tasks (ids, commands, stdin, environment, zone, users)"
# Jobs under the same variables share one environment; a variable set
# between them starts another (the import reuses an equal context's JSON).
printf 'A=1\n0 1 * * * echo a\n0 2 * * * echo b\nA=2\n0 3 * * * echo c\n' > "$T/envs"
rm -f "$T/envs.db"
"$MANAGER" --config "$T/etc/m.conf" --db "$T/envs.db" task import crontab "$T/envs" --prefix e > /dev/null 2>&1
envs=$(for i in 1 2 3; do "$MANAGER" --config "$T/etc/m.conf" --db "$T/envs.db" --json task show "e-$i" |
	tr -d ' \n' | sed -n 's/.*"env":\[\([^]]*\)\].*/\1/p'; echo; done | paste -sd'|' -)
is "$envs" '"SHELL=/bin/sh","A=1"|"SHELL=/bin/sh","A=1"|"SHELL=/bin/sh","A=2"' \
	"each job keeps the variables set above it, written with its row"
# ---- MAILTO: cron mails what a job prints (on_output) ----
mkdir -p "$T/bin"
printf '#!/bin/sh\n{ echo "ARGS $*"; cat; echo "--END--"; } >> "%s/mailbox"\n' "$T" > "$T/bin/sendmail"
chmod +x "$T/bin/sendmail"
sed "s|^manager: {|manager: {\n  task_path = \"$T/bin:/usr/bin:/bin\";|" "$T/etc/m.conf" > "$T/etc/mail.conf"
MM() { "$MANAGER" --config "$T/etc/mail.conf" --db "$T/mail.db" "$@"; }
printf 'MAILTO=ops@example.com\n0 * * * * echo hi\nMAILTO=""\n30 * * * * echo quiet\n' > "$T/mailto"
run MM --json task import crontab "$T/mailto" --dry-run
is "$rc/$(field on_output | paste -sd, -)" "0/mail:ops@example.com,none" \
	"MAILTO= becomes an on_output mail notification, MAILTO=\"\" turns it off (none)"
run MM task import crontab "$T/mailto" --prefix mt
is "$rc/$(MM --json task show mt-1 | grep -c '"on_output": "mail:ops@example.com"')" "0/1" \
	"... and is written with the task"
# Not through MM: a backgrounded shell function is a subshell, and
# killing it would leave the daemon running after the test.
"$MANAGER" --config "$T/etc/mail.conf" --db "$T/mail.db" --daemon \
	> "$T/mail-daemon.out" 2>&1 &
mdaemon=$!
wait_until 30 MM host status
MM task run mt-1 > /dev/null 2>&1
wait_until 20 grep -q -- --END-- "$T/mailbox"
kill -TERM "$mdaemon" 2>/dev/null
wait "$mdaemon" 2>/dev/null
grep -q '^ARGS -t' "$T/mailbox" 2>/dev/null && grep -q '^To: ops@example.com' "$T/mailbox" &&
	grep -q '^hi$' "$T/mailbox"
ok $? "a run that prints mails its output to MAILTO, as cron does"
# Without a sendmail: only where the machine has none in /usr/sbin or
# /usr/lib, which the engine always looks in (cron's places).
if [ -x /usr/sbin/sendmail ] || [ -x /usr/lib/sendmail ]; then
	skip "this machine has a sendmail (/usr/sbin or /usr/lib): MAILTO without one is not tried"
	skip "... nor the task it gives"
else
	run M --json task import crontab "$T/mailto" --dry-run
	like "$err" 'mailto:2: MAILTO=ops@example.com is not kept: on_output: .*sendmail' \
		"without a sendmail, MAILTO is noted with its line, not refused"
	is "$rc/$(field on_output | paste -sd, -)" "0/null,none" "... and the task has no mail notification"
fi
# Several OnCalendar=, Group= and EnvironmentFile= (Deliver 4's list).
printf '[Timer]\nOnCalendar=Mon..Fri 09:00\nOnCalendar=Sat 10:00\n' > "$T/units/multi.timer"
printf 'K=v\n' > "$T/multi.env"
printf '[Service]\nExecStart=/bin/true\nGroup=%s\nEnvironmentFile=%s\n' "$(id -gn)" "$T/multi.env" > "$T/units/multi.service"
run M --json task import systemd "$T/units/multi.timer" --dry-run
is "$rc/$(field oncalendar)/$(field group)/$(field env_file)" \
	"0/Mon..Fri 09:00; Sat 10:00/$(id -gn)/$T/multi.env" \
	"two OnCalendar= are the calendar's two events; Group= the group, EnvironmentFile= the env file"
done_testing
