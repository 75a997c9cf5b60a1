# Plugins: ABI header, host services, loader, validator, installer,
# lifecycle, `manager plugin ...` commands.
src_libmgr_a_SOURCES += \
	src/manager-plugin.h \
	src/plugins/plugin_host.c src/plugins/plugin_host.h \
	src/plugins/plugin_host_db.c \
	src/plugins/loader.c src/plugins/loader.h \
	src/plugins/version.c src/plugins/version.h \
	src/plugins/manifest.c src/plugins/manifest.h \
	src/plugins/validator.c src/plugins/validator.h \
	src/plugins/probe.c src/plugins/probe.h \
	src/plugins/archive.c src/plugins/archive.h \
	src/plugins/zip_fns.c src/plugins/zip_fns.h \
	src/plugins/package_index.c src/plugins/package_index.h \
	src/plugins/signature.c src/plugins/signature.h \
	src/plugins/crypto_fns.c src/plugins/crypto_fns.h \
	src/plugins/fetch.c src/plugins/fetch.h \
	src/plugins/repository.c src/plugins/repository.h \
	src/plugins/installer.c src/plugins/installer.h \
	src/plugins/scratch.c src/plugins/scratch.h \
	src/plugins/sweep.c src/plugins/sweep.h \
	src/plugins/plugins.c src/plugins/plugins.h \
	src/plugins/host_worker.c src/plugins/host_worker.h \
	src/plugins/runner_plugin.c \
	src/plugins/functions.c src/plugins/functions.h \
	src/plugins/functions_cache.c \
	src/plugins/cmd-plugin.c src/plugins/cmd-plugin-repo.c \
	src/plugins/cmd-repo.c

# manager-run: a plugin's functions in a sandboxed child (runner_plugin.c).
pkglibexec_PROGRAMS += manager-run
manager_run_SOURCES = src/plugins/manager-run.c
manager_run_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
# Only the libraries it really uses get loaded: a run starts faster.
manager_run_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
manager_run_LDADD = src/libmgr.a $(MGR_LIBS)

# The ABI header as plugins include it: <manager/plugin.h>, in the build
# tree for the example plugins and installed for plugin authors.
manager_includedir = $(includedir)/manager
nodist_manager_include_HEADERS = include/manager/plugin.h
include/manager/plugin.h: $(srcdir)/src/manager-plugin.h
	$(AM_V_GEN)$(MKDIR_P) include/manager && cp $(srcdir)/src/manager-plugin.h $@ \
	  && chmod u+w $@
CLEANFILES += include/manager/plugin.h
pkgconfigdir = $(libdir)/pkgconfig
nodist_pkgconfig_DATA = data/manager-plugin.pc

check_PROGRAMS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c
tests_unit_test_loader_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_loader_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_loader

check_PROGRAMS += tests/unit/test_version tests/unit/test_manifest \
	tests/unit/test_plugins
tests_unit_test_plugins_SOURCES = tests/unit/test_plugins.c tests/unit/testutil.h
tests_unit_test_plugins_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_plugins_LDADD = $(TEST_LIBS)
tests_unit_test_version_SOURCES = tests/unit/test_version.c
tests_unit_test_version_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_version_LDADD = $(TEST_LIBS)
tests_unit_test_manifest_SOURCES = tests/unit/test_manifest.c
tests_unit_test_manifest_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_manifest_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_version tests/unit/test_manifest tests/unit/test_plugins
check_PROGRAMS += tests/unit/test_signature
tests_unit_test_signature_SOURCES = tests/unit/test_signature.c tests/unit/testutil.h
tests_unit_test_signature_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_signature_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_signature
# The spin before sleep of the worker channel: the real manager-run and
# the runner's end (src/core/spin.h).
check_PROGRAMS += tests/unit/test_worker_spin
tests_unit_test_worker_spin_SOURCES = tests/unit/test_worker_spin.c tests/unit/testutil.h \
	bench/procstat.c bench/procstat.h
tests_unit_test_worker_spin_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/bench
tests_unit_test_worker_spin_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_worker_spin

# Integration tests: the real binary, real SQLite, real dlopen and probes.
dist_check_SCRIPTS += tests/plugins/lib.sh tests/plugins/install.sh \
	tests/plugins/archives.sh tests/plugins/repository.sh tests/plugins/lifecycle.sh \
	tests/plugins/probe.sh tests/plugins/rollback.sh tests/plugins/crash.sh \
	tests/plugins/sandbox.sh tests/plugins/remote.sh tests/plugins/https_server.py \
	tests/plugins/host-sandbox.sh tests/plugins/functions-cache.sh \
	tests/plugins/later.sh tests/plugins/api-later.sh tests/plugins/runas.sh
TESTS += tests/plugins/install.sh tests/plugins/archives.sh \
	tests/plugins/repository.sh tests/plugins/lifecycle.sh tests/plugins/probe.sh \
	tests/plugins/rollback.sh tests/plugins/crash.sh tests/plugins/sandbox.sh \
	tests/plugins/remote.sh tests/plugins/host-sandbox.sh \
	tests/plugins/functions-cache.sh tests/plugins/later.sh \
	tests/plugins/api-later.sh tests/plugins/runas.sh
# The same crash test with 200+ kills: run by hand, not in make check.
EXTRA_DIST += tests/soak/plugins-kill.sh

# bench/sandbox.sh: a confined worker's cold start and warm calls.
EXTRA_PROGRAMS += bench/worker_bench
bench_worker_bench_SOURCES = bench/worker_bench.c bench/procstat.c bench/procstat.h
bench_worker_bench_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
bench_worker_bench_LDADD = src/libmgr.a $(MGR_LIBS)
CLEANFILES += bench/worker_bench
dist_noinst_SCRIPTS += bench/sandbox.sh
# bench/host-worker.sh: a route and an enable, host worker vs in-process.
dist_noinst_SCRIPTS += bench/host-worker.sh
