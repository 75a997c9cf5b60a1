/* conf.c - the configuration: libconfig file, defaults, XDG paths. */
#include "i18n.h"
#include "conf.h"
#include "dbstring.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define OFF(field) offsetof(struct mgr_conf, field)
#define BIG INT_MAX

const struct conf_key conf_keys[] = {
	{ "manager", "plugins_directory", CONF_PATH, OFF(plugins_directory), "plugins", 0, 0 },
	{ "manager", "tasks_directory", CONF_PATH, OFF(tasks_directory), "tasks", 0, 0 },
	{ "manager", "auto_enable", CONF_BOOL, OFF(auto_enable), "false", 0, 1 },
	{ "manager", "hot_reload", CONF_BOOL, OFF(hot_reload), "false", 0, 1 },
	{ "manager", "sandboxing", CONF_BOOL, OFF(sandboxing), "true", 0, 1 },
	{ "manager", "data_directory", CONF_PATH, OFF(data_directory), NULL, 0, 0 },
	{ "manager", "state_directory", CONF_PATH, OFF(state_directory), NULL, 0, 0 },
	{ "manager", "cache_directory", CONF_PATH, OFF(cache_directory), NULL, 0, 0 },
	{ "manager", "database", CONF_PATH, OFF(database), "manager.db", 0, 0 },
	{ "manager", "log_level", CONF_STRING, OFF(log_level), "info", 0, 0 },
	{ "manager", "log_file", CONF_PATH, OFF(log_file), NULL, 0, 0 },
	{ "manager", "repositories", CONF_LIST, OFF(repositories), NULL, 0, 0 },
	{ "manager", "repository_require_signature", CONF_BOOL, OFF(repository_require_signature), "false", 0, 1 },
	{ "manager", "repository_ca_file", CONF_PATH, OFF(repository_ca_file), NULL, 0, 0 },
	{ "manager", "repository_timeout_seconds", CONF_INT, OFF(repository_timeout_seconds), "30", 1, 3600 },
	{ "manager", "repository_retries", CONF_INT, OFF(repository_retries), "2", 0, 10 },
	{ "manager", "repository_index_max_kb", CONF_INT, OFF(repository_index_max_kb), "4096", 1, 1048576 },
	{ "manager", "archive_max_mb", CONF_INT, OFF(archive_max_mb), "64", 1, 65536 },
	{ "manager", "archive_max_entries", CONF_INT, OFF(archive_max_entries), "10000", 1, 1000000 },
	{ "manager", "archive_max_ratio", CONF_INT, OFF(archive_max_ratio), "100", 1, 100000 },
	{ "manager", "sandbox_cpu_seconds", CONF_INT, OFF(sandbox_cpu_seconds), "0", 0, BIG },
	{ "manager", "sandbox_memory_mb", CONF_INT, OFF(sandbox_memory_mb), "0", 0, BIG },
	{ "manager", "sandbox_open_files", CONF_INT, OFF(sandbox_open_files), "256", 16, 1048576 },
	{ "manager", "sandbox_require", CONF_BOOL, OFF(sandbox_require), "false", 0, 1 },
	{ "manager", "kill_grace_seconds", CONF_INT, OFF(kill_grace_seconds), "5", 0, 3600 },
	{ "manager", "worker_threads", CONF_INT, OFF(worker_threads), "4", 1, 256 },
	{ "manager", "retry_backoff_base", CONF_INT, OFF(retry_backoff_base), "1", 0, 86400 },
	{ "manager", "retry_backoff_cap", CONF_INT, OFF(retry_backoff_cap), "300", 0, 86400 },
	{ "manager", "misfire_grace_time", CONF_INT, OFF(misfire_grace_time), "86400", 0, BIG },
	{ "manager", "history_keep_runs", CONF_INT, OFF(history_keep_runs), "100", 1, BIG },
	{ "manager", "history_max_age_days", CONF_INT, OFF(history_max_age_days), "30", 1, 36500 },
	{ "manager", "output_excerpt_bytes", CONF_INT, OFF(output_excerpt_bytes), "4096", 0, 1048576 },
	{ "manager", "task_path", CONF_STRING, OFF(task_path), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0, 0 },
	{ "manager", "task_lang", CONF_STRING, OFF(task_lang), "C.UTF-8", 0, 0 },
	{ "manager", "task_sandbox", CONF_STRING, OFF(task_sandbox), "none", 0, 0 },
	{ "manager", "log_max_mb", CONF_INT, OFF(log_max_mb), "1024", 0, 1048576 },
	{ "manager", "log_run_max_mb", CONF_INT, OFF(log_run_max_mb), "64", 1, 1048576 },
	{ "manager", "shutdown_grace_seconds", CONF_INT, OFF(shutdown_grace_seconds), "10", 0, 3600 },
	{ "manager", "reload_debounce_ms", CONF_INT, OFF(reload_debounce_ms), "100", 0, 60000 },
	{ "manager", "snapshot_keep", CONF_INT, OFF(snapshot_keep), "5", 1, 1000 },
	{ "manager", "fault_max_crashes", CONF_INT, OFF(fault_max_crashes), "3", 1, 1000 },
	{ "manager", "fault_window_seconds", CONF_INT, OFF(fault_window_seconds), "300", 1, 86400 },
	{ "manager", "on_failure", CONF_STRING, OFF(on_failure), NULL, 0, 0 },
	{ "manager", "on_success", CONF_STRING, OFF(on_success), NULL, 0, 0 },
	{ "manager", "on_recovery", CONF_STRING, OFF(on_recovery), NULL, 0, 0 },
	{ "manager", "on_missed", CONF_STRING, OFF(on_missed), NULL, 0, 0 },
	{ "manager", "on_output", CONF_STRING, OFF(on_output), NULL, 0, 0 },
	{ "manager", "notify_timeout", CONF_INT, OFF(notify_timeout), "30", 1, 3600 },
	{ "manager", "notify_retries", CONF_INT, OFF(notify_retries), "2", 0, 10 },
	{ "manager", "max_concurrent_runs", CONF_INT, OFF(max_concurrent_runs), "0", 0, 1000000 },
	/* The host registry (doc/ARCHITECTURE.md, "Hosts"): host_id NULL
	 * is the machine's hostname (conf_check). */
	{ "manager", "host_id", CONF_STRING, OFF(host_id), NULL, 0, 0 },
	{ "manager", "host_labels", CONF_LIST, OFF(host_labels), NULL, 0, 0 },
	/* 0: 1,000 on a database server, none on a file (hostreg.c) */
	{ "manager", "host_heartbeat_ms", CONF_INT, OFF(host_heartbeat_ms), "0", 0, 600000 },
	{ "manager", "host_lease_ms", CONF_INT, OFF(host_lease_ms), "5000", 30, 3600000 },
	/* The longest wait between two tries to reach a lost database
	 * server (heartbeat.c: from 100 ms, doubling): at least the first. */
	{ "manager", "host_reconnect_max_ms", CONF_INT, OFF(host_reconnect_max_ms), "5000", 100, 600000 },
	/* On a database server, a daemon that finds the engine lock held
	 * waits as a standby (src/engine/standby.c); false: it exits 4. */
	{ "manager", "host_standby", CONF_BOOL, OFF(host_standby), "true", 0, 1 },
	{ "api", "listen", CONF_STRING, OFF(api_listen), NULL, 0, 0 },
	{ "api", "token", CONF_STRING, OFF(api_token), NULL, 0, 0 },
	{ "api", "token_file", CONF_PATH, OFF(api_token_file), NULL, 0, 0 },
	{ "api", "max_body_kb", CONF_INT, OFF(api_max_body_kb), "1024", 1, 1048576 },
	{ "api", "connection_timeout_seconds", CONF_INT, OFF(api_connection_timeout), "10", 1, 3600 },
	{ "api", "max_connections", CONF_INT, OFF(api_max_connections), "256", 2, 16384 },
	{ "api", "max_connections_per_ip", CONF_INT, OFF(api_max_connections_per_ip), "64", 2, 16384 },
	{ "console", "mouse", CONF_BOOL, OFF(console_mouse), "true", 0, 1 },
};
const size_t conf_nkeys = sizeof conf_keys / sizeof conf_keys[0];

