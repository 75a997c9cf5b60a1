/* run_view.h - a run as `task history`, `task run` and `run show` give
 * it: JSON, and its resource usage in words. */
#ifndef MGR_RUN_VIEW_H
#define MGR_RUN_VIEW_H

#include <stddef.h>
#include "store.h"

struct json_t;
/* id, task_id, attempt, times, status, duration, exit_code, signal,
 * user_cpu and system_cpu (seconds), max_rss_kb, output, error. */
struct json_t *task_run_json(const struct run_rec *r);
/* "0.012s usr 0.004s sys 1.2MiB", or "-" when not measured. */
const char *task_run_usage_text(char *buf, size_t len, const struct run_rec *r);

struct mgr_error;
/* A run id: a whole number above 0; MGR_EINVAL naming s otherwise. */
int task_run_id_parse(const char *s, int64_t *id, struct mgr_error *err);

#endif
