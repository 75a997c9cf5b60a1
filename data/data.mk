# Sample configuration, installed to sysconfdir.
dist_sysconf_DATA = data/manager.conf

# The per-user service, installed as manager.service in the user unit
# folder (systemctl --user enable --now manager).
systemduserunitdir = $(prefix)/lib/systemd/user
systemduserunit_DATA = data/user/manager.service
data/user/manager.service: $(srcdir)/data/manager-user.service.in Makefile
	$(MKDIR_P) data/user
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/data/manager-user.service.in >$@
CLEANFILES += data/user/manager.service
EXTRA_DIST += data/manager-user.service.in

# logrotate's snippet for a daemon that systemd does not run, installed
# as $(sysconfdir)/logrotate.d/manager.
logrotatedir = $(sysconfdir)/logrotate.d
logrotate_DATA = data/logrotate/manager
data/logrotate/manager: $(srcdir)/data/manager.logrotate
	$(MKDIR_P) data/logrotate
	cp $(srcdir)/data/manager.logrotate $@
CLEANFILES += data/logrotate/manager
EXTRA_DIST += data/manager.logrotate

# The documentation, under $(docdir).
doc_DATA = $(srcdir)/README.md $(srcdir)/doc/ARCHITECTURE.md \
	$(srcdir)/doc/SCHEDULER.md $(srcdir)/doc/PLUGINS.md
