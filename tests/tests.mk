# `make list-tests` prints every test of `make check`, one a line, so a
# script can run a chosen few (`make check TESTS='...'`): .ci/run runs
# only the unit tests in the distribution's check and a chosen part of
# the suite under the sanitizers, to finish within CI's time.
list-tests:
	@for t in $(TESTS); do echo "$$t"; done
.PHONY: list-tests

# Every test speaks TAP, so a failure is counted per case, not per file.
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
# Nothing of the machine or the person running the tests reaches them: no
# configuration, data or helpers from $HOME or from variables set outside
# (each shell test still makes its own $HOME and XDG folders in $T; the
# fallback folder below is never created by a passing suite), and a fixed
# time zone and language.
AM_TESTS_ENVIRONMENT = \
	export CMOCKA_MESSAGE_OUTPUT=TAP; \
	export top_srcdir='$(abs_top_srcdir)'; \
	export top_builddir='$(abs_top_builddir)'; \
	export MANAGER='$(abs_top_builddir)/manager'; \
	export MANAGER_LOCALEDIR='$(abs_top_builddir)/tests/locale'; \
	export HOME='$(abs_top_builddir)/tests/no-home'; \
	export XDG_CONFIG_HOME="$$HOME/config" XDG_DATA_HOME="$$HOME/data"; \
	export XDG_STATE_HOME="$$HOME/state" XDG_CACHE_HOME="$$HOME/cache"; \
	unset MANAGER_CONFIG MANAGER_RUN MANAGER_EXEC MANAGER_EXEC_USER MANAGER_EXE \
	    MANAGER_COMMAND_TIMEOUT NOTIFY_SOCKET \
	    XDG_CONFIG_DIRS XDG_DATA_DIRS LANGUAGE TZDIR; \
	export MANAGER_CONFIG_NOSYSTEM=1 TZ=UTC LC_ALL=C.UTF-8;

TEST_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS) $(CMOCKA_CFLAGS)
TEST_LIBS = src/libmgr.a $(MGR_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_conf tests/unit/test_db tests/unit/test_store
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c tests/unit/testutil.h
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)
tests_unit_test_db_SOURCES = tests/unit/test_db.c tests/unit/testutil.h
tests_unit_test_db_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_db_LDADD = $(TEST_LIBS)
tests_unit_test_store_SOURCES = tests/unit/test_store.c tests/unit/testutil.h
tests_unit_test_store_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_conf tests/unit/test_db tests/unit/test_store

check_PROGRAMS += tests/unit/test_log
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_log_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_log

check_PROGRAMS += tests/unit/test_ids
tests_unit_test_ids_SOURCES = tests/unit/test_ids.c tests/unit/testutil.h
tests_unit_test_ids_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_ids_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_ids

# The store's contract on every backend (PostgreSQL with MANAGER_TEST_PG).
check_PROGRAMS += tests/unit/test_store_contract
tests_unit_test_store_contract_SOURCES = tests/unit/test_store_contract.c \
	tests/unit/testutil.h
tests_unit_test_store_contract_CFLAGS = $(TEST_CFLAGS)
# It sets up its PostgreSQL database with libpq itself.
tests_unit_test_store_contract_LDADD = $(TEST_LIBS) $(PQ_LIBS)
TESTS += tests/unit/test_store_contract

check_PROGRAMS += tests/unit/test_dbstring
tests_unit_test_dbstring_SOURCES = tests/unit/test_dbstring.c tests/unit/testutil.h
tests_unit_test_dbstring_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_dbstring_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_dbstring
check_PROGRAMS += tests/unit/test_json_flat
tests_unit_test_json_flat_SOURCES = tests/unit/test_json_flat.c tests/unit/testutil.h
tests_unit_test_json_flat_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_json_flat_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_json_flat
check_PROGRAMS += tests/unit/test_cmd
tests_unit_test_cmd_SOURCES = tests/unit/test_cmd.c tests/unit/testutil.h
tests_unit_test_cmd_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cmd_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_cmd

dist_check_SCRIPTS = tests/cli/lib.sh tests/cli/cli.sh tests/cli/layers.sh \
	tests/cli/units.sh tests/cli/readonly.sh tests/cli/man.sh tests/cli/install.sh \
	tests/cli/potfiles.sh
TESTS += tests/cli/cli.sh tests/cli/layers.sh tests/cli/units.sh \
	tests/cli/readonly.sh tests/cli/man.sh tests/cli/install.sh \
	tests/cli/potfiles.sh
# The command line's habits: help, completion, --json, exit statuses.
dist_check_SCRIPTS += tests/cli/help.sh tests/cli/complete.sh \
	tests/cli/json.sh tests/cli/tasks.sh
TESTS += tests/cli/help.sh tests/cli/complete.sh tests/cli/json.sh \
	tests/cli/tasks.sh
# task add --from: many tasks in one transaction.
dist_check_SCRIPTS += tests/cli/bulk.sh
TESTS += tests/cli/bulk.sh

# Compiled catalogues in a locale tree the tests point gettext at.
check_DATA += tests/locale/de/LC_MESSAGES/manager.mo
tests/locale/de/LC_MESSAGES/manager.mo: $(srcdir)/po/de.po
	$(MKDIR_P) tests/locale/de/LC_MESSAGES
	$(MSGFMT) -c -o $@ $(srcdir)/po/de.po
CLEANFILES += tests/locale/de/LC_MESSAGES/manager.mo

# The engine's shell suites again on PostgreSQL (tests/pg; each skips
# without MANAGER_TEST_PG).
PG_SUITES = tests/pg/engine-api.sh tests/pg/engine-control.sh \
	tests/pg/engine-daemon.sh tests/pg/engine-tasks.sh \
	tests/pg/engine-abuse.sh tests/pg/engine-notify-crash.sh \
	tests/pg/engine-runid.sh tests/pg/engine-crash.sh \
	tests/pg/engine-crash-busy.sh tests/pg/engine-crash-queued.sh \
	tests/pg/engine-crash-claimed.sh tests/pg/engine-crash-ended.sh \
	tests/pg/engine-jobctl.sh tests/pg/sched-notify.sh \
	tests/pg/sched-bulk-slices.sh \
	tests/pg/hostlock.sh tests/pg/engine-hosts.sh \
	tests/pg/cluster-failover.sh tests/pg/cluster-busy.sh \
	tests/pg/idle.sh tests/pg/runlogs.sh tests/pg/reconnect.sh \
	tests/pg/api-log.sh
dist_check_SCRIPTS += tests/pg/lib.sh $(PG_SUITES) tests/pg/db-copy.sh
TESTS += $(PG_SUITES) tests/pg/db-copy.sh

# SHA-256 from libcrypto, against the FIPS 180-4 examples.
check_PROGRAMS += tests/unit/test_sha256
tests_unit_test_sha256_SOURCES = tests/unit/test_sha256.c tests/unit/testutil.h
# libcrypto: the digest the program's own SHA-256 is compared with.
tests_unit_test_sha256_CFLAGS = $(TEST_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sha256_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit/test_sha256
