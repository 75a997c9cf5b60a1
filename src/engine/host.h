/* host.h - the engine host's state (internal to the engine's files). */
#ifndef MGR_HOST_H
#define MGR_HOST_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include "hostprobe.h"

struct mgr;
struct heartbeat;
struct control;
struct api;

struct host {
	struct db_host_lock *lock;	/* the store's one-host lock */
	char *kind;
	int64_t started_at;
	int started;			/* engine_start done */
	int stopping;			/* engine_shutdown called */
	int own_loop_break;		/* done == NULL: break the loop */
	void (*done)(struct mgr *mgr);
	struct control *control;	/* control.c: commands watcher */
	struct api *api;		/* api.c: HTTP server, or NULL */
	ev_signal sigterm, sigint, sighup;
	ev_periodic housekeeping;	/* the commands table's pruning */
	ev_idle finish;			/* calls done from the loop */
	/* hostreg.c: this host in the registry (hosts_store.h) */
	char *host_id;			/* NULL: not registered */
	int64_t epoch;
	struct heartbeat *hb;		/* renews on its thread; NULL: none */
	ev_async report;		/* the heartbeat's thread says */
	ev_timer fence_clock;		/* every host_heartbeat_ms */
	int64_t renewed_mono;		/* last good renewal, mgr_mono_us */
	int64_t lease_us;		/* the lease it asked for */
	unsigned fences;		/* the heartbeat's fences seen */
	int renew_fenced;		/* a renewal matched no row */
	int64_t drain_mono;		/* this host's last `host drain` */
	int self_fenced;		/* renewed_mono older than 0.8 lease */
	int draining;			/* `host drain` */
	int held;			/* what the scheduler was told */
	int lock_lost;			/* another host fenced this one */
	int64_t down_since;		/* the database out of reach since
					 * (mgr_now_us; 0: reachable) */
	int64_t retry_mono;		/* the heartbeat's next try */
	int loop_lost;			/* the loop's connection not back yet */
	int64_t loop_lost_mono;		/* when that was found */
	int loop_said;			/* its failure to reconnect, said */
	int probe;			/* an outage ended: try the loop's */
	int rewatch;			/* ... and then watch commands anew */
	/* reload.c: who asked for the reload going on (its task files are
	 * read off the loop), and who asked since. */
	struct engine_reload_req *reloading, *reload_queue;
};

/* hostreg.c: registers (a new epoch) and starts renewing the lease. */
int hostreg_start(struct mgr *mgr, struct mgr_error *err);
/* Stops renewing; the row becomes `left` (a clean stop). */
void hostreg_stop(struct mgr *mgr);
/* The heartbeat in force (ms) and the lease (us); 0: none. */
int hostreg_beat_ms(const struct mgr *mgr);
int64_t hostreg_lease_us(const struct mgr *mgr);
/* host_labels as a JSON array (malloc'd). */
struct mgr_conf;
char *hostreg_labels_json(const struct mgr_conf *conf);

/* control.c: the host side of the control plane. */
int control_start(struct mgr *mgr, struct control **out, struct mgr_error *err);
/* Watches for commands on a new connection (the database was out of
 * reach), and carries out those pending. */
void control_rewatch(struct control *c);
/* Stops watching for commands (shutdown: stop taking work). */
void control_pause(struct control *c);
void control_free(struct control *c);
/* Carries out every pending command now. */
void control_drain(struct mgr *mgr, struct control *c);
/* Deletes answered commands older than a day. */
void control_prune(struct mgr *mgr);
/* api.c */
struct mgr_conf;
/* reload.c: the reloads asked for during a bulk command's transaction
 * start (engine.c, once it is over). */
void engine_reload_resume(struct mgr *mgr);
/* reload.c: whether the api group differs (the server must restart). */
struct mgr_conf;
int engine_api_settings_changed(const struct mgr_conf *a,
				const struct mgr_conf *b);
/* MANAGER_COMMAND_TIMEOUT (seconds) in ms; 30000 when unset or invalid. */
int engine_command_timeout_ms(void);

#endif
