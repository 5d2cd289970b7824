/*
 * Noise handshake and transport state for the client-server channel, from
 * the Noise Protocol Framework, revision 34 (noiseprotocol.org/noise.html).
 * Two protocols, one suite (DESIGN.md "Transport"):
 *
 *   Noise_XX_25519_ChaChaPoly_BLAKE2b   first contact
 *     -> e
 *     <- e, ee, s, es
 *     -> s, se
 *   Noise_IK_25519_ChaChaPoly_BLAKE2b   client has pinned the server key
 *     <- s
 *     ...
 *     -> e, es, s, ss
 *     <- e, ee, se
 *
 * No I/O: bytes in, bytes out. The caller frames each message (2-byte
 * length on TCP) and never hands more than ST_NOISE_MAX_MESSAGE bytes.
 * There is no IK->XX fallback: a responder that cannot decrypt an IK first
 * message gets SOTTO_ERR_HANDSHAKE and the client must start again (with XX
 * if it no longer trusts its pinned key).
 *
 * Contract for every function here:
 *  - returns 0 (SOTTO_OK) or a sotto_err; out-params are cleared first
 *    (*outlen = 0, *t = NULL);
 *  - buffers must not overlap, except that st_noise_encrypt/decrypt may
 *    work in place (out == pt / out == ct exactly);
 *  - caller mistakes are refused before anything is computed and leave the
 *    object unchanged and usable: SOTTO_ERR_INVALID_ARGUMENT (NULL, buffer
 *    too small), SOTTO_ERR_INVALID_STATE (call out of order), and
 *    SOTTO_ERR_TOO_LARGE for a payload given to write/encrypt;
 *  - during the handshake every other error, i.e. anything wrong with the
 *    peer's bytes (SOTTO_ERR_HANDSHAKE: does not authenticate or carries a
 *    small-order key; SOTTO_ERR_TRUNCATED; SOTTO_ERR_TOO_LARGE on read),
 *    commits nothing from that message and moves the handshake to
 *    ST_NOISE_FAILED; every later call on it returns SOTTO_ERR_INVALID_STATE.
 *    Drop the connection.
 *  - the pattern is not visible on the wire (XX message 1 is 32 bytes + a
 *    plaintext payload, IK message 1 is 96 + payload): the framing must say
 *    which one the client chose, e.g. a pattern byte before message 1 that
 *    is also part of the prologue on both sides, so it is authenticated.
 *  - objects are not thread-safe; use one per connection.
 */
#ifndef ST_TRANSPORT_NOISE_H
#define ST_TRANSPORT_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum st_noise_limits {
    ST_NOISE_MAX_MESSAGE = 65535, /* any Noise message, handshake or transport */
    ST_NOISE_KEY_BYTES = 32,      /* X25519 keys, cipher keys */
    ST_NOISE_TAG_BYTES = 16,
    ST_NOISE_HASH_BYTES = 64, /* BLAKE2b-512: handshake hash, chaining key */
    /* Largest transport plaintext: 65535 - 16. */
    ST_NOISE_MAX_PLAINTEXT = ST_NOISE_MAX_MESSAGE - ST_NOISE_TAG_BYTES,
    /* Largest bytes a handshake message adds to its payload (XX message 2,
     * IK message 1: 32 e + 48 s + 16 tag). st_noise_write_overhead gives
     * the exact figure for the next message. */
    ST_NOISE_HANDSHAKE_OVERHEAD_MAX = 96,
};

enum st_noise_pattern { ST_NOISE_XX, ST_NOISE_IK };

/* Explicit handshake states (st_noise_handshake_state). */
enum st_noise_state {
    ST_NOISE_WRITE,  /* our turn: st_noise_write_message */
    ST_NOISE_READ,   /* their turn: st_noise_read_message */
    ST_NOISE_DONE,   /* all messages exchanged: st_noise_split */
    ST_NOISE_SPLIT,  /* split done; only remote_static/hash remain usable */
    ST_NOISE_FAILED, /* a message failed; everything returns INVALID_STATE */
};

struct st_noise_handshake; /* opaque; new/free, free wipes */
struct st_noise_transport; /* opaque; from st_noise_split, free wipes */

/*
 * New handshake. s_priv: our static X25519 private key (both patterns use
 * one on both sides; the client's is its device key, the server's its
 * server key). rs_pub: the responder's static public key, required for an
 * IK initiator and NULL otherwise. prologue (may be NULL/0) is mixed in and
 * must be the same on both sides. initiator: 1 = client, 0 = server.
 * The ephemeral key comes from st_random_bytes when the e token is written
 * unless st_noise_set_ephemeral injected one. SOTTO_ERR_NOMEM, INVALID_ARGUMENT.
 */
SOTTO_MUST_CHECK int st_noise_handshake_new(struct st_noise_handshake **hs, enum st_noise_pattern p,
                                            int initiator, const uint8_t s_priv[ST_NOISE_KEY_BYTES],
                                            const uint8_t *rs_pub, const uint8_t *prologue,
                                            size_t plen);
/* Wipes and frees; NULL is fine. */
void st_noise_handshake_free(struct st_noise_handshake *hs);

/* Tests and reproducible runs only: use e_priv as the ephemeral private key.
 * Must be called before we write our e token, else SOTTO_ERR_INVALID_STATE. */
SOTTO_MUST_CHECK int st_noise_set_ephemeral(struct st_noise_handshake *hs,
                                            const uint8_t e_priv[ST_NOISE_KEY_BYTES]);

