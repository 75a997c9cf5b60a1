/* import_spec.c - the %-specifiers of a systemd unit (systemd.unit(5),
 * "Specifiers") as the system manager resolves them when it loads the
 * unit: the unit's name and its parts, the manager's user (root: %u is
 * not User=), its folders, the machine (host name, machine ID, os-release,
 * architecture).  A task keeps the value of its import, so a specifier
 * whose value changes while the machine runs (%b boot ID, %v kernel
 * release, %d credentials of a running service) is refused, as are those
 * of a user manager (a unit in a systemd/user folder) that depend on its
 * user and those systemd does not know. */
#include "i18n.h"
#include "import.h"
#include "util.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The value of KEY= in an os-release(5)-style file (quotes and
 * backslashes removed); "" when it is not there. */
static char *
env_file_value(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t klen = strlen(key);

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof line, f) != NULL) {
		char *v = line + klen + 1, *w;
		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		v[strcspn(v, "\n")] = '\0';
		for (w = line; *v != '\0'; v++)
			if (*v == '\\' && v[1] != '\0')
				*w++ = *++v;
			else if (*v != '"' && *v != '\'')
				*w++ = *v;
		*w = '\0';
		fclose(f);
		return xstrdup(line);
	}
	fclose(f);
	return xstrdup("");
}

static char *
os_release(const char *key)
{
	char *v = env_file_value("/etc/os-release", key);

	return v != NULL ? v : env_file_value("/usr/lib/os-release", key);
}

static char *
host_name(int dot)
{
	char buf[256] = "";

	if (gethostname(buf, sizeof buf - 1) != 0)
		return NULL;
	if (dot)
		buf[strcspn(buf, ".")] = '\0';
	return xstrdup(buf);
}

static char *
machine_id(void)
{
	char *v = NULL, *text = NULL;
	struct mgr_error err = { 0 };

	if (read_file("/etc/machine-id", &text, NULL, &err) == 0 &&
	    strspn(text, "0123456789abcdef") == 32)
		v = xstrndup(text, 32);
	free(text);
	return v;
}

/* uname's machine as systemd names the architecture (ConditionArchitecture=). */
static char *
architecture(void)
{
	static const char *const names[][2] = { { "x86_64", "x86-64" },
	    { "i386", "x86" }, { "i486", "x86" }, { "i586", "x86" },
	    { "i686", "x86" }, { "aarch64", "arm64" },
	    { "aarch64_be", "arm64-be" }, { "ppc64le", "ppc64-le" },
	    { "ppc64", "ppc64" }, { "ppc", "ppc" }, { "s390x", "s390x" },
	    { "s390", "s390" }, { "riscv64", "riscv64" },
	    { "loongarch64", "loongarch64" }, { "mips64", "mips64" },
	    { "alpha", "alpha" }, { "sparc64", "sparc64" },
	    { "parisc64", "parisc64" }, { "ia64", "ia64" } };
	struct utsname u;

	if (uname(&u) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(u.machine, names[i][0]) == 0)
			return xstrdup(names[i][1]);
	if (strncmp(u.machine, "arm", 3) == 0)
		return xstrdup("arm");
	return NULL;
}

/* systemd's unit_name_unescape: "-" is "/", "\xNN" a byte. */
static char *
unescape(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-')
			strbuf_adds(&sb, "/");
		else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    isxdigit((unsigned char)s[i + 2]) &&
		    isxdigit((unsigned char)s[i + 3])) {
			char c = (char)strtol((char[]){ s[i + 2], s[i + 3], 0 },
			    NULL, 16);
			strbuf_add(&sb, &c, 1);
			i += 3;
		} else
			strbuf_add(&sb, &s[i], 1);
	}
	return strbuf_detach(&sb);
}

/* The parts of a unit's name: "a-b@c.service": prefix "a-b", instance
 * "c", type ".service". */
struct name_parts {
	const char *name;
	size_t base;		/* up to the type suffix */
	size_t prefix;		/* up to the first "@" (or base) */
	const char *inst;	/* after "@", NULL without one */
	size_t inst_len;
};

static void
name_split(const char *name, struct name_parts *p)
{
	const char *dot = strrchr(name, '.'), *at = strchr(name, '@');

	p->name = name;
	p->base = dot != NULL ? (size_t)(dot - name) : strlen(name);
	p->prefix = at != NULL && (size_t)(at - name) < p->base ?
	    (size_t)(at - name) : p->base;
	p->inst = p->prefix < p->base ? name + p->prefix + 1 : NULL;
	p->inst_len = p->inst != NULL ? p->base - p->prefix - 1 : 0;
}

/* %f: "/" and the unescaped instance, else the unescaped prefix. */
static char *
unescaped_path(const char *s, size_t len)
{
	char *u, *v;

	if (len == 1 && *s == '-')
		return xstrdup("/");
	u = unescape(s, len);
	v = xasprintf("%s%s", *u == '/' ? "" : "/", u);
	free(u);
	return v;
}

