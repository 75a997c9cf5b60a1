#!/bin/sh
# logs-big.sh - a run printing much more than the excerpt and than a
# pipe holds, on stdout and stderr at once: its log has every byte of
# each stream, in order (past the excerpt they go from the pipe to the
# file by splice(2)); the excerpt counts the rest exactly; the per-run
# cap keeps exactly log_run_max_mb.
. "$top_srcdir/tests/sched/common.sh"
plan 10

conf() {	# EXTRA-KEYS
	cat > "$T/etc/m.conf" <<CONF
manager: {
  data_directory = "$T/data";
  tasks_directory = "$T/tasks";
  log_level = "warning";
  $1
};
CONF
}

# Both streams at once, each well over a pipe's 64 KiB, lines cut
# across reads; the first line puts sed's 4 KiB writes off the cap's
# 4 KiB boundaries, so a record that crosses the cap has to be cut.
cat > "$T/print.sh" <<'EOF'
echo start
seq 1 300000 | sed 's/^/out line /' &
seq 1 150000 | sed 's/^/err line /' >&2 &
wait
EOF
sh "$T/print.sh" >"$T/want.out" 2>"$T/want.err"
total=$(($(wc -c <"$T/want.out") + $(wc -c <"$T/want.err")))

# text STREAM: the texts of the latest run's lines of STREAM.
text() { M task logs big "--$1" | sed -n "s/^[^ ]* $1 //p"; }
# excerpt_more: the count of the excerpt's "[N more bytes not kept]".
excerpt_more() {
	M --json task history big --limit 1 |
	    sed -n 's/.*\[\([0-9]*\) more bytes not kept\]".*/\1/p'
}

conf "log_run_max_mb = 64;"
M task add big "exec:sh $T/print.sh" interval seconds=3600 --max-retries 0 >/dev/null
run M task run big
is "$rc" 0 "the run that prints $total bytes succeeds"
text stdout >"$T/got.out"
cmp -s "$T/got.out" "$T/want.out"
ok $? "its log's stdout is what it printed, byte for byte"
text stderr >"$T/got.err"
cmp -s "$T/got.err" "$T/want.err"
ok $? "its log's stderr is what it printed, byte for byte"
is "$(excerpt_more)" "$((total - 4096))" \
	"the excerpt keeps 4096 bytes and counts the rest exactly"
unlike "$(M task logs big)" 'dropped' "nothing dropped under the cap"

# The per-run cap: exactly 1 MiB kept, each stream a prefix of what it
# printed, the rest counted.
conf "log_run_max_mb = 1;"
M task run big >/dev/null
dropped=$(M task logs big | sed -n 's/.* dropped \[\([0-9]*\) more bytes not kept.*/\1/p')
is "$dropped" "$((total - 1048576))" "over log_run_max_mb: exactly 1 MiB kept, the rest counted"
text stdout >"$T/cap.out"
text stderr >"$T/cap.err"
# Every line but the last is whole; the last may be cut by the cap.
# Which stream has how much of the cap is the order of the reads.
prefix() {	# GOT WANT: GOT's lines start WANT, its last one cut or not
	n=$(wc -l <"$1")
	[ "$n" -gt 0 ] || return 0	# the other stream took the cap
	head -n $((n - 1)) "$2" >"$1.want"
	head -n $((n - 1)) "$1" | cmp -s - "$1.want" || return 1
	last=$(tail -n 1 "$1")
	case "$(sed -n "${n}p" "$2")" in "$last"*) return 0 ;; esac
	return 1
}
prefix "$T/cap.out" "$T/want.out"
ok $? "the capped stdout is the start of what was printed"
prefix "$T/cap.err" "$T/want.err"
ok $? "the capped stderr is the start of what was printed"
kept=$(($(wc -c <"$T/cap.out") + $(wc -c <"$T/cap.err")))
# Each stream's last line is printed with a newline, kept or not.
ok $([ "$kept" -ge 1048576 ] && [ "$kept" -le 1048578 ] && echo 0 || echo 1) \
	"the kept lines add up to the cap ($kept bytes with up to 2 newlines added)"
is "$(excerpt_more)" "$((total - 4096))" "... and the excerpt still counts every byte"