enum st_noise_state st_noise_handshake_state(const struct st_noise_handshake *hs);
/* 1 when all handshake messages are exchanged (state DONE or SPLIT). */
int st_noise_handshake_done(const struct st_noise_handshake *hs);
/* Bytes the next st_noise_write_message adds to its payload; 0 if it is not
 * our turn. The next message is at most payload + this (and <= 65535). */
size_t st_noise_write_overhead(const struct st_noise_handshake *hs);

/*
 * Next handshake message with payload (may be NULL/0) into out[cap];
 * *outlen gets its length (len + st_noise_write_overhead). Refused without
 * harm: SOTTO_ERR_INVALID_STATE if not our turn, SOTTO_ERR_TOO_LARGE if the
 * message would exceed 65535 bytes, SOTTO_ERR_INVALID_ARGUMENT if cap is too
 * small. SOTTO_ERR_HANDSHAKE (a DH with the peer's key gives zero) fails it.
 * Handshake payloads are weaker than transport messages (Noise §7.7): XX
 * message 1's is plaintext, IK message 1's can be replayed and is not
 * forward secret. Keep them empty or non-sensitive.
 */
SOTTO_MUST_CHECK int st_noise_write_message(struct st_noise_handshake *hs, uint8_t *out, size_t cap,
                                            size_t *outlen, const uint8_t *payload, size_t len);
/*
 * Process the peer's handshake message msg[len]; its payload goes to
 * payload[cap] (cap >= len always suffices; NULL/0 if no payload is
 * expected), *plen gets its length. SOTTO_ERR_INVALID_STATE if not their
 * turn; SOTTO_ERR_TRUNCATED if msg is shorter than its fixed part;
 * SOTTO_ERR_TOO_LARGE over 65535; SOTTO_ERR_HANDSHAKE if it fails to
 * authenticate or a DH gives zero (bad key, wrong pinned server key in IK).
 * On error the handshake is FAILED (see above) and payload is wiped.
 */
SOTTO_MUST_CHECK int st_noise_read_message(struct st_noise_handshake *hs, uint8_t *payload,
                                           size_t cap, size_t *plen, const uint8_t *msg,
                                           size_t len);

/* The peer's static public key once its s token was read (XX: initiator
 * after message 2, responder after message 3; IK: always for the initiator,
 * responder after message 1), else SOTTO_ERR_INVALID_STATE. Authenticate it
 * (pinned server key, registered device key) before trusting anything. */
SOTTO_MUST_CHECK int st_noise_remote_static(const struct st_noise_handshake *hs,
                                            uint8_t rs[ST_NOISE_KEY_BYTES]);
/* The handshake hash h (channel binding); valid once the handshake is done,
 * else SOTTO_ERR_INVALID_STATE. */
SOTTO_MUST_CHECK int st_noise_handshake_hash(const struct st_noise_handshake *hs,
                                             uint8_t h[ST_NOISE_HASH_BYTES]);

/*
 * Split() into the two transport CipherStates (ours to send, ours to
 * receive) and a copy of the handshake hash. Only in state DONE; afterwards
 * the handshake is SPLIT: its keys are wiped, remote_static and
 * handshake_hash still answer. The caller frees both objects.
 */
SOTTO_MUST_CHECK int st_noise_split(struct st_noise_handshake *hs, struct st_noise_transport **t);

/*
 * Transport messages: ciphertext = plaintext + 16-byte tag, nonce = 64-bit
 * counter (4 zero bytes || LE64), empty associated data.
 * encrypt: len <= ST_NOISE_MAX_PLAINTEXT else SOTTO_ERR_TOO_LARGE; cap >=
 * len + 16 else SOTTO_ERR_INVALID_ARGUMENT; SOTTO_ERR_NONCE_EXHAUSTED once
 * the counter reaches 2^64-1 (reconnect).
 * decrypt: len 16..65535 (SOTTO_ERR_TRUNCATED / SOTTO_ERR_TOO_LARGE); cap >=
 * len - 16; SOTTO_ERR_BAD_MAC if it does not authenticate: out is wiped, the
 * receive counter is unchanged and the transport remains usable, but over an
 * ordered stream this means tampering or loss: close the connection.
 */
SOTTO_MUST_CHECK int st_noise_encrypt(struct st_noise_transport *t, uint8_t *out, size_t cap,
                                      size_t *outlen, const uint8_t *pt, size_t len);
SOTTO_MUST_CHECK int st_noise_decrypt(struct st_noise_transport *t, uint8_t *out, size_t cap,
                                      size_t *outlen, const uint8_t *ct, size_t len);
/* Noise Rekey() (§11.3) of our sending / receiving key; both sides must
 * agree when (e.g. after an in-band message). The counters are unchanged. */
SOTTO_MUST_CHECK int st_noise_rekey_send(struct st_noise_transport *t);
SOTTO_MUST_CHECK int st_noise_rekey_recv(struct st_noise_transport *t);
/* The handshake hash of the session (channel binding). */
void st_noise_transport_hash(const struct st_noise_transport *t, uint8_t h[ST_NOISE_HASH_BYTES]);
/* Tests only: set the counters (to reach 2^64-1 without 2^64 messages). */
void st_noise_transport_set_nonces(struct st_noise_transport *t, uint64_t send_n, uint64_t recv_n);
/* Wipes and frees; NULL is fine. */
void st_noise_transport_free(struct st_noise_transport *t);

#endif
