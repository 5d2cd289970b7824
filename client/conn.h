/*
 * The client's connection to sottod (docs/server-api.md): TCP, Noise IK
 * 25519_ChaChaPoly_BLAKE2b with the pinned server key, 2-byte big-endian
 * length framing, each transport frame = 1 flag byte (1 = more fragments)
 * + fragment, and protobuf Frames (request/response/push) inside. Blocking
 * I/O with deadlines: one connection per command run or daemon.
 * Also the server settings kept in the store.
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
struct Sotto__Server__Request;
struct Sotto__Server__Response;
struct Sotto__Server__Push;

/* The body of rs when it is the expected member of the oneof, else NULL.
 * The members share memory (protobuf-c unions): reading one the server did
 * not send would reinterpret another message's pointer. */
#define SC_RS_BODY(rs, CASE, member)                                                               \
    ((rs)->body_case == SOTTO__SERVER__RESPONSE__BODY_##CASE ? (rs)->member : NULL)

/* What the server said in HelloOk. */
struct sc_hello {
    int registered;
    char username[SC_NAME_MAX + 1];
    uint32_t device_id;
};

/* Connects, runs Noise IK with the pinned server key (our static key is the
 * device identity key) and says Hello, all within timeout_ms.
 * SOTTO_ERR_UNREACHABLE when the server is down or does not answer,
 * SOTTO_ERR_HANDSHAKE when it is not the server whose key is pinned,
 * SOTTO_ERR_INVALID_VERSION when no protocol version is shared. */
SOTTO_MUST_CHECK int sc_conn_open(struct sc_conn **out, struct sc_store *s,
                                  const struct sc_server *srv, int timeout_ms);
void sc_conn_close(struct sc_conn *c);
const struct sc_hello *sc_conn_hello(const struct sc_conn *c);

/*
 * Sends rq (its id is set here) and waits up to timeout_ms for its
 * response; pushes that arrive meanwhile are queued for sc_conn_next_push.
 * *rs is the caller's: free with sc_conn_response_free. A response with a
 * non-OK status is still SOTTO_OK here; the caller reads rs->status.
 * SOTTO_ERR_UNREACHABLE when the connection drops or times out.
 */
SOTTO_MUST_CHECK int sc_conn_request(struct sc_conn *c, struct Sotto__Server__Response **rs,
                                     struct Sotto__Server__Request *rq, int timeout_ms);
void sc_conn_response_free(struct Sotto__Server__Response *rs);
/* Next push (queued or read within timeout_ms). SOTTO_ERR_NOT_FOUND when
 * none arrived in time; free with sc_conn_push_free. */
SOTTO_MUST_CHECK int sc_conn_next_push(struct sc_conn *c, struct Sotto__Server__Push **p,
                                       int timeout_ms);
void sc_conn_push_free(struct Sotto__Server__Push *p);
/* The socket, for poll(); readable means a push (or response) arrived.
 * Pushes already queued inside do not show there: also call
 * sc_conn_next_push with timeout 0 after each request. */
int sc_conn_fd(const struct sc_conn *c);
/* Maps a Response status to a sotto_err (OK -> SOTTO_OK). */
int sc_status_err(int status);

#endif
