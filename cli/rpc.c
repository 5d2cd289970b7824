/*
 * JSON-RPC 2.0 methods of `sotto daemon` (docs/cli.md "daemon"). One request
 * per line, one response per line; events are notifications
 *   {"jsonrpc":"2.0","method":"event","params":{"seq":N,"kind":K,"event":{...}}}
 * delivered at least once: after "subscribe" a subscriber gets every
 * journal event after its cursor, and the cursor moves only on "ack", so a
 * client or daemon restart misses nothing (dedupe by seq).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/group.h"
#include "daemon.h"
#include "safety.h"

int daemon_write_all(struct dclient *cl, const char *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(cl->out_fd, p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            cl->dead = 1; /* gone, or stuck past its send timeout */
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Appends text to a capture client's response. */
static int capture(struct dclient *cl, const char *text, size_t len)
{
    char *g = realloc(cl->out, cl->out_len + len + 1);
    if (g == NULL)
        return -1;
    memcpy(g + cl->out_len, text, len);
    cl->out = g;
    cl->out_len += len;
    g[cl->out_len] = 0;
    return 0;
}

int rpc_write(struct dclient *cl, int64_t seq, cJSON *msg)
{
    char *text = cJSON_PrintUnformatted(msg), *framed = NULL;
    size_t len;
    int rc = -1, n;
    cJSON_Delete(msg);
    if (text == NULL || cl->dead)
        goto out;
    len = strlen(text);
    if (cl->kind == DC_CAPTURE) {
        rc = capture(cl, text, len);
        goto out;
    }
    if (cl->kind != DC_SSE) {
        text[len] = '\n'; /* replaces the NUL: one line */
        rc = daemon_write_all(cl, text, len + 1);
        goto out;
    }
    /* Server-Sent Events: cJSON escapes newlines, so one data line. */
    framed = malloc(len + 48);
    if (framed == NULL)
        goto out;
    if (seq > 0)
        n = snprintf(framed, len + 48, "id: %lld\ndata: %s\n\n", (long long)seq, text);
    else
        n = snprintf(framed, len + 48, "data: %s\n\n", text);
    if (n > 0)
        rc = daemon_write_all(cl, framed, (size_t)n);
out:
    free(framed);
    cJSON_free(text);
    return rc;
}

void rpc_reply(struct dclient *cl, const cJSON *id, cJSON *result)
{
    cJSON *r;
    if (cl->mute) {
        cJSON_Delete(result);
        return;
    }
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "jsonrpc", "2.0");
    cJSON_AddItemToObject(r, "result", result);
    cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    (void)rpc_write(cl, 0, r);
}

void rpc_error(struct dclient *cl, const cJSON *id, int code, const char *msg, const char *hint)
{
    cJSON *r, *e;
    if (cl->mute)
        return;
    r = cJSON_CreateObject();
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "jsonrpc", "2.0");
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", msg);
    if (hint != NULL) {
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "hint", hint);
        cJSON_AddItemToObject(e, "data", data);
    }
    cJSON_AddItemToObject(r, "error", e);
    cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    (void)rpc_write(cl, 0, r);
}

const char *rpc_param_str(const cJSON *params, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(params, name));
}

/* ---- events ---- */

struct push_ctx {
    struct dclient *cl;
    cJSON *list; /* receive: collect instead of notifying */
    int failed;
};

static cJSON *event_json(int64_t seq, const char *kind, const char *json)
{
    cJSON *p = cJSON_CreateObject(), *ev = cJSON_Parse(json);
    cJSON_AddNumberToObject(p, "seq", (double)seq);
    cJSON_AddStringToObject(p, "kind", kind);
    if (strcmp(kind, "message") == 0)
        cJSON_AddStringToObject(p, "schema", "sotto.message.v1");
    else
        cJSON_AddStringToObject(p, "schema", "sotto.event.v1");
    cJSON_AddItemToObject(p, "event", ev ? ev : cJSON_CreateNull());
    return p;
}

static int push_one(void *ctx, int64_t seq, const char *kind, const char *json)
{
    struct push_ctx *x = ctx;
    cJSON *n;
    if (x->list != NULL) {
        cJSON_AddItemToArray(x->list, event_json(seq, kind, json));
        return 0;
    }
    n = cJSON_CreateObject();
    cJSON_AddStringToObject(n, "jsonrpc", "2.0");
    cJSON_AddStringToObject(n, "method", "event");
    cJSON_AddItemToObject(n, "params", event_json(seq, kind, json));
    if (rpc_write(x->cl, seq, n) != 0) {
        x->failed = 1;
        return 1;
    }
    x->cl->sent_upto = seq;
    return 0;
}

