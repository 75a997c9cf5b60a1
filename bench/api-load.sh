#!/bin/sh
# api-load.sh - the HTTP API under load (issue 18, Deliver 8), with wrk
# (Debian's package), beside its peers run by the same script in the same
# rounds (A B A B):
#
#   GET /manager/tasks/t000001   manager's API
#                                FastAPI + uvicorn, the same row from a
#                                copy of the same SQLite file
#                                nginx, one worker, the same bytes from a file
#   POST .../pause and .../resume, alternating (the route table's
#   pauseTask/resumeTask): manager's API beside FastAPI committing one
#   UPDATE per request
#
#   top_builddir=. sh bench/api-load.sh [SECONDS [ROUNDS [CONNECTIONS]]]
#
# Counted: wrk -t1 (one client thread, leaving the server the other
# core of this 2-core machine) -cCONNECTIONS (default 16) for SECONDS
# (default 10) per case: requests/s, p99 latency (wrk --latency) and the
# answers that were not 2xx (a non-2xx reply counts in requests/s: it is
# reported so that a fast error is not mistaken for a fast answer).
# The daemon's CPU time over each of its windows, divided by the
# requests answered, is printed too (cpu_us_per_req): the figure the
# machine's load changes least, where requests/s and p99 move with what
# else runs.  While manager is loaded, 10 of its tasks fire every second
# (exec:/bin/true); their lateness (runs.started_at - scheduled_at) over
# the window is reported beside that of a window of the same length with
# no load, in the same round.  Medians of ROUNDS (default 3); the load
# average is printed with every round.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=$(dirname "$0")/..}"
W=${1:-10}
ROUNDS=${2:-3}
CONNS=${3:-16}
MANAGER=${MANAGER:-$top_builddir/manager}
PY=${PYTHON:-/usr/bin/python3}
TOKEN=bench-token-0123456789abcdef
T=$(mktemp -d "${TMPDIR:-/tmp}/manager-api.XXXXXX")
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait; rm -rf "$T"' EXIT
command -v wrk >/dev/null || { echo "mode=api-load skipped: wrk is not installed (apt-get install wrk)"; exit 0; }
P_FASTAPI=$((20000 + $$ % 20000))
P_NGINX=$((P_FASTAPI + 1))

# The daemon: 10 daily tasks (t000000..t000009, the ones the requests
# read and pause) and 10 firing every second (l0..l9, whose lateness is
# watched).
mkdir -p "$T/data" "$T/plugins" "$T/tasks"
printf 'manager: { log_level = "info"; data_directory = "%s/data"; plugins_directory = "%s/plugins"; tasks_directory = "%s/tasks"; };\napi = { listen = "127.0.0.1:0"; token = "%s"; };\n' \
	"$T" "$T" "$T" "$TOKEN" >"$T/m.conf"
awk 'BEGIN { for (i = 0; i < 10; i++) {
	printf "t%06d exec:/bin/true cron hour=3 minute=%d\n", i, i
	printf "l%d exec:/bin/true interval seconds=1\n", i } }' >"$T/tasks.txt"
"$MANAGER" --config "$T/m.conf" task add --from "$T/tasks.txt" >/dev/null || exit 1
"$MANAGER" --config "$T/m.conf" --daemon 2>"$T/daemon.log" &
DPID=$!
pids="$pids $DPID"
i=0
until PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log") && [ -n "$PORT" ]; do
	i=$((i + 1))
	[ "$i" -gt 300 ] && { echo "api-load.sh: the daemon did not start:" >&2; cat "$T/daemon.log" >&2; exit 1; }
	sleep 0.1
done
DB="$T/data/manager.db"
ROW=/manager/tasks/t000001
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$ROW" >"$T/row.json" ||
	{ echo "api-load.sh: GET $ROW failed" >&2; exit 1; }

# FastAPI on a copy of the database (its UPDATEs must not touch the
# daemon's), one uvicorn worker.
have_fastapi=
if "$PY" -c 'import fastapi, uvicorn' 2>/dev/null; then
	sqlite3 "$DB" ".backup '$T/peer.db'"
	(cd "$top_srcdir/bench" && PYTHONDONTWRITEBYTECODE=1 MGR_DB="$T/peer.db" MGR_TOKEN="$TOKEN" exec "$PY" -m uvicorn \
		fastapi_task:app --port "$P_FASTAPI" --log-level warning --no-access-log) 2>"$T/fastapi.log" &
	pids="$pids $!"
	have_fastapi=1
else
	echo "# FastAPI: not measured (apt-get install python3-fastapi python3-uvicorn)"
fi
# nginx: one worker, the bytes manager answered, from a file.
have_nginx=
if command -v nginx >/dev/null; then
	mkdir -p "$T/www/manager/tasks"
	cp "$T/row.json" "$T/www/manager/tasks/t000001"
	chmod -R a+rX "$T"
	cat >"$T/nginx.conf" <<EOF
worker_processes 1;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nb; proxy_temp_path $T/np; fastcgi_temp_path $T/nf;
	uwsgi_temp_path $T/nu; scgi_temp_path $T/ns;
	server {
		listen 127.0.0.1:$P_NGINX;
		root $T/www;
		default_type application/json;
	}
}
EOF
	nginx -c "$T/nginx.conf" -g 'daemon off;' &
	pids="$pids $!"
	have_nginx=1