struct conf_loader {
	const struct conf_source *src;
	struct mgr_conf *conf;
	struct conf_origin *origins;	/* one per conf_keys entry */
	char *base_dir;			/* relative paths resolve here */
	struct mgr_error *err;
};

static const char *
conf_getenv(const struct conf_source *src, const char *name)
{
	const char *v = src->getenv_fn != NULL ? src->getenv_fn(src->getenv_arg, name) : getenv(name);
	return (v != NULL && *v != '\0') ? v : NULL;
}

static void *
conf_field(struct mgr_conf *conf, const struct conf_key *key)
{
	return (char *)conf + key->offset;
}

/* $XDG_*_HOME, or $HOME/fallback. */
static char *
xdg_dir(const struct conf_source *src, const char *var, const char *fallback)
{
	const char *v = conf_getenv(src, var);
	const char *home;

	if (v != NULL && v[0] == '/')
		return xstrdup(v);
	home = conf_getenv(src, "HOME");
	return xasprintf("%s/%s", home != NULL ? home : "/", fallback);
}

static int
file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Picks the config file by the lookup order; NULL when none applies. */
static int
conf_find_file(const struct conf_source *src, char **out, struct mgr_error *err)
{
	const char *v;
	char *dir, *path;

	*out = NULL;
	if ((v = src->config_arg) != NULL || (v = conf_getenv(src, "MANAGER_CONFIG")) != NULL) {
		if (!file_exists(v))
			return mgr_error_set(err, MGR_ENOENT,
			    _("%s: configuration file not found"), v);
		*out = xstrdup(v);
		return 0;
	}
	dir = xdg_dir(src, "XDG_CONFIG_HOME", ".config");
	path = xasprintf("%s/manager/manager.conf", dir);
	free(dir);
	if (file_exists(path)) {
		*out = path;
		return 0;
	}
	free(path);
	/* As git's GIT_CONFIG_NOSYSTEM: a script (or the test suite) that
	 * must not depend on the machine skips the system-wide file. */
	if (conf_getenv(src, "MANAGER_CONFIG_NOSYSTEM") != NULL)
		return 0;
	path = xasprintf("%s/manager.conf",
	    src->sysconfdir != NULL ? src->sysconfdir : SYSCONFDIR);
	if (file_exists(path)) {
		*out = path;
		return 0;
	}
	free(path);
	return 0;
}

