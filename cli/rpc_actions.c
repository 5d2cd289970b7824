/*
 * JSON-RPC methods that act on a conversation (docs/cli.md "daemon"):
 * send with an attachment, react, typing, timer, and attachment (where a
 * received file was saved). They use the daemon's one server connection;
 * when the server is unreachable they answer error 3 and the connection is
 * retried in the background.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "daemon.h"
#include "shared.h"

static const char untrusted_hint[] = "compare safety numbers (verify), then `sotto trust NAME "
                                     "--safety-number N`";

/* Answers a client-library error; drops the connection if it was lost. */
static void lib_error(struct daemon *d, struct dclient *cl, const cJSON *id, int rc,
                      const char *doing)
{
    if (rc == SOTTO_ERR_UNREACHABLE)
        online_close(&d->net); /* reconnected on the next tick */
    switch (rc) {
    case SOTTO_ERR_UNTRUSTED_IDENTITY:
        rpc_error(cl, id, RPC_UNTRUSTED, "untrusted_identity", untrusted_hint);
        break;
    case SOTTO_ERR_RATE_LIMITED:
        rpc_error(cl, id, EXIT_RATE_LIMITED, "rate_limited", "wait a little and retry");
        break;
    case SOTTO_ERR_NOT_FOUND:
        rpc_error(cl, id, RPC_USER, "no_such_account", "check the name");
        break;
    case SOTTO_ERR_UNREACHABLE:
        rpc_error(cl, id, RPC_SERVER, "unreachable", "the daemon reconnects; retry later");
        break;
    default:
        rpc_error(cl, id, RPC_SERVER, sotto_err_name(rc), doing);
        break;
    }
}

/* The server connection, or an error 3 answered. */
static int online(struct daemon *d, struct dclient *cl, const cJSON *id)
{
    if (d->net.conn == NULL)
        daemon_flush(d); /* connects unless a backoff is running */
    if (d->net.conn != NULL)
        return 0;
    rpc_error(cl, id, RPC_SERVER, "unreachable",
              "the server cannot be reached now; the daemon keeps retrying");
    return -1;
}

static int peer_arg(struct dclient *cl, const cJSON *id, const cJSON *params, const char **to)
{
    *to = rpc_param_str(params, "to");
    if (*to != NULL && sc_name_valid(*to))
        return 0;
    rpc_error(cl, id, RPC_INVALID_PARAMS, "\"to\" must be an account name (a-z 0-9 . _ -)", NULL);
    return -1;
}

/* Sends the outbox and answers with the stored message mid. */
static void reply_message(struct daemon *d, struct dclient *cl, const cJSON *id, const char *mid)
{
    struct sc_message m;
    daemon_flush(d);
    if (sc_store_message_get(d->c->store, &m, mid) != SOTTO_OK) {
        rpc_error(cl, id, RPC_INTERNAL, "message vanished", NULL);
        return;
    }
    rpc_reply(cl, id, cli_message_json(&m));
    sc_message_clear(&m);
}

/* Queues body as a message of kind; answers the error (exit code) if not. */
static void queue(struct daemon *d, struct dclient *cl, const cJSON *id, const char *to,
                  const char *body, size_t len, int kind, const char *target)
{
    struct sc_message m;
    char mid[SC_MID_LEN + 1];
    int rc = cli_queue_kind(d->c, &m, to, body, len, kind, target);
    if (rc != 0) {
        rpc_error(cl, id, rc, rc == EXIT_UNTRUSTED ? "untrusted_identity" : "not queued",
                  rc == EXIT_UNTRUSTED ? untrusted_hint : NULL);
        return;
    }
    memcpy(mid, m.mid, sizeof mid);
    reply_message(d, cl, id, mid);
}

void rpc_m_send_attachment(struct daemon *d, struct dclient *cl, const cJSON *id,
                           const cJSON *params)
{
    const char *to, *path = rpc_param_str(params, "attachment");
    struct sc_attach_net net = {0};
    uint8_t *body = NULL;
    size_t blen = 0;
    struct cli_error e;
    if (peer_arg(cl, id, params, &to) != 0)
        return;
    if (path == NULL || *path == 0) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "\"attachment\" must be a file's path", NULL);
        return;
    }
    if (online(d, cl, id) != 0)
        return;
    net.conn = d->net.conn; /* no reconnect here: the daemon's loop redials */
    if (cli_attach_upload_file(&net, &body, &blen, path, rpc_param_str(params, "text"),
                               rpc_param_str(params, "name"), &e) != 0) {
        rpc_error(cl, id, e.code, e.msg, e.hint);
        return;
    }
    queue(d, cl, id, to, (const char *)body, blen, SC_KIND_ATTACHMENT, NULL);
    st_wipe(body, blen);
    free(body);
}