void rpc_push_events(struct daemon *d, struct dclient *cl)
{
    struct push_ctx x = {cl, NULL, 0};
    if (cl->subscriber[0] == 0 || cl->dead)
        return;
    if (sc_store_journal_read(d->c->store, cl->sent_upto, 256, push_one, &x) != SOTTO_OK &&
        !x.failed)
        fprintf(stderr, "sotto daemon: cannot read the event journal\n");
}

void rpc_on_event(void *ctx, int64_t seq, const char *kind, const char *json)
{
    struct daemon *d = ctx;
    cJSON *ev;
    (void)seq;
    if (strcmp(kind, "typing") != 0)
        return; /* journalled kinds reach subscribers through the journal */
    ev = cJSON_Parse(json);
    for (size_t i = 0; ev != NULL && i < d->nclients; i++) {
        struct dclient *cl = d->clients[i];
        cJSON *n, *p;
        if (cl->subscriber[0] == 0 || cl->dead)
            continue;
        n = cJSON_CreateObject();
        p = cJSON_CreateObject();
        cJSON_AddStringToObject(n, "jsonrpc", "2.0");
        cJSON_AddStringToObject(n, "method", "typing");
        cJSON_AddStringToObject(p, "kind", "typing");
        cJSON_AddStringToObject(p, "schema", "sotto.typing.v1");
        cJSON_AddItemToObject(p, "event", cJSON_Duplicate(ev, 1));
        cJSON_AddItemToObject(n, "params", p);
        (void)rpc_write(cl, 0, n);
    }
    cJSON_Delete(ev);
}

static int subscriber_arg(struct dclient *cl, const cJSON *id, const cJSON *params,
                          const char **sub)
{
    *sub = rpc_param_str(params, "subscriber");
    if (*sub == NULL || !sc_name_valid(*sub)) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "subscriber must be a name (a-z 0-9 . _ -)", NULL);
        return -1;
    }
    return 0;
}

static void m_subscribe(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *sub;
    int64_t cur;
    cJSON *r;
    if (cl->kind == DC_CAPTURE) {
        rpc_error(cl, id, RPC_USER, "subscribe needs a connection that stays open",
                  "over HTTP, stream events with GET /api/v1/events?subscriber=NAME");
        return;
    }
    if (subscriber_arg(cl, id, params, &sub) != 0)
        return;
    if (sc_store_cursor_get(d->c->store, &cur, sub) != SOTTO_OK) {
        rpc_error(cl, id, RPC_INTERNAL, "cannot read the cursor", NULL);
        return;
    }
    snprintf(cl->subscriber, sizeof cl->subscriber, "%s", sub);
    cl->sent_upto = cur;
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "subscriber", sub);
    cJSON_AddNumberToObject(r, "cursor", (double)cur);
    rpc_reply(cl, id, r);
    rpc_push_events(d, cl);
}

static void m_ack(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *sub;
    const cJSON *seq = cJSON_GetObjectItem(params, "seq");
    if (subscriber_arg(cl, id, params, &sub) != 0)
        return;
    if (!cJSON_IsNumber(seq) || seq->valuedouble < 0) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "seq must be the number of an event", NULL);
        return;
    }
    if (sc_store_cursor_set(d->c->store, sub, (int64_t)seq->valuedouble) != SOTTO_OK) {
        rpc_error(cl, id, RPC_INTERNAL, "cannot store the cursor", NULL);
        return;
    }
    rpc_reply(cl, id, cJSON_CreateTrue());
}

static void m_receive(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *sub;
    const cJSON *max = cJSON_GetObjectItem(params, "max");
    struct push_ctx x = {cl, cJSON_CreateArray(), 0};
    int64_t cur;
    if (subscriber_arg(cl, id, params, &sub) != 0) {
        cJSON_Delete(x.list);
        return;
    }
    if (sc_store_cursor_get(d->c->store, &cur, sub) != SOTTO_OK ||
        sc_store_journal_read(d->c->store, cur,
                              cJSON_IsNumber(max) && max->valuedouble > 0 ? (size_t)max->valuedouble
                                                                          : 100,
                              push_one, &x) != SOTTO_OK) {
        cJSON_Delete(x.list);
        rpc_error(cl, id, RPC_INTERNAL, "cannot read the event journal", NULL);
        return;
    }
    rpc_reply(cl, id, x.list);
}

/* ---- messages and contacts ---- */

