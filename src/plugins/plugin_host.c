/* plugin_host.c - the host services table given to plugins, and task
 * contexts. */
#include "i18n.h"
#include "plugin_host.h"
#include "util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct host_hook {
	char *event;
	mgr_hook_fn fn;
	void *arg;
};

struct host_route {
	char *method;
	char *path;
	mgr_route_fn fn;
	void *arg;
};

struct plugin_host {
	mgr_host pub;			/* first: handles convert back */
	char *id;
	struct mgr_log *log;
	pthread_mutex_t state_lock;	/* serializes the remote's calls */
	char **config_keys;		/* flattened "a.b" names ... */
	char **config_values;		/* ... and their values as text */
	struct host_hook *hooks;
	size_t nhooks;
	struct host_route *routes;
	size_t nroutes;
	const struct plugin_host_remote *remote;	/* or NULL */
};

struct task_ctx {
	mgr_task_ctx pub;		/* first: handles convert back */
	struct plugin_host *host;
	char **args;
	int64_t deadline_us;
	atomic_int cancelled;
	size_t output_max;
	struct strbuf output;
	int truncated;
	int output_fd;
};

static const struct mgr_host_api host_api;

static struct plugin_host *
host_of(mgr_host *handle)
{
	return (struct plugin_host *)handle;
}

static struct task_ctx *
ctx_of(mgr_task_ctx *handle)
{
	return (struct task_ctx *)handle;
}

/* Config: the manifest's "config" object flattened to text values. */
static char *
config_value_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void
config_flatten(struct plugin_host *h, json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char *name = prefix != NULL ? xasprintf("%s.%s", prefix, key) :
		    xstrdup(key);
		if (json_is_object(v))
			config_flatten(h, v, name);
		else {
			char *text = config_value_text(v);
			h->config_keys = strv_push(h->config_keys, name);
			h->config_values = strv_push(h->config_values,
			    text != NULL ? text : "");
			free(text);
		}
		free(name);
	}
}

static void
host_load_config(struct plugin_host *h, const char *manifest_json)
{
	json_t *root, *config;

	h->config_keys = strv_push(NULL, "");	/* never NULL */
	h->config_values = strv_push(NULL, "");
	if (manifest_json == NULL)
		return;
	root = json_loads(manifest_json, 0, NULL);
	config = json_object_get(root, "config");
	if (json_is_object(config))
		config_flatten(h, config, NULL);
	json_decref(root);
}

struct plugin_host *
plugin_host_new(struct mgr_log *log, const char *plugin_id,
		const char *manifest_json)
{
	struct plugin_host *h = xcalloc(1, sizeof *h);

	h->pub.api = &host_api;
	h->id = xstrdup(plugin_id);
	h->log = log;
	pthread_mutex_init(&h->state_lock, NULL);
	host_load_config(h, manifest_json);
	return h;
}

void
plugin_host_clear_registrations(struct plugin_host *h)
{
	for (size_t i = 0; i < h->nhooks; i++)
		free(h->hooks[i].event);
	for (size_t i = 0; i < h->nroutes; i++) {
		free(h->routes[i].method);
		free(h->routes[i].path);
	}
	free(h->hooks);
	free(h->routes);
	h->hooks = NULL;
	h->routes = NULL;
	h->nhooks = h->nroutes = 0;
}

void
plugin_host_free(struct plugin_host *h)
{
	if (h == NULL)
		return;
	plugin_host_clear_registrations(h);
	if (h->remote != NULL && h->remote->release != NULL)
		h->remote->release(h->remote->arg);
	pthread_mutex_destroy(&h->state_lock);
	strv_free(h->config_keys);
	strv_free(h->config_values);
	free(h->id);
	free(h);
}

void
plugin_host_set_remote(struct plugin_host *h,
		       const struct plugin_host_remote *remote)
{
	h->remote = remote;
}

mgr_host *
plugin_host_handle(struct plugin_host *h)
{
	return &h->pub;
}

struct plugin_host *
plugin_host_from_handle(mgr_host *handle)
{
	return host_of(handle);
}

const char *
plugin_host_id(const struct plugin_host *h)
{
	return h->id;
}

size_t
plugin_host_hook_count(const struct plugin_host *h)
{
	return h->nhooks;
}

size_t
plugin_host_route_count(const struct plugin_host *h)
{
	return h->nroutes;
}

