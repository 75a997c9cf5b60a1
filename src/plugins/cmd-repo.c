/* cmd-repo.c - manager repo keygen|index|sign|key|list|update: publishing
 * and trusting package repositories (repository.h, signature.h). */
#include "i18n.h"
#include "archive.h"
#include "cmd.h"
#include "conf.h"
#include "installer.h"
#include "manager.h"
#include "manifest.h"
#include "package_index.h"
#include "repository.h"
#include "signature.h"
#include "timefmt.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Creates path exclusively with mode and writes text. */
static int
write_new(const char *path, const char *text, mode_t mode, struct mgr_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(text);
	int ok;

	if (fd < 0)
		return mgr_error_set(err, errno == EEXIST ? MGR_EEXIST : MGR_EIO,
		    "%s: %s", path, strerror(errno));
	ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		int e = errno;
		unlink(path);
		return mgr_error_set(err, MGR_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}

static int
repo_keygen_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *name = args->argv[0];
	struct mgr_error err = { 0 };
	struct sig_seckey sk;
	struct sig_pubkey pk;
	char *pub = xasprintf("%s.pub", name), *st, *pt, id[17];
	int rc;

	if ((rc = sig_keygen(&sk, &err)) == 0) {
		sig_seckey_public(&sk, &pk);
		st = sig_seckey_format(&sk);
		pt = sig_pubkey_format(&pk);
		if ((rc = write_new(name, st, 0600, &err)) == 0 &&
		    (rc = write_new(pub, pt, 0644, &err)) != 0)
			unlink(name);
		explicit_bzero(st, strlen(st));
		explicit_bzero(&sk, sizeof sk);
		free(st);
		free(pt);
	}
	if (rc != 0) {
		free(pub);
		return cmd_fail(ctx, err.code, err.msg);
	}
	sig_keyid_hex(pk.keyid, id);
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:s, s:s, s:s}", "key_id", id,
		    "secret_key", name, "public_key", pub));
	else
		fprintf(ctx->out, _("key %s: secret key %s (keep it private), "
		    "public key %s\n"), id, name, pub);
	free(pub);
	return CMD_EXIT_OK;
}

/* The manifest inside a plugin archive, extracted safely in a temporary
 * folder (the archive limits of the configuration apply). */
static int
zip_manifest(struct mgr *mgr, const char *zip, struct manifest *m,
	     struct mgr_error *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char *dir = xasprintf("%s/manager-index-XXXXXX", tmpdir != NULL &&
	    tmpdir[0] != '\0' ? tmpdir : "/tmp"), *root = NULL;
	struct archive_limits lim = {
		(uint64_t)mgr->conf->archive_max_mb << 20,
		(uint64_t)mgr->conf->archive_max_entries,
		(uint64_t)mgr->conf->archive_max_ratio };
	struct mgr_problems p = { 0 };
	int rc;

	memset(m, 0, sizeof *m);
	if (mkdtemp(dir) == NULL) {
		rc = mgr_error_set(err, MGR_EIO, "%s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	if ((rc = archive_extract(zip, dir, &lim, err)) == 0 &&
	    (rc = installer_find_root(dir, &root, err)) == 0 &&
	    (rc = manifest_load(root, m, &p, err)) != 0)
		mgr_error_prefix(err, "%s", zip);
	problems_free(&p);
	rm_rf(dir, NULL);
	free(root);
	free(dir);
	return rc;
}

/* A libconfig string literal of s. */
static void
conf_quote(struct strbuf *sb, const char *s)
{
	strbuf_adds(sb, "\"");
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_add(sb, "\\", 1);
		if ((unsigned char)*s < 0x20)
			strbuf_addf(sb, "\\x%02x", (unsigned char)*s);
		else
			strbuf_add(sb, s, 1);
	}
	strbuf_adds(sb, "\"");
}

static int
index_entry(struct mgr *mgr, const char *folder, const char *name,
	    struct strbuf *sb, struct mgr_error *err)
{
	char *zip = xasprintf("%s/%s", folder, name), sum[65];
	json_t *deps, *v;
	struct manifest m;
	size_t i;
	int rc;

