/* functions.c - a plugin's task functions from `manager-run functions`
 * (see functions.h). */
#include "i18n.h"
#include "functions.h"
#include "db.h"
#include "manager.h"
#include "plugins.h"
#include "sandbox.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void
plugin_funcs_clear(struct plugin_funcs *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].summary);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

char *
plugin_funcs_names(const struct plugin_funcs *f)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < f->n; i++)
		strbuf_addf(&sb, "%s%s", i > 0 ? ", " : "", f->v[i].name);
	return sb.len > 0 ? strbuf_detach(&sb) : xstrdup(_("none"));
}

char **
plugin_functions_argv(struct mgr *mgr, const char *id, const char *lib)
{
	const struct mgr_conf *c = mgr->conf;
	char *s = sandbox_helper_path("manager-run", "MANAGER_RUN");
	char **v = strv_push(NULL, s);

	free(s);
	s = xasprintf("--open-files=%d", c->sandbox_open_files);
	v = strv_push(v, s);
	free(s);
	v = strv_push(v, "functions");
	v = strv_push(strv_push(v, "--db"), db_path(mgr->db));
	v = strv_push(strv_push(v, "--lib"), lib);
	v = strv_push(strv_push(v, "--id"), id);
	if (c->sandbox_require)
		v = strv_push(v, "--require");
	return v;
}

/* Reads both pipes to their end, or until the deadline. */
static int
drain(int outfd, int errfd, struct strbuf *out, struct strbuf *err)
{
	struct pollfd p[2] = { { outfd, POLLIN, 0 }, { errfd, POLLIN, 0 } };
	struct strbuf *sb[2] = { out, err };
	int64_t end = mgr_now_us() + PLUGIN_FUNCTIONS_TIMEOUT_S * 1000000LL;
	char buf[4096];
	ssize_t n;

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int64_t left = (end - mgr_now_us()) / 1000;
		if (left <= 0)
			return -1;
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			n = read(p[i].fd, buf, sizeof buf);
			if (n > 0 && sb[i]->len < 1 << 20)
				strbuf_add(sb[i], buf, (size_t)n);
			else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				p[i].fd = -1;
		}
	}
	return 0;
}

static void
parse_lines(char *text, struct plugin_funcs *out)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		out->v[out->n].name = tab != NULL ?
		    xstrndup(line, (size_t)(tab - line)) : xstrdup(line);
		out->v[out->n].summary = xstrdup(tab != NULL ? tab + 1 : "");
		out->n++;
	}
}

int
plugin_functions_parse(const char *id, int status, int timed_out, char *out,
		       const char *errtext, struct plugin_funcs *f,
		       struct mgr_error *err)
{
	size_t len = strlen(errtext);

	while (len > 0 && (errtext[len - 1] == '\n' || errtext[len - 1] == ' '))
		len--;
	if (timed_out)
		return mgr_error_set(err, MGR_EIO, _("plugin %s: listing its "
		    "functions took more than %d s"), id, PLUGIN_FUNCTIONS_TIMEOUT_S);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return mgr_error_set(err, MGR_EIO, _("plugin %s: cannot list its "
		    "functions: %.*s"), id, len > 0 ? (int)len : (int)strlen(
		    _("the helper failed")), len > 0 ? errtext :
		    _("the helper failed"));
	parse_lines(out, f);
	return 0;
}

/* Runs the helper and waits for it; its stdout is the list. */
static int
ask_helper(struct mgr *mgr, const char *id, const char *lib,
	   struct plugin_funcs *out, struct mgr_error *err)
{
	struct strbuf o = STRBUF_INIT, e = STRBUF_INIT;
	char **argv = plugin_functions_argv(mgr, id, lib);
	int outfd, errfd, status = 0, rc, timed_out;
	pid_t pid;

	rc = sandbox_spawn(argv, &pid, &outfd, &errfd, err);
	strv_free(argv);
	if (rc != 0)
		return rc;
	timed_out = drain(outfd, errfd, &o, &e) != 0;
	if (timed_out)
		kill(-pid, SIGKILL);
	close(outfd);
	close(errfd);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	strbuf_add(&o, "", 1);
	strbuf_add(&e, "", 1);
	rc = plugin_functions_parse(id, status, timed_out, o.buf, e.buf, out, err);
	strbuf_free(&o);
	strbuf_free(&e);
	return rc;
}