static int
conf_set_text(struct conf_loader *l, const struct conf_key *key,
	      const char *text, const char *where)
{
	void *field = conf_field(l->conf, key);
	struct conf_origin *o = &l->origins[key - conf_keys];

	switch (key->type) {
	case CONF_STRING:
	case CONF_PATH:
		free(*(char **)field);
		*(char **)field = text != NULL ? xstrdup(text) : NULL;
		break;
	case CONF_BOOL:
		*(int *)field = text != NULL && strcmp(text, "true") == 0;
		break;
	case CONF_INT:
		*(int *)field = text != NULL ? atoi(text) : 0;
		break;
	case CONF_LIST:
		break;
	}
	snprintf(o->where, sizeof o->where, "%s", where);
	return 0;
}

static void
conf_set_defaults(struct conf_loader *l)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		l->origins[i].key = NULL;
		conf_set_text(l, &conf_keys[i], conf_keys[i].def, _("default"));
	}
}

static const char *
conf_type_name(enum conf_type type)
{
	switch (type) {
	case CONF_STRING:	return _("a string");
	case CONF_PATH:		return _("a path string");
	case CONF_INT:		return _("an integer");
	case CONF_BOOL:		return _("true or false");
	case CONF_LIST:		return _("a list of strings");
	}
	return "";
}