static void m_send(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *to = rpc_param_str(params, "to"), *text = rpc_param_str(params, "text");
    const char *group = rpc_param_str(params, "group");
    struct sc_message m;
    char mid[SC_MID_LEN + 1];
    int rc;
    if (group != NULL && text != NULL && to == NULL) {
        /* A group message (text only here; docs/cli.md "Groups"). */
        rc = cli_queue_group(d->c, &m, group, text, strlen(text), SC_KIND_TEXT);
        if (rc != 0) {
            rpc_error(cl, id, rc, "not queued", "see `sotto group list`");
            return;
        }
        to = d->c->cfg.account;
    } else if (cJSON_GetObjectItem(params, "attachment") != NULL) {
        rpc_m_send_attachment(d, cl, id, params);
        return;
    }
    if (to == NULL || text == NULL) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "send needs \"to\" and \"text\" (or \"attachment\")",
                  NULL);
        return;
    }
    /* cli_queue_message prints errors for people on stderr too; the
     * client gets the exit code as the error code. */
    rc = group != NULL ? 0 : cli_queue_message(d->c, &m, to, text, strlen(text));
    if (rc != 0) {
        rpc_error(cl, id, rc, rc == EXIT_UNTRUSTED ? "untrusted_identity" : "not queued",
                  rc == EXIT_UNTRUSTED ? "verify the contact, then trust it" : NULL);
        return;
    }
    memcpy(mid, m.mid, sizeof mid);
    daemon_flush(d);
    if (sc_store_message_get(d->c->store, &m, mid) != SOTTO_OK) {
        rpc_error(cl, id, RPC_INTERNAL, "message vanished", NULL);
        return;
    }
    rpc_reply(cl, id, cli_message_json(&m));
    sc_message_clear(&m);
}

struct list_ctx {
    cJSON *arr;
    cJSON *peers; /* conversations: object peer -> last message */
};

static int history_cb(void *ctx, const struct sc_message *m)
{
    struct list_ctx *x = ctx;
    if (x->peers != NULL && m->gid[0] != 0)
        return 0; /* conversations are 1:1 ones */
    if (x->peers != NULL) {
        cJSON_DeleteItemFromObject(x->peers, m->peer);
        cJSON_AddItemToObject(x->peers, m->peer, cli_message_json(m));
    } else {
        cJSON_AddItemToArray(x->arr, cli_message_json(m));
    }
    return 0;
}

static void m_history(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *peer = rpc_param_str(params, "peer"), *group = rpc_param_str(params, "group");
    const cJSON *limit = cJSON_GetObjectItem(params, "limit");
    struct list_ctx x = {cJSON_CreateArray(), NULL};
    size_t n = cJSON_IsNumber(limit) && limit->valuedouble > 0 ? (size_t)limit->valuedouble : 0;
    struct sc_group_rec r;
    int rc;
    if (group != NULL) {
        rc = cli_group_find(d->c, &r, group);
        if (rc != 0) {
            cJSON_Delete(x.arr);
            rpc_error(cl, id, rc, "no such group", "see `sotto group list`");
            return;
        }
        rc = sc_store_message_list_group(d->c->store, r.hex, n, history_cb, &x);
    } else {
        rc = sc_store_message_list(d->c->store, peer, n, history_cb, &x);
    }
    if (rc != SOTTO_OK) {
        cJSON_Delete(x.arr);
        rpc_error(cl, id, RPC_INTERNAL, "cannot read the history", NULL);
        return;
    }
    rpc_reply(cl, id, x.arr);
}

static void m_conversations(struct daemon *d, struct dclient *cl, const cJSON *id)
{
    struct list_ctx x = {cJSON_CreateArray(), cJSON_CreateObject()};
    cJSON *it;
    if (sc_store_message_list(d->c->store, NULL, 0, history_cb, &x) != SOTTO_OK) {
        cJSON_Delete(x.arr);
        cJSON_Delete(x.peers);
        rpc_error(cl, id, RPC_INTERNAL, "cannot read the history", NULL);
        return;
    }
    cJSON_ArrayForEach(it, x.peers)
    {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "peer", it->string);
        cJSON_AddItemToObject(c, "last", cJSON_Duplicate(it, 1));
        cJSON_AddItemToArray(x.arr, c);
    }
    cJSON_Delete(x.peers);
    rpc_reply(cl, id, x.arr);
}