	if ((rc = sha256_file(zip, sum, err)) != 0 ||
	    (rc = zip_manifest(mgr, zip, &m, err)) != 0) {
		free(zip);
		return rc;
	}
	strbuf_adds(sb, "  { id = ");
	conf_quote(sb, m.id);
	strbuf_adds(sb, "; version = ");
	conf_quote(sb, m.version);
	strbuf_adds(sb, ";\n    archive = ");
	conf_quote(sb, name);
	strbuf_addf(sb, ";\n    sha256 = \"%s\";\n    name = ", sum);
	conf_quote(sb, m.name);
	strbuf_adds(sb, "; description = ");
	conf_quote(sb, m.description);
	strbuf_adds(sb, ";\n    dependencies = [");
	deps = json_loads(m.deps_json != NULL ? m.deps_json : "[]", 0, NULL);
	json_array_foreach(deps, i, v) {
		strbuf_adds(sb, i > 0 ? ", " : " ");
		conf_quote(sb, json_string_value(v));
	}
	json_decref(deps);
	strbuf_adds(sb, " ]; }");
	manifest_clear(&m);
	free(zip);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .zip files of folder, sorted (so that the index is reproducible). */
static char **
zip_names(const char *folder, size_t *n)
{
	char **v = NULL;
	struct dirent *d;
	DIR *dp = opendir(folder);

	*n = 0;
	while (dp != NULL && (d = readdir(dp)) != NULL) {
		size_t l = strlen(d->d_name);
		if (l > 4 && strcmp(d->d_name + l - 4, ".zip") == 0 &&
		    d->d_name[0] != '.')
			v = strv_push(v, d->d_name);
	}
	if (dp != NULL)
		closedir(dp);
	*n = strv_len(v);
	if (*n > 1)
		qsort(v, *n, sizeof *v, name_cmp);
	return v;
}

static int
repo_index_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *folder = args->argv[0];
	struct strbuf sb = { 0 };
	struct mgr_error err = { 0 };
	struct pkg_entry *check;
	size_t n, nc;
	char **names = zip_names(folder, &n), *file, *text;
	int rc = 0;

	if (names == NULL && access(folder, R_OK | X_OK) != 0)
		return cmd_fail(ctx, MGR_ENOENT, strerror(errno));
	strbuf_adds(&sb, "# Written by manager repo index; sign it with "
	    "manager repo sign.\npackages = (\n");
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = index_entry(ctx->mgr, folder, names[i], &sb, &err);
		strbuf_adds(&sb, i + 1 < n ? ",\n" : "\n");
	}
	strbuf_adds(&sb, ");\n");
	text = strbuf_detach(&sb);
	file = xasprintf("%s/%s", folder, PACKAGE_INDEX_FILE);
	/* What is written must read back: check it before it replaces
	 * the old index. */
	if (rc == 0 && (rc = package_index_parse(text, file, folder, NULL, NULL,
	    &check, &nc, &err)) == 0) {
		pkg_entries_free(check, nc);
		char *tmp = xasprintf("%s.new", file);
		unlink(tmp);
		if ((rc = write_new(tmp, text, 0644, &err)) == 0 &&
		    rename(tmp, file) != 0)
			rc = mgr_error_set(&err, MGR_EIO, "%s: %s", file,
			    strerror(errno));
		free(tmp);
	}
	free(text);
	strv_free(names);
	if (rc != 0) {
		free(file);
		return cmd_fail(ctx, err.code, err.msg);
	}
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:s, s:i}", "index", file,
		    "packages", (int)n));
	else
		fprintf(ctx->out, ngettext("%s: %zu package\n",
		    "%s: %zu packages\n", n), file, n);
	free(file);
	return CMD_EXIT_OK;
}

/* SOURCE_DATE_EPOCH, when set, is the signing time (reproducible builds;
 * the tests sign old indexes with it). */
static long long
sign_time(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (s != NULL && *s != '\0') {
		v = strtoll(s, &end, 10);
		if (*end == '\0' && v > 0)
			return v;
	}
	return (long long)time(NULL);
}

static int
sign_write(struct cmd_ctx *ctx, const char *folder, const char *keyfile,
	   long long days, char **sigfile, long long *expires,
	   struct mgr_error *err)
{
	char *file = xasprintf("%s/%s", folder, PACKAGE_INDEX_FILE);
	char *index = NULL, *ktext = NULL, *sig = NULL, *tmp;
	struct pkg_entry *check;
	struct sig_seckey sk;
	long long now = sign_time();
	size_t len, nc;
	int rc;

	*sigfile = xasprintf("%s%s", file, SIG_FILE_SUFFIX);
	*expires = now + days * 86400;
	if ((rc = read_file(file, &index, &len, err)) == 0 &&
	    (rc = package_index_parse(index, file, folder, NULL, NULL, &check,
	    &nc, err)) == 0)
		pkg_entries_free(check, nc);
	if (rc == 0 && (rc = read_file(keyfile, &ktext, NULL, err)) == 0 &&
	    (rc = sig_seckey_parse(ktext, keyfile, &sk, err)) == 0) {
		rc = sig_sign(&sk, index, len, now, *expires, &sig, err);
		explicit_bzero(&sk, sizeof sk);
	}
	if (rc == 0) {
		tmp = xasprintf("%s.new", *sigfile);
		unlink(tmp);
		if ((rc = write_new(tmp, sig, 0644, err)) == 0 &&
		    rename(tmp, *sigfile) != 0)
			rc = mgr_error_set(err, MGR_EIO, "%s: %s", *sigfile,
			    strerror(errno));
		free(tmp);
	}
	if (ktext != NULL)
		explicit_bzero(ktext, strlen(ktext));
	(void)ctx;
	free(ktext);
	free(index);
	free(sig);
	free(file);
	return rc;
}

