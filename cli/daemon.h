/* The JSON-RPC daemon's state, shared by cmd_daemon.c (loop, unix socket),
 * http_serve.c and http_token.c (the --http listener), rpc.c and
 * rpc_actions.c (methods). */
#ifndef SOTTO_CLI_DAEMON_H
#define SOTTO_CLI_DAEMON_H

#include "cli.h"
#include "client/sync.h"
#include "online.h"

enum {
    DAEMON_CLIENTS_MAX = 32,
    DAEMON_LINE_MAX = 256 * 1024,
    DAEMON_TOKEN_HASH = 32,
    DAEMON_HTTP_IDLE_MS = 30000,  /* an HTTP connection without a complete request */
    DAEMON_HTTP_LINGER_MS = 2000, /* reading what a refused client still sends */
    DAEMON_SSE_KEEPALIVE_MS = 15000,
};

enum dclient_kind {
    DC_LINE = 0, /* JSON-RPC, one object per line (unix socket, stdio) */
    DC_HTTP,     /* HTTP/1.1 requests on TCP */
    DC_SSE,      /* an HTTP connection turned into an event stream */
    DC_CLOSING,  /* answered and shut down for writing; drained, then closed */
    DC_CAPTURE,  /* not a connection: collects one HTTP request's response */
};

struct dclient {
    int in_fd, out_fd; /* same socket, or stdin/stdout */
    enum dclient_kind kind;
    char *buf; /* partial request line or HTTP request */
    size_t len;
    char subscriber[SC_NAME_MAX + 1]; /* "" until subscribe */
    int64_t sent_upto;                /* last event seq pushed to it */
    int dead;                         /* a write failed: the loop drops it */
    int mute;                         /* handling a notification: no response */
    int continued;                    /* "100 Continue" sent for this request */
    int64_t since;                    /* ms: last HTTP activity */
    char *out;                        /* DC_CAPTURE: the response */
    size_t out_len;
};

struct daemon {
    struct cli *c;
    struct online net;
    struct dclient *clients[DAEMON_CLIENTS_MAX];
    size_t nclients;
    int http_fd; /* --http listener or -1 */
    uint8_t token_hash[DAEMON_TOKEN_HASH];
};

/* Handles one request line from cl; writes the response (if any). */
void rpc_handle(struct daemon *d, struct dclient *cl, const char *line);
/* Pushes journal events past cl->sent_upto as "event" notifications. */
void rpc_push_events(struct daemon *d, struct dclient *cl);
/* Writes one JSON value framed for cl's kind (a line; an SSE event, with
 * "id: seq" when seq > 0; appended to cl->out for DC_CAPTURE); frees msg.
 * 0 or -1 (client gone: cl->dead is set). */
int rpc_write(struct dclient *cl, int64_t seq, cJSON *msg);
/* Writes n bytes to cl->out_fd; 0 or -1 (and cl->dead). */
int daemon_write_all(struct dclient *cl, const char *p, size_t n);
/* sc_event_fn for the daemon's connection: typing indicators (never
 * journalled) go to every subscribed client as "typing" notifications. */
void rpc_on_event(void *ctx, int64_t seq, const char *kind, const char *json);
/* Tries to send the outbox now (connects if needed). */
void daemon_flush(struct daemon *d);

/* Responses and parameters shared by rpc.c and rpc_actions.c. */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL = -32603,
    RPC_USER = 1, /* application errors reuse the CLI exit codes */
    RPC_SERVER = 3,
    RPC_UNTRUSTED = 4,
};
void rpc_reply(struct dclient *cl, const cJSON *id, cJSON *result);
void rpc_error(struct dclient *cl, const cJSON *id, int code, const char *msg, const char *hint);
const char *rpc_param_str(const cJSON *params, const char *name);

/* Methods in rpc_actions.c. */
void rpc_m_send_attachment(struct daemon *d, struct dclient *cl, const cJSON *id,
                           const cJSON *params);
void rpc_m_react(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params);
void rpc_m_typing(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params);
void rpc_m_timer(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params);
void rpc_m_read(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params);
void rpc_m_attachment(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params);

/* The --http listener (http_serve.c). spec is HOST:PORT or [V6]:PORT.
 * Returns the listening fd or -1 (printed); warns for non-loopback. */
int http_listen(struct cli *c, const char *spec);
/* A new TCP connection accepted on d->http_fd (or closed when full). */
void http_accept(struct daemon *d);
/* Reads from an HTTP/SSE/closing client and answers complete requests;
 * -1 when it should be dropped. */
int http_client_read(struct daemon *d, struct dclient *cl);
/* Timeouts and SSE keep-alives; -1 when it should be dropped. */
int http_client_tick(struct daemon *d, struct dclient *cl, int64_t now);

/* The bearer token (http_token.c): loads path, or creates it (0600, 32
 * random bytes as hex) if absent; refuses a file group or world can read.
 * d->token_hash gets SHA-256(token). 0 or an exit code (printed). */
int http_token_load(struct daemon *d, const char *path);
/* 1 if authorization is "Bearer <the token>" (constant time). */
int http_token_ok(const struct daemon *d, const char *authorization);

#endif