static int
conf_type_error(struct conf_loader *l, const config_setting_t *s,
		const struct conf_key *key)
{
	return mgr_error_set(l->err, MGR_EINVAL,
	    _("%s:%d: %s.%s must be %s"), l->conf->file,
	    config_setting_source_line(s), key->group, key->name,
	    conf_type_name(key->type));
}

static int
conf_read_list(struct conf_loader *l, const config_setting_t *s,
	       const struct conf_key *key)
{
	char ***field = conf_field(l->conf, key);
	int n = config_setting_length(s);

	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return conf_type_error(l, s, key);
	strv_free(*field);
	*field = xcalloc((size_t)n + 1, sizeof **field);
	for (int i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, i);
		if (v == NULL)
			return conf_type_error(l, s, key);
		/* Only repositories are paths; a URL (a remote package
		 * repository) is kept as written, as are host_labels. */
		(*field)[i] = field != &l->conf->repositories ||
		    strstr(v, "://") != NULL ? xstrdup(v) :
		    path_resolve(l->base_dir, v);
	}
	return 0;
}

static int
conf_read_setting(struct conf_loader *l, const config_setting_t *s,
		  const struct conf_key *key)
{
	void *field = conf_field(l->conf, key);
	int type = config_setting_type(s);
	const char *str;

	switch (key->type) {
	case CONF_STRING:
	case CONF_PATH:
		if (type != CONFIG_TYPE_STRING)
			return conf_type_error(l, s, key);
		str = config_setting_get_string(s);
		if (key->type == CONF_PATH && str[0] == '\0')
			return mgr_error_set(l->err, MGR_EINVAL,
			    _("%s:%d: %s.%s: the path is empty"), l->conf->file,
			    config_setting_source_line(s), key->group, key->name);
		free(*(char **)field);
		/* A database server's string is not a path. */
		*(char **)field = key->type == CONF_PATH &&
		    !(field == &l->conf->database && db_string_is_server(str)) ?
		    path_resolve(l->base_dir, str) : xstrdup(str);
		return 0;
	case CONF_BOOL:
		if (type != CONFIG_TYPE_BOOL)
			return conf_type_error(l, s, key);
		*(int *)field = config_setting_get_bool(s);
		return 0;
	case CONF_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			return conf_type_error(l, s, key);
		long long v = config_setting_get_int64(s);
		if (v < key->min || v > key->max)
			return mgr_error_set(l->err, MGR_EINVAL,
			    _("%s:%d: %s.%s: %lld is out of range %d-%d"),
			    l->conf->file, config_setting_source_line(s),
			    key->group, key->name, v, key->min, key->max);
		*(int *)field = (int)v;
		return 0;
	case CONF_LIST:
		return conf_read_list(l, s, key);
	}
	return 0;
}

static const struct conf_key *
conf_key_find(const char *group, const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].group, group) == 0 &&
		    strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

static void
conf_warn(struct conf_loader *l, const config_setting_t *s, const char *what)
{
	if (l->src->warnings == NULL)
		return;
	fprintf(l->src->warnings, _("%s:%d: warning: unknown key %s\n"),
	    l->conf->file, config_setting_source_line(s), what);
}

static int
conf_read_group(struct conf_loader *l, const config_setting_t *group)
{
	const char *gname = config_setting_name(group);
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const struct conf_key *key = conf_key_find(gname, config_setting_name(s));
		char *full;
		int rc;

		if (key == NULL) {
			full = xasprintf("%s.%s", gname, config_setting_name(s));
			conf_warn(l, s, full);
			free(full);
			continue;
		}
		if ((rc = conf_read_setting(l, s, key)) != 0)
			return rc;
		snprintf(l->origins[key - conf_keys].where,
		    sizeof l->origins[0].where, "%s:%d", l->conf->file,
		    config_setting_source_line(s));
	}
	return 0;
}