else
	echo "# nginx: not measured (apt-get install nginx-light)"
fi
i=0
for u in ${have_fastapi:+"http://127.0.0.1:$P_FASTAPI$ROW"} ${have_nginx:+"http://127.0.0.1:$P_NGINX$ROW"}; do
	until curl -sf -H "Authorization: Bearer $TOKEN" "$u" >/dev/null; do
		i=$((i + 1))
		[ "$i" -gt 300 ] && { echo "api-load.sh: $u never answered" >&2; cat "$T"/*.log "$T"/nginx.err >&2; exit 1; }
		sleep 0.1
	done
done

# Alternating pause and resume: one request in two each (wrk's Lua).
cat >"$T/mutate.lua" <<'EOF'
local n = 0
request = function()
	n = n + 1
	local verb = n % 2 == 0 and "/resume" or "/pause"
	return wrk.format("POST", "/manager/tasks/t000001" .. verb)
end
EOF

# load NAME URL [LUA]: a wrk window; appends to $T/NAME.{r,p,e}.
load() {
	wrk -t1 -c"$CONNS" -d"${W}s" --latency -H "Authorization: Bearer $TOKEN" \
		${3:+-s "$3"} "$2" >"$T/wrk.out" 2>&1
	awk '/Requests\/sec:/ { r = $2 }
	     $1 == "99%" { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u)
		p = v * (u == "us" ? 1 : u == "ms" ? 1000 : u == "s" ? 1e6 : 0) }
	     /Non-2xx/ { e = $NF }
	     END { printf "%d %d %d\n", r, p, e }' "$T/wrk.out" >"$T/wrk.sum"
	read -r rps p99 bad <"$T/wrk.sum"
	echo "$rps" >>"$T/$1.r"; echo "$p99" >>"$T/$1.p"; echo "$bad" >>"$T/$1.e"
	printf ' %s=%s/s,p99=%sus' "$1" "$rps" "$p99"
	[ "$bad" -gt 0 ] && printf ',non2xx=%s' "$bad"
}
# late NAME FROM_US TO_US: the p99 and max lateness (us) of the l* tasks'
# runs scheduled in the window; appends to $T/NAME.l.
late() {
	sqlite3 "$DB" "SELECT started_at - scheduled_at FROM runs WHERE task_id LIKE 'l%'
		AND scheduled_at BETWEEN $2 AND $3 AND started_at IS NOT NULL" | sort -n |
		awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1
			printf "%d %d %d\n", NR, v[i], v[NR] }' >"$T/late.sum"
	read -r n p99 max <"$T/late.sum"
	echo "$p99" >>"$T/$1.l"
	printf ' %s=%d runs,p99=%sus,max=%sus' "$1" "$n" "$p99" "$max"
}
now_us() { echo $(($(date +%s%N) / 1000)); }
# The daemon's CPU time (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DPID/stat"; }
manager_window() {	# NAME URL [LUA]: a loaded window, its lateness and CPU
	a=$(now_us); c0=$(cpu_ticks); load "$@"; c1=$(cpu_ticks); b=$(now_us)
	n=$(awk '/requests in/ { print $1 }' "$T/wrk.out")
	cpu=$(awk -v t="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v n="${n:-0}" \
		'BEGIN { printf "%d", (n > 0 ? t * 1e6 / hz / n : 0) }')
	echo "$cpu" >>"$T/$1.c"
	printf ',cpu=%sus/req' "$cpu"
	late "$1_late" "$a" "$b"
}

for r in $(seq 1 "$ROUNDS"); do
	printf 'round %s:' "$r"
	a=$(now_us); sleep "$W"; b=$(now_us)
	late idle_late "$a" "$b"
	manager_window get "http://127.0.0.1:$PORT$ROW"
	[ -n "$have_fastapi" ] && load fastapi_get "http://127.0.0.1:$P_FASTAPI$ROW"
	[ -n "$have_nginx" ] && load nginx_get "http://127.0.0.1:$P_NGINX$ROW"
	manager_window mutate "http://127.0.0.1:$PORT" "$T/mutate.lua"
	[ -n "$have_fastapi" ] && load fastapi_mutate "http://127.0.0.1:$P_FASTAPI" "$T/mutate.lua"
	echo "; load $(cut -d' ' -f1-3 /proc/loadavg)"
done

median() { sort -n "$T/$1" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
out="mode=api-load seconds=$W rounds=$ROUNDS connections=$CONNS"
for k in get fastapi_get nginx_get mutate fastapi_mutate; do
	[ -s "$T/$k.r" ] && out="$out ${k}_per_s=$(median "$k.r") ${k}_p99_us=$(median "$k.p") ${k}_non2xx=$(median "$k.e")"
	[ -s "$T/$k.c" ] && out="$out ${k}_cpu_us_per_req=$(median "$k.c")"
done
out="$out idle_late_p99_us=$(median idle_late.l) get_late_p99_us=$(median get_late.l) mutate_late_p99_us=$(median mutate_late.l)"
[ -n "$have_fastapi" ] && out="$out get_vs_fastapi=$(ratio get.r fastapi_get.r) mutate_vs_fastapi=$(ratio mutate.r fastapi_mutate.r)"
[ -n "$have_nginx" ] && out="$out get_vs_nginx=$(ratio get.r nginx_get.r)"
echo "$out"
