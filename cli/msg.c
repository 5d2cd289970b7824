/* Message helpers shared by send, history, receive, chat and daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client/attach.h"
#include "client/content.h"
#include "client/sync.h"
#include "crypto/crypto.h"

const char *cli_status_name(int status)
{
    return sc_msg_status_name(status);
}

const char *cli_trust_name(int trust)
{
    switch (trust) {
    case SC_TRUST_UNVERIFIED:
        return "unverified";
    case SC_TRUST_VERIFIED:
        return "verified";
    case SC_TRUST_CHANGED:
        return "changed";
    default:
        return "unknown";
    }
}

cJSON *cli_message_json(const struct sc_message *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", m->mid);
    cJSON_AddStringToObject(o, "peer", m->peer);
    cJSON_AddStringToObject(o, "direction", m->outgoing ? "out" : "in");
    cJSON_AddNumberToObject(o, "device", m->device);
    cJSON_AddNumberToObject(o, "ts", (double)m->ts);
    cJSON_AddStringToObject(o, "status", cli_status_name(m->status));
    if (m->kind == SC_KIND_ATTACHMENT) {
        sc_attach_json(o, m);
    } else {
        char buf[SC_BODY_MAX + 1];
        size_t n = m->body_len < SC_BODY_MAX ? m->body_len : SC_BODY_MAX;
        memcpy(buf, m->body, n);
        buf[n] = 0;
        cJSON_AddStringToObject(o, "text", buf);
    }
    if (m->kind == SC_KIND_REACTION) {
        cJSON_AddStringToObject(o, "type", "reaction");
        cJSON_AddStringToObject(o, "target", m->target);
    }
    if (m->expires_at > 0)
        cJSON_AddNumberToObject(o, "expires_at", (double)m->expires_at);
    if (m->gid[0] != 0)
        cJSON_AddStringToObject(o, "group", m->gid);
    return o;
}

/* `when [group NAME] sender: text`; us as the sender for our own. */
static void print_group_message(struct cli *c, const char *when, const struct sc_message *m)
{
    char gname[SC_GROUP_NAME_MAX + 1], text[SC_BODY_MAX + 160];
    cli_group_name(c, gname, sizeof gname, m->gid);
    if (m->kind == SC_KIND_ATTACHMENT)
        cli_attachment_text(text, sizeof text, m);
    else if (m->kind == SC_KIND_REACTION)
        snprintf(text, sizeof text, "reacted %.*s to %s", (int)m->body_len, (const char *)m->body,
                 m->target);
    else
        snprintf(text, sizeof text, "%.*s", (int)m->body_len, (const char *)m->body);
    printf("%s [group %s] %s: %s", when, gname, m->peer, text);
    if (m->outgoing && m->status != SC_MSG_SENT)
        printf("  [%s]", cli_status_name(m->status));
    printf("\n");
    fflush(stdout);
}

/* `when -> peer: caption [attachment NAME, SIZE bytes -> PATH]` */
static void print_line(const char *when, int outgoing, const char *peer, const char *status,
                       const char *caption, const char *name, double size, const char *path)
{
    printf("%s %s %s: %s%s[attachment %s, %.0f bytes", when, outgoing ? "->" : "<-", peer, caption,
           *caption ? " " : "", name, size);
    if (*path)
        printf(" -> %s]", path);
    else
        printf(outgoing ? "]" : ", not saved]");
    if (status != NULL)
        printf("  [%s]", status);
    printf("\n");
    fflush(stdout);
}

void cli_attachment_text(char *out, size_t cap, const struct sc_message *m)
{
    struct sc_attach *a = malloc(sizeof *a);
    if (a != NULL && sc_attach_decode(a, m->body, m->body_len, 1) == SOTTO_OK)
        snprintf(out, cap, "%s%s[attachment %s, %llu bytes%s%s]", a->caption,
                 *a->caption ? " " : "", a->name, (unsigned long long)a->size,
                 *a->path ? " -> " : (m->outgoing ? "" : ", not saved"), a->path);
    else
        snprintf(out, cap, "[attachment, unreadable]");
    if (a != NULL) {
        st_wipe(a, sizeof *a);
        free(a);
    }
}

