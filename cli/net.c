/* The CLI's glue to client/conn: registration and outbox flushing, with
 * messages that say what happened and what to do. */
#include <stdio.h>

#include "cli.h"
#include "client/conn.h"

static int connect_server(struct cli *c, struct sc_conn **conn, const char *server, const char *key,
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
                        "give --server HOST:PORT --server-key HEX, or set server and "
                        "server_key in the config",
                        "no server is configured for account '%s'", c->cfg.account);
    }
    if (rc != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "server_settings",
                        "server is HOST:PORT and server_key 64 hex digits",
                        "the server settings are not valid: %s", sotto_strerror(rc));
    if (!srv.has_key)
        return cli_fail(c, EXIT_USER, "no_server_key",
                        "give --server-key HEX (ask the server's operator for it)",
                        "the server's key is not pinned, so the server cannot be "
                        "authenticated");
    rc = sc_conn_open(conn, c->store, &srv, 5000);
    if (rc == SOTTO_ERR_UNREACHABLE)
        return cli_fail(c, EXIT_SERVER, "unreachable",
                        "check the network and that sottod runs; queued messages are kept "
                        "and sent on the next run",
                        "cannot reach the server %s:%s", srv.host, srv.port);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "connecting to the server");
    return 0;
}

int cli_register_with_server(struct cli *c, const char *server, const char *server_key)
{
    struct sc_conn *conn;
    int rc = connect_server(c, &conn, server, server_key, 1);
    if (rc == -1) {
        if (!c->json)
            printf("No server configured: the account exists on this machine only. Run\n"
                   "`sotto -a %s register --server HOST:PORT --server-key HEX` to register.\n",
                   c->cfg.account);
        return 0;
    }
    if (rc != 0)
        return rc;
    sc_conn_close(conn);
    return 0;
}

int cli_flush_outbox(struct cli *c, size_t *sent)
{
    struct sc_conn *conn;
    size_t queued = 0;
    int rc;
    *sent = 0;
    rc = connect_server(c, &conn, NULL, NULL, 1);
    if (rc != 0) {
        if (sc_store_outbox_count(c->store, &queued) == SOTTO_OK && !c->json && queued > 0)
            fprintf(stderr,
                    "sotto: %zu message(s) queued; they are sent on the next run that "
                    "reaches the server\n",
                    queued);
        return rc == -1 ? 0 : rc;
    }
    sc_conn_close(conn);
    return 0;
}