/* groups = { NAME = { max_concurrent = N; }; ... }; errors name the
 * file, line and group. */
static int
conf_read_groups(struct conf_loader *l, const config_setting_t *groups)
{
	struct mgr_conf *c = l->conf;
	int n = config_setting_length(groups);

	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(groups, i);
		const config_setting_t *m = config_setting_is_group(g) ?
		    config_setting_get_member(g, "max_concurrent") : NULL;
		const char *name = config_setting_name(g);
		size_t k = strv_len(c->group_names);

		if (m == NULL || config_setting_length(g) != 1 ||
		    config_setting_type(m) != CONFIG_TYPE_INT ||
		    config_setting_get_int(m) < 1)
			return mgr_error_set(l->err, MGR_EINVAL, _("%s:%d: groups.%s "
			    "must be { max_concurrent = N; } with N at least 1"),
			    c->file, config_setting_source_line(g), name);
		c->group_names = strv_push(c->group_names, name);
		c->group_max = xrealloc(c->group_max, (k + 1) * sizeof *c->group_max);
		c->group_max[k] = config_setting_get_int(m);
	}
	return 0;
}

int
conf_group_limit(const struct mgr_conf *conf, const char *name)
{
	for (size_t i = 0; conf->group_names != NULL &&
	    conf->group_names[i] != NULL; i++)
		if (strcmp(conf->group_names[i], name) == 0)
			return conf->group_max[i];
	return 0;
}

static int
conf_read_file(struct conf_loader *l)
{
	config_t cfg;
	config_setting_t *root;
	struct stat st;
	int rc = 0;

	/* fopen() opens a folder; libconfig then fails with a stale
	 * errno, so say what is wrong here. */
	if (stat(l->conf->file, &st) == 0 && S_ISDIR(st.st_mode))
		return mgr_error_set(l->err, MGR_EINVAL, _("%s: is a folder, "
		    "not a configuration file"), l->conf->file);
	config_init(&cfg);
	errno = 0;
	if (config_read_file(&cfg, l->conf->file) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			rc = mgr_error_set(l->err, MGR_EIO, _("%s: %s"),
			    l->conf->file, errno != 0 ? strerror(errno) :
			    _("cannot read the file"));
		else
			rc = mgr_error_set(l->err, MGR_EINVAL, _("%s:%d: %s"),
			    l->conf->file, config_error_line(&cfg),
			    config_error_text(&cfg));
		config_destroy(&cfg);
		return rc;
	}
	root = config_root_setting(&cfg);
	for (int i = 0; rc == 0 && i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, i);
		const char *name = config_setting_name(s);

		if (strcmp(name, "groups") == 0 && config_setting_is_group(s)) {
			rc = conf_read_groups(l, s);
			continue;
		}
		if (strcmp(name, "manager") != 0 && strcmp(name, "api") != 0 &&
		    strcmp(name, "console") != 0) {
			conf_warn(l, s, name);
			continue;
		}
		if (!config_setting_is_group(s)) {
			rc = mgr_error_set(l->err, MGR_EINVAL, _("%s:%d: %s must "
			    "be a group: %s = { ... };"), l->conf->file,
			    config_setting_source_line(s), name, name);
			break;
		}
		rc = conf_read_group(l, s);
	}
	config_destroy(&cfg);
	return rc;
}

/* $XDG_*_HOME/manager (or $HOME/fallback/manager) when *dir is unset. */
static void
conf_default_dir(struct conf_loader *l, char **dir, const char *var,
		 const char *fallback)
{
	char *base;

	if (*dir != NULL)
		return;
	base = xdg_dir(l->src, var, fallback);
	*dir = xasprintf("%s/manager", base);
	free(base);
}

