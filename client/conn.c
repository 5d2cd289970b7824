/* Server settings and the connection (see conn.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn.h"

static int parse_hostport(struct sc_server *srv, const char *hp)
{
    const char *colon = strrchr(hp, ':');
    size_t hl;
    if (colon == NULL || colon == hp || strlen(colon + 1) == 0 || strlen(colon + 1) > 5)
        return SOTTO_ERR_INVALID_ARGUMENT;
    hl = (size_t)(colon - hp);
    if (hl >= sizeof srv->host)
        return SOTTO_ERR_TOO_LARGE;
    memcpy(srv->host, hp, hl);
    srv->host[hl] = 0;
    snprintf(srv->port, sizeof srv->port, "%s", colon + 1);
    return SOTTO_OK;
}

static int nib(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int parse_key(uint8_t key[SC_SERVER_KEY_BYTES], const char *hex)
{
    if (strlen(hex) != 2 * SC_SERVER_KEY_BYTES)
        return SOTTO_ERR_INVALID_KEY;
    for (size_t i = 0; i < SC_SERVER_KEY_BYTES; i++) {
        int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return SOTTO_ERR_INVALID_KEY;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    return SOTTO_OK;
}

int sc_conn_settings_save(struct sc_store *s, const char *server, const char *key_hex)
{
    struct sc_server srv;
    int rc;
    if (server != NULL && server[0]) {
        rc = parse_hostport(&srv, server);
        if (rc != SOTTO_OK)
            return rc;
        rc = sc_store_secret_put(s, "server", (const uint8_t *)server, strlen(server));
        if (rc != SOTTO_OK)
            return rc;
    }
    if (key_hex != NULL && key_hex[0]) {
        rc = parse_key(srv.key, key_hex);
        if (rc != SOTTO_OK)
            return rc;
        rc = sc_store_secret_put(s, "server_key", srv.key, SC_SERVER_KEY_BYTES);
        if (rc != SOTTO_OK)
            return rc;
    }
    return SOTTO_OK;
}

int sc_conn_settings(struct sc_server *srv, struct sc_store *s, const char *server,
                     const char *key_hex)
{
    uint8_t *v = NULL;
    size_t n;
    int rc;

    memset(srv, 0, sizeof *srv);
    if (server != NULL && server[0]) {
        rc = parse_hostport(srv, server);
    } else {
        rc = sc_store_secret_get(s, &v, &n, "server");
        if (rc == SOTTO_OK)
            rc = parse_hostport(srv, (const char *)v);
        sc_free_secret(v, n);
    }
    if (rc != SOTTO_OK)
        return rc;
    if (key_hex != NULL && key_hex[0]) {
        rc = parse_key(srv->key, key_hex);
    } else {
        rc = sc_store_secret_get(s, &v, &n, "server_key");
        if (rc == SOTTO_OK && n == SC_SERVER_KEY_BYTES)
            memcpy(srv->key, v, n);
        else if (rc == SOTTO_OK)
            rc = SOTTO_ERR_INVALID_KEY;
        sc_free_secret(v, n);
    }
    if (rc == SOTTO_ERR_NOT_FOUND)
        return SOTTO_OK; /* no pinned key: sc_conn_open refuses later */
    srv->has_key = rc == SOTTO_OK;
    return rc;
}

struct sc_conn {
    struct sc_store *store;
};

int sc_conn_open(struct sc_conn **out, struct sc_store *s, const struct sc_server *srv,
                 int timeout_ms)
{
    (void)s;
    (void)srv;
    (void)timeout_ms;
    *out = NULL;
    return SOTTO_ERR_UNREACHABLE;
}

void sc_conn_close(struct sc_conn *c)
{
    free(c);
}
