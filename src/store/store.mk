# The store: the one interface through which the rest of the program
# reads and writes state (store.h, db.h, control_store.h,
# snapshot_store.h), the context that carries it (manager.h: struct
# mgr), the one-host lock's probe (hostprobe.c), and the SQLite backend
# (every SQL statement, and the only files that include <sqlite3.h>,
# through sqlite_int.h).
src_libmgr_a_SOURCES += \
	src/store/manager.h src/store/mgr.c \
	src/store/hostprobe.c src/store/hostprobe.h \
	src/store/cmd-db.c \
	src/store/store.h src/store/db.h src/store/sqlite_int.h \
	src/store/db.c \
	src/store/plugin_store.c src/store/task_store.c src/store/run_store.c \
	src/store/console_store.c \
	src/store/runlog_store.c src/store/runlog_store.h \
	src/store/control_store.c src/store/control_store.h \
	src/store/snapshot_store.c src/store/snapshot_store.h
