/* sched_runid.c - run ids, handed out on the loop: a run has its id from
 * its first instant (MANAGER_RUN_ID, what a plugin function is told,
 * `task logs --run`, the API), while its `runs` row is written later by
 * the history writer (sched_flush.c).  Every runs row the scheduler
 * writes carries an id taken here, so ids never collide and grow with
 * the order runs begin.  The ids come from the store in blocks
 * (run_ids_store.h), so the loop reads the store once per RUN_IDS_BLOCK
 * runs, and writes nothing for an id. */
#include "i18n.h"
#include "manager.h"
#include "run_ids_store.h"
#include "sched_int.h"

#define RUN_IDS_BLOCK 4096

/* At the scheduler's start: the first block. */
int
sched_run_ids_open(struct scheduler *s, struct mgr_error *err)
{
	if (run_ids_store_reserve(s->mgr->db, RUN_IDS_BLOCK, 0,
	    &s->next_run_id, err) != 0)
		return mgr_error_prefix(err, _("cannot hand out run ids"));
	s->run_ids_end = s->next_run_id + RUN_IDS_BLOCK;
	return 0;
}

int64_t
sched_run_id(struct scheduler *s)
{
	struct mgr_error err = { 0 };
	int64_t first;

	if (s->next_run_id == s->run_ids_end) {
		/* A block that cannot be had: the ids go on where they are
		 * (right with SQLite, where the host lock reserves them). */
		if (run_ids_store_reserve(s->mgr->db, RUN_IDS_BLOCK,
		    s->next_run_id - 1, &first, &err) != 0)
			log_warning(&s->mgr->log, _("cannot hand out run ids: %s"),
			    err.msg);
		else
			s->next_run_id = first;
		s->run_ids_end = s->next_run_id + RUN_IDS_BLOCK;
	}
	return s->next_run_id++;
}