int
plugin_functions_get(struct mgr *mgr, const struct plugin_rec *rec,
		     struct plugin_funcs *own, const struct plugin_funcs **list,
		     funcs_waited_fn done, void *arg, struct mgr_error *err)
{
	struct funcs_cache *fc = plugins_funcs_cache(mgr);
	char *lib;
	int rc;

	*list = own;
	if (fc != NULL && mgr->loop != NULL) {
		if ((rc = funcs_cache_get(fc, rec, list, err)) != 1)
			return rc;
		if (done != NULL && funcs_cache_wait(fc, rec->id, done, arg) == 0)
			return PLUGINS_LATER;
		/* No listing under way: it could not start (the error) */
		if ((rc = funcs_cache_get(fc, rec, list, err)) != 1)
			return rc;
		/* The helper is never run on the loop: ask again. */
		return mgr_error_set(err, MGR_EBUSY, _("plugin %s: its functions "
		    "are being listed by the engine; ask again in a moment"),
		    rec->id);
	}
	lib = plugin_rec_library(rec);
	rc = ask_helper(mgr, rec->id, lib, own, err);
	free(lib);
	return rc;
}

void
plugin_functions_print(FILE *out, json_t *obj, int rc,
		       const struct plugin_funcs *f, const struct mgr_error *err)
{
	json_t *arr;

	if (rc != 0) {
		if (obj != NULL)
			json_object_set_new(obj, "functions_error", json_string(err->msg));
		else
			fprintf(out, _("functions:    cannot be listed: %s\n"), err->msg);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < f->n; i++) {
		if (obj != NULL)
			json_array_append_new(arr, json_pack("{s:s, s:s}", "name",
			    f->v[i].name, "summary", f->v[i].summary));
		else
			fprintf(out, "%s%-20s %s\n", i == 0 ? _("functions:    ") :
			    "              ", f->v[i].name, f->v[i].summary);
	}
	if (obj != NULL)
		json_object_set_new(obj, "functions", arr);
	else {
		if (f->n == 0)
			fprintf(out, _("functions:    none\n"));
		json_decref(arr);
	}
}

/* A check waiting for the host's list (plugin_func_check_later). */
struct check_wait {
	struct mgr *mgr;
	char *func_path;
	func_checked_fn done;
	void *arg;
};

static void check_waited(void *arg, int gone);

/* ---- a command's memo, where no host keeps the lists ---- */

struct memo_entry {
	char *id;
	int64_t stamp;		/* the row's updated_at when asked */
	int rc;
	struct plugin_funcs funcs;
	char *error;		/* rc != 0 */
};

struct funcs_memo {
	struct memo_entry *v;
	size_t n;
};

static void
funcs_memo_free(void *arg)
{
	struct funcs_memo *m = arg;

	for (size_t i = 0; m != NULL && i < m->n; i++) {
		free(m->v[i].id);
		plugin_funcs_clear(&m->v[i].funcs);
		free(m->v[i].error);
	}
	if (m != NULL)
		free(m->v);
	free(m);
}

/* e (id set) asked of the helper for rec. */
static void
memo_fill(struct mgr *mgr, struct memo_entry *e, const struct plugin_rec *rec)
{
	struct mgr_error err = { 0 };
	char *lib = plugin_rec_library(rec);

	plugin_funcs_clear(&e->funcs);
	free(e->error);
	e->error = NULL;
	e->stamp = rec->updated_at;
	if ((e->rc = ask_helper(mgr, rec->id, lib, &e->funcs, &err)) != 0)
		e->error = xstrdup(err.msg);
	free(lib);
}

/* rec's functions for a check without a host's lists: the helper asked
 * once per plugin (and version of its row) and command: a file of
 * 10,000 lines naming one plugin loads its library once, not 10,000
 * times; its answer, error too. */
static int
memo_list(struct mgr *mgr, const struct plugin_rec *rec,
	  const struct plugin_funcs **list, struct mgr_error *err)
{
	struct funcs_memo *m = mgr->funcs_memo;
	struct memo_entry *e = NULL;

	if (m == NULL) {
		m = mgr->funcs_memo = xcalloc(1, sizeof *m);
		mgr->funcs_memo_free = funcs_memo_free;
	}
	for (size_t i = 0; i < m->n && e == NULL; i++)
		if (strcmp(m->v[i].id, rec->id) == 0)
			e = &m->v[i];
	if (e == NULL) {
		m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
		e = &m->v[m->n++];
		memset(e, 0, sizeof *e);
		e->id = xstrdup(rec->id);
		memo_fill(mgr, e, rec);
	} else if (e->stamp != rec->updated_at)
		memo_fill(mgr, e, rec);
	*list = &e->funcs;
	if (e->rc != 0)
		return mgr_error_set(err, e->rc, "%s", e->error);
	return 0;
}

