/*
 * query.c
 *	  Checks a query passed to a function as text before it runs: it must be
 *	  exactly one SELECT (or VALUES, TABLE, WITH ... SELECT) that changes
 *	  nothing, so that text concatenated around it, a second statement or a
 *	  data-modifying CTE cannot smuggle other commands in (as crosstab insists
 *	  on a single query).  The query still runs with the caller's rights.
 */
#include "uplift.h"

#include <ctype.h>

#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/utility.h"
#include "utils/builtins.h"

#include "query.h"

typedef struct QueryText
{
	const char *sql;
	const char *what;
} QueryText;

/* Report parse errors at their position in the query text, not the call. */
static void
query_error_callback(void *arg)
{
	const QueryText *q = (const QueryText *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(q->sql);
	}
	errcontext("parsing the %s", q->what);
}

static void
refuse(const char *what, const char *kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s must be a SELECT query", what),
			 errdetail("The statement is %s.", kind),
			 errhint("Pass one SELECT, VALUES or WITH ... SELECT query that changes nothing.")));
}

static void check_select(SelectStmt *s, const char *what);

/* Every CTE of a WITH clause must be a plain query too. */
static void
check_with(WithClause *with, const char *what)
{
	ListCell   *lc;

	if (with == NULL)
		return;
	foreach(lc, with->ctes)
	{
		CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);

		if (!IsA(cte->ctequery, SelectStmt))
			refuse(what, "a WITH query with a data-modifying statement in it");
		check_select((SelectStmt *) cte->ctequery, what);
	}
}

static void
check_select(SelectStmt *s, const char *what)
{
	if (s->intoClause != NULL)
		refuse(what, "a SELECT INTO, which creates a table");
	if (s->lockingClause != NIL)
		refuse(what, "a SELECT that locks rows (FOR UPDATE or FOR SHARE)");
	check_with(s->withClause, what);
	if (s->larg != NULL)
		check_select(s->larg, what);
	if (s->rarg != NULL)
		check_select(s->rarg, what);
}

void
uplift_check_select_query(const char *sql, const char *what)
{
	QueryText	q = {sql, what};
	ErrorContextCallback callback;
	List	   *stmts;
	Node	   *stmt;

	callback.callback = query_error_callback;
	callback.arg = (void *) &q;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	error_context_stack = callback.previous;

	if (list_length(stmts) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s must be exactly one statement", what),
				 errdetail("It has %d statements.", list_length(stmts)),
				 errhint("Pass a single SELECT query, without a semicolon between statements.")));
	stmt = linitial_node(RawStmt, stmts)->stmt;
	if (!IsA(stmt, SelectStmt))
		refuse(what, CreateCommandName(stmt));
	check_select((SelectStmt *) stmt, what);
}

char *
uplift_query_trim(char *sql)
{
	int			len = strlen(sql);

	while (len > 0 && (sql[len - 1] == ';' || isspace((unsigned char) sql[len - 1])))
		len--;
	sql[len] = '\0';
	return sql;
}

/*
 * uplift_query_check(query text, what text): the same check for functions
 * written in PL/pgSQL that run a caller's query; "what" names the argument.
 */
PG_FUNCTION_INFO_V1(uplift_query_check);
Datum
uplift_query_check(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL",
						PG_ARGISNULL(1) ? "what of uplift_query_check" :
						text_to_cstring(PG_GETARG_TEXT_PP(1))),
				 errhint("Pass the query as text.")));
	uplift_check_select_query(text_to_cstring(PG_GETARG_TEXT_PP(0)),
							  text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}
