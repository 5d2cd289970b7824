/* cli_attach_upload_file (shared.h): a local file checked against the
 * attachment limits, then streamed to the server (client/attach.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Opens path: a regular file within the limit once encrypted. */
static int open_checked(int *fd, uint64_t *size, const char *path, struct cli_error *e)
{
    struct stat sb;
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0 || fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(e->msg, sizeof e->msg, "cannot read '%s'%s%s", path, *fd < 0 ? ": " : "",
                 *fd < 0 ? strerror(errno) : "");
        return err(e, EXIT_USER, "no_file", "give a readable regular file");
    }
    *size = (uint64_t)sb.st_size;
    if (*size > SC_ATTACH_MAX || sc_attach_ct_size(*size) > SC_ATTACH_MAX) {
        snprintf(e->msg, sizeof e->msg,
                 "'%s' is %lld bytes; attachments are limited to %llu bytes once encrypted "
                 "(16 bytes per 64 KiB are added)",
                 path, (long long)sb.st_size, (unsigned long long)SC_ATTACH_MAX);
        return err(e, EXIT_USER, "too_large", "send a smaller file (or split it)");
    }
    return 0;
}

/* An upload failure as an error for the user. */
static int upload_error(struct cli_error *e, int rc, const char *path, uint64_t size,
                        const struct sc_attach_net *net)
{
    switch (rc) {
    case SOTTO_ERR_TOO_LARGE:
        snprintf(e->msg, sizeof e->msg,
                 "the server refused '%s' (%llu bytes encrypted): larger than its attachment "
                 "limit",
                 path, (unsigned long long)sc_attach_ct_size(size));
        return err(e, EXIT_USER, "too_large", "send a smaller file");
    case SOTTO_ERR_INVALID_STATE:
        snprintf(e->msg, sizeof e->msg, "'%s' changed or could not be read while being sent", path);
        return err(e, EXIT_USER, "no_file", "do not change the file while sending it");
    case SOTTO_ERR_UNREACHABLE:
        snprintf(e->msg, sizeof e->msg, "lost the server while uploading '%s' (%d reconnections)",
                 path, net->reconnects);
        return err(e, EXIT_SERVER, "unreachable",
                   "check the network and sottod, then send again (nothing was queued)");
    case SOTTO_ERR_RATE_LIMITED:
        snprintf(e->msg, sizeof e->msg, "the server limits uploads right now");
        return err(e, EXIT_RATE_LIMITED, "rate_limited", "wait a minute and send again");
    default:
        snprintf(e->msg, sizeof e->msg, "uploading the attachment: %s", sotto_strerror(rc));
        return err(e, EXIT_SERVER, sotto_err_name(rc), "try again; see the server's log");
    }
}

int cli_attach_upload_file(struct sc_attach_net *net, uint8_t **body, size_t *blen,
                           const char *path, const char *caption, const char *name,
                           struct cli_error *e)
{
    struct sc_attach *a = calloc(1, sizeof *a);
    uint64_t size = 0;
    int rc, fd = -1;

    *body = NULL;
    *blen = 0;
    memset(e, 0, sizeof *e);
    if (a == NULL) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return err(e, EXIT_UNEXPECTED, "nomem", "");
    }
    rc = describe(a, path, caption, name, e);
    if (rc == 0)
        rc = open_checked(&fd, &size, path, e);
    if (rc == 0) {
        int urc = sc_attach_upload_fd(net, a, fd);
        if (urc == SOTTO_OK)
            urc = sc_attach_encode(body, blen, a, 1);
        if (urc != SOTTO_OK)
            rc = upload_error(e, urc, path, size, net);
    }
    if (fd >= 0)
        close(fd);
    st_wipe(a, sizeof *a);
    free(a);
    return rc;
}

uint64_t cli_attach_ct_size_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sc_attach_ct_size((uint64_t)sb.st_size) : 0;
}
