/* The JSON-RPC daemon's state, shared by cmd_daemon.c (loop, sockets) and
 * rpc.c (methods). */
#ifndef SOTTO_CLI_DAEMON_H
#define SOTTO_CLI_DAEMON_H

#include "cli.h"
#include "client/sync.h"
#include "online.h"

enum { DAEMON_CLIENTS_MAX = 32, DAEMON_LINE_MAX = 256 * 1024 };

struct dclient {
    int in_fd, out_fd; /* same socket, or stdin/stdout */
    char *buf;         /* partial request line */
    size_t len;
    char subscriber[SC_NAME_MAX + 1]; /* "" until subscribe */
    int64_t sent_upto;                /* last event seq pushed to it */
};

struct daemon {
    struct cli *c;
    struct online net;
    struct dclient *clients[DAEMON_CLIENTS_MAX];
    size_t nclients;
};

/* Handles one request line from cl; writes the response (if any). */
void rpc_handle(struct daemon *d, struct dclient *cl, const char *line);
/* Pushes journal events past cl->sent_upto as "event" notifications. */
void rpc_push_events(struct daemon *d, struct dclient *cl);
/* Writes one JSON value as a line; 0 or -1 (client gone). */
int rpc_write(struct dclient *cl, cJSON *msg);
/* Tries to send the outbox now (connects if needed). */
void daemon_flush(struct daemon *d);

#endif
