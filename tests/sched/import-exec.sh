#!/bin/sh
# import-exec.sh - task import systemd: the stages of a service beyond
# its start (ExecCondition=, ExecStop=, ExecStopPost=; ExecReload=
# noted), run as systemd runs them; specifiers in the timer's and the
# service's fields, resolved or refused by name.
. "$top_srcdir/tests/sched/common.sh"
plan 26

mkdir "$T/units"
U="$T/units"
field() {
	printf '%s\n' "$out" | sed -n "s/^ *\"$1\": \(.*\)$/\1/p" |
	    sed 's/,$//; s/^"\(.*\)"$/\1/'
}
# output ID: the output of ID's last run, one line a line.
output() { M task history "$1" --limit 1 --output | sed 1,2d; }
status() { M --json task history "$1" --limit 1 | sed -n 's/^ *"status": "\(.*\)",$/\1/p'; }
exit_code() { M --json task history "$1" --limit 1 | sed -n 's/^ *"exit_code": \(-\{0,1\}[0-9]*\),$/\1/p'; }
POST='ExecStopPost=/bin/sh -c '\''echo "post $SERVICE_RESULT ${EXIT_CODE-unset} ${EXIT_STATUS-unset}"'\'

# ---- ExecCondition= ----
printf '[Timer]\nOnCalendar=daily\n' > "$U/cond.timer"
cat > "$U/cond.service" <<UNIT
[Service]
Type=oneshot
ExecCondition=/bin/sh -c 'echo cond; exit \$\$COND'
ExecStartPre=/bin/echo pre
ExecStart=/bin/echo start
ExecStop=/bin/sh -c 'echo "stop \$SERVICE_RESULT \$EXIT_CODE \$EXIT_STATUS"'
$POST
ExecReload=/bin/kill -HUP \$MAINPID
Environment=COND=1
UNIT
run M task import systemd "$U/cond.timer"
is "$rc" 0 "a service with ExecCondition=, ExecStop=, ExecStopPost= and ExecReload= imports"
like "$err" "cond.service:8: ExecReload= is not imported: systemd runs it on \"systemctl reload\" only" \
	"ExecReload= is noted with its file and line, not refused: a timer never reloads"
run M task run cond.timer
is "$rc/$(status cond.timer)" "0/succeeded" "a condition exiting 1 skips the run, which is no failure"
# stdout and stderr are two pipes: their lines' order against each other
# is the reader's, so each stream is compared by itself.
is "$(M task logs cond.timer --stdout | cut -d" " -f3- | paste -sd, -)" \
	"cond,post exec-condition unset unset" \
	"... runs neither ExecStartPre=, ExecStart= nor ExecStop=, and runs ExecStopPost= with SERVICE_RESULT=exec-condition and no EXIT_CODE"
is "$(M task logs cond.timer --stderr | cut -d" " -f3-)" \
	"ExecCondition= exited with status 1: the run is skipped, as systemd skips the service (not a failure)" \
	"... and says so on stderr"
sed -i 's/^Environment=COND=1/Environment=COND=254/' "$U/cond.service"
M task import systemd "$U/cond.timer" 2>/dev/null >/dev/null
run M task run cond.timer
is "$rc/$(status cond.timer)" "0/succeeded" "a condition exiting 254 skips too"
sed -i 's/^Environment=COND=254/Environment=COND=255/' "$U/cond.service"
M task import systemd "$U/cond.timer" 2>/dev/null >/dev/null
run M task run cond.timer
is "$rc/$(status cond.timer)/$(exit_code cond.timer)" "5/failed/255" "a condition exiting 255 is a failure, with its status"
is "$(output cond.timer | paste -sd, -)" "cond,post exit-code unset unset" \
	"... nothing else runs but ExecStopPost=, with SERVICE_RESULT=exit-code"
sed -i 's/^Environment=COND=255/Environment=COND=0/' "$U/cond.service"
M task import systemd "$U/cond.timer" 2>/dev/null >/dev/null
run M task run cond.timer
is "$rc/$(output cond.timer | paste -sd, -)" \
	"0/cond,pre,start,stop success exited 0,post success exited 0" \
	"a condition exiting 0: every stage in order, ExecStop= and ExecStopPost= with SERVICE_RESULT, EXIT_CODE and EXIT_STATUS"

