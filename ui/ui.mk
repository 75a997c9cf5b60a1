# The ncurses console (ui/): a library of its own above the engine's, the
# only code that links ncurses.
noinst_LIBRARIES += ui/libui.a
ui_libui_a_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS) $(NCURSES_CFLAGS)
ui_libui_a_SOURCES = \
	ui/action.c \
	ui/cmd-console.c \
	ui/details.c ui/details_deps.c \
	ui/draw.c \
	ui/fire_times.c \
	ui/format.c ui/format.h \
	ui/host.c \
	ui/job.c \
	ui/keys.c \
	ui/model.c ui/model.h ui/model_tasks.c \
	ui/mouse.c \
	ui/nc_fns.c ui/nc_fns.h \
	ui/outdated.c \
	ui/pager_search.c ui/view_cursor.c \
	ui/pane_hosts.c ui/pane_log.c ui/pane_plugins.c ui/pane_tasks.c ui/panes.c \
	ui/pick.c \
	ui/prompt.c \
	ui/tui.c ui/tui.h \
	ui/ui.h

check_PROGRAMS += tests/unit/test_format tests/unit/test_console_model
tests_unit_test_format_SOURCES = tests/unit/test_format.c
tests_unit_test_format_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_format_LDADD = ui/libui.a $(TEST_LIBS) $(NCURSES_LIBS)
tests_unit_test_console_model_SOURCES = tests/unit/test_console_model.c \
	tests/unit/testutil.h
tests_unit_test_console_model_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_console_model_LDADD = ui/libui.a $(TEST_LIBS) $(NCURSES_LIBS)
TESTS += tests/unit/test_format tests/unit/test_console_model

dist_check_SCRIPTS += tests/console/lib.sh tests/console/console.sh \
	tests/console/host.sh tests/console/plugins.sh tests/console/keys.sh \
	tests/console/quit.sh tests/console/views.sh tests/console/stop.sh tests/console/jobs.sh \
	tests/console/pager.sh tests/console/history.sh tests/console/upgrade.sh \
	tests/console/later.sh tests/console/plugin-show.sh \
	tests/console/hosts.sh
if HAVE_TMUX
TESTS += tests/console/console.sh tests/console/host.sh \
	tests/console/plugins.sh tests/console/keys.sh \
	tests/console/quit.sh tests/console/views.sh tests/console/stop.sh tests/console/jobs.sh \
	tests/console/pager.sh tests/console/history.sh tests/console/upgrade.sh \
	tests/console/later.sh tests/console/plugin-show.sh \
	tests/console/hosts.sh
endif

# Not run by make check: the numbers go to bench/RESULTS-console.md.
EXTRA_PROGRAMS += bench/console_bench
bench_console_bench_SOURCES = bench/console_bench.c
bench_console_bench_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
bench_console_bench_LDADD = ui/libui.a src/libmgr.a $(MGR_LIBS) $(NCURSES_LIBS)
CLEANFILES += bench/console_bench
EXTRA_PROGRAMS += bench/console_log_bench
bench_console_log_bench_SOURCES = bench/console_log_bench.c
bench_console_log_bench_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
bench_console_log_bench_LDADD = ui/libui.a src/libmgr.a $(MGR_LIBS) $(NCURSES_LIBS)
CLEANFILES += bench/console_log_bench
EXTRA_DIST += doc/console.txt doc/make-screenshot.sh bench/RESULTS-console.md \
	bench/console-log.sh
