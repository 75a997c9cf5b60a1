/* runlog_prune.c - the logs of the store as one set, whether a file or
 * kept in the history (runlog_store.h): a task's newest log, and
 * retention and the total cap over both, on the store's thread (never
 * the loop's). */
#include "i18n.h"
#include "db.h"
#include "log.h"
#include "runlog.h"
#include "runlog_store.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct logent {
	char *task;			/* its task's folder name */
	char *path;			/* its file; NULL: kept in the history */
	int64_t run_id;			/* ... as the log of this run */
	int64_t scheduled_at;
	int attempt;
	int64_t size;
	int64_t at;			/* µs: written, or its run's end */
	int removed;
};

struct logents {
	struct logent *v;
	size_t n, cap;
};

static struct logent *
ents_add(struct logents *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	memset(&l->v[l->n], 0, sizeof *l->v);
	return &l->v[l->n++];
}

static void
ents_free(struct logents *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].task);
		free(l->v[i].path);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The log files of one task's folder dfd (closed here), named dir. */
static void
scan_task(int dfd, const char *dir, const char *task, struct logents *out)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct logent *f;
	struct stat st;
	long long sched;
	int attempt, used;

	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "%lld-%d.log%n", &sched, &attempt,
		    &used) != 2 || e->d_name[used] != '\0')
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		f = ents_add(out);
		f->task = xstrdup(task);
		f->path = xasprintf("%s/%s", dir, e->d_name);
		f->scheduled_at = (int64_t)sched;
		f->attempt = attempt;
		f->size = (int64_t)st.st_size;
		f->at = (int64_t)st.st_mtim.tv_sec * 1000000 +
		    st.st_mtim.tv_nsec / 1000;
	}
	closedir(d);
}

/* One task's logs, newest run first; then the next task. */
static int
cmp_task_newest(const void *a, const void *b)
{
	const struct logent *x = a, *y = b;
	int c = strcmp(x->task, y->task);

	if (c != 0)
		return c;
	if (x->scheduled_at != y->scheduled_at)
		return x->scheduled_at > y->scheduled_at ? -1 : 1;
	return y->attempt - x->attempt;
}

int
runlog_latest(const char *state_directory, const char *task_id,
	      int64_t *scheduled_at, int *attempt)
{
	char *name = runlog_task_dir(task_id);
	char *dir = xasprintf("%s/logs/%s", state_directory, name);
	struct logents l = { 0 };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc = MGR_ENOENT;

	if (fd != -1)
		scan_task(fd, dir, name, &l);
	if (l.n > 0) {
		sort_array(l.v, l.n, sizeof *l.v, cmp_task_newest);
		*scheduled_at = l.v[0].scheduled_at;
		*attempt = l.v[0].attempt;
		rc = 0;
	}
	ents_free(&l);
	free(dir);
	free(name);
	return rc;
}

/* Every task folder's files; *dirs gets the folders (a strv). */
static void
scan_files(const char *logs_dir, struct logents *out, char ***dirs)
{
	DIR *d = opendir(logs_dir);
	struct dirent *e;
	char *dir;
	int fd;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			continue;
		dir = xasprintf("%s/%s", logs_dir, e->d_name);
		scan_task(fd, dir, e->d_name, out);
		*dirs = strv_push(*dirs, dir);
		free(dir);
	}
	closedir(d);
}

static void
history_add(void *arg, const struct runlog_store_entry *e)
{
	struct logent *f = ents_add(arg);

	f->task = runlog_task_dir(e->task_id);
	f->run_id = e->run_id;
	f->scheduled_at = e->scheduled_at;
	f->attempt = e->attempt;
	f->size = e->bytes;
	f->at = e->ended_at;
}

/* The logs the history keeps, from a connection of this thread's own;
 * NULL (a warning) when it cannot be read: the files are pruned alone. */