/* The folders of the XDG base directory specification: what is worth
 * keeping under data, what a restart may still need (logs, the generated
 * API token, the copies hot reload rolls back to) under state, what may
 * be deleted any time under cache.  A data_directory the file sets keeps
 * the instance in one place: state in it, cache in its cache/ (two
 * instances must not share run logs: each prunes what its history does
 * not name).  Default paths hang off them, whatever the file said. */
static void
conf_resolve_defaults(struct conf_loader *l)
{
	struct mgr_conf *c = l->conf;
	char **paths[] = { &c->plugins_directory, &c->tasks_directory, &c->database };
	const char *names[] = { "plugins_directory", "tasks_directory", "database" };

	if (c->data_directory != NULL) {
		if (c->state_directory == NULL)
			c->state_directory = xstrdup(c->data_directory);
		if (c->cache_directory == NULL)
			c->cache_directory = xasprintf("%s/cache", c->data_directory);
	}
	conf_default_dir(l, &c->data_directory, "XDG_DATA_HOME", ".local/share");
	conf_default_dir(l, &c->state_directory, "XDG_STATE_HOME", ".local/state");
	conf_default_dir(l, &c->cache_directory, "XDG_CACHE_HOME", ".cache");
	if (c->api_token_file == NULL)
		c->api_token_file = xasprintf("%s/api.token", c->state_directory);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const struct conf_key *key = conf_key_find("manager", names[i]);
		if (strcmp(l->origins[key - conf_keys].where, _("default")) != 0)
			continue;
		char *abs = path_resolve(c->data_directory, *paths[i]);
		free(*paths[i]);
		*paths[i] = abs;
	}
}

/* host_id: the configured one, or the machine's hostname; an id by the
 * rule of task ids.  The lease outlives two heartbeats (the default's on
 * a server when none is set), so one late renewal never costs the host
 * its lease. */
static int
conf_check_host(struct conf_loader *l)
{
	const struct conf_key *key = conf_key_find("manager", "host_id");
	const char *where = l->origins[key - conf_keys].where;
	char name[256], what[512];
	int beat;

	if (l->conf->host_id == NULL) {
		if (gethostname(name, sizeof name) != 0)
			snprintf(name, sizeof name, "localhost");
		name[sizeof name - 1] = '\0';
		l->conf->host_id = xstrdup(name);
		where = _("the machine's hostname");
	}
	snprintf(what, sizeof what, _("%s: manager.host_id: host id"), where);
	if (mgr_id_check(what, l->conf->host_id, l->err) != 0)
		return MGR_EINVAL;
	key = conf_key_find("manager", "host_lease_ms");
	beat = l->conf->host_heartbeat_ms > 0 ? l->conf->host_heartbeat_ms :
	    CONF_HEARTBEAT_SERVER_MS;
	if (l->conf->host_lease_ms <= 2 * beat)
		return mgr_error_set(l->err, MGR_EINVAL, _("%s: manager."
		    "host_lease_ms: %d is not more than twice host_heartbeat_ms "
		    "(%d): one late renewal would lose the lease"),
		    l->origins[key - conf_keys].where, l->conf->host_lease_ms,
		    beat);
	for (char **v = l->conf->host_labels; v != NULL && *v != NULL; v++)
		if (**v == '\0') {
			key = conf_key_find("manager", "host_labels");
			return mgr_error_set(l->err, MGR_EINVAL, _("%s: manager."
			    "host_labels: an empty label"),
			    l->origins[key - conf_keys].where);
		}
	return 0;
}