# ---- ExecStop=, ExecStopPost= after a failure ----
printf '[Timer]\nOnCalendar=daily\n' > "$U/stop.timer"
cat > "$U/stop.service" <<UNIT
[Service]
Type=oneshot
ExecStart=/bin/echo one
ExecStart=/bin/sh -c 'echo two; exit 3'
ExecStart=/bin/echo never
ExecStop=/bin/echo stop
$POST
ExecStopPost=/bin/echo post2
UNIT
M task import systemd "$U/stop.timer" >/dev/null
run M task run stop.timer
is "$rc/$(status stop.timer)/$(exit_code stop.timer)" "5/failed/3" \
	"ExecStart= failing: the run fails with its status"
is "$(output stop.timer | paste -sd, -)" "one,two,post exit-code exited 3,post2" \
	"... the rest of ExecStart= and ExecStop= do not run, every ExecStopPost= does, with the main command's EXIT_STATUS"
sed -i 's/exit 3/kill -TERM $$$$/' "$U/stop.service"
M task import systemd "$U/stop.timer" >/dev/null
run M task run stop.timer
# "Terminated" is the shell's notice on stderr, the other lines stdout:
# two pipes, whose lines keep their order within each, not between them
# when both are ready at once (a loaded machine: seen under make -j2).
is "$(exit_code stop.timer)/$(output stop.timer | grep -v '^Terminated$' | paste -sd, -)/$(output stop.timer | grep -c '^Terminated$')" \
	"143/one,two,post signal killed TERM,post2/1" \
	"a command killed by a signal: SERVICE_RESULT=signal, EXIT_CODE=killed, EXIT_STATUS the signal's name"
sed -i '/kill -TERM/d; s|^ExecStopPost=/bin/echo post2|ExecStopPost=/bin/sh -c "exit 4"\nExecStopPost=/bin/echo never2|' "$U/stop.service"
M task import systemd "$U/stop.timer" >/dev/null
run M task run stop.timer
is "$rc/$(exit_code stop.timer)/$(output stop.timer | paste -sd, -)" \
	"5/4/one,never,stop,post success exited 0" \
	"an ExecStopPost= failing after a success fails the run, and the next ExecStopPost= does not run"
sed -i 's|^ExecStopPost=/bin/sh -c "exit 4"|ExecStopPost=-/bin/sh -c "exit 4"|' "$U/stop.service"
M task import systemd "$U/stop.timer" >/dev/null
run M task run stop.timer
is "$rc/$(output stop.timer | paste -sd, -)" "0/one,never,stop,post success exited 0,never2" \
	"... unless it has the prefix -"

# The task's timeout (TimeoutStartSec=) ends ExecStart=; ExecStopPost=
# still runs, with SERVICE_RESULT=timeout, as systemd runs it; ExecStop=
# and the rest of ExecStart= do not.
cat > "$U/stop.service" <<UNIT
[Service]
Type=oneshot
TimeoutStartSec=1
ExecStart=/bin/echo one
ExecStart=/bin/sleep 30
ExecStart=/bin/echo never
ExecStop=/bin/echo stop
$POST
UNIT
M task import systemd "$U/stop.timer" >/dev/null
run M task run stop.timer
is "$rc/$(status stop.timer)" "5/timed_out" "a run past TimeoutStartSec= times out"
like "$(output stop.timer | paste -sd, -)" "^one,(Terminated,)?post timeout killed TERM(,Terminated)?\$" \
	"... and ExecStopPost= runs after it with SERVICE_RESULT=timeout, EXIT_CODE=killed, EXIT_STATUS=TERM; ExecStop= does not"

# ExecStop= of a service that is not oneshot stops a running process.
printf '[Service]\nExecStart=/bin/true\nExecStop=/bin/kill $MAINPID\n' > "$U/stop.service"
run M task import systemd "$U/stop.timer" --dry-run
like "$err" "stop.service:3: ExecStop= of a service that is not Type=oneshot stops its main process while it runs" \
	"ExecStop= of a simple service is refused, naming file and line"
printf '[Service]\nExecStart=/bin/sh -c "exit 2"\n%s\n' "$POST" > "$U/stop.service"
M task import systemd "$U/stop.timer" >/dev/null
run M task run stop.timer
is "$(exit_code stop.timer)/$(output stop.timer)" "2/post exit-code exited 2" \
	"ExecStopPost= of a simple service runs after it, whatever its end"