static struct mgr_db *
scan_history(const char *db_path, struct logents *out, struct mgr_log *log)
{
	struct mgr_error err = { 0 };
	struct mgr_db *db = NULL;

	if (db_path == NULL)
		return NULL;
	if (db_open(db_path, &db, &err) == 0 &&
	    runlog_store_list(db, history_add, out, &err) == 0)
		return db;
	if (log != NULL)
		log_warning(log, _("run logs: %s"), err.msg);
	if (db != NULL)
		db_close(db);
	return NULL;
}

/* A log goes: its file now, or its run's id to *drop. */
static void
ent_remove(struct logent *e, int64_t **drop, size_t *ndrop)
{
	e->removed = 1;
	if (e->path != NULL) {
		if (unlink(e->path) != 0)
			e->removed = 0;	/* gone already, or not ours */
		return;
	}
	*drop = xrealloc(*drop, (*ndrop + 1) * sizeof **drop);
	(*drop)[(*ndrop)++] = e->run_id;
}

/* Per task: the newest keep_runs logs, none older than max_age_days. */
static void
prune_tasks(struct logents *all, const struct runlog_limits *lim,
	    int64_t now_us, int64_t **drop, size_t *ndrop)
{
	int64_t oldest = now_us - (int64_t)lim->max_age_days * 86400 * 1000000;
	size_t nth = 0;

	sort_array(all->v, all->n, sizeof *all->v, cmp_task_newest);
	for (size_t i = 0; i < all->n; i++) {
		struct logent *e = &all->v[i];

		nth = i > 0 && strcmp(all->v[i - 1].task, e->task) == 0 ?
		    nth + 1 : 0;
		if ((lim->keep_runs > 0 && nth >= (size_t)lim->keep_runs) ||
		    (lim->max_age_days > 0 && e->at < oldest))
			ent_remove(e, drop, ndrop);
	}
}

/* Oldest first. */
static int
cmp_oldest(const void *a, const void *b)
{
	const struct logent *x = *(struct logent *const *)a;
	const struct logent *y = *(struct logent *const *)b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* The total cap over what is left: the oldest go first. */
static void
prune_total(struct logents *all, int64_t max, int64_t **drop, size_t *ndrop)
{
	struct logent **v = xmalloc((all->n + 1) * sizeof *v);
	int64_t total = 0;
	size_t n = 0;

	for (size_t i = 0; i < all->n; i++)
		if (!all->v[i].removed) {
			v[n++] = &all->v[i];
			total += all->v[i].size;
		}
	if (total > max) {
		sort_array(v, n, sizeof *v, cmp_oldest);
		for (size_t i = 0; i < n && total > max; i++) {
			ent_remove(v[i], drop, ndrop);
			if (v[i]->removed)
				total -= v[i]->size;
		}
	}
	free(v);
}

/* The history's logs that went, in one transaction. */
static void
drop_history(struct mgr_db *db, const int64_t *ids, size_t n,
	     struct mgr_log *log)
{
	struct mgr_error err = { 0 };

	if (db == NULL || n == 0)
		return;
	if (db_begin(db, &err) == 0) {
		if (runlog_store_drop(db, ids, n, &err) == 0)
			db_commit(db, &err);
		else
			db_rollback(db);
	}
	if (err.code != 0 && log != NULL)
		log_warning(log, _("run logs: %s"), err.msg);
}

void
runlog_prune(const char *logs_dir, const char *db_path,
	     const struct runlog_limits *lim, int64_t now_us,
	     struct mgr_log *log)
{
	struct logents all = { 0 };
	struct mgr_db *db;
	char **dirs = NULL;
	int64_t *drop = NULL;
	size_t ndrop = 0;

	if (logs_dir != NULL)
		scan_files(logs_dir, &all, &dirs);
	db = scan_history(db_path, &all, log);
	prune_tasks(&all, lim, now_us, &drop, &ndrop);
	if (lim->total_max_bytes > 0)
		prune_total(&all, lim->total_max_bytes, &drop, &ndrop);
	drop_history(db, drop, ndrop, log);
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
		rmdir(dirs[i]);		/* when it is empty */
	if (db != NULL)
		db_close(db);
	strv_free(dirs);
	free(drop);
	ents_free(&all);
}
