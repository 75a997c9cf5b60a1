# The PostgreSQL store backend (src/store/pg): the same table of
# operations as src/store/sqlite, on libpq; the only files that include
# <libpq-fe.h> (through pg_int.h).  A database string that is a libpq
# connection string or a postgresql:// URL selects it.
src_libmgr_a_SOURCES += \
	src/store/pg/pg_int.h src/store/pg/ops.c src/store/pg/db.c \
	src/store/pg/pq_fns.h src/store/pg/pq_fns.c \
	src/store/pg/hostlock.c src/store/pg/watch.c \
	src/store/pg/plugins.c src/store/pg/tasks.c src/store/pg/runs.c \
	src/store/pg/control.c src/store/pg/snapshots.c \
	src/store/pg/console.c src/store/pg/task_context.c src/store/pg/runlog.c \
	src/store/pg/retention.c src/store/pg/copy.c \
	src/store/pg/task_hooks.c src/store/pg/run_ids.c \
	src/store/pg/command_input.c src/store/pg/metrics.c \
	src/store/pg/console_tick.c src/store/pg/notify.c \
	src/store/pg/hosts.c