/* The specifiers of the unit's name (%n %N %p %P %i %I %j %J %f). */
static char *
name_value(const struct name_parts *p, char c)
{
	const char *last;
	size_t j;

	switch (c) {
	case 'n': return xstrdup(p->name);
	case 'N': return xstrndup(p->name, p->base);
	case 'p': return xstrndup(p->name, p->prefix);
	case 'P': return unescape(p->name, p->prefix);
	case 'i': return xstrndup(p->inst != NULL ? p->inst : "", p->inst_len);
	case 'I': return unescape(p->inst != NULL ? p->inst : "", p->inst_len);
	case 'f': return p->inst != NULL && p->inst_len > 0 ?
		    unescaped_path(p->inst, p->inst_len) :
		    unescaped_path(p->name, p->prefix);
	}
	/* %j %J: after the prefix's last "-" */
	for (j = p->prefix, last = p->name; j > 0; j--)
		if (p->name[j - 1] == '-') {
			last = p->name + j;
			break;
		}
	j = p->prefix - (size_t)(last - p->name);
	return c == 'j' ? xstrndup(last, j) : unescape(last, j);
}

/* What the system manager's user and folders give (%u %U %g %G %h %s
 * %t %S %C %L %E %T %V %D). */
static char *
manager_value(char c)
{
	static const char *const fixed[][2] = { { "u", "root" }, { "U", "0" },
	    { "g", "root" }, { "G", "0" }, { "h", "/root" }, { "t", "/run" },
	    { "S", "/var/lib" }, { "C", "/var/cache" }, { "L", "/var/log" },
	    { "E", "/etc" }, { "T", "/tmp" }, { "V", "/var/tmp" },
	    { "D", "/usr/share" } };
	struct passwd *pw;

	if (c == 's') {
		pw = getpwuid(0);
		return xstrdup(pw != NULL && pw->pw_shell[0] != '\0' ?
		    pw->pw_shell : "/bin/sh");
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (fixed[i][0][0] == c)
			return xstrdup(fixed[i][1]);
	return NULL;
}

/* What the machine gives (%H %l %q %m %o %w %W %A %B %M %a). */
static char *
machine_value(char c)
{
	static const char *const os[][2] = { { "o", "ID" },
	    { "w", "VERSION_ID" }, { "W", "VARIANT_ID" },
	    { "A", "IMAGE_VERSION" }, { "B", "BUILD_ID" }, { "M", "IMAGE_ID" } };
	char *v;

	for (size_t i = 0; i < sizeof os / sizeof os[0]; i++)
		if (os[i][0][0] == c)
			return os_release(os[i][1]);
	switch (c) {
	case 'H': return host_name(0);
	case 'l': return host_name(1);
	case 'm': return machine_id();
	case 'a': return architecture();
	case 'q':
		v = env_file_value("/etc/machine-info", "PRETTY_HOSTNAME");
		if (v != NULL && *v != '\0')
			return v;
		free(v);
		return host_name(1);
	}
	return NULL;
}

/* Why specifier c has no value here (NULL: it has one). */
static const char *
spec_refusal(const struct unit_spec *u, char c)
{
	if (c == 'b')
		return _("the boot ID changes at every boot");
	if (c == 'v')
		return _("the kernel release changes with the kernel booted");
	if (c == 'd')
		return _("the credentials folder exists only while the service "
		    "runs");
	if (u->user && strchr("uUgGhstSCLETVD", c) != NULL)
		return _("a user manager's unit (its folder is systemd/user): "
		    "manager resolves specifiers as the system manager does");
	if (c == '\0' || strchr("nNpPiIjJfuUgGhstSCLETVDHlqmowWABMayY%", c) == NULL)
		return _("systemd knows no such specifier");
	return NULL;
}

/* The value of specifier c; NULL with *why when it has none. */
static char *
spec_value(const struct unit_spec *u, char c, const char **why)
{
	struct name_parts p;
	char *v;

	if ((*why = spec_refusal(u, c)) != NULL)
		return NULL;
	name_split(u->name, &p);
	if (c == '%')
		v = xstrdup("%");
	else if (strchr("nNpPiIjJf", c) != NULL)
		v = name_value(&p, c);
	else if (c == 'y' || c == 'Y') {
		char *real = realpath(u->path, NULL);
		v = c == 'y' ? xstrdup(real != NULL ? real : u->path) :
		    path_dirname_abs(real != NULL ? real : u->path);
		free(real);
	} else if ((v = manager_value(c)) == NULL)
		v = machine_value(c);
	if (v == NULL)
		*why = _("it cannot be read on this machine");
	return v;
}

int
unit_specifiers(const struct unit_spec *u, const char *value, char **out,
		struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "");
	for (const char *p = value; *p != '\0'; p++) {
		const char *why;
		char *v;
		if (*p != '%') {
			strbuf_add(&sb, p, 1);
			continue;
		}
		if ((v = spec_value(u, p[1], &why)) == NULL) {
			strbuf_free(&sb);
			return mgr_error_set(err, MGR_EINVAL, _("specifier \"%%%c\" "
			    "cannot be resolved: %s"), p[1] != '\0' ? p[1] : ' ',
			    why);
		}
		strbuf_adds(&sb, v);
		free(v);
		p++;
	}
	*out = strbuf_detach(&sb);
	return 0;
}
