# The command-line front end: global options, help, the road of a command
# (here or through the host), and the program's command table, which
# joins each folder's own list of commands.
noinst_LIBRARIES += src/cli/libcli.a
src_cli_libcli_a_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
src_cli_libcli_a_SOURCES = \
	src/cli/cli.c src/cli/cli.h \
	src/cli/commands.c \
	src/cli/cmd-complete.c \
	src/cli/cmd-config.c
