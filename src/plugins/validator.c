/* validator.c - manifest, structure, ABI and dependency checks. */
#include "i18n.h"
#include "scheduler.h"
#include "validator.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ELF. */
static int
elf_read_ident(const char *path, unsigned char *buf, size_t size,
	       struct mgr_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return mgr_error_set(err, MGR_ENOENT, _("%s: %s"), path,
		    strerror(errno));
	n = read(fd, buf, size);
	close(fd);
	if (n < (ssize_t)sizeof (Elf32_Ehdr) || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s: not an ELF file "
		    "(a plugin library is a shared object built with cc -shared "
		    "-fPIC)"), path);
	return 0;
}

/* e_type and e_machine sit at the same offsets in both classes. */
static void
elf_type_machine(const unsigned char *buf, unsigned *type, unsigned *machine)
{
	Elf32_Ehdr h;

	memcpy(&h, buf, sizeof h);
	*type = h.e_type;
	*machine = h.e_machine;
}

int
validate_elf(const char *path, struct mgr_error *err)
{
	unsigned char lib[64], self[64];
	unsigned type, machine, self_type, self_machine;
	int rc;

	if ((rc = elf_read_ident(path, lib, sizeof lib, err)) != 0)
		return rc;
	if (elf_read_ident("/proc/self/exe", self, sizeof self, NULL) != 0)
		return 0;	/* no reference to compare with */
	if (lib[EI_CLASS] != self[EI_CLASS])
		return mgr_error_set(err, MGR_EINVAL, _("%s: %d-bit ELF, this "
		    "machine runs %d-bit code"), path,
		    lib[EI_CLASS] == ELFCLASS64 ? 64 : 32,
		    self[EI_CLASS] == ELFCLASS64 ? 64 : 32);
	if (lib[EI_DATA] != self[EI_DATA])
		return mgr_error_set(err, MGR_EINVAL, _("%s: ELF byte order "
		    "differs from this machine's"), path);
	elf_type_machine(lib, &type, &machine);
	elf_type_machine(self, &self_type, &self_machine);
	if (machine != self_machine)
		return mgr_error_set(err, MGR_EINVAL, _("%s: built for ELF machine "
		    "%u, this machine is %u"), path, machine, self_machine);
	if (type != ET_DYN)
		return mgr_error_set(err, MGR_EINVAL, _("%s: not a shared object "
		    "(ELF type %u; build it with cc -shared -fPIC)"), path, type);
	return 0;
}

/* Dependencies. */
static const struct dep_node *
deps_find(const struct dep_node *nodes, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(nodes[i].id, id) == 0)
			return &nodes[i];
	return NULL;
}

void
deps_check(const struct dep_node *nodes, size_t n,
	   const struct dep_node *subject, const char *file,
	   struct mgr_problems *p)
{
	for (size_t i = 0; i < subject->ndeps; i++) {
		const struct dep_spec *d = &subject->deps[i];
		const struct dep_node *have = deps_find(nodes, n, d->id);
		struct semver v;

		if (have == NULL)
			problems_add(p, _("%s: field \"dependencies\": \"%s%s%s\" is "
			    "not installed"), file, d->id, d->text[0] ? " " : "",
			    d->text);
		else if (version_parse(have->version, 1, &v, NULL) != 0 ||
		    !constraint_match(&d->c, &v))
			problems_add(p, _("%s: field \"dependencies\": \"%s %s\" is "
			    "not satisfied by installed version %s"), file, d->id,
			    d->text, have->version);
	}
}

struct dfs {
	const struct dep_node *nodes;
	size_t n;
	int *color;		/* 0 new, 1 on the stack, 2 done */
	size_t *stack;
	size_t depth;
	size_t *order;
	size_t norder;
};

static int
deps_cycle_error(struct dfs *d, size_t to, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0;
	int rc;

	while (i < d->depth && d->stack[i] != to)
		i++;
	for (; i < d->depth; i++)
		strbuf_addf(&sb, "%s -> ", d->nodes[d->stack[i]].id);
	strbuf_adds(&sb, d->nodes[to].id);
	rc = mgr_error_set(err, MGR_EINVAL, _("dependency cycle: %s"), sb.buf);
	strbuf_free(&sb);
	return rc;
}

static int
deps_visit(struct dfs *d, size_t at, struct mgr_error *err)
{
	const struct dep_node *node = &d->nodes[at];
	int rc;

	if (d->color[at] == 2)
		return 0;
	if (d->color[at] == 1)
		return deps_cycle_error(d, at, err);
	d->color[at] = 1;
	d->stack[d->depth++] = at;
	for (size_t i = 0; i < node->ndeps; i++) {
		const struct dep_node *to = deps_find(d->nodes, d->n, node->deps[i].id);
		if (to != NULL && (rc = deps_visit(d, (size_t)(to - d->nodes), err)) != 0)
			return rc;
	}
	d->depth--;
	d->color[at] = 2;
	d->order[d->norder++] = at;
	return 0;
}

int
deps_order(const struct dep_node *nodes, size_t n, size_t *order,
	   struct mgr_error *err)
{
	struct dfs d = { .nodes = nodes, .n = n, .order = order };
	int rc = 0;

	d.color = xcalloc(n + 1, sizeof *d.color);
	d.stack = xcalloc(n + 1, sizeof *d.stack);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = deps_visit(&d, i, err);
	free(d.color);
	free(d.stack);
	return rc;
}