static void print_attachment(const char *when, const struct sc_message *m)
{
    struct sc_attach *a = malloc(sizeof *a);
    if (a != NULL && sc_attach_decode(a, m->body, m->body_len, 1) == SOTTO_OK)
        print_line(when, m->outgoing, m->peer,
                   m->outgoing && m->status != SC_MSG_SENT ? cli_status_name(m->status) : NULL,
                   a->caption, a->name, (double)a->size, a->path);
    else
        printf("%s %s %s: [attachment, unreadable]\n", when, m->outgoing ? "->" : "<-", m->peer);
    if (a != NULL) {
        st_wipe(a, sizeof *a);
        free(a);
    }
    fflush(stdout);
}

void cli_print_message(struct cli *c, const struct sc_message *m)
{
    char when[32];
    time_t t = (time_t)(m->ts / 1000);
    struct tm tm;
    if (c->json) {
        cli_emit(c, "sotto.message.v1", cli_message_json(m));
        return;
    }
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    if (m->gid[0] != 0) {
        print_group_message(c, when, m);
        return;
    }
    if (m->kind == SC_KIND_REACTION) {
        struct sc_message tg;
        char what[80] = "";
        if (c->store != NULL && sc_store_message_get(c->store, &tg, m->target) == SOTTO_OK) {
            snprintf(what, sizeof what, " \"%.*s\"", tg.body_len > 40 ? 40 : (int)tg.body_len,
                     (const char *)tg.body);
            sc_message_clear(&tg);
        }
        printf("%s %s %s: reacted %.*s to %s%s\n", when, m->outgoing ? "->" : "<-", m->peer,
               (int)m->body_len, (const char *)m->body, m->target, what);
        fflush(stdout);
        return;
    }
    if (m->kind == SC_KIND_ATTACHMENT) {
        print_attachment(when, m);
        return;
    }
    if (m->outgoing && m->status != SC_MSG_SENT)
        printf("%s -> %s: %.*s  [%s]\n", when, m->peer, (int)m->body_len, (const char *)m->body,
               cli_status_name(m->status));
    else
        printf("%s %s %s: %.*s\n", when, m->outgoing ? "->" : "<-", m->peer, (int)m->body_len,
               (const char *)m->body);
    fflush(stdout);
}

int cli_queue_message(struct cli *c, struct sc_message *m, const char *peer, const char *text,
                      size_t len)
{
    return cli_queue_kind(c, m, peer, text, len, SC_KIND_TEXT, NULL);
}

int cli_outbox_add(struct cli *c, const struct sc_message *m)
{
    char *js;
    int64_t seq;
    int rc = sc_store_outbox_add(c->store, m);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "queueing the message");
    js = sc_message_json_text(m);
    if (js != NULL && sc_store_journal_append(c->store, &seq, "message", js) != SOTTO_OK)
        fprintf(stderr, "sotto: note: could not record the send in the event journal\n");
    free(js);
    return 0;
}

