# Example plugins, built as a plugin author would: cc -shared -fPIC against
# <manager/plugin.h> only.  Each lands in the build tree's
# data/plugins/NAME/ next to a copy of its plugin.conf, so
# `manager plugin install data/plugins/NAME` works after `make`, also in
# an out-of-tree (distcheck) build.
PLUGIN_CFLAGS = -std=gnu11 $(WARN_CFLAGS) -O2 -g -shared -fPIC -I$(builddir)/include
PLUGIN_BUILD = $(MKDIR_P) $(@D) && \
	$(CC) $(PLUGIN_CFLAGS) -o $@ $< && \
	if test ! $(@D)/plugin.conf -ef $(srcdir)/$(@D)/plugin.conf; then \
	  cp $(srcdir)/$(@D)/plugin.conf $(@D)/plugin.conf && \
	  chmod u+w $(@D)/plugin.conf; fi

EXAMPLE_PLUGIN_LIBS = \
	data/plugins/hello/hello.so \
	data/plugins/base/base.so \
	data/plugins/greeter/greeter.so \
	data/plugins/faulty/faulty.so \
	data/plugins/badctor/badctor.so \
	data/plugins/evil/evil.so
noinst_DATA += $(EXAMPLE_PLUGIN_LIBS)
CLEANFILES += $(EXAMPLE_PLUGIN_LIBS)
EXTRA_DIST += doc/PLUGINS.md \
	data/plugins/hello/hello.c data/plugins/hello/plugin.conf \
	data/plugins/base/base.c data/plugins/base/plugin.conf \
	data/plugins/greeter/greeter.c data/plugins/greeter/plugin.conf \
	data/plugins/faulty/faulty.c data/plugins/faulty/plugin.conf \
	data/plugins/badctor/badctor.c data/plugins/badctor/plugin.conf \
	data/plugins/evil/evil.c data/plugins/evil/plugin.conf

PLUGIN_HEADER = include/manager/plugin.h
data/plugins/hello/hello.so: $(srcdir)/data/plugins/hello/hello.c \
		$(srcdir)/data/plugins/hello/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)
data/plugins/base/base.so: $(srcdir)/data/plugins/base/base.c \
		$(srcdir)/data/plugins/base/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)
data/plugins/greeter/greeter.so: $(srcdir)/data/plugins/greeter/greeter.c \
		$(srcdir)/data/plugins/greeter/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)
data/plugins/faulty/faulty.so: $(srcdir)/data/plugins/faulty/faulty.c \
		$(srcdir)/data/plugins/faulty/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)
data/plugins/badctor/badctor.so: $(srcdir)/data/plugins/badctor/badctor.c \
		$(srcdir)/data/plugins/badctor/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)

# evil: a hostile plugin for tests/plugins/sandbox.sh, never installed
# by the quick start.
data/plugins/evil/evil.so: $(srcdir)/data/plugins/evil/evil.c \
		$(srcdir)/data/plugins/evil/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)

# The copied manifests exist only in an out-of-tree build.
clean-local: clean-local-plugins
clean-local-plugins:
	-if test "$(srcdir)" != "."; then \
	  rm -f data/plugins/*/plugin.conf; fi

# `make install` puts the examples a plugin author starts from under
# $(docdir)/examples/plugins: source, manifest and the built library, so
# `manager plugin install $(docdir)/examples/plugins/hello` works.  (The
# other plugins here are test fixtures: a crashing one, a hostile one.)
examplehellodir = $(docdir)/examples/plugins/hello
examplehello_DATA = data/plugins/hello/hello.so \
	$(srcdir)/data/plugins/hello/hello.c $(srcdir)/data/plugins/hello/plugin.conf
examplebasedir = $(docdir)/examples/plugins/base
examplebase_DATA = data/plugins/base/base.so \
	$(srcdir)/data/plugins/base/base.c $(srcdir)/data/plugins/base/plugin.conf
examplegreeterdir = $(docdir)/examples/plugins/greeter
examplegreeter_DATA = data/plugins/greeter/greeter.so \
	$(srcdir)/data/plugins/greeter/greeter.c \
	$(srcdir)/data/plugins/greeter/plugin.conf
