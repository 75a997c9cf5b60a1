# common.sh - set-up shared by the scheduler's shell tests: a private
# folder, a configuration with short retry and kill delays, and helpers
# that count runs in the history.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
mkdir -p "$T/etc"
cat > "$T/etc/m.conf" <<CONF
manager: {
  retry_backoff_base = 0;
  kill_grace_seconds = 1;
  shutdown_grace_seconds = 1;
  tasks_directory = "$T/tasks";
  log_level = "warning";
};
CONF
M() { "$MANAGER" --config "$T/etc/m.conf" --db "$T/m.db" "$@"; }

# count_runs TASK STATUS: runs of TASK with STATUS in the history.
count_runs() {
	M --json task history "$1" --limit 1000 | grep -c "\"status\": \"$2\""
}

# task_field TASK FIELD: a top-level string or number of task show --json.
task_field() {
	M --json task show "$1" | sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"
}
