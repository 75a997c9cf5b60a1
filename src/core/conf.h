/* conf.h - the configuration: libconfig file, defaults, XDG paths.
 *
 * Lookup order: --config FILE, $MANAGER_CONFIG,
 * $XDG_CONFIG_HOME/manager/manager.conf, $(sysconfdir)/manager.conf
 * (unless $MANAGER_CONFIG_NOSYSTEM is set and not empty), then built-in
 * defaults (the embedded default: data under $XDG_DATA_HOME/manager,
 * state under $XDG_STATE_HOME/manager, caches under
 * $XDG_CACHE_HOME/manager).  Relative paths resolve against the folder of
 * the config file, or against data_directory for the embedded default.
 */
#ifndef MGR_CONF_H
#define MGR_CONF_H

#include <stdio.h>
#include "error.h"

/* Every setting, in one struct; each has an entry in conf.c's key table. */
/* The host registry's heartbeat where several hosts may share the
 * database (a server) and none is configured. */
#define CONF_HEARTBEAT_SERVER_MS 1000

struct mgr_conf {
	char *file;			/* config file read, or NULL */

	/* group "manager": the seed's keys */
	char *plugins_directory;
	char *tasks_directory;
	int auto_enable;
	int hot_reload;
	int sandboxing;
	/* group "manager": ours */
	char *data_directory;		/* database, plugins, tasks, snapshots */
	char *state_directory;		/* logs, API token, hot reload copies */
	char *cache_directory;		/* shadow copies, downloaded packages */
	char *database;
	char *log_level;
	char *log_file;
	char **repositories;		/* folders and https:// URLs, NULL-ended */
	int repository_require_signature; /* refuse unsigned indexes */
	char *repository_ca_file;	/* CAs for https:// repositories */
	int repository_timeout_seconds;	/* connect, and a stalled transfer */
	int repository_retries;		/* more attempts on transient errors */
	int repository_index_max_kb;	/* a remote index.conf at most */
	int archive_max_mb;		/* zip: total uncompressed size */
	int archive_max_entries;
	int archive_max_ratio;		/* zip: uncompressed / compressed */
	int sandbox_cpu_seconds;	/* RLIMIT_CPU of a run, 0 = none */
	int sandbox_memory_mb;		/* RLIMIT_AS of a run, 0 = none */
	int sandbox_open_files;		/* RLIMIT_NOFILE of a run */
	int sandbox_require;		/* refuse plugin runs that the kernel
					 * cannot confine fully */
	int kill_grace_seconds;		/* SIGTERM to SIGKILL */
	int worker_threads;		/* sandboxing = false: pool size */
	int retry_backoff_base;		/* seconds */
	int retry_backoff_cap;		/* seconds */
	int misfire_grace_time;		/* of tasks that set none; 0 = no limit */
	int history_keep_runs;		/* per task */
	int history_max_age_days;
	int output_excerpt_bytes;
	char *task_path;		/* PATH of every run */
	char *task_lang;		/* LANG of every run */
	char *task_sandbox;		/* exec: runs' default: none, strict */
	int log_max_mb;			/* full run logs in total, 0 = none */
	int log_run_max_mb;		/* ... of one attempt */
	int shutdown_grace_seconds;
	int reload_debounce_ms;
	int snapshot_keep;
	int fault_max_crashes;		/* circuit breaker: crashes ... */
	int fault_window_seconds;	/* ... within this window */
	/* Notifications of every task that sets none of its own
	 * (src/tasks/task_hooks.h): actions, NULL = none. */
	char *on_failure, *on_success, *on_recovery, *on_missed, *on_output;
	int notify_timeout;		/* seconds one try may take */
	int notify_retries;		/* more tries of mail and webhooks */
	int max_concurrent_runs;	/* runs at once in all, 0 = no limit */
	/* The host registry (src/engine/hostreg.c). */
	char *host_id;			/* default: the machine's hostname */
	char **host_labels;		/* NULL-ended, or NULL */
	int host_heartbeat_ms;		/* renewal period; 0: the default,
					 * CONF_HEARTBEAT_SERVER_MS on a
					 * database server, none on a file */
	int host_lease_ms;		/* lease, > 2 heartbeats */
	int host_reconnect_max_ms;	/* backoff's longest wait (ms) */
	int host_standby;		/* wait for the lock on a server */
	/* groups { NAME = { max_concurrent = N; }; ... }: the tasks of a
	 * concurrency group run at most N at once. */
	char **group_names;		/* NULL-ended, or NULL */
	int *group_max;			/* ... their max_concurrent */
	/* group "api" */
	char *api_listen;		/* "127.0.0.1:8470", NULL = off */
	char *api_token;
	char *api_token_file;
	int api_max_body_kb;
	int api_connection_timeout;	/* seconds a connection may stay idle */
	int api_max_connections;	/* in total ... */
	int api_max_connections_per_ip;	/* ... and from one address */
	/* group "console" */
	int console_mouse;		/* clicks and the wheel in the console */
};

enum conf_warning_kind { CONF_WARN_UNKNOWN_KEY };

/* Where a value came from, for `manager config show`. */
struct conf_origin {
	const char *key;		/* "manager.plugins_directory" */
	char where[512];		/* "default", "/etc/manager.conf:7" */
};

struct conf_source {
	const char *config_arg;		/* --config, or NULL */
	const char *db_arg;		/* --db, or NULL */
	/* Environment lookups, injectable for tests; NULL means getenv. */
	const char *(*getenv_fn)(void *arg, const char *name);
	void *getenv_arg;
	const char *sysconfdir;		/* NULL: SYSCONFDIR */
	/* Warnings (unknown keys) go here, one line each; may be NULL. */
	FILE *warnings;
};

/* Loads the configuration; *out must be freed with conf_free. */
int conf_load(const struct conf_source *src, struct mgr_conf **out,
	      struct conf_origin **origins, size_t *norigins,
	      struct mgr_error *err);
void conf_free(struct mgr_conf *conf);
/* The max_concurrent of concurrency group name; 0: no limit (none set,
 * or no such group). */
int conf_group_limit(const struct mgr_conf *conf, const char *name);
void conf_origins_free(struct conf_origin *origins, size_t n);

/* The key table, for config show and documentation. */
enum conf_type { CONF_STRING, CONF_INT, CONF_BOOL, CONF_PATH, CONF_LIST };
struct conf_key {
	const char *group;		/* "manager" or "api" */
	const char *name;
	enum conf_type type;
	size_t offset;			/* in struct mgr_conf */
	const char *def;		/* default as text; NULL = unset */
	int min, max;			/* CONF_INT range */
};
extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;
/* Formats a setting's current value as text (malloc'd). */
char *conf_value_text(const struct mgr_conf *conf, const struct conf_key *key);

#endif
