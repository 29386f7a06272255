/*
 * decimal.h
 *	  A decimal number (an integer times a power of ten) as the nearest
 *	  double, without going through its text when that can be done exactly.
 */
#ifndef UPLIFT_DECIMAL_H
#define UPLIFT_DECIMAL_H

#include "postgres.h"

/*
 * mantissa * 10^exp10 rounded to the nearest double (ties to even), the
 * double strtod and float8's input give for the same number's text; false
 * when it cannot be decided here (the caller converts the text instead).
 */
extern bool uplift_decimal_to_double(uint64 mantissa, int exp10, double *out);

#endif							/* UPLIFT_DECIMAL_H */