void
plugin_host_emit(struct plugin_host *h, const char *event, const char *subject,
		 const char *message)
{
	for (size_t i = 0; i < h->nhooks; i++) {
		struct host_hook *k = &h->hooks[i];
		if (strcmp(k->event, "*") == 0 || strcmp(k->event, event) == 0)
			k->fn(&h->pub, event, subject, message, k->arg);
	}
}

int
plugin_host_route(struct plugin_host *h, const char *method, const char *path,
		  const char *body, char **out_body, int *status)
{
	for (size_t i = 0; i < h->nroutes; i++) {
		struct host_route *r = &h->routes[i];
		if (strcasecmp(r->method, method) != 0 || strcmp(r->path, path) != 0)
			continue;
		*out_body = NULL;
		*status = r->fn(&h->pub, method, path, body, out_body, r->arg);
		return 0;
	}
	return MGR_ENOENT;
}

/* The methods of the routes registered for path, ", "-separated, into
 * buf (empty when none). */
void
plugin_host_route_methods(const struct plugin_host *h, const char *path,
			  char *buf, size_t size)
{
	size_t len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < h->nroutes && len < size; i++) {
		const struct host_route *r = &h->routes[i];
		int n;
		if (strcmp(r->path, path) != 0)
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "",
		    r->method);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* One line a registration, "hook\tEVENT" or "route\tMETHOD\tPATH", for
 * a host worker's engine (host_worker.h); names with a tab or a line
 * break cannot be told apart there and are left out. */
static int
plain(const char *s)
{
	return strpbrk(s, "\t\n\r") == NULL;
}

char *
plugin_host_registrations(const struct plugin_host *h)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "");
	for (size_t i = 0; i < h->nhooks; i++)
		if (plain(h->hooks[i].event))
			strbuf_addf(&sb, "hook\t%s\n", h->hooks[i].event);
	for (size_t i = 0; i < h->nroutes; i++)
		if (plain(h->routes[i].method) && plain(h->routes[i].path))
			strbuf_addf(&sb, "route\t%s\t%s\n", h->routes[i].method,
			    h->routes[i].path);
	return strbuf_detach(&sb);
}

/* The services table. */
static enum log_level
host_log_level(enum mgr_log_level level)
{
	switch (level) {
	case MGR_LOG_ERROR:	return LOG_LVL_ERROR;
	case MGR_LOG_WARNING:	return LOG_LVL_WARNING;
	case MGR_LOG_INFO:	return LOG_LVL_INFO;
	default:		return LOG_LVL_DEBUG;
	}
}

