/* pq_fns.h - libpq's functions as this backend calls them: through a
 * table filled by dlsym when the first PostgreSQL database is opened
 * (pq_fns.c), so that a command on a SQLite file never loads libpq and
 * the eleven libraries it brings (ssl, krb5, ldap, sasl2, ...; issue 18,
 * item 8).  Included by pg_int.h after <libpq-fe.h>: each PQx below is
 * a macro for the table's member of that name, so the backend's calls
 * read as libpq's own.  pq_fns.c includes it with PQ_FNS_TABLE_ONLY to
 * see the table without the macros. */
#ifndef MGR_PQ_FNS_H
#define MGR_PQ_FNS_H

#include <libpq-fe.h>
#include "error.h"

/* The soname opened: libpq's ABI has been libpq.so.5 since PostgreSQL 8.0. */
#define PQ_FNS_LIBPQ "libpq.so.5"

/* X(name) for each libpq function the backend calls. */
#define PQ_FNS_EACH(X) \
	X(PQbackendPID) X(PQclear) X(PQcmdTuples) X(PQconnectdb) \
	X(PQconnectdbParams) X(PQconninfoFree) \
	X(PQconninfoParse) X(PQconsumeInput) X(PQerrorMessage) X(PQexec) \
	X(PQexecParams) X(PQfinish) X(PQfreemem) X(PQgetResult) \
	X(PQgetisnull) X(PQgetvalue) X(PQhost) X(PQnfields) X(PQnotifies) \
	X(PQntuples) X(PQputCopyData) X(PQputCopyEnd) X(PQresetPoll) \
	X(PQresetStart) X(PQresultErrorField) X(PQresultErrorMessage) \
	X(PQresultStatus) X(PQsetNoticeProcessor) X(PQsetnonblocking) \
	X(PQsocket) X(PQstatus) X(PQunescapeBytea)

/* Each member has the type libpq-fe.h declares for its function. */
#define PQ_FNS_MEMBER(name) __typeof__(name) *name;
struct pq_fns {
	PQ_FNS_EACH(PQ_FNS_MEMBER)
};
#undef PQ_FNS_MEMBER

/* Loads libpq (once per process; later calls give the first outcome):
 * 0, or MGR_EDB with err naming the library and `where`, the database
 * string that needed it (without its password). */
int pq_fns_load(const char *where, struct mgr_error *err);
/* The table; only after pq_fns_load succeeded. */
const struct pq_fns *pq_fns(void);

#ifndef PQ_FNS_TABLE_ONLY
#define PQbackendPID (pq_fns()->PQbackendPID)
#define PQclear (pq_fns()->PQclear)
#define PQcmdTuples (pq_fns()->PQcmdTuples)
#define PQconnectdb (pq_fns()->PQconnectdb)
#define PQconnectdbParams (pq_fns()->PQconnectdbParams)
#define PQconninfoFree (pq_fns()->PQconninfoFree)
#define PQconninfoParse (pq_fns()->PQconninfoParse)
#define PQconsumeInput (pq_fns()->PQconsumeInput)
#define PQerrorMessage (pq_fns()->PQerrorMessage)
#define PQexec (pq_fns()->PQexec)
#define PQexecParams (pq_fns()->PQexecParams)
#define PQfinish (pq_fns()->PQfinish)
#define PQfreemem (pq_fns()->PQfreemem)
#define PQgetResult (pq_fns()->PQgetResult)
#define PQgetisnull (pq_fns()->PQgetisnull)
#define PQgetvalue (pq_fns()->PQgetvalue)
#define PQhost (pq_fns()->PQhost)
#define PQnfields (pq_fns()->PQnfields)
#define PQnotifies (pq_fns()->PQnotifies)
#define PQntuples (pq_fns()->PQntuples)
#define PQputCopyData (pq_fns()->PQputCopyData)
#define PQputCopyEnd (pq_fns()->PQputCopyEnd)
#define PQresetPoll (pq_fns()->PQresetPoll)
#define PQresetStart (pq_fns()->PQresetStart)
#define PQresultErrorField (pq_fns()->PQresultErrorField)
#define PQresultErrorMessage (pq_fns()->PQresultErrorMessage)
#define PQresultStatus (pq_fns()->PQresultStatus)
#define PQsetNoticeProcessor (pq_fns()->PQsetNoticeProcessor)
#define PQsetnonblocking (pq_fns()->PQsetnonblocking)
#define PQsocket (pq_fns()->PQsocket)
#define PQstatus (pq_fns()->PQstatus)
#define PQunescapeBytea (pq_fns()->PQunescapeBytea)
#endif

#endif
