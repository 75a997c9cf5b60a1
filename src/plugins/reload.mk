# Hot reload with rollback, plugin snapshots, crash isolation (issue 8).
src_libmgr_a_SOURCES += \
	src/plugins/snapshot.c src/plugins/snapshot.h \
	src/plugins/cmd-snapshot.c \
	src/plugins/reloader.c src/plugins/reloader.h \
	src/plugins/fault.c src/plugins/fault.h \
	src/plugins/cmd-reload.c

dist_check_SCRIPTS += tests/reload/common.sh tests/reload/snapshot.sh \
	tests/reload/reload.sh tests/reload/fault.sh tests/reload/recover.sh
TESTS += tests/reload/snapshot.sh tests/reload/reload.sh tests/reload/fault.sh \
	tests/reload/recover.sh
EXTRA_DIST += bench/reload_bench.sh bench/RESULTS-reload.md
