/* sotto attachment fetch MESSAGE_ID: saves a received attachment again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/attach.h"
#include "client/conn.h"
#include "crypto/crypto.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] attachment fetch MESSAGE_ID\n"
    "\n"
    "Downloads, verifies and saves the attachment of received message\n"
    "MESSAGE_ID (the id in `sotto -o json history`) when `receive` could not\n"
    "save it (history shows \"not saved\"), or when its saved copy was deleted.\n"
    "The key and the file's digest come from the message in the local store.\n"
    "A download interrupted before (receive, or an earlier fetch) continues\n"
    "from the part already written; a dropped connection is redialled up to\n"
    "6 times. The file is saved only once every record and the whole digest\n"
    "verify, as <data dir>/attachments/<MESSAGE_ID>-<name>, mode 0600.\n"
    "\n"
    "Output: the message with its path (-o json: sotto.message.v1).\n"
    "Exit status: 0 saved (or already saved), 1 bad arguments, no such message\n"
    "or not a received attachment, 3 server unreachable (the verified part is\n"
    "kept: run it again), expired on the server, or the download does not\n"
    "verify.\n";

int cli_attach_redial(void *ctx, struct sc_conn **conn)
{
    struct cli *c = ctx;
    struct sc_server srv;
    int rc = sc_conn_settings(&srv, c->store, c->cfg.server, c->cfg.server_key);
    *conn = NULL;
    if (rc != SOTTO_OK)
        return rc;
    if (!srv.has_key)
        return SOTTO_ERR_INVALID_STATE;
    return sc_conn_open(conn, c->store, &srv, 5000);
}

static int fetch_fail(struct cli *c, int err, const struct sc_attach *a)
{
    switch (err) {
    case SOTTO_ERR_UNREACHABLE:
        return cli_fail(c, EXIT_SERVER, "unreachable",
                        "check the network and sottod, then run it again; the verified part "
                        "is kept and the download continues from there",
                        "lost the server while downloading '%s'", a->name);
    case SOTTO_ERR_NOT_FOUND:
        return cli_fail(c, EXIT_SERVER, "expired", "ask the sender to send it again",
                        "the server no longer has '%s' (attachments expire)", a->name);
    case SOTTO_ERR_BAD_MAC:
    case SOTTO_ERR_TRUNCATED:
        return cli_fail(c, EXIT_SERVER, "bad_attachment",
                        "it was damaged or tampered with on the way; ask the sender to send "
                        "it again",
                        "'%s' does not verify against the key in the message; nothing was "
                        "saved",
                        a->name);
    case SOTTO_ERR_INVALID_STATE:
        return cli_fail(c, EXIT_USER, "busy", "wait for the other sotto process to finish",
                        "'%s' is being downloaded by another sotto process", a->name);
    default:
        return cli_fail_err(c, err, "saving the attachment");
    }
}

/* Downloads a's file and records its path in message mid. */
static int fetch(struct cli *c, struct sc_attach *a, const char *mid)
{
    struct sc_attach_net net = {.reconnect = cli_attach_redial, .ctx = c};
    uint8_t *body = NULL;
    size_t blen = 0;
    int rc = cli_connect(c, &net.conn, NULL, NULL, 0), err;
    if (rc != 0)
        return rc;
    err = sc_attach_fetch_net(&net, a, cli_attach_dir(c), mid);
    sc_conn_close(net.conn);
    if (net.resumed_at > 0 && !c->quiet)
        fprintf(stderr, "sotto: resumed the download at byte %llu (%d reconnection(s))\n",
                (unsigned long long)net.resumed_at, net.reconnects);
    if (err != SOTTO_OK)
        return fetch_fail(c, err, a);
    err = sc_attach_encode(&body, &blen, a, 1);
    if (err == SOTTO_OK)
        err = sc_store_message_body(c->store, mid, body, blen);
    if (body != NULL) {
        st_wipe(body, blen);
        free(body);
    }
    return err == SOTTO_OK ? 0 : cli_fail_err(c, err, "recording the saved attachment");
}

static int fetch_cmd(struct cli *c, const char *mid)
{
    struct sc_attach *a = NULL;
    struct sc_message m;
    int rc = sc_store_message_get(c->store, &m, mid);
    if (rc == SOTTO_ERR_NOT_FOUND)
        return cli_fail(c, EXIT_USER, "not_found", "`sotto -o json history` lists message ids",
                        "there is no message '%s'", mid);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the message");
    if (m.kind != SC_KIND_ATTACHMENT || m.outgoing) {
        rc = cli_fail(c, EXIT_USER, "not_attachment", "give the id of a received attachment",
                      "message '%s' is not a received attachment", mid);
        goto out;
    }
    a = malloc(sizeof *a);
    rc = a == NULL ? SOTTO_ERR_NOMEM : sc_attach_decode(a, m.body, m.body_len, 1);
    if (rc != SOTTO_OK) {
        rc = cli_fail_err(c, rc, "reading the attachment's key");
        goto out;
    }
    if (a->path[0] == 0 || access(a->path, F_OK) != 0)
        rc = fetch(c, a, mid);
    sc_message_clear(&m);
    if (rc == 0 && sc_store_message_get(c->store, &m, mid) == SOTTO_OK)
        cli_print_message(c, &m);
out:
    sc_message_clear(&m);
    if (a != NULL) {
        st_wipe(a, sizeof *a);
        free(a);
    }
    return rc;
}

int cmd_attachment(struct cli *c, int argc, char **argv)
{
    int rc;
    if (cli_wants_help(argc, argv)) {
        cli_help(help);
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "fetch") != 0)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto attachment fetch MESSAGE_ID",
                        "attachment needs `fetch` and a message id");
    if (strlen(argv[2]) != SC_MID_LEN || strspn(argv[2], "0123456789abcdef") != SC_MID_LEN)
        return cli_fail(c, EXIT_USER, "usage", "a message id is 32 hex digits",
                        "'%s' is not a message id", argv[2]);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    return fetch_cmd(c, argv[2]);
}