static int contact_cb(void *ctx, const struct sc_contact *ct)
{
    cJSON *o = cJSON_CreateObject();
    char hex[2 * SC_IDKEY_BYTES + 1];
    cJSON_AddStringToObject(o, "schema", "sotto.contact.v1");
    cJSON_AddStringToObject(o, "name", ct->name);
    cJSON_AddStringToObject(o, "trust", cli_trust_name(ct->trust));
    cJSON_AddBoolToObject(o, "blocked", ct->blocked);
    if (ct->has_key) {
        cli_hex(hex, ct->identity_key, SC_IDKEY_BYTES);
        cJSON_AddStringToObject(o, "identity_key", hex);
    }
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

static void m_contacts(struct daemon *d, struct dclient *cl, const cJSON *id)
{
    cJSON *arr = cJSON_CreateArray();
    if (sc_store_contact_list(d->c->store, contact_cb, arr) != SOTTO_OK) {
        cJSON_Delete(arr);
        rpc_error(cl, id, RPC_INTERNAL, "cannot read the contacts", NULL);
        return;
    }
    rpc_reply(cl, id, arr);
}

static void m_verify(struct daemon *d, struct dclient *cl, const cJSON *id, const cJSON *params)
{
    const char *name = rpc_param_str(params, "name");
    struct sotto_fingerprint fp;
    struct sc_contact ct;
    char groups[72];
    cJSON *r;
    if (name == NULL) {
        rpc_error(cl, id, RPC_INVALID_PARAMS, "verify needs \"name\"", NULL);
        return;
    }
    if (cli_safety_number(d->c, &fp, &ct, name) != 0) {
        rpc_error(cl, id, RPC_USER, "no safety number: the contact's key is not known yet",
                  "exchange a message first");
        return;
    }
    cli_safety_groups(groups, fp.displayable);
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "schema", "sotto.safety_number.v1");
    cJSON_AddStringToObject(r, "name", ct.name);
    cJSON_AddStringToObject(r, "safety_number", groups);
    cJSON_AddStringToObject(r, "trust", cli_trust_name(ct.trust));
    rpc_reply(cl, id, r);
}

void rpc_handle(struct daemon *d, struct dclient *cl, const char *line)
{
    cJSON *req = cJSON_Parse(line);
    const cJSON *id, *params;
    const char *method, *version;
    if (req == NULL) {
        rpc_error(cl, NULL, RPC_PARSE_ERROR, "not JSON", NULL);
        return;
    }
    id = cJSON_GetObjectItem(req, "id");
    params = cJSON_GetObjectItem(req, "params");
    method = cJSON_GetStringValue(cJSON_GetObjectItem(req, "method"));
    version = cJSON_GetStringValue(cJSON_GetObjectItem(req, "jsonrpc"));
    if (method == NULL || !cJSON_IsObject(req) || version == NULL || strcmp(version, "2.0") != 0) {
        rpc_error(cl, id, RPC_INVALID_REQUEST, "a JSON-RPC 2.0 request object is expected", NULL);
        cJSON_Delete(req);
        return;
    }
    /* A request without "id" is a notification: it is carried out, and
     * nothing is answered (JSON-RPC 2.0 section 4.1). */
    cl->mute = id == NULL;
    if (strcmp(method, "send") == 0) {
        m_send(d, cl, id, params);
    } else if (strcmp(method, "subscribe") == 0) {
        m_subscribe(d, cl, id, params);
    } else if (strcmp(method, "receive") == 0) {
        m_receive(d, cl, id, params);
    } else if (strcmp(method, "ack") == 0) {
        m_ack(d, cl, id, params);
    } else if (strcmp(method, "history") == 0) {
        m_history(d, cl, id, params);
    } else if (strcmp(method, "conversations") == 0) {
        m_conversations(d, cl, id);
    } else if (strcmp(method, "contacts") == 0) {
        m_contacts(d, cl, id);
    } else if (strcmp(method, "verify") == 0) {
        m_verify(d, cl, id, params);
    } else if (strcmp(method, "react") == 0) {
        rpc_m_react(d, cl, id, params);
    } else if (strcmp(method, "typing") == 0) {
        rpc_m_typing(d, cl, id, params);
    } else if (strcmp(method, "read") == 0) {
        rpc_m_read(d, cl, id, params);
    } else if (strcmp(method, "timer") == 0) {
        rpc_m_timer(d, cl, id, params);
    } else if (strcmp(method, "attachment") == 0) {
        rpc_m_attachment(d, cl, id, params);
    } else {
        rpc_error(cl, id, RPC_METHOD_NOT_FOUND, "unknown method", NULL);
    }
    cl->mute = 0;
    cJSON_Delete(req);
}
