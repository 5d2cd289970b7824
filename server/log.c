/* logfmt logger (log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int min_level = SD_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void sd_log_init(int level)
{
    min_level = level;
}

int sd_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void sd_log(int level, const char *msg, const char *fmt, ...)
{
    char ts[32], line[1024];
    struct timespec now;
    struct tm tm;
    va_list ap;
    int n;

    if (level < min_level || level < 0 || level > SD_LOG_ERROR) {
        return;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s msg=\"%s\"", ts, now.tv_nsec / 1000000,
                 level_names[level], msg);
    if (n > 0 && (size_t)n < sizeof(line) && fmt != NULL && fmt[0] != '\0') {
        line[n++] = ' ';
        va_start(ap, fmt);
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "%s\n", line);
}

const char *sd_log_quote(char *out, size_t outlen, const char *s)
{
    size_t o = 0;

    if (outlen < 3) {
        return "";
    }
    out[o++] = '"';
    for (; *s != '\0' && o + 3 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            out[o++] = '?';
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}