# ---- specifiers ----
# A template timer: the instance names the schedule, in the timer's own
# name (%i of run@hourly.timer), the service's too.
printf '[Unit]\nDescription=Run %%I (%%n)\n[Timer]\nOnCalendar=%%i\nUnit=%%p@%%i.service\n' > "$U/run@hourly.timer"
printf '[Service]\nExecStart=/bin/echo %%n %%i %%u %%h %%H %%%% %%y\n' > "$U/run@.service"
run M --json task import systemd "$U/run@hourly.timer" --dry-run
is "$rc/$(field oncalendar)/$(field name)" "0/hourly/Run hourly (run@hourly.timer)" \
	"specifiers in OnCalendar=, Unit= and Description= of a timer: the timer's name, prefix and instance"
is "$(field func_path)" "exec:/bin/echo run@hourly.service hourly root /root $(hostname) % $U/run@.service" \
	"... in the service: its name and instance, the system manager's user (not User=), the host name, %%, the template's path"
printf '[Timer]\nOnCalendar=*-*-* 0%%b:00\n' > "$U/boot.timer"
printf '[Service]\nExecStart=/bin/true\n' > "$U/boot.service"
run M task import systemd "$U/boot.timer" --dry-run
like "$err" "boot.timer:2: OnCalendar=: specifier \"%b\" cannot be resolved: the boot ID changes at every boot" \
	"a specifier without a fixed value is refused, naming file, line, field and specifier"
printf '[Service]\nExecStart=/bin/echo %%v\n' > "$U/boot.service"
printf '[Timer]\nOnCalendar=daily\n' > "$U/boot.timer"
run M task import systemd "$U/boot.timer" --dry-run
like "$err" "boot.service:2: ExecStart=: specifier \"%v\" cannot be resolved: the kernel release changes" \
	"... %v too"
mkdir -p "$T/home/.config/systemd/user"
printf '[Timer]\nOnCalendar=daily\n' > "$T/home/.config/systemd/user/mine.timer"
printf '[Service]\nExecStart=/bin/ls %%h\n' > "$T/home/.config/systemd/user/mine.service"
run M task import systemd "$T/home/.config/systemd/user/mine.timer" --dry-run
like "$err" "mine.service:2: ExecStart=: specifier \"%h\" cannot be resolved: a user manager's unit" \
	"%h of a user unit is refused (manager resolves as the system manager)"

# ---- FixedRandomDelay= ----
printf '[Timer]\nOnCalendar=daily\nRandomizedDelaySec=1h\nFixedRandomDelay=yes\n' > "$U/fixed.timer"
printf '[Service]\nExecStart=/bin/true\n' > "$U/fixed.service"
run M --json task import systemd "$U/fixed.timer" --dry-run
is "$rc/$(field jitter)/$(field fixed_jitter)" "0/3600/true" \
	"RandomizedDelaySec= with FixedRandomDelay=yes: a jitter fixed per task and machine"

# $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS in ExecStopPost='s own words,
# as systemd substitutes them there (a whole word unset is no word).
cat > "$U/vars.service" <<'UNIT'
[Service]
Type=oneshot
ExecCondition=/bin/sh -c 'exit $$C'
ExecStart=/bin/true
ExecStopPost=/bin/echo $SERVICE_RESULT "${EXIT_CODE}/x" $EXIT_STATUS end
Environment=C=0
UNIT
printf '[Timer]\nOnCalendar=daily\n' > "$U/vars.timer"
M task import systemd "$U/vars.timer" >/dev/null
run M task run vars.timer
is "$rc/$(output vars.timer)" "0/success exited/x 0 end" \
	"ExecStopPost='s words take \$SERVICE_RESULT, \${EXIT_CODE} and \$EXIT_STATUS at run time"
sed -i 's/^Environment=C=0/Environment=C=1/' "$U/vars.service"
M task import systemd "$U/vars.timer" >/dev/null
run M task run vars.timer
is "$(M task logs vars.timer --stdout | cut -d" " -f3- | tail -n 1)" \
	"exec-condition /x end" \
	"... an unset \$EXIT_STATUS is no word, an unset \${EXIT_CODE} empty"