int cli_queue_kind(struct cli *c, struct sc_message *m, const char *peer, const char *text,
                   size_t len, int kind, const char *target)
{
    struct sc_contact ct;
    int rc;

    if (!sc_name_valid(peer))
        return cli_bad_name(c, peer);
    if (len == 0)
        return cli_fail(c, EXIT_USER, "empty", "give the text with -m TEXT or on stdin",
                        "the message is empty");
    if (len > SC_BODY_MAX)
        return cli_fail(c, EXIT_USER, "too_large", "split it into several messages",
                        "the message is %zu bytes; the limit is %d", len, SC_BODY_MAX);
    rc = sc_store_contact_get(c->store, &ct, peer);
    if (rc == SOTTO_OK && ct.blocked)
        return cli_fail(c, EXIT_USER, "blocked", "unblock first: sotto block --unblock NAME",
                        "you blocked %s", peer);
    if (rc == SOTTO_OK && ct.trust == SC_TRUST_CHANGED)
        return cli_fail(c, EXIT_UNTRUSTED, "untrusted_identity",
                        "compare safety numbers with `sotto verify NAME`, then run `sotto trust "
                        "NAME --safety-number N`",
                        "%s's identity key changed since you verified it; sending to %s stops "
                        "until you verify again",
                        peer, peer);
    if (c->cfg.trust_mode == SC_TRUST_MODE_NEVER && strcmp(peer, c->cfg.account) != 0 &&
        (rc == SOTTO_ERR_NOT_FOUND || (rc == SOTTO_OK && ct.trust != SC_TRUST_VERIFIED)))
        return cli_fail(c, EXIT_UNTRUSTED, "untrusted_identity",
                        "with --trust-new-identities never, compare safety numbers first: run "
                        "`sotto verify NAME`, then `sotto trust NAME --safety-number N`",
                        "%s's identity key is not verified; nothing was sent", peer);
    if (rc == SOTTO_ERR_NOT_FOUND) {
        memset(&ct, 0, sizeof ct);
        snprintf(ct.name, sizeof ct.name, "%s", peer);
        rc = sc_store_contact_put(c->store, &ct);
    }
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the contact");
    memset(m, 0, sizeof *m);
    sc_new_mid(m->mid);
    snprintf(m->peer, sizeof m->peer, "%s", peer);
    m->outgoing = 1;
    m->ts = cli_now_ms();
    m->status = SC_MSG_QUEUED;
    m->body = (uint8_t *)text;
    m->body_len = len;
    m->kind = kind;
    if (ct.timer_s > 0)
        m->expires_at = m->ts + (int64_t)ct.timer_s * 1000; /* disappearing */
    if (target != NULL)
        snprintf(m->target, sizeof m->target, "%s", target);
    return cli_outbox_add(c, m);
}

void cli_print_event_message(struct cli *c, const cJSON *o)
{
    struct sc_message m;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(o, "id"));
    const char *peer = cJSON_GetStringValue(cJSON_GetObjectItem(o, "peer"));
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(o, "text")), *type;
    memset(&m, 0, sizeof m);
    if (id == NULL || peer == NULL || text == NULL)
        return;
    type = cJSON_GetStringValue(cJSON_GetObjectItem(o, "type"));
    {
        const char *g = cJSON_GetStringValue(cJSON_GetObjectItem(o, "group"));
        if (g != NULL && strlen(g) == SC_GID_LEN)
            memcpy(m.gid, g, SC_GID_LEN + 1);
    }
    if (m.gid[0] != 0 && !c->json && c->store != NULL) {
        /* Stored before the event: print it as history does. */
        struct sc_message sm;
        if (sc_store_message_get(c->store, &sm, id) == SOTTO_OK) {
            cli_print_message(c, &sm);
            sc_message_clear(&sm);
            return;
        }
    }
    if (type != NULL && strcmp(type, "attachment") == 0 && c->json) {
        cli_emit(c, "sotto.message.v1", cJSON_Duplicate(o, 1));
        return;
    }
    if (type != NULL && strcmp(type, "attachment") == 0) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(o, "path"));
        const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(o, "direction"));
        char when[32];
        time_t t = (time_t)(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "ts")) / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        print_line(when, dir != NULL && strcmp(dir, "out") == 0, peer, NULL, text,
                   name ? name : "?", cJSON_GetNumberValue(cJSON_GetObjectItem(o, "size")),
                   path ? path : "");
        return;
    }
    snprintf(m.mid, sizeof m.mid, "%s", id);
    snprintf(m.peer, sizeof m.peer, "%s", peer);
    m.device = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "device"));
    m.ts = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "ts"));
    m.status = SC_MSG_RECEIVED;
    m.body = (uint8_t *)text;
    m.body_len = strlen(text);
    {
        type = cJSON_GetStringValue(cJSON_GetObjectItem(o, "type"));
        const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(o, "target"));
        if (type != NULL && strcmp(type, "reaction") == 0 && target != NULL) {
            m.kind = SC_KIND_REACTION;
            snprintf(m.target, sizeof m.target, "%s", target);
        }
        const cJSON *ex = cJSON_GetObjectItem(o, "expires_at");
        if (cJSON_IsNumber(ex) && ex->valuedouble > 0 && ex->valuedouble < 9e15)
            m.expires_at = (int64_t)ex->valuedouble;
    }
    cli_print_message(c, &m);
}

const char *cli_attach_dir(struct cli *c)
{
    snprintf(c->attach_dir, sizeof c->attach_dir, "%s/attachments", c->cfg.data_dir);
    return c->attach_dir;
}
