/* import.h - tasks brought over from other schedulers: crontabs
 * (import_crontab.c) and systemd timers (import_systemd.c), written in
 * one transaction (import.c); and tasks written back as a crontab
 * (cmd-task-export.c).
 *
 * A parser turns a file into a struct import_set: the tasks it would
 * create (each with its trigger fields and execution context and the
 * place it came from), the lines it refused (with file:line and why)
 * and notes on what it took but could not keep exactly.  Nothing here
 * prints; the commands (cmd-task-import.c) say what happened. */
#ifndef MGR_IMPORT_H
#define MGR_IMPORT_H

#include <stddef.h>
#include <stdio.h>
#include "store.h"
#include "task_context.h"
#include "task_hooks.h"

struct mgr;

struct import_task {
	struct task_rec rec;	/* id, func_path, trigger, options, source */
	char **fields;		/* trigger fields, NAME=VALUE, NULL-ended */
	struct task_context ctx;
	/* A crontab's MAILTO as on_output ("mail:ADDRESS", "none" for an
	 * empty one, NULL unset): with owns_output, a re-import sets the
	 * task's on_output to it and keeps its other hooks. */
	struct task_hooks hooks;
	int owns_output;
	int exists;		/* import_prepare found it stored: updated */
	char *ctx_json;		/* task_context_to_json(&ctx), by import_prepare */
	char *where;		/* "FILE:LINE" of the line it comes from */
};

struct import_set {
	struct import_task *v;
	size_t n, cap;
	char **rejected;	/* "FILE:LINE: why", in file order */
	char **notes;		/* "FILE:LINE: what is not kept exactly" */
	size_t nrejected, nnotes;	/* their lengths: a 100,000-line file
					 * is not counted again at each line */
};

void import_set_clear(struct import_set *s);
/* A new task at the end of s, with the defaults of a task and where. */
struct import_task *import_set_add(struct import_set *s, const char *where);
/* Drops the last task (its line was refused after all). */
void import_set_drop_last(struct import_set *s);
/* where NULL: the message names the place itself (an error that starts
 * with its file's name, as read_file's and unit_file_parse's do). */
