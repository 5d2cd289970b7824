/* cli_attach_seal_file (shared.h): a local file read, checked against the
 * attachment limits and encrypted for upload (client/attach.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/crypto.h"
#include "shared.h"

static int err(struct cli_error *e, int code, const char *name, const char *hint)
{
    e->code = code;
    e->name = name;
    e->hint = hint;
    return code;
}

/* Checks name and caption, sets them in a. */
static int describe(struct sc_attach *a, const char *path, const char *caption, const char *name,
                    struct cli_error *e)
{
    const char *base = strrchr(path, '/');
    base = name != NULL ? name : base != NULL ? base + 1 : path;
    if (*base == 0 || strlen(base) > SC_ATTACH_NAME_MAX) {
        snprintf(e->msg, sizeof e->msg, "'%s' has no usable file name", path);
        return err(e, EXIT_USER, "bad_name", "give a file (its name: 1-255 bytes)");
    }
    if (caption != NULL && strlen(caption) > SC_ATTACH_CAPTION_MAX) {
        snprintf(e->msg, sizeof e->msg, "the caption is over %d bytes", SC_ATTACH_CAPTION_MAX);
        return err(e, EXIT_USER, "too_large", "shorten the caption");
    }
    snprintf(a->name, sizeof a->name, "%s", base);
    snprintf(a->caption, sizeof a->caption, "%s", caption != NULL ? caption : "");
    if (realpath(path, a->path) == NULL)
        snprintf(a->path, sizeof a->path, "%s", path);
    return 0;
}

/* The whole regular file at path into *pt (malloc'd), within the limit. */
static int slurp(uint8_t **pt, size_t *len, const char *path, struct cli_error *e)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    int rc = 0;
    *pt = NULL;
    *len = 0;
    if (f == NULL || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(e->msg, sizeof e->msg, "cannot read '%s'%s%s", path, f == NULL ? ": " : "",
                 f == NULL ? strerror(errno) : "");
        rc = err(e, EXIT_USER, "no_file", "give a readable regular file");
    } else if ((uint64_t)sb.st_size > SC_ATTACH_MAX ||
               sc_attach_ct_size((uint64_t)sb.st_size) > SC_ATTACH_MAX) {
        snprintf(e->msg, sizeof e->msg,
                 "'%s' is %lld bytes; attachments are limited to %llu bytes once encrypted", path,
                 (long long)sb.st_size, (unsigned long long)SC_ATTACH_MAX);
        rc = err(e, EXIT_USER, "too_large", "send a smaller file (or split it)");
    } else if ((*pt = malloc((size_t)sb.st_size + 1)) == NULL) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        rc = err(e, EXIT_UNEXPECTED, "nomem", "");
    } else if ((*len = fread(*pt, 1, (size_t)sb.st_size + 1, f)) != (size_t)sb.st_size) {
        snprintf(e->msg, sizeof e->msg, "'%s' changed size while being read", path);
        rc = err(e, EXIT_USER, "no_file", "do not change the file while sending it");
    }
    if (f != NULL)
        fclose(f);
    return rc;
}

int cli_attach_seal_file(struct sc_attach *a, uint8_t **ct, size_t *ctlen, const char *path,
                         const char *caption, const char *name, struct cli_error *e)
{
    uint8_t *pt = NULL;
    size_t len = 0;
    int rc;
    *ct = NULL;
    *ctlen = 0;
    memset(e, 0, sizeof *e);
    rc = describe(a, path, caption, name, e);
    if (rc == 0)
        rc = slurp(&pt, &len, path, e);
    if (rc == 0 && sc_attach_seal(ct, ctlen, a, pt, len) != SOTTO_OK) {
        snprintf(e->msg, sizeof e->msg, "cannot encrypt '%s'", path);
        rc = err(e, EXIT_UNEXPECTED, "seal", "");
    }
    if (pt != NULL) {
        st_wipe(pt, len);
        free(pt);
    }
    return rc;
}
