# The ncurses console (ui/): part of the engine library, so the command
# table can name "console" and the tests and benchmark can link it.
# console_view_store.c is the store side of its views (listed here so
# the store's own fragment stays as the store's rework has it).
src_libmgr_a_SOURCES += \
	src/store/console_view_store.c src/store/console_view_store.h \
	ui/action.c \
	ui/cmd-console.c \
	ui/details.c \
	ui/draw.c \
	ui/fire_times.c \
	ui/format.c ui/format.h \
	ui/host.c \
	ui/keys.c \
	ui/model.c ui/model.h ui/model_tasks.c \
	ui/mouse.c \
	ui/pane_log.c ui/pane_plugins.c ui/pane_tasks.c ui/panes.c \
	ui/pick.c \
	ui/prompt.c \
	ui/tui.c ui/tui.h \
	ui/ui.h

check_PROGRAMS += tests/unit/test_format tests/unit/test_console_model
tests_unit_test_format_SOURCES = tests/unit/test_format.c
tests_unit_test_format_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_format_LDADD = $(TEST_LIBS)
tests_unit_test_console_model_SOURCES = tests/unit/test_console_model.c \
	tests/unit/testutil.h
tests_unit_test_console_model_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_console_model_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_format tests/unit/test_console_model

dist_check_SCRIPTS += tests/console/lib.sh tests/console/console.sh \
	tests/console/host.sh tests/console/plugins.sh tests/console/keys.sh \
	tests/console/quit.sh tests/console/views.sh
if HAVE_TMUX
TESTS += tests/console/console.sh tests/console/host.sh \
	tests/console/plugins.sh tests/console/keys.sh \
	tests/console/quit.sh tests/console/views.sh
endif

# Not run by make check: the numbers go to bench/RESULTS-console.md.
EXTRA_PROGRAMS += bench/console_bench
bench_console_bench_SOURCES = bench/console_bench.c
bench_console_bench_CFLAGS = $(TEST_CFLAGS)
bench_console_bench_LDADD = src/libmgr.a $(MGR_LIBS)
CLEANFILES += bench/console_bench
EXTRA_DIST += doc/console.txt doc/make-screenshot.sh bench/RESULTS-console.md