/* The functions of plugin (installed: rec), for a check: on a host, the
 * list its cache filled off the loop (*cached); while the list is not
 * there yet, with wait, PLUGINS_LATER once wait waits for it; without a
 * host's lists, the command's memo (memo_list); on a host without wait,
 * asked of the helper now (into own). */
static int
check_list(struct mgr *mgr, const struct plugin_rec *rec,
	   struct plugin_funcs *own, const struct plugin_funcs **list,
	   struct check_wait *wait, struct mgr_error *err)
{
	struct funcs_cache *fc = plugins_funcs_cache(mgr);
	char *lib;
	int rc;

	if (fc == NULL)
		return memo_list(mgr, rec, list, err);
	if ((rc = funcs_cache_get(fc, rec, list, err)) != 1)
		return rc;
	if (wait != NULL) {
		if (funcs_cache_wait(fc, rec->id, check_waited, wait) == 0)
			return PLUGINS_LATER;
		/* No listing under way: it could not start (the error) */
		if ((rc = funcs_cache_get(fc, rec, list, err)) != 1)
			return rc;
	}
	lib = plugin_rec_library(rec);
	rc = ask_helper(mgr, rec->id, lib, own, err);
	free(lib);
	*list = own;
	return rc;
}

static int
check_in(const char *plugin, const struct plugin_funcs *f, const char *name,
	 struct mgr_error *err)
{
	char *names;
	int found = 0;

	for (size_t i = 0; i < f->n; i++)
		found |= strcmp(f->v[i].name, name) == 0;
	if (found)
		return 0;
	names = plugin_funcs_names(f);
	mgr_error_set(err, MGR_EINVAL, _("plugin %s has no task function "
	    "\"%s\"; its functions: %s"), plugin, name, names);
	free(names);
	return MGR_EINVAL;
}

/* plugin_func_check; with wait, PLUGINS_LATER when it waits for the
 * host's list. */
static int
func_check(struct mgr *mgr, const char *func_path, int *missing,
	   struct check_wait *wait, struct mgr_error *err)
{
	struct plugin_funcs own = { 0 };
	const struct plugin_funcs *f = NULL;
	struct plugin_rec rec;
	const char *colon;
	char **words = NULL, *plugin;
	int rc;

	*missing = 0;
	if (strncmp(func_path, "exec:", 5) == 0 ||
	    exec_split(func_path, &words, err) != 0 ||
	    (colon = strchr(words[0], ':')) == NULL) {
		strv_free(words);
		return 0;	/* the task's own checks say what is wrong */
	}
	plugin = xstrndup(words[0], (size_t)(colon - words[0]));
	memset(&rec, 0, sizeof rec);
	rc = plugin_store_read(mgr->db, plugin, &rec, err);
	if (rc == MGR_ENOENT) {
		mgr_error_clear(err);
		*missing = 1;
		rc = 0;
	} else if (rc == 0 && (rc = check_list(mgr, &rec, &own, &f, wait,
	    err)) == 0)
		rc = check_in(plugin, f, colon + 1, err);
	plugin_funcs_clear(&own);
	plugin_rec_clear(&rec);
	free(plugin);
	strv_free(words);
	return rc;
}

int
plugin_func_check(struct mgr *mgr, const char *func_path, int *missing,
		  struct mgr_error *err)
{
	return func_check(mgr, func_path, missing, NULL, err);
}

static void
check_wait_free(struct check_wait *w)
{
	free(w->func_path);
	free(w);
}

/* The list w waited for is in the cache (or the engine stops): checked
 * now, or waited for again when the row changed meanwhile. */
static void
check_waited(void *arg, int gone)
{
	struct check_wait *w = arg;
	struct mgr_error err = { 0 };
	int missing = 0, rc;

	if (gone)
		rc = mgr_error_set(&err, MGR_EBUSY, _("%s: the engine stopped "
		    "before the plugin's functions were listed"), w->func_path);
	else if ((rc = func_check(w->mgr, w->func_path, &missing, w, &err)) ==
	    PLUGINS_LATER)
		return;
	w->done(w->arg, rc, missing, &err);
	check_wait_free(w);
}

int
plugin_func_check_later(struct mgr *mgr, const char *func_path, int *missing,
			func_checked_fn done, void *arg, struct mgr_error *err)
{
	struct check_wait *w = xcalloc(1, sizeof *w);
	int rc;

	w->mgr = mgr;
	w->func_path = xstrdup(func_path);
	w->done = done;
	w->arg = arg;
	if ((rc = func_check(mgr, func_path, missing, w, err)) != PLUGINS_LATER)
		check_wait_free(w);
	return rc;
}