static int
conf_check(struct conf_loader *l)
{
	enum log_level level;
	const struct conf_key *key = conf_key_find("manager", "log_level");

	if (log_level_parse(l->conf->log_level, &level) != 0)
		return mgr_error_set(l->err, MGR_EINVAL,
		    _("%s: manager.log_level: \"%s\" is not one of error, warning, info, debug"),
		    l->origins[key - conf_keys].where, l->conf->log_level);
	key = conf_key_find("manager", "task_sandbox");
	if (strcmp(l->conf->task_sandbox, "none") != 0 &&
	    strcmp(l->conf->task_sandbox, "strict") != 0)
		return mgr_error_set(l->err, MGR_EINVAL,
		    _("%s: manager.task_sandbox: \"%s\" is not one of none, strict"),
		    l->origins[key - conf_keys].where, l->conf->task_sandbox);
	return conf_check_host(l);
}

int
conf_load(const struct conf_source *src, struct mgr_conf **out,
	  struct conf_origin **origins, size_t *norigins, struct mgr_error *err)
{
	struct conf_loader l = { .src = src, .err = err };
	int rc;

	/* path_resolve("") is the working folder: refuse rather than open
	 * "./" as a file. */
	if (src->config_arg != NULL && src->config_arg[0] == '\0')
		return mgr_error_set(err, MGR_EINVAL,
		    _("--config: the path is empty"));
	if (src->db_arg != NULL && src->db_arg[0] == '\0')
		return mgr_error_set(err, MGR_EINVAL,
		    _("--db: the path is empty"));
	l.conf = xcalloc(1, sizeof *l.conf);
	l.origins = xcalloc(conf_nkeys, sizeof *l.origins);
	conf_set_defaults(&l);
	if ((rc = conf_find_file(src, &l.conf->file, err)) != 0)
		goto fail;
	if (l.conf->file != NULL) {
		l.base_dir = path_dirname_abs(l.conf->file);
		if ((rc = conf_read_file(&l)) != 0)
			goto fail;
	}
	if (src->db_arg != NULL) {
		const struct conf_key *key = conf_key_find("manager", "database");
		free(l.conf->database);
		l.conf->database = db_string_is_server(src->db_arg) ?
		    xstrdup(src->db_arg) : path_resolve(NULL, src->db_arg);
		snprintf(l.origins[key - conf_keys].where,
		    sizeof l.origins[0].where, "%s", _("command line (--db)"));
	}
	conf_resolve_defaults(&l);
	if ((rc = conf_check(&l)) != 0)
		goto fail;
	for (size_t i = 0; i < conf_nkeys; i++)
		l.origins[i].key = conf_keys[i].name;
	free(l.base_dir);
	*out = l.conf;
	if (origins != NULL) {
		*origins = l.origins;
		*norigins = conf_nkeys;
	} else
		free(l.origins);
	return 0;
fail:
	free(l.base_dir);
	free(l.origins);
	conf_free(l.conf);
	return rc;
}

void
conf_free(struct mgr_conf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf_nkeys; i++) {
		void *field = conf_field(conf, &conf_keys[i]);
		if (conf_keys[i].type == CONF_STRING || conf_keys[i].type == CONF_PATH)
			free(*(char **)field);
		else if (conf_keys[i].type == CONF_LIST)
			strv_free(*(char ***)field);
	}
	strv_free(conf->group_names);
	free(conf->group_max);
	free(conf->file);
	free(conf);
}

void
conf_origins_free(struct conf_origin *origins, size_t n)
{
	(void)n;
	free(origins);
}

char *
conf_value_text(const struct mgr_conf *conf, const struct conf_key *key)
{
	const void *field = (const char *)conf + key->offset;
	char *const *list;
	struct strbuf sb = STRBUF_INIT;

	switch (key->type) {
	case CONF_STRING:
	case CONF_PATH:
		return xstrdup(*(char *const *)field != NULL ?
		    *(char *const *)field : "");
	case CONF_BOOL:
		return xstrdup(*(const int *)field ? "true" : "false");
	case CONF_INT:
		return xasprintf("%d", *(const int *)field);
	case CONF_LIST:
		list = *(char **const *)field;
		for (size_t i = 0; list != NULL && list[i] != NULL; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", list[i]);
		return strbuf_detach(&sb);
	}
	return xstrdup("");
}
