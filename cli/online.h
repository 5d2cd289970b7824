/* A long-lived server connection for the daemon and the TUI: reconnects
 * with backoff, flushes the outbox, handles pushes (online.c). */
#ifndef SOTTO_CLI_ONLINE_H
#define SOTTO_CLI_ONLINE_H

#include "cli.h"
#include "client/sync.h"

struct online {
    struct cli *c;
    struct sc_conn *conn; /* NULL while the server is unreachable */
    struct sc_sync sync;
    int64_t next_connect; /* ms */
    uint32_t failures;
    int64_t next_flush;
    int64_t next_prune; /* journal pruning (long-running daemon) */
    int quiet;          /* no messages on stderr (the TUI owns the screen) */
    sc_event_fn *on_event;
    void *ctx;
};

/* Connects if due, flushes if due, handles pending pushes. */
void online_tick(struct online *o);
/* Sends the outbox now. */
void online_flush(struct online *o);
/* The server socket for poll(), or -1. */
int online_fd(const struct online *o);
void online_close(struct online *o);

#endif