int
deps_from_json(const char *json, struct dep_spec **out, size_t *n,
	       struct mgr_error *err)
{
	json_t *arr = json_loads(json != NULL ? json : "[]", 0, NULL);
	size_t i;
	json_t *v;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return mgr_error_set(err, MGR_EINVAL, _("dependencies: not a JSON "
		    "array: %s"), json != NULL ? json : "");
	}
	*out = xcalloc(json_array_size(arr) + 1, sizeof **out);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		if ((rc = dep_parse(json_string_value(v), &(*out)[*n], err)) != 0)
			break;
		(*n)++;
	}
	json_decref(arr);
	return rc;
}

/* "NAME=VALUE" from the manifest task's trigger fields (JSON object). */
static char **
trigger_fields(const char *json, size_t *n)
{
	json_t *o = json_loads(json != NULL ? json : "{}", 0, NULL);
	const char *key;
	json_t *v;
	char **out = strv_push(NULL, "");	/* never NULL; dropped below */

	*n = 0;
	json_object_foreach(o, key, v) {
		char *f = xasprintf("%s=%s", key, json_string_value(v) != NULL ?
		    json_string_value(v) : "");
		out = strv_push(out, f);
		free(f);
		(*n)++;
	}
	json_decref(o);
	return out;
}

int
manifest_task_rec(const char *plugin_id, const struct manifest_task *mt,
		  struct task_rec *t, struct mgr_error *err)
{
	char **fields;
	size_t n;
	int rc;

	task_rec_init(t);
	t->id = xstrdup(mt->id);
	t->name = xstrdup(mt->name != NULL ? mt->name : mt->id);
	t->func_path = xasprintf("%s:%s", plugin_id, mt->func);
	t->trigger = xstrdup(mt->trigger);
	t->enabled = mt->enabled;
	if (mt->max_retries >= 0)
		t->max_retries = mt->max_retries;
	if (mt->timeout >= 0)
		t->timeout = mt->timeout;
	t->plugin_id = xstrdup(plugin_id);
	t->source = xasprintf("plugin:%s", plugin_id);
	t->status = xstrdup(t->enabled ? "scheduled" : "paused");
	fields = trigger_fields(mt->trigger_args, &n);
	rc = task_prepare(t, (const char *const *)fields + 1, n, err);
	strv_free(fields);
	return rc;
}

static void
validate_tasks(const struct manifest *m, struct mgr_problems *p)
{
	for (size_t i = 0; i < m->ntasks; i++) {
		const struct manifest_task *mt = &m->tasks[i];
		struct mgr_error e = { 0 };
		struct task_rec t;

		if (mt->id == NULL || mt->func == NULL || mt->trigger == NULL)
			continue;	/* reported by manifest_load */
		if (manifest_task_rec(m->id, mt, &t, &e) != 0)
			problems_add(p, "%s:%d: %s", m->file, mt->line, e.msg);
		task_rec_clear(&t);
	}
}

/* Installed plugins depending on subject must accept its version (an
 * upgrade or downgrade must not break them). */
static void
dependents_check(const struct dep_node *nodes, size_t n,
		 const struct dep_node *subject, const char *file,
		 struct mgr_problems *p)
{
	struct semver v;

	if (version_parse(subject->version, 0, &v, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < nodes[i].ndeps; k++) {
			const struct dep_spec *d = &nodes[i].deps[k];
			if (strcmp(d->id, subject->id) == 0 &&
			    !constraint_match(&d->c, &v))
				problems_add(p, _("%s: field \"version\": installed "
				    "plugin %s needs %s %s, which %s does not "
				    "satisfy"), file, nodes[i].id, d->id, d->text,
				    subject->version);
		}
}

/* The graph of installed plugins, with m in place of the same id. */
static void
validate_deps(const struct plugin_rec *installed, size_t ninstalled,
	      const struct manifest *m, struct mgr_problems *p)
{
	struct dep_node *nodes = xcalloc(ninstalled + 1, sizeof *nodes);
	struct dep_spec **specs = xcalloc(ninstalled + 1, sizeof *specs);
	size_t *order, n = 0;
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < ninstalled; i++) {
		if (strcmp(installed[i].id, m->id) == 0)
			continue;
		nodes[n].id = installed[i].id;
		nodes[n].version = installed[i].version;
		deps_from_json(installed[i].dependencies, &specs[n], &nodes[n].ndeps,
		    NULL);
		nodes[n].deps = specs[n];
		n++;
	}
	nodes[n] = (struct dep_node){ m->id, m->version, m->deps, m->ndeps };
	deps_check(nodes, n, &nodes[n], m->file, p);
	dependents_check(nodes, n, &nodes[n], m->file, p);
	order = xcalloc(n + 1, sizeof *order);
	if (deps_order(nodes, n + 1, order, &err) != 0)
		problems_add(p, "%s: %s", m->file, err.msg);
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
	free(nodes);
	free(order);
}

int
validate_plugin_dir(const char *dir, const struct probe_opts *o,
		    const struct plugin_rec *installed, size_t ninstalled,
		    struct manifest *m, struct mgr_problems *p,
		    struct mgr_error *err)
{
	size_t before = p->n;
	struct mgr_error e = { 0 };
	char *lib;
	int rc;

	rc = manifest_load(dir, m, p, err);
	if (rc != 0 && rc != MGR_EINVAL)
		return rc;
	if (m->library != NULL && m->id != NULL && p->n == before) {
		lib = manifest_library_path(m);
		if (validate_elf(lib, &e) != 0)
			problems_add(p, "%s", e.msg);
		else if (o != NULL && o->exe != NULL &&
		    probe_plugin(o, dir, 0, &e) != 0)
			problems_add(p, "%s", e.msg);
		free(lib);
	}
	if (m->id != NULL && m->version != NULL)
		validate_deps(installed, ninstalled, m, p);
	if (m->id != NULL)
		validate_tasks(m, p);
	if (p->n == before)
		return 0;
	return mgr_error_set(err, MGR_EINVAL, "%s", p->msgs[before]);
}
