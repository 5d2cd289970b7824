/*
 * logfmt logging to stderr: ts=... level=... msg="..." key=value ...
 * Never log secrets, keys or message contents; user-supplied strings only
 * after validation (usernames) or through sd_log_quote.
 */
#ifndef SD_LOG_H
#define SD_LOG_H

#include <stddef.h>

enum sd_log_level { SD_LOG_DEBUG, SD_LOG_INFO, SD_LOG_WARN, SD_LOG_ERROR };

/* Set once at startup, before the loop runs. */
void sd_log_init(int min_level);
int sd_log_level_parse(const char *s);
void sd_log(int level, const char *msg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes s into out as a logfmt-safe quoted string (truncated, escaped). */
const char *sd_log_quote(char *out, size_t outlen, const char *s);

#endif
