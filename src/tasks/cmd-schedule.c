/* cmd-schedule.c - "manager schedule preview": a trigger's next fire times.
 *
 * Needs no database: it parses the trigger as "task add" would and prints
 * when it would fire, so a schedule can be checked before it is saved.
 * Plain output is one ISO 8601 time per line and --json an array of
 * strings (scripts read both); --verbose adds the normalised form of the
 * trigger (for calendar events, as systemd-analyze calendar prints it)
 * and each time in UTC.
 */

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cmd.h"
#include "error.h"
#include "i18n.h"
#include "timefmt.h"
#include "trigger.h"

#define PREVIEW_DEFAULT_COUNT 10
#define PREVIEW_MAX_COUNT 100000

static int cmd_schedule_preview_run(struct cmd_ctx *, const struct cmd_args *);

static const struct cmd_option preview_options[] = {
	{ "from", 0, "TIME", N_("the first time to look from (default: now)"), 0 },
	{ "count", 0, "N", N_("how many fire times (default 10)"), 0 },
	{ "tz", 0, "ZONE", N_("the trigger's time zone"), 0 },
	{ "id", 0, "ID", N_("the task id that seeds H in cron fields"), 0 },
	{ "verbose", 0, NULL, N_("also the normalised trigger, and UTC times"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_schedule_preview_entry = {
	.noun = "schedule",
	.verb = "preview",
	.usage = "TYPE [FIELD=VALUE ...]",
	.summary = N_("show the next fire times of a trigger"),
	.flags = CMD_NO_DB,
	.min_args = 1,
	.max_args = -1,
	.options = preview_options,
	.run = cmd_schedule_preview_run,
};

struct preview_opts {
	const char *from;
	const char *count;
	const char *tz;
	const char *id;		/* the task whose id seeds H */
	int json;
	int verbose;
};

static void
preview_read_options(struct cmd_ctx *ctx, const struct cmd_args *args,
		     struct preview_opts *o)
{
	memset(o, 0, sizeof *o);
	o->from = cmd_args_value(args, "from");
	o->count = cmd_args_value(args, "count");
	o->tz = cmd_args_value(args, "tz");
	o->id = cmd_args_value(args, "id");
	o->json = ctx->json;
	o->verbose = cmd_args_has(args, "verbose") > 0;
}

static int
parse_count(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < 1 ||
	    *out > PREVIEW_MAX_COUNT)
		return -1;
	return 0;
}

/* TYPE FIELD=VALUE... plus timezone=ZONE for --tz; H seeded by --id. */
static int
preview_trigger(int argc, char **argv, const struct preview_opts *o,
		struct trigger **t, struct mgr_error *err)
{
	const char **fields;
	char *tzfield = NULL;
	size_t n = 0;
	int i, rc;

	if ((fields = calloc(argc + 1, sizeof *fields)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	for (i = 1; i < argc; i++)
		fields[n++] = argv[i];
	if (o->tz != NULL) {
		if ((tzfield = malloc(strlen(o->tz) + sizeof "timezone=")) ==
		    NULL) {
			free(fields);
			return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
		}
		strcpy(tzfield, "timezone=");
		strcat(tzfield, o->tz);
		fields[n++] = tzfield;
	}
	rc = trigger_parse_seeded(argv[0], fields, n, NULL, o->id, t, err);
	free(tzfield);
	free(fields);
	return rc;
}

/* s as a JSON string (jansson's escaping). */
static void
json_str(FILE *f, const char *s)
{
	json_t *v = json_string(s);

	if (v == NULL || json_dumpf(v, f, JSON_ENCODE_ANY) != 0)
		fputs("null", f);	/* not UTF-8: jansson refuses it */
	json_decref(v);
}

/* --verbose: what the trigger means, before its times.  A calendar
 * trigger shows each event as systemd-analyze calendar does. */
static void
preview_header(struct cmd_ctx *ctx, const struct trigger *t, int json)
{
	const struct calendar *cal = trigger_calendar(t);
	size_t i, n = cal != NULL ? calendar_count(cal) : 1;
	char *desc = cal == NULL ? trigger_describe(t) : NULL;
	const char *norm;

	if (json)
		fputs("{\"normalized\":[", ctx->out);
	for (i = 0; i < n; i++) {
		norm = cal != NULL ? calendar_normalized(cal, i) :
		    desc != NULL ? desc : "";
		if (json) {
			if (i > 0)
				fputc(',', ctx->out);
			json_str(ctx->out, norm);
			continue;
		}
		if (cal != NULL)
			fprintf(ctx->out, "  %s %s\n", _("Original form:"),
			    calendar_original(cal, i));
		fprintf(ctx->out, "%s %s\n", _("Normalized form:"), norm);
	}
	if (json)
		fputs("],\"times\":", ctx->out);
	free(desc);
}

static void
preview_time(struct cmd_ctx *ctx, const struct trigger *t, int64_t f,
	     long n, const struct preview_opts *o)
{
	char iso[TIMEFMT_ISO_MAX], utc[TIMEFMT_ISO_MAX];

	timefmt_iso(iso, sizeof iso, f, trigger_zone(t));
	/* The wall time in the trigger's zone is what a preview is asked
	 * for, in JSON too; its instant in UTC is in the machine form. */
	if (o->json)
		timefmt_machine(utc, sizeof utc, f);
	else
		timefmt_iso(utc, sizeof utc, f, NULL);
	if (o->json && o->verbose)
		fprintf(ctx->out, "%s{\"time\":\"%s\",\"utc\":\"%s\"}",
		    n > 0 ? "," : "", iso, utc);
	else if (o->json)
		fprintf(ctx->out, "%s\"%s\"", n > 0 ? "," : "", iso);
	else if (o->verbose)
		fprintf(ctx->out, "%s  (%s %s)\n", iso, _("in UTC:"), utc);
	else
		fprintf(ctx->out, "%s\n", iso);
}

/* Prints up to count fire times; returns how many. */
static long
preview_print(struct cmd_ctx *ctx, const struct trigger *t, int64_t from,
	      long count, const struct preview_opts *o)
{
	int64_t f;
	long n = 0;

	if (o->verbose)
		preview_header(ctx, t, o->json);
	if (o->json)
		fputc('[', ctx->out);
	f = trigger_next(t, TRIGGER_NONE, from);
	while (f != TRIGGER_NONE && n < count) {
		/* A date trigger reports a past run_date (a misfire to the
		 * scheduler); a preview shows only what is still to come. */
		if (f >= from)
			preview_time(ctx, t, f, n++, o);
		f = trigger_next(t, f, f);
	}
	if (o->json)
		fputs(o->verbose ? "]}\n" : "]\n", ctx->out);
	return n;
}

static int
cmd_schedule_preview_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int argc = args->argc;
	char **argv = args->argv;
	struct preview_opts o;
	struct trigger *t;
	struct mgr_error err;
	char iso[TIMEFMT_ISO_MAX];
	int64_t from;
	long count = PREVIEW_DEFAULT_COUNT;

	preview_read_options(ctx, args, &o);
	if (o.count != NULL && parse_count(o.count, &count) != 0) {
		mgr_error_set(&err, MGR_EINVAL,
		    _("--count: \"%s\" is not a number from 1 to %d"), o.count,
		    PREVIEW_MAX_COUNT);
		cmd_fail(ctx, err.code, err.msg);
		return CMD_EXIT_USAGE;
	}
	if (preview_trigger(argc, argv, &o, &t, &err) != 0) {
		cmd_fail(ctx, err.code, err.msg);
		return CMD_EXIT_FAIL;
	}
	from = mgr_now_us();
	if (o.from != NULL &&
	    timefmt_parse(o.from, trigger_zone(t), &from, &err) != 0) {
		trigger_free(t);
		mgr_error_prefix(&err, "--from");
		cmd_fail(ctx, err.code, err.msg);
		return CMD_EXIT_USAGE;
	}
	if (trigger_is_hashed(t) && o.id == NULL) {
		fprintf(ctx->err, "%s\n", _("H: these times are for an empty "
		    "task id; each task gets its own (give --id ID to see "
		    "them)"));
	}
	if (trigger_is_reboot(t) && !o.json) {
		fprintf(ctx->err, "%s\n", _("@reboot: runs once each time the "
		    "engine starts, never from the clock"));
	}
	if (preview_print(ctx, t, from, count, &o) == 0 && !o.json &&
	    !trigger_is_reboot(t)) {
		/* Say so, rather than print nothing: a cron whose fields can
		 * never meet (day=31 month=2) is accepted, as APScheduler
		 * accepts it, but never fires. */
		timefmt_iso(iso, sizeof iso, from, trigger_zone(t));
		fprintf(ctx->err, _("the trigger never fires at or after %s\n"),
		    iso);
	}
	trigger_free(t);
	return CMD_EXIT_OK;
}
