# Robustness: commands on good and bad input under valgrind.  The fuzz
# harnesses (tests/fuzz/run.sh) are run by hand, not by `make check`.
dist_check_SCRIPTS += tests/robust/valgrind.sh
TESTS += tests/robust/valgrind.sh
EXTRA_DIST += tests/robust/valgrind.supp tests/fuzz/run.sh \
	tests/fuzz/lsan.supp tests/fuzz/libconfig.dict tests/fuzz/fuzz_common.h \
	tests/fuzz/fuzz_trigger.c tests/fuzz/fuzz_crontab.c \
	tests/fuzz/fuzz_timefmt.c tests/fuzz/fuzz_manifest.c \
	tests/fuzz/fuzz_index.c tests/fuzz/fuzz_conf.c tests/fuzz/fuzz_version.c \
	tests/fuzz/fuzz_tzif.c

check_PROGRAMS += tests/unit/test_package_index
tests_unit_test_package_index_SOURCES = tests/unit/test_package_index.c \
	tests/unit/testutil.h
tests_unit_test_package_index_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_package_index_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_package_index
