/*
 * Helpers the daemon needs that `sotto react` and `sotto send -a` do inline
 * today (cmd_react.c, cmd_send.c); kept here so those commands can move to
 * them. They print nothing: errors come back in a struct cli_error for the
 * caller to show (stderr for people, a JSON-RPC error for programs).
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

/* Reads path (a regular file within SC_ATTACH_MAX once encrypted), fills a
 * (name = name or path's base name, caption, absolute local path) and
 * seals it: *ct (malloc'd, *ctlen bytes) is what to upload. Returns 0, or
 * an exit code with e filled. The caller wipes a and frees *ct. */
int cli_attach_seal_file(struct sc_attach *a, uint8_t **ct, size_t *ctlen, const char *path,
                         const char *caption, const char *name, struct cli_error *e);

#endif
