# Sample configuration, installed to sysconfdir.
dist_sysconf_DATA = data/manager.conf
