/* The CLI's glue to client/conn and client/sync: registration, sending the
 * outbox, receiving, with messages that say what happened and what to do. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/sync.h"

int cli_connect(struct cli *c, struct sc_conn **conn, const char *server, const char *key,
                int quiet_if_none)
{
    struct sc_server srv;
    int rc = sc_conn_settings(&srv, c->store, server ? server : c->cfg.server,
                              key ? key : c->cfg.server_key);
    *conn = NULL;
    if (rc == SOTTO_ERR_NOT_FOUND) {
        if (quiet_if_none)
            return -1;
        return cli_fail(c, EXIT_USER, "no_server",
                        "give --server HOST:PORT --server-key HEX to register, or set server "
                        "and server_key in the config",
                        "no server is configured for account '%s'", c->cfg.account);
    }
    if (rc != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "server_settings",
                        "server is HOST:PORT and server_key 64 hex digits",
                        "the server settings are not valid: %s", sotto_strerror(rc));
    if (!srv.has_key)
        return cli_fail(c, EXIT_USER, "no_server_key",
                        "give --server-key HEX (`sottod fingerprint` prints it on the server)",
                        "the server's key is not pinned, so the server cannot be "
                        "authenticated");
    rc = sc_conn_open(conn, c->store, &srv, 5000);
    if (rc == SOTTO_ERR_UNREACHABLE)
        return cli_fail(c, EXIT_SERVER, "unreachable",
                        "check the network and that sottod runs; queued messages are kept "
                        "and sent on the next run",
                        "cannot reach the server %s:%s", srv.host, srv.port);
    if (rc == SOTTO_ERR_HANDSHAKE)
        return cli_fail(c, EXIT_SERVER, "handshake",
                        "the server at that address does not hold the pinned key: check "
                        "server_key (ask the operator), or someone is intercepting",
                        "the server %s:%s failed to authenticate", srv.host, srv.port);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "connecting to the server");
    return 0;
}

static int prepare_fail(struct cli *c, int rc)
{
    if (rc == SOTTO_ERR_NOT_FOUND)
        return cli_fail(c, EXIT_USER, "not_linked",
                        "on the primary device run `sotto -a NAME device add 'URI'` with the URI "
                        "`sotto -a NAME link` prints here",
                        "account '%s' does not list this device yet", c->cfg.account);
    if (rc == SOTTO_ERR_INVALID_STATE)
        return cli_fail(c, EXIT_USER, "not_registered", "run `sotto -a NAME register` first",
                        "account '%s' is not registered with the server", c->cfg.account);
    if (rc == SOTTO_ERR_REFUSED)
        return cli_fail(c, EXIT_USER, "device_removed",
                        "this device was removed from the account; link it again with `sotto "
                        "link` in a new account folder if that was a mistake",
                        "the server no longer lists this device of account '%s'", c->cfg.account);
    return cli_fail_err(c, rc, "completing this device's registration");
}

int cli_online(struct cli *c, struct sc_conn **conn, struct sc_sync *s, int quiet_if_none)
{
    int rc = cli_connect(c, conn, NULL, NULL, quiet_if_none);
    if (rc != 0)
        return rc;
    rc = sc_sync_init(s, *conn, c->store, cli_on_event, c);
    if (rc == SOTTO_OK) {
        s->trust_mode = c->cfg.trust_mode;
        s->log_key = c->cfg.log_key[0] ? c->cfg.log_key : NULL;
        s->attach_dir = cli_attach_dir(c);
    }
    if (rc == SOTTO_OK)
        rc = sc_sync_prepare(s);
    if (rc != SOTTO_OK) {
        sc_conn_close(*conn);
        *conn = NULL;
        return prepare_fail(c, rc);
    }
    return 0;
}

int cli_register_with_server(struct cli *c, const char *server, const char *server_key)
{
    struct sc_conn *conn;
    struct sc_sync s;
    char msg[256];
    int rc = cli_connect(c, &conn, server, server_key, 1);
    if (rc == -1) {
        if (!c->json)
            printf("No server configured: the account exists on this machine only. Run\n"
                   "`sotto -a %s register --server HOST:PORT --server-key HEX` to register.\n",
                   c->cfg.account);
        return 0;
    }
    if (rc != 0)
        return rc;
    rc = sc_sync_init(&s, conn, c->store, cli_on_event, c);
    s.log_key = c->cfg.log_key[0] ? c->cfg.log_key : NULL;
    if (rc == SOTTO_OK)
        rc = sc_sync_register(&s, msg, sizeof msg);
    sc_conn_close(conn);
    if (rc == SOTTO_ERR_REFUSED)
        return cli_fail(c, EXIT_SERVER, "refused",
                        "pick another account name with -a (the local account stays; remove "
                        "its folder if you do not need it)",
                        "the server refused the registration: %s", msg);
    if (rc == SOTTO_ERR_RATE_LIMITED)
        return cli_fail(c, EXIT_RATE_LIMITED, "rate_limited",
                        "wait a minute and run `sotto register` again",
                        "the server limits registrations");
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "registering with the server");
    if (!c->json)
        printf("Registered %s with the server.\n", c->cfg.account);
    return 0;
}

/* Prints journal events as they happen (receive, send). */
void cli_on_event(void *ctx, int64_t seq, const char *kind, const char *json)
{
    struct cli *c = ctx;
    cJSON *o = cJSON_Parse(json);
    const char *peer;
    (void)seq;
    if (o == NULL)
        return;
    peer = cJSON_GetStringValue(cJSON_GetObjectItem(o, "peer"));
    if (strcmp(kind, "message") == 0) {
        const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(o, "direction"));
        if (dir != NULL && strcmp(dir, "in") == 0)
            cli_print_event_message(c, o);
    } else if (strcmp(kind, "group") == 0) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
        const char *by = cJSON_GetStringValue(cJSON_GetObjectItem(o, "by"));
        const cJSON *mem = cJSON_GetObjectItem(o, "members"), *x;
        if (c->json) {
            cli_emit(c, "sotto.group.v1", cJSON_Duplicate(o, 1));
        } else {
            printf("[group %s] %s set the members (version %.0f):", name ? name : "?",
                   by ? by : "?", cJSON_GetNumberValue(cJSON_GetObjectItem(o, "version")));
            cJSON_ArrayForEach(x, mem) printf(" %s", cJSON_GetStringValue(x));
            printf("%s\n", cJSON_IsTrue(cJSON_GetObjectItem(o, "member"))
                               ? ""
                               : "  (you are not a member)");
            fflush(stdout);
        }
    } else if (strcmp(kind, "key_change") == 0) {
        const char *trust = cJSON_GetStringValue(cJSON_GetObjectItem(o, "trust"));
        fprintf(stderr,
                "sotto: WARNING: the identity key of %s CHANGED. %s\n"
                "  compare safety numbers again: sotto verify %s\n",
                peer ? peer : "?",
                trust && strcmp(trust, "changed") == 0
                    ? "You had verified it, so sending to them is stopped."
                    : "This happens when they reinstall; it also happens in an attack.",
                peer ? peer : "NAME");
        if (c->json)
            cli_emit(c, "sotto.key_change.v1", cJSON_Duplicate(o, 1));
    } else if (strcmp(kind, "typing") == 0) {
        int on = cJSON_IsTrue(cJSON_GetObjectItem(o, "typing"));
        if (c->json)
            cli_emit(c, "sotto.typing.v1", cJSON_Duplicate(o, 1));
        else
            printf("%s %s\n", peer ? peer : "?", on ? "is typing..." : "stopped typing");
        fflush(stdout);
    } else if (strcmp(kind, "timer") == 0) {
        double sec = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "timer"));
        int ours = cJSON_IsTrue(cJSON_GetObjectItem(o, "by_us"));
        if (c->json)
            cli_emit(c, "sotto.timer.v1", cJSON_Duplicate(o, 1));
        else if (ours)
            printf("your other device set disappearing messages with %s to %.0f s%s\n",
                   peer ? peer : "?", sec, sec > 0 ? "" : " (off)");
        else if (sec > 0)
            printf("%s set disappearing messages to %.0f s\n", peer ? peer : "?", sec);
        else
            printf("%s turned disappearing messages off\n", peer ? peer : "?");
        fflush(stdout);
    } else if (strcmp(kind, "history") == 0) {
        cJSON *got = cJSON_GetObjectItem(o, "history");
        cJSON *sent = cJSON_GetObjectItem(o, "history_sent");
        if (c->json)
            cli_emit(c, "sotto.history.v1", cJSON_Duplicate(o, 1));
        else if (got != NULL)
            printf("received %.0f messages of history from your other device\n",
                   cJSON_GetNumberValue(got));
        else if (sent != NULL)
            printf("sent %.0f messages of history to your device %.0f\n",
                   cJSON_GetNumberValue(sent),
                   cJSON_GetNumberValue(cJSON_GetObjectItem(o, "device")));
        fflush(stdout);
    } else if (strcmp(kind, "device_name") == 0) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
        if (c->json)
            cli_emit(c, "sotto.device_name.v1", cJSON_Duplicate(o, 1));
        else
            printf("device %.0f is now named '%s'\n",
                   cJSON_GetNumberValue(cJSON_GetObjectItem(o, "device")), name ? name : "");
        fflush(stdout);
    } else if (strcmp(kind, "read") == 0) {
        if (c->json)
            cli_emit(c, "sotto.read_sync.v1", cJSON_Duplicate(o, 1));
    } else if (strcmp(kind, "device_change") == 0) {
        int added = cJSON_IsTrue(cJSON_GetObjectItem(o, "added"));
        double dev = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "device"));
        if (c->json)
            cli_emit(c, "sotto.device_change.v1", cJSON_Duplicate(o, 1));
        else if (added && peer != NULL && strcmp(peer, c->cfg.account) == 0)
            fprintf(stderr,
                    "sotto: NOTE: device %.0f was added to YOUR account. If you did not add "
                    "it,\n  remove it now from your primary: sotto device remove %.0f\n",
                    dev, dev);
        else if (added)
            fprintf(stderr,
                    "sotto: NOTE: %s has a new device (%.0f), signed with their account key; "
                    "it gets\n  your messages from now on. Ask %s if you did not expect it.\n",
                    peer ? peer : "?", dev, peer ? peer : "them");
        else
            printf("%s removed device %.0f\n", peer ? peer : "?", dev);
    } else if (strcmp(kind, "held") == 0) {
        fprintf(stderr, "sotto: a message to %s is held until you verify their new key\n",
                peer ? peer : "?");
    } else if (strcmp(kind, "kt") == 0) {
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(o, "text"));
        snprintf(c->kt_refused, sizeof c->kt_refused, "%s", peer ? peer : "");
        if (c->json)
            cli_emit(c, "sotto.kt.v1", cJSON_Duplicate(o, 1));
        else
            fprintf(stderr, "sotto: %s (%s)\n", text ? text : "key transparency check failed",
                    peer ? peer : "?");
    } else if (strcmp(kind, "error") == 0) {
        const char *err = cJSON_GetStringValue(cJSON_GetObjectItem(o, "error"));
        if (err != NULL && strcmp(err, "dl_signature_invalid") == 0) {
            /* The server's list is not the account key's: a ghost device? */
            snprintf(c->kt_refused, sizeof c->kt_refused, "%s", peer ? peer : "");
            fprintf(stderr,
                    "sotto: WARNING: the server sent a device list for %s that %s's account key "
                    "did not sign\n  (a device added without their key, e.g. a ghost device); "
                    "nothing was encrypted to it\n",
                    peer ? peer : "?", peer ? peer : "their");
        } else {
            fprintf(stderr, "sotto: a message from or to %s could not be handled: %s\n",
                    peer ? peer : "?", err ? err : "?");
        }
    }
    cJSON_Delete(o);
}

