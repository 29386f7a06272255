/*
 * options.h
 *	  Reading the "options jsonb" argument that many uplift functions take.
 *
 * Every getter names the option in its errors.  A NULL Jsonb pointer means
 * "no options" and every getter then returns its default.
 */
#ifndef UPLIFT_OPTIONS_H
#define UPLIFT_OPTIONS_H

#include "postgres.h"
#include "utils/jsonb.h"

/* The first key of a JSON object not in the NULL-terminated list, or NULL. */
extern char *options_unknown_key(JsonbContainer *obj, const char *const *allowed);

/*
 * Error unless opts is a JSON object whose keys all appear in the
 * NULL-terminated list "allowed".  "funcname" names the function in the
 * message; the hint lists the allowed keys.
 */
extern void options_check_keys(Jsonb *opts, const char *funcname,
							   const char *const *allowed);

/* The value of key, or NULL when absent (or JSON null, or opts is NULL). */
extern JsonbValue *options_lookup(Jsonb *opts, const char *key);

extern double options_float(Jsonb *opts, const char *key, double dflt,
							double min, double max);
extern int64 options_int(Jsonb *opts, const char *key, int64 dflt,
						 int64 min, int64 max);
extern bool options_bool(Jsonb *opts, const char *key, bool dflt);

/* A palloc'd copy of a string option, or dflt when absent. */
extern char *options_text(Jsonb *opts, const char *key, const char *dflt);

/*
 * Index into the NULL-terminated list "choices" of the string option's value
 * (dflt_index when absent); an error names the allowed values.
 */
extern int	options_choice(Jsonb *opts, const char *key, int dflt_index,
						   const char *const *choices);

/* A JSON value as a double; errors name "what" unless it is a number. */
extern double options_value_float(JsonbValue *v, const char *what);

#endif							/* UPLIFT_OPTIONS_H */
