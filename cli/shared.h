/*
 * Helpers shared by the commands and the daemon: `sotto send -a` and the
 * daemon's send upload through cli_attach_upload_file; the daemon's react
 * finds its target with cli_find_target (cmd_react.c still has its own
 * copy of that lookup and can move to it). They print nothing: errors come
 * back in a struct cli_error for the caller to show (stderr for people, a
 * JSON-RPC error for programs).
 */
#ifndef SOTTO_CLI_SHARED_H
#define SOTTO_CLI_SHARED_H

#include "cli.h"
#include "client/attach.h"

struct cli_error {
    int code;         /* a CLI exit code */
    const char *name; /* stable error name, e.g. "too_large" */
    const char *hint; /* what to do */
    char msg[320];    /* what happened */
};

/* The id of the text message reacted to in the conversation with peer:
 * by id (32 hex digits; must belong to that conversation) when id is not
 * NULL, else the text message with timestamp ts. mid is "" when none. */
SOTTO_MUST_CHECK int cli_find_target(struct cli *c, char mid[SC_MID_LEN + 1], const char *peer,
                                     const char *id, int64_t ts);

/* Checks path (a regular file within SC_ATTACH_MAX once encrypted) and
 * streams it to the server through net (sc_attach_upload_fd: record by
 * record, resumed after a reconnect when net->reconnect is set); *body,
 * *blen (malloc'd) = the stored descriptor with our absolute local path,
 * name = name or path's base name. Returns 0, or an exit code with e
 * filled. The caller wipes and frees *body. */
int cli_attach_upload_file(struct sc_attach_net *net, uint8_t **body, size_t *blen,
                           const char *path, const char *caption, const char *name,
                           struct cli_error *e);
/* Ciphertext bytes of the file at path (0 if it cannot be read). */
uint64_t cli_attach_ct_size_of(const char *path);

/* Read receipts to peer (and a read sync to our other devices) for every
 * message from peer not yet marked read here, reactions excluded; marks
 * them read. *done counts them. A sotto_err code. */
struct sc_sync;
SOTTO_MUST_CHECK int cli_mark_read(struct sc_sync *s, const char *peer, size_t *done);

#endif