void import_reject(struct import_set *s, const char *where, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
void import_note(struct import_set *s, const char *where, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

/* Quotes one word for an exec: command line (sandbox.h: exec_split
 * gives it back unchanged).  Malloc'd. */
char *import_exec_quote(const char *word);

/* ---- crontabs (import_crontab.c) ---- */

enum crontab_format { CRONTAB_USER, CRONTAB_SYSTEM };

/* One line of a crontab, as cron reads it. */
enum crontab_kind { CRONTAB_BLANK, CRONTAB_ENV, CRONTAB_JOB };
struct crontab_line {
	enum crontab_kind kind;
	char *name, *value;	/* CRONTAB_ENV: NAME=VALUE, quotes removed */
	char *schedule;		/* CRONTAB_JOB: 5 fields, or "@daily" */
	char *user;		/* the system format's user column */
	char *command;		/* what cron gives the shell (\% is %) */
	char *input;		/* its stdin (% made newlines), or NULL */
};
/* Reads one line (without its newline).  A line cron would refuse is
 * MGR_EINVAL with the reason in err. */
int crontab_line_parse(const char *line, enum crontab_format fmt,
		       struct crontab_line *out, struct mgr_error *err);
void crontab_line_clear(struct crontab_line *l);

/* The text of a crontab (path names it in messages and in the tasks'
 * source); prefix NULL: ids "cron-HASH", else "PREFIX-N". */
void import_crontab(const char *text, const char *path,
		    enum crontab_format fmt, const char *prefix,
		    struct import_set *out);
/* The format a path suggests: system for /etc/crontab and /etc/cron.d/. */
enum crontab_format crontab_format_for(const char *path);

/* ---- systemd timers (import_systemd.c) ---- */

/* One assignment of a unit file. */
struct unit_entry {
	char *section, *key, *value;
	int line;
	char *file;		/* the drop-in it comes from; NULL: the unit */
};
struct unit_file {
	char *path;
	struct unit_entry *v;
	size_t n;
};
/* Parses the text of a unit file (sections, KEY=VALUE, comments, a
 * backslash at the end of a line going on on the next). */
int unit_file_parse(const char *text, const char *path, struct unit_file *out,
		    struct mgr_error *err);
void unit_file_clear(struct unit_file *u);
/* A systemd time span ("1h 30min", "90", "infinity": -1) in µs. */
int unit_timespan(const char *text, int64_t *us, struct mgr_error *err);
/* Splits a command line as systemd does (quotes, C escapes); specifiers
 * must already be resolved.  Errors name the text. */
int unit_split(const char *text, char ***words, struct mgr_error *err);

/* The unit a specifier is resolved for (import_spec.c). */
struct unit_spec {
	const char *name;	/* "backup@x.service" */
	const char *path;	/* its file (a template's for an instance) */
	int user;		/* a user manager's unit (a systemd/user folder) */
};
/* value with its %-specifiers (systemd.unit(5)) resolved as the system
 * manager resolves them when it loads the unit, into *out; a specifier
 * systemd does not know, or whose value changes while the machine runs
 * (%b %v %d) or that a user manager gives its user's value, is
 * MGR_EINVAL naming it and why. */
int unit_specifiers(const struct unit_spec *u, const char *value, char **out,
		    struct mgr_error *err);

/* The unit search path of systemd's system manager, highest priority
 * first: $SYSTEMD_UNIT_PATH (colon-separated; a trailing colon appends
 * the default) or the default (/etc/systemd/system, /run/systemd/system,
 * /usr/lib/systemd/system, ...).  Free with strv_free. */
char **unit_search_path(void);
/* DIR/NAME for the first folder of dirs that holds it, or NULL. */
char *unit_find(char *const *dirs, const char *name);
/* Appends to u the entries of the drop-ins of unit `name` found under
 * dirs (import_dropin.c: systemd's folders and order), each entry
 * naming its file.  A drop-in that cannot be read is refused in s
 * (MGR_* code). */
int unit_read_dropins(struct import_set *s, char *const *dirs,
		      const char *name, struct unit_file *u);

/* Reads TIMER and its service (Unit=, or the same name with .service)
 * with their drop-ins: a path (one with a '/') and the service and
 * drop-ins beside it, or a unit name looked up, with its service and
 * drop-ins, in unit_search_path(); now_us anchors OnBootSec= and the
 * like. */
void import_systemd(const char *timer_path, const char *prefix,
		    int64_t now_us, struct import_set *out);

/* Whether `task import ARGS` (options still in) reads stdin: a crontab
 * given as "-" or not given (cmd_entry.reads_stdin). */
int import_reads_stdin(int argc, char *const *argv);
/* All of f (a command's stdin, cmd_ctx.in) into *text. */
int import_read_stream(FILE *f, char **text, struct mgr_error *err);

/* ---- writing (import.c) ---- */

struct import_result {
	size_t created, updated;
};
/* Validates every task (the id, task_prepare: its trigger, and that
 * no task of another source has its id); a task that fails is moved to
 * s->rejected.  The checks of its context on this host (the user, the
 * program: task_context_check) refuse it too, but only note it in a
 * dry run, which shows what the file gives wherever it is imported. */
void import_prepare(struct mgr *mgr, struct import_set *s, int dry_run);
/* Writes the tasks of s in one transaction, all or none: a task of the
 * same id (and source) is updated, keeping its history and whether it
 * is paused.  The caller tells the scheduler (import_ids). */
int import_commit(struct mgr *mgr, struct import_set *s,
		  struct import_result *res, struct mgr_error *err);
/* The ids of s's tasks, for the scheduler (the strings are s's). */
const char **import_ids(const struct import_set *s);

#endif
