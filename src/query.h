/*
 * query.h
 *	  The check every function applies to a query it takes as text.
 */
#ifndef UPLIFT_QUERY_H
#define UPLIFT_QUERY_H

#include "postgres.h"

/*
 * Error unless sql is exactly one read-only query: a SELECT, VALUES or
 * TABLE, possibly under WITH, without data-modifying CTEs, SELECT INTO or
 * row locks.  "what" names the argument in messages, for example
 * "candidates query of allocate_budget".
 */
extern void uplift_check_select_query(const char *sql, const char *what);

/*
 * The query without trailing semicolons and white space (modified in place),
 * so that text appended after it stays part of the same statement.
 */
extern char *uplift_query_trim(char *sql);

#endif							/* UPLIFT_QUERY_H */
