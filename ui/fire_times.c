/* fire_times.c - the "next fire times" section of a task's details. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

void details_fire_times(struct strbuf *sb, const struct task_rec *t);

void
details_fire_times(struct strbuf *sb, const struct task_rec *t)
{
	char when[40];

	strbuf_addf(sb, "\n%s\n", _("Next fire times"));
	if (!t->enabled) {
		strbuf_addf(sb, "  %s\n", _("(paused)"));
		return;
	}
	fmt_datetime(t->next_run, when, sizeof when);
	strbuf_addf(sb, "  %s\n", when);
}
