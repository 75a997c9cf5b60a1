# Hot reload with rollback, plugin snapshots, crash isolation (issue 8).
src_libmgr_a_SOURCES += \
	src/plugins/snapshot.c src/plugins/snapshot.h \
	src/plugins/cmd-snapshot.c \
	src/plugins/reloader.c src/plugins/reloader.h \
	src/plugins/fault.c src/plugins/fault.h \
	src/plugins/cmd-reload.c

dist_check_SCRIPTS += tests/reload/common.sh tests/reload/snapshot.sh \
	tests/reload/reload.sh tests/reload/fault.sh tests/reload/recover.sh \
	tests/reload/sandbox.sh
TESTS += tests/reload/snapshot.sh tests/reload/reload.sh tests/reload/fault.sh \
	tests/reload/recover.sh tests/reload/sandbox.sh
EXTRA_DIST += bench/reload_bench.sh bench/RESULTS-reload.md

check_PROGRAMS += tests/unit/test_fault
tests_unit_test_fault_SOURCES = tests/unit/test_fault.c tests/unit/testutil.h
tests_unit_test_fault_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_fault_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_fault

# A test's fault injection, outside the program (LD_PRELOAD).
check_DATA += tests/lib/slow_rename.so
tests/lib/slow_rename.so: $(srcdir)/tests/lib/slow_rename.c
	$(AM_V_CC)$(MKDIR_P) tests/lib && $(CC) -shared -fPIC -O2 -Wall -Wextra \
	  -o $@ $(srcdir)/tests/lib/slow_rename.c -ldl
CLEANFILES += tests/lib/slow_rename.so
EXTRA_DIST += tests/lib/slow_rename.c tests/lib/slow-plugin.sh
