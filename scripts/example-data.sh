#!/bin/sh
# example-data.sh MANAGER - installs and enables the example plugins and
# adds a few tasks, unless they are there already. Used by the quick start
# and by the console screenshot.
set -e
m=${1:-manager}
for p in base hello greeter; do
	"$m" plugin show "$p" >/dev/null 2>&1 || "$m" plugin install "data/plugins/$p"
	"$m" plugin enable "$p" >/dev/null
done
add() {	# ID FUNC TYPE FIELDS...
	"$m" task show "$1" >/dev/null 2>&1 || "$m" task add "$@" >/dev/null
}
add demo.uptime "exec:/usr/bin/uptime" interval seconds=20
add demo.disk "exec:/bin/df -h /" cron minute='*/5'
add demo.nightly "exec:/bin/true" cron 'crontab=0 3 * * *'
add demo.weekday hello:greet cron hour=9 minute=0 day_of_week=mon-fri