static int
repo_sign_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	extern const struct cmd_entry cmd_repo_sign_entry;
	struct mgr_error err = { 0 };
	const char *key = cmd_args_value(args, "key");
	const char *exp = cmd_args_value(args, "expires");
	char *sigfile, *end, when[TIMEFMT_ISO_MAX];
	long long days = 30, expires;
	time_t t;
	int rc;

	if (key == NULL)
		return cmd_usage(ctx, &cmd_repo_sign_entry);
	if (exp != NULL && ((days = strtoll(exp, &end, 10)) < 1 ||
	    days > 3650 || *end != '\0')) {
		char *m = xasprintf(_("--expires %s: a number of days from 1 "
		    "to 3650"), exp);
		rc = cmd_fail(ctx, MGR_EINVAL, m);
		free(m);
		return rc;
	}
	if (sign_write(ctx, args->argv[0], key, days, &sigfile, &expires, &err) != 0) {
		free(sigfile);
		return cmd_fail(ctx, err.code, err.msg);
	}
	t = (time_t)expires;
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:s, s:s}", "signature", sigfile,
		    "expires", timefmt_machine(when, sizeof when,
		    (int64_t)expires * MGR_US_PER_S)));
	else {
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		fprintf(ctx->out, _("%s: signed, expires %s\n"), sigfile, when);
	}
	free(sigfile);
	return CMD_EXIT_OK;
}

static int
repo_key_list(struct cmd_ctx *ctx)
{
	char *const *r = ctx->mgr->conf->repositories;
	json_t *arr = json_array();
	struct mgr_error err = { 0 };
	int rc = CMD_EXIT_OK;

	for (size_t i = 0; r != NULL && r[i] != NULL; i++) {
		struct sig_pubkey *keys;
		size_t n;

		if (repo_keys_load(ctx->mgr->conf, r[i], &keys, &n, &err) != 0) {
			rc = cmd_fail(ctx, err.code, err.msg);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			char id[17];
			sig_keyid_hex(keys[k].keyid, id);
			if (ctx->json)
				json_array_append_new(arr, json_pack("{s:s, s:s}",
				    "repository", r[i], "key_id", id));
			else
				fprintf(ctx->out, "%s  %s\n", id, r[i]);
		}
		if (n == 0 && !ctx->json)
			fprintf(ctx->out, _("(no key)          %s\n"), r[i]);
		free(keys);
	}
	if (ctx->json)
		cmd_print_json(ctx, arr);
	else
		json_decref(arr);
	return rc;
}

static int
repo_key_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	extern const struct cmd_entry cmd_repo_key_entry;
	struct mgr_error err = { 0 };
	int argc = args->argc;
	char **argv = args->argv, id[17];

	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return repo_key_list(ctx);
	if (argc != 3 || strcmp(argv[0], "add") != 0)
		return cmd_usage(ctx, &cmd_repo_key_entry);
	if (repo_key_add(ctx->mgr->conf, argv[1], argv[2], id, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:s, s:s}", "repository", argv[1],
		    "key_id", id));
	else
		fprintf(ctx->out, _("repository %s: trusts key %s\n"), argv[1], id);
	return CMD_EXIT_OK;
}

static void
iso(long long t, char out[32])
{
	time_t tt = (time_t)t;

	if (t <= 0)
		snprintf(out, 32, "-");
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
}

/* A repository for `repo list --json`: the time its index was last
 * accepted (Unix seconds) in the one form for machines, null for never. */
static json_t *
repo_list_json(const char *repo, const char *kind, size_t nkeys,
	       long long accepted)
{
	char at[TIMEFMT_ISO_MAX];

	return json_pack("{s:s, s:s, s:i, s:o}", "repository", repo, "kind",
	    kind, "keys", (int)nkeys, "accepted", accepted > 0 ?
	    json_string(timefmt_machine(at, sizeof at, (int64_t)accepted *
	    MGR_US_PER_S)) : json_null());
}

