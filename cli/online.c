/* See online.h. */
#include <stdio.h>

#include "online.h"

static void lost(struct online *o)
{
    sc_conn_close(o->conn);
    o->conn = NULL;
    o->next_connect = cli_now_ms() + sc_backoff_ms(++o->failures);
}

static void try_connect(struct online *o)
{
    struct sc_server srv;
    struct cli *c = o->c;
    int rc;
    if (o->conn != NULL || cli_now_ms() < o->next_connect)
        return;
    rc = sc_conn_settings(&srv, c->store, c->cfg.server, c->cfg.server_key);
    if (rc == SOTTO_OK)
        rc = sc_conn_open(&o->conn, c->store, &srv, 5000);
    if (rc == SOTTO_OK)
        rc = sc_sync_init(&o->sync, o->conn, c->store, o->on_event, o->ctx);
    if (rc == SOTTO_OK) {
        o->sync.trust_mode = c->cfg.trust_mode;
        o->sync.log_key = c->cfg.log_key[0] ? c->cfg.log_key : NULL;
        o->sync.attach_dir = cli_attach_dir(c);
    }
    if (rc == SOTTO_OK)
        rc = sc_sync_prepare(&o->sync);
    if (rc != SOTTO_OK) {
        if (o->failures == 0 && !o->quiet)
            fprintf(stderr, "sotto: cannot reach the server (%s); retrying\n", sotto_err_name(rc));
        lost(o);
        return;
    }
    if (o->failures > 0 && !o->quiet)
        fprintf(stderr, "sotto: connected to the server\n");
    o->failures = 0;
    o->next_flush = 0;
}

void online_flush(struct online *o)
{
    size_t sent;
    int rc;
    try_connect(o);
    if (o->conn == NULL)
        return;
    rc = sc_sync_flush(&o->sync, cli_now_ms(), &sent);
    if (rc == SOTTO_ERR_UNREACHABLE)
        lost(o);
    o->next_flush = cli_now_ms() + 1000;
}

void online_tick(struct online *o)
{
    size_t n;
    if (sc_store_message_expire(o->c->store, cli_now_ms(), &n) != SOTTO_OK)
        n = 0; /* disappearing messages: retried on the next tick */
    if (cli_now_ms() >= o->next_prune) {
        /* A failure is retried at the next interval. */
        if (sc_store_journal_prune(o->c->store, SC_JOURNAL_KEEP_ACKED, SC_JOURNAL_KEEP_MAX, &n) !=
            SOTTO_OK)
            n = 0;
        o->next_prune = cli_now_ms() + 10 * 60 * 1000;
    }
    try_connect(o);
    if (o->conn != NULL && cli_now_ms() >= o->next_flush)
        online_flush(o);
    if (o->conn != NULL && sc_sync_receive(&o->sync, 0, 0, &n, 0) != SOTTO_OK)
        lost(o);
}

int online_fd(const struct online *o)
{
    return o->conn != NULL ? sc_conn_fd(o->conn) : -1;
}

void online_close(struct online *o)
{
    sc_conn_close(o->conn);
    o->conn = NULL;
}
