# The command-line front end: global options, help, the road of a command
# (here or through the host), and the program's command table, which
# joins each folder's own list of commands.
src_libmgr_a_SOURCES += \
	src/cli/cli.c src/cli/cli.h \
	src/cli/commands.c \
	src/cli/cmd-config.c