static void __attribute__((format(printf, 3, 4)))
api_log(mgr_host *handle, enum mgr_log_level level, const char *fmt, ...)
{
	struct plugin_host *h = host_of(handle);
	va_list ap;
	char *msg;

	if (h->log == NULL && h->remote == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	if (h->remote != NULL && h->remote->log != NULL) {
		pthread_mutex_lock(&h->state_lock);
		h->remote->log(h->remote->arg, level, msg);
		pthread_mutex_unlock(&h->state_lock);
		free(msg);
		return;
	}
	log_msg(h->log, host_log_level(level), "plugin %s: %s", h->id, msg);
	free(msg);
}

static char *
api_state_get(mgr_host *handle, const char *key)
{
	struct plugin_host *h = host_of(handle);
	char *value = NULL;

	if (key == NULL || h->remote == NULL)
		return NULL;
	pthread_mutex_lock(&h->state_lock);
	value = h->remote->state_get(h->remote->arg, key);
	pthread_mutex_unlock(&h->state_lock);
	return value;
}

static int
api_state_set(mgr_host *handle, const char *key, const char *value)
{
	struct plugin_host *h = host_of(handle);
	int rc;

	if (key == NULL || value == NULL || h->remote == NULL)
		return -1;
	pthread_mutex_lock(&h->state_lock);
	rc = h->remote->state_set(h->remote->arg, key, value);
	pthread_mutex_unlock(&h->state_lock);
	return rc != 0 ? -1 : 0;
}

static void
api_free_string(mgr_host *handle, char *s)
{
	(void)handle;
	free(s);
}

static char *
api_alloc_string(mgr_host *handle, const char *s)
{
	(void)handle;
	return s != NULL ? strdup(s) : NULL;
}

static const char *
api_config_get(mgr_host *handle, const char *key)
{
	struct plugin_host *h = host_of(handle);

	/* Index 0 is the "" placeholder that keeps the vectors non-NULL. */
	for (size_t i = 1; key != NULL && h->config_keys[i] != NULL; i++)
		if (strcmp(h->config_keys[i], key) == 0)
			return h->config_values[i];
	return NULL;
}

static int
api_hook_register(mgr_host *handle, const char *event, mgr_hook_fn fn,
		  void *arg)
{
	struct plugin_host *h = host_of(handle);

	if (event == NULL || fn == NULL)
		return -1;
	h->hooks = xrealloc(h->hooks, (h->nhooks + 1) * sizeof *h->hooks);
	h->hooks[h->nhooks++] = (struct host_hook){ xstrdup(event), fn, arg };
	return 0;
}

static int
api_route_register(mgr_host *handle, const char *method, const char *path,
		   mgr_route_fn fn, void *arg)
{
	struct plugin_host *h = host_of(handle);

	if (method == NULL || path == NULL || fn == NULL)
		return -1;
	h->routes = xrealloc(h->routes, (h->nroutes + 1) * sizeof *h->routes);
	h->routes[h->nroutes++] = (struct host_route){ xstrdup(method),
	    xstrdup(path[0] == '/' ? path + 1 : path), fn, arg };
	return 0;
}

static const char *
api_task_arg(mgr_task_ctx *handle, const char *name)
{
	struct task_ctx *c = ctx_of(handle);
	size_t len;

	if (name == NULL || c->args == NULL)
		return NULL;
	len = strlen(name);
	for (size_t i = 0; c->args[i] != NULL; i++)
		if (strncmp(c->args[i], name, len) == 0 && c->args[i][len] == '=')
			return c->args[i] + len + 1;
	return NULL;
}

static int
api_task_cancelled(mgr_task_ctx *handle)
{
	return atomic_load(&ctx_of(handle)->cancelled) != 0;
}

static int64_t
api_task_deadline(mgr_task_ctx *handle)
{
	return ctx_of(handle)->deadline_us;
}

static void
ctx_write_fd(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void __attribute__((format(printf, 2, 3)))
api_task_output(mgr_task_ctx *handle, const char *fmt, ...)
{
	struct task_ctx *c = ctx_of(handle);
	va_list ap;
	char *text;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (c->output_fd >= 0)
		ctx_write_fd(c->output_fd, text, (size_t)len);
	if (c->output.len + (size_t)len <= c->output_max)
		strbuf_add(&c->output, text, (size_t)len);
	else if (!c->truncated) {
		strbuf_add(&c->output, text, c->output_max - c->output.len);
		strbuf_adds(&c->output, "\n[output truncated]\n");
		c->truncated = 1;
	}
	free(text);
}

static const struct mgr_host_api host_api = {
	.abi_version = MGR_PLUGIN_ABI_VERSION,
	.size = sizeof (struct mgr_host_api),
	.log = api_log,
	.state_get = api_state_get,
	.state_set = api_state_set,
	.free_string = api_free_string,
	.config_get = api_config_get,
	.hook_register = api_hook_register,
	.route_register = api_route_register,
	.alloc_string = api_alloc_string,
	.task_arg = api_task_arg,
	.task_cancelled = api_task_cancelled,
	.task_deadline = api_task_deadline,
	.task_output = api_task_output,
};

/* Task contexts. */
struct task_ctx *
task_ctx_new(struct plugin_host *h, char *const *args, int64_t deadline_us,
	     size_t output_max)
{
	struct task_ctx *c = xcalloc(1, sizeof *c);

	c->pub.api = &host_api;
	c->pub.host = h != NULL ? &h->pub : NULL;
	c->host = h;
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		c->args = strv_push(c->args, args[i]);
	c->deadline_us = deadline_us;
	atomic_init(&c->cancelled, 0);
	c->output_max = output_max;
	c->output_fd = -1;
	strbuf_adds(&c->output, "");
	return c;
}

mgr_task_ctx *
task_ctx_handle(struct task_ctx *c)
{
	return &c->pub;
}

void
task_ctx_cancel(struct task_ctx *c)
{
	atomic_store(&c->cancelled, 1);
}

int
task_ctx_is_cancelled(const struct task_ctx *c)
{
	return atomic_load(&((struct task_ctx *)c)->cancelled) != 0;
}

const char *
task_ctx_output(const struct task_ctx *c)
{
	return c->output.buf != NULL ? c->output.buf : "";
}

void
task_ctx_set_output_fd(struct task_ctx *c, int fd)
{
	c->output_fd = fd;
}

void
task_ctx_free(struct task_ctx *c)
{
	if (c == NULL)
		return;
	strv_free(c->args);
	strbuf_free(&c->output);
	free(c);
}
