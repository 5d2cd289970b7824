/* Safety-number helpers for verify and trust (safety.c). */
#ifndef SOTTO_CLI_SAFETY_H
#define SOTTO_CLI_SAFETY_H

#include "cli.h"
#include "sotto/fingerprint.h"

/* Computes the safety number with peer; loads the contact into ct.
 * 0 or an exit code (after printing). */
int cli_safety_number(struct cli *c, struct sotto_fingerprint *fp, struct sc_contact *ct,
                      const char *peer);
/* "12345 67890 ..." (12 groups of 5). */
void cli_safety_groups(char out[72], const char *digits);

#endif