static int sync_fail(struct cli *c, int rc, const char *doing)
{
    size_t queued = 0;
    if (sc_store_outbox_count(c->store, &queued) == SOTTO_OK && queued > 0 && !c->json)
        fprintf(stderr, "sotto: %zu message(s) stay queued and are sent on the next run\n", queued);
    if (rc == SOTTO_ERR_UNREACHABLE)
        return cli_fail(c, EXIT_SERVER, "unreachable", "check the network and that sottod runs",
                        "lost the connection to the server while %s", doing);
    if (rc == SOTTO_ERR_RATE_LIMITED)
        return cli_fail(c, EXIT_RATE_LIMITED, "rate_limited", "wait a little and retry",
                        "the server is rate limiting us while %s", doing);
    return cli_fail_err(c, rc, doing);
}

int cli_flush_outbox(struct cli *c, size_t *sent)
{
    struct sc_conn *conn;
    struct sc_sync s;
    size_t queued = 0;
    int rc;
    *sent = 0;
    rc = cli_online(c, &conn, &s, 1);
    if (rc != 0) {
        if (sc_store_outbox_count(c->store, &queued) == SOTTO_OK && !c->json && queued > 0)
            fprintf(stderr,
                    "sotto: %zu message(s) queued; they are sent on the next run that "
                    "reaches the server\n",
                    queued);
        return rc == -1 ? 0 : rc;
    }
    rc = sc_sync_flush(&s, cli_now_ms(), sent);
    sc_conn_close(conn);
    return rc == SOTTO_OK ? 0 : sync_fail(c, rc, "sending");
}

int cli_receive(struct cli *c, int follow, long timeout_s, long max, size_t *got)
{
    struct sc_conn *conn;
    struct sc_sync s;
    size_t sent;
    int rc;
    *got = 0;
    rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    rc = sc_sync_flush(&s, cli_now_ms(), &sent);
    if (rc == SOTTO_OK) {
        int ms = timeout_s >= 0 ? (int)(timeout_s * 1000) : (follow ? -1 : 5000);
        rc = sc_sync_receive(&s, ms, (size_t)max, got, !follow && timeout_s < 0);
    }
    sc_conn_close(conn);
    return rc == SOTTO_OK ? 0 : sync_fail(c, rc, "receiving");
}
