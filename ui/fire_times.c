/* fire_times.c - the "next fire times" section of a task's details,
 * computed from the stored trigger exactly as the scheduler does. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "scheduler.h"
#include "timefmt.h"
#include "trigger.h"
#include "util.h"

#include <stdlib.h>

#define FIRE_TIMES 10

void details_fire_times(struct strbuf *sb, const struct task_rec *t);

static void
add_fire_times(struct strbuf *sb, const struct trigger *trig)
{
	int64_t now = mgr_now_us(), at = TRIGGER_NONE;
	char when[40];
	int shown = 0;

	/* From "no previous fire time", the first is at or after now and
	 * each next one follows it. */
	for (int i = 0; i < FIRE_TIMES; i++) {
		/* Cron gives the first time after min(prev, now): step now
		 * along with prev. */
		int64_t next = trigger_next(trig, at, at == TRIGGER_NONE ? now : at);

		if (next == TRIGGER_NONE || (at != TRIGGER_NONE && next <= at))
			break;
		at = next;
		/* Whole seconds (the fraction of an interval's anchor is noise
		 * to a reader), local time as everywhere in the console. */
		fmt_datetime(next - next % MGR_US_PER_S, when, sizeof when);
		strbuf_addf(sb, "  %2d. %s\n", ++shown, when);
	}
	if (shown == 0)
		strbuf_addf(sb, "  %s\n", trigger_is_reboot(trig) ?
		    _("(at each engine start)") : _("(never again)"));
}

void
details_fire_times(struct strbuf *sb, const struct task_rec *t)
{
	struct mgr_error err = { 0 };
	struct trigger *trig = NULL;
	char *text, pad[128];

	if (task_trigger_build(t, &trig, &err) != 0) {
		strbuf_addf(sb, "  %s: %s\n", _("trigger"), err.msg);
		return;
	}
	text = trigger_describe(trig);
	if (text != NULL)
		strbuf_addf(sb, "  %s %s\n", fmt_pad(_("schedule"), 16, pad,
		    sizeof pad), text);
	free(text);
	strbuf_addf(sb, "\n%s%s\n", _("Next fire times"), t->enabled ? "" :
	    _(" (if resumed)"));
	add_fire_times(sb, trig);
	trigger_free(trig);
}
