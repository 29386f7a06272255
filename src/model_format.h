/*
 * model_format.h
 *	  What the stored format of uplift_model (model_format.c) offers the rest
 *	  of the model area beyond model.h: the checks of a model under a chosen
 *	  error code, the design length of a head, and the stored checksum.
 */
#ifndef UPLIFT_MODEL_FORMAT_H
#define UPLIFT_MODEL_FORMAT_H

#include "model.h"

/* Design length (without the intercept) that a head of this role uses. */
extern int	uplift_head_design_len(const UpliftModel *m, int32 role);

/*
 * Check a model's sizes, codes, finite coefficients and structure; a fault
 * is an error with this SQLSTATE: "invalid <what>", the fault in the detail.
 */
extern void uplift_model_check(const UpliftModel *m, const char *what, int sqlstate);

/* The CRC-32C of the body, as the header of a stored model records it. */
extern uint32 uplift_model_stored_checksum(const bytea *stored);

#endif							/* UPLIFT_MODEL_FORMAT_H */