static int
repo_list_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char *const *r = ctx->mgr->conf->repositories;
	json_t *arr = json_array();

	(void)args;
	if ((r == NULL || r[0] == NULL) && !ctx->json)
		fprintf(ctx->out, _("no repositories configured (setting "
		    "\"repositories\")\n"));
	else if (!ctx->json)
		fprintf(ctx->out, "%-6s %-4s %-20s %s\n", _("KIND"), _("KEYS"),
		    _("ACCEPTED"), _("REPOSITORY"));
	for (size_t i = 0; r != NULL && r[i] != NULL; i++) {
		struct sig_pubkey *keys = NULL;
		const char *kind = strncmp(r[i], "https://", 8) == 0 ? "https" :
		    strncmp(r[i], "http://", 7) == 0 ? "http" : "folder";
		size_t n = 0;
		long long accepted;
		char at[32];

		repo_keys_load(ctx->mgr->conf, r[i], &keys, &n, NULL);
		free(keys);
		accepted = repo_accepted(ctx->mgr->conf, r[i]);
		if (ctx->json) {
			json_array_append_new(arr, repo_list_json(r[i], kind, n,
			    accepted));
			continue;
		}
		iso(accepted, at);
		fprintf(ctx->out, "%-6s %-4zu %-20s %s\n", kind, n, at, r[i]);
	}
	if (ctx->json)
		cmd_print_json(ctx, arr);
	else
		json_decref(arr);
	return CMD_EXIT_OK;
}

static int
repo_update_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char *const *r = ctx->mgr->conf->repositories;
	json_t *arr = json_array();
	int status = CMD_EXIT_OK;

	(void)args;
	for (size_t i = 0; r != NULL && r[i] != NULL; i++) {
		struct mgr_error err = { 0 };
		int changed = 0, rc = repo_update(ctx->mgr->conf, r[i], &changed,
		    &err);
		const char *what = rc != 0 ? "refused" : !repo_is_remote(r[i]) ?
		    "checked" : changed ? "updated" : "unchanged";

		if (rc != 0 && err.code != MGR_EUNSAFE)
			what = "failed";
		if (rc != 0) {
			status = CMD_EXIT_FAIL;
			if (!ctx->json)
				fprintf(ctx->err, "manager: %s\n", err.msg);
		}
		if (ctx->json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s?}",
			    "repository", r[i], "result", what, "error",
			    rc != 0 ? err.msg : NULL));
		else if (rc == 0)
			fprintf(ctx->out, "%s: %s\n", r[i], _(what));
	}
	if (ctx->json)
		cmd_print_json(ctx, arr);
	else
		json_decref(arr);
	return status;
}

const struct cmd_entry cmd_repo_keygen_entry = {
	.noun = "repo", .verb = "keygen", .usage = N_("NAME"),
	.summary = N_("make a signing key: NAME (secret, 0600) and NAME.pub"),
	.flags = CMD_NO_DB, .min_args = 1, .max_args = 1,
	.run = repo_keygen_run,
};
const struct cmd_entry cmd_repo_index_entry = {
	.noun = "repo", .verb = "index", .usage = N_("FOLDER"),
	.summary = N_("write FOLDER/index.conf from the plugin archives in it"),
	.flags = CMD_NO_DB, .min_args = 1, .max_args = 1,
	.run = repo_index_run,
};
static const struct cmd_option repo_sign_options[] = {
	{ "key", 'k', "SECRET", N_("the secret key (repo keygen); required"), 0 },
	{ "expires", 0, "DAYS", N_("days the signature is good for (default 30, "
	    "at most 3650)"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_repo_sign_entry = {
	.noun = "repo", .verb = "sign", .usage = N_("FOLDER"),
	.summary = N_("sign FOLDER/index.conf (index.conf.minisig)"),
	.flags = CMD_NO_DB, .min_args = 1, .max_args = 1,
	.options = repo_sign_options, .run = repo_sign_run,
};
const struct cmd_entry cmd_repo_key_entry = {
	.noun = "repo", .verb = "key", .usage = N_("add REPO KEYFILE | list"),
	.summary = N_("trust a repository's public key, or list trusted keys"),
	.flags = CMD_NO_DB, .min_args = 1, .max_args = 3,
	.run = repo_key_run,
};
const struct cmd_entry cmd_repo_list_entry = {
	.noun = "repo", .verb = "list", .usage = "",
	.summary = N_("list the configured repositories"),
	.flags = CMD_NO_DB, .min_args = 0, .max_args = 0,
	.run = repo_list_run,
};
const struct cmd_entry cmd_repo_update_entry = {
	.noun = "repo", .verb = "update", .usage = "",
	.summary = N_("download and check the repositories' indexes"),
	.flags = CMD_NO_DB, .min_args = 0, .max_args = 0,
	.run = repo_update_run,
};
