# The store: the one interface through which the rest of the program
# reads and writes state (db.h, store.h, control_store.h,
# snapshot_store.h), forwarded by store.c to the table of operations of
# the connection's backend (backend.h); the context that carries it
# (manager.h: struct mgr); the host probe (hostprobe.c).  The SQLite
# backend is src/store/sqlite: every SQL statement, and the only files
# that include <sqlite3.h> (through sqlite_int.h).
src_libmgr_a_SOURCES += \
	src/store/manager.h src/store/mgr.c \
	src/store/hostprobe.c src/store/hostprobe.h \
	src/store/cmd-db.c \
	src/store/store.h src/store/db.h src/store/control_store.h \
	src/store/snapshot_store.h src/store/backend.h src/store/store.c \
	src/store/sqlite/sqlite_int.h src/store/sqlite/ops.c \
	src/store/sqlite/db.c src/store/sqlite/watch.c \
	src/store/sqlite/hostlock.c \
	src/store/sqlite/plugins.c src/store/sqlite/tasks.c \
	src/store/sqlite/runs.c src/store/sqlite/console.c \
	src/store/sqlite/control.c src/store/sqlite/snapshots.c \
	src/store/task_context_store.h src/store/sqlite/task_context.c \
	src/store/runlog_store.h src/store/sqlite/runlog.c \
	src/store/console_view_store.h src/store/sqlite/console_view.c \
	src/store/retention_store.h src/store/sqlite/retention.c \
	src/store/copy_store.h src/store/copy.c src/store/sqlite/copy.c \
	src/store/metrics_store.h src/store/sqlite/metrics.c \
	src/store/console_tick_store.h src/store/sqlite/console_tick.c \
	src/store/run_ids_store.h src/store/sqlite/run_ids.c \
	src/store/command_input_store.h src/store/sqlite/command_input.c \
	src/store/hosts_store.h src/store/sqlite/hosts.c