void rpc_m_react(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *to, *emoji = rpc_param_str(params, "emoji");
    const char *target = rpc_param_str(params, "target");
    const cJSON *ts = cJSON_GetObjectItem(params, "target_ts");
    char mid[SC_MID_LEN + 1];
    if (peer_arg(cl, id, params, &to) != 0)
        return;
    if (cJSON_IsTrue(cJSON_GetObjectItem(params, "remove"))) {
        rpc_error(cl, id, RPC_USER, "removing a reaction is not supported yet",
                  "the message format has no removal; send another emoji instead");
        return;
    }
    if (emoji == NULL || *emoji == 0 || strlen(emoji) > SC_EMOJI_MAX) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "\"emoji\" must be 1-64 bytes of UTF-8", NULL);
        return;
    }
    if ((target == NULL) == !cJSON_IsNumber(ts)) {
        rpc_error(cl, id, RPC_INVALID_PARAMS,
                  "react needs one of \"target\" (a message id) and \"target_ts\" (ms)", NULL);
        return;
    }
    if (cli_find_target(d->c, mid, to, target, target ? 0 : (int64_t)ts->valuedouble) != SOTTO_OK) {
        rpc_error(cl, id, RPC_INTERNAL, "cannot read the history", NULL);
        return;
    }
    if (mid[0] == 0) {
        rpc_error(cl, id, RPC_USER, "no_such_message",
                  "pick the id or ts of a message of that conversation (history)");
        return;
    }
    queue(d, cl, id, to, emoji, strlen(emoji), SC_KIND_REACTION, mid);
}

void rpc_m_typing(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const cJSON *on = cJSON_GetObjectItem(params, "on");
    const char *to;
    int rc;
    if (peer_arg(cl, id, params, &to) != 0)
        return;
    if (!cJSON_IsBool(on)) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "\"on\" must be true or false", NULL);
        return;
    }
    if (online(d, cl, id) != 0)
        return;
    rc = sc_sync_send_typing(&d->net.sync, to, cJSON_IsTrue(on));
    if (rc != SOTTO_OK) {
        lib_error(d, cl, id, rc, "sending the typing indicator");
        return;
    }
    rpc_reply(cl, id, cJSON_CreateTrue());
}

void rpc_m_timer(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const cJSON *sec = cJSON_GetObjectItem(params, "seconds");
    const char *to;
    cJSON *r;
    int rc;
    if (peer_arg(cl, id, params, &to) != 0)
        return;
    if (!cJSON_IsNumber(sec) || sec->valuedouble < 0 || sec->valuedouble > SC_TIMER_MAX ||
        sec->valuedouble != (double)(uint32_t)sec->valuedouble) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "\"seconds\" is 0 (off) to 2419200 (4 weeks)", NULL);
        return;
    }
    if (online(d, cl, id) != 0)
        return;
    rc = sc_sync_send_timer(&d->net.sync, to, (uint32_t)sec->valuedouble);
    if (rc != SOTTO_OK) {
        lib_error(d, cl, id, rc, "sending the timer");
        return;
    }
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "schema", "sotto.timer.v1");
    cJSON_AddStringToObject(r, "peer", to);
    cJSON_AddNumberToObject(r, "timer", sec->valuedouble);
    rpc_reply(cl, id, r);
}

void rpc_m_attachment(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *mid = rpc_param_str(params, "id");
    struct sc_attach *a = malloc(sizeof *a);
    struct sc_message m;
    cJSON *r;
    if (a == NULL) {
        rpc_error(cl, id, RPC_INTERNAL, "out of memory", NULL);
        return;
    }
    if (mid == NULL || strlen(mid) != SC_MID_LEN ||
        sc_store_message_get(d->c->store, &m, mid) != SOTTO_OK) {
        rpc_error(cl, id, RPC_USER, "no_such_message", "give a message id (history)");
        free(a);
        return;
    }
    if (m.kind != SC_KIND_ATTACHMENT || sc_attach_decode(a, m.body, m.body_len, 1) != SOTTO_OK) {
        rpc_error(cl, id, RPC_USER, "not an attachment", NULL);
    } else {
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "schema", "sotto.attachment.v1");
        cJSON_AddStringToObject(r, "id", m.mid);
        cJSON_AddStringToObject(r, "peer", m.peer);
        cJSON_AddStringToObject(r, "direction", m.outgoing ? "out" : "in");
        cJSON_AddStringToObject(r, "name", a->name);
        cJSON_AddNumberToObject(r, "size", (double)a->size);
        cJSON_AddStringToObject(r, "caption", a->caption);
        cJSON_AddStringToObject(r, "path", a->path);
        cJSON_AddBoolToObject(r, "saved", a->path[0] != 0 && access(a->path, R_OK) == 0);
        rpc_reply(cl, id, r);
    }
    sc_message_clear(&m);
    st_wipe(a, sizeof *a);
    free(a);
}

void rpc_m_read(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *to;
    size_t done = 0;
    cJSON *r;
    int rc;
    if (peer_arg(cl, id, params, &to) != 0)
        return;
    if (online(d, cl, id) != 0)
        return;
    rc = cli_mark_read(&d->net.sync, to, &done);
    if (rc != SOTTO_OK) {
        lib_error(d, cl, id, rc, "sending read receipts");
        return;
    }
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "schema", "sotto.read.v1");
    cJSON_AddStringToObject(r, "peer", to);
    cJSON_AddNumberToObject(r, "count", (double)done);
    rpc_reply(cl, id, r);
}
