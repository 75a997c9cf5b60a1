# Hot reload with rollback, plugin snapshots, crash isolation (issue 8).
src_libmgr_a_SOURCES += \
	src/snapshot.c src/snapshot.h \
	src/snapshot_store.c src/snapshot_store.h \
	src/cmd-snapshot.c \
	src/reloader.c src/reloader.h \
	src/fault.c src/fault.h \
	src/cmd-reload.c

dist_check_SCRIPTS += tests/reload/common.sh tests/reload/snapshot.sh \
	tests/reload/reload.sh tests/reload/fault.sh tests/reload/recover.sh
TESTS += tests/reload/snapshot.sh tests/reload/reload.sh tests/reload/fault.sh \
	tests/reload/recover.sh
EXTRA_DIST += bench/reload_bench.sh bench/RESULTS-reload.md
