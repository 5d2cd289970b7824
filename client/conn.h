/*
 * The client's connection to sottod: TCP, Noise (IK with the pinned server
 * key), 2-byte length framing, protobuf requests inside. Also the server
 * settings kept in the store.
 *
 * Until the transport and server protocol exist in this tree, sc_conn_open
 * returns SOTTO_ERR_UNREACHABLE after checking the settings, so everything
 * sent stays in the outbox.
 */
#ifndef SC_CONN_H
#define SC_CONN_H

#include "client/store.h"

enum { SC_SERVER_KEY_BYTES = 32 };

struct sc_server {
    char host[256];
    char port[8];
    uint8_t key[SC_SERVER_KEY_BYTES];
    int has_key;
};

/* Saves server ("host:port", may be "") and key (hex, may be "") in the
 * store. Bad key hex: SOTTO_ERR_INVALID_KEY. */
SOTTO_MUST_CHECK int sc_conn_settings_save(struct sc_store *s, const char *server,
                                           const char *key_hex);
/* Settings: the arguments win when non-empty, else the stored ones.
 * SOTTO_ERR_NOT_FOUND when no server is known. */
SOTTO_MUST_CHECK int sc_conn_settings(struct sc_server *srv, struct sc_store *s, const char *server,
                                      const char *key_hex);

struct sc_conn;

/* Connects and completes the Noise handshake within timeout_ms.
 * SOTTO_ERR_UNREACHABLE when the server is down or does not answer,
 * SOTTO_ERR_INVALID_KEY when its static key is not the pinned one. */
SOTTO_MUST_CHECK int sc_conn_open(struct sc_conn **out, struct sc_store *s,
                                  const struct sc_server *srv, int timeout_ms);
void sc_conn_close(struct sc_conn *c);

#endif
