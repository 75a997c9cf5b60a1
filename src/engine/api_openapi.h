/* api_openapi.h - GET /openapi.json (api_openapi.c) and GET /metrics
 * (api_metrics.c). */
#ifndef MGR_API_OPENAPI_H
#define MGR_API_OPENAPI_H

#include <jansson.h>

struct mgr;

/* The OpenAPI 3.1 document of every route, from the route and field
 * tables. */
json_t *api_openapi_document(void);
/* Prometheus' text format (0.0.4), malloc'd: runs by task and status,
 * the lateness histogram, runs going on and queued, the host's up time. */
char *api_metrics_text(struct mgr *mgr);

#endif
