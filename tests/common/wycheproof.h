/* Runs a Wycheproof file: every test of every group through one callback. */
#ifndef SOTTO_WYCHEPROOF_H
#define SOTTO_WYCHEPROOF_H

#include <cjson/cJSON.h>

/*
 * The callback runs one test and returns 1 if the implementation accepted
 * it with the expected output, 0 if it rejected it, -1 if it accepted it
 * with a wrong output (always a failure). "valid" must give 1, "invalid" 0,
 * "acceptable" anything but -1. T_WP_SKIP leaves a case out (a parameter
 * sotto does not support, e.g. AES-128); skipped cases are counted apart.
 * Returns the number of failures and prints
 * "<file>: N cases, M failures".
 */
enum { T_WP_SKIP = -2 };
typedef int t_wp_case_fn(const cJSON *group, const cJSON *test, void *ctx);
int t_wycheproof_run(const char *file, t_wp_case_fn *fn, void *ctx);

#endif
