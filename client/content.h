/*
 * The plaintext inside a client's Signal message ("content"): a kind byte
 * and a kind-specific body. Pure functions, bounded, no I/O, so the one
 * decoder every received message goes through can be fuzzed
 * (tests/fuzz/fuzz_client_content.c). docs/cli.md "Message content" lists
 * the formats; in short (be = big-endian):
 *
 *   1 text         UTF-8 text
 *   2 transcript   (to our own devices) name length, name, message id(16),
 *                  inner content (kind 1, 4, 6, 7 or 13)
 *   3 receipt      1 delivered | 2 read, message ids (16 each, 1..64)
 *   4 reaction     target message id(16), emoji (1..64 bytes)
 *   5 typing       1 started | 0 stopped
 *   6 timer        be32 seconds (0 = off, at most SC_TIMER_MAX)
 *   7 attachment   descriptor (client/attach.h)
 *   8 history      (to our own devices) be32 device id it is meant for,
 *                  be16 item count, items: flags (1 = outgoing), status,
 *                  be64 ts, be64 expires_at, name length, name, id(16),
 *                  be32 inner length, inner content (kind 1, 4 or 7)
 *   9 read sync    (to our own devices) message ids (16 each, 1..64) we read
 *  10 device name  (to our own devices) be32 device id, name (0..64 bytes,
 *                  no control characters; empty = unnamed)
 *  11 group state  group id(16), be32 version, name length, name (1..64
 *                  bytes, no control characters), member count (1..32),
 *                  members: name length, name (distinct account names)
 *  12 sender key   group id(16), our SenderKeyDistributionMessage for it
 *  13 group msg    group id(16), message id(16), inner content (kind 1, 4
 *                  or 7); the
 *                  plaintext of a SenderKeyMessage (envelope type 7), and
 *                  a transcript's inner content for a group message
 *
 * A transcript or history item keeps the message's own id, so a reaction
 * or receipt naming it finds it on every device of the account.
 */
#ifndef SC_CONTENT_H
#define SC_CONTENT_H

#include <stddef.h>
#include <stdint.h>

#include "client/store.h"
#include "sotto/error.h"

enum sc_content_kind {
    SC_CONTENT_TEXT = 1,
    SC_CONTENT_TRANSCRIPT = 2,
    SC_CONTENT_RECEIPT = 3,
    SC_CONTENT_REACTION = 4,
    SC_CONTENT_TYPING = 5,
    SC_CONTENT_TIMER = 6,
    SC_CONTENT_ATTACHMENT = 7,
    SC_CONTENT_HISTORY = 8,
    SC_CONTENT_READ_SYNC = 9,
    SC_CONTENT_DEVICE_NAME = 10,
    SC_CONTENT_GROUP_STATE = 11,
    SC_CONTENT_SENDER_KEY = 12,
    SC_CONTENT_GROUP_MESSAGE = 13,
};

enum {
    SC_TIMER_MAX = 4 * 7 * 24 * 3600,
    SC_EMOJI_MAX = 64,
    SC_RECEIPT_DELIVERED = 1,
    SC_RECEIPT_READ = 2,
    SC_RECEIPT_MAX = 64, /* ids per receipt or read sync */
    SC_DEVICE_NAME_MAX = 64,
    SC_HISTORY_BATCH = 128 * 1024,    /* bytes of items per history message */
    SC_HISTORY_BATCH_MIN = 72 * 1024, /* one 64 KiB text and its item header fit */
    SC_HISTORY_REQUEST = 896 * 1024,  /* all copies of a batch: under sottod's 1 MiB */
    SC_GROUP_ID_BYTES = 16,
    SC_GROUP_NAME_MAX = 64,
    SC_GROUP_MEMBERS_MAX = 32,
    SC_GROUP_STATE_MAX =
        16 + 4 + 1 + SC_GROUP_NAME_MAX + 1 + SC_GROUP_MEMBERS_MAX * (1 + SC_NAME_MAX),
    SC_SKDM_MAX = 4096,
    SC_HISTORY_ITEM_OVERHEAD = 1 + 1 + 8 + 8 + 1 + SC_NAME_MAX + 16 + 4 + 1 + 16,
};

/* One decoded content; pointers point into the decoded buffer. */
struct sc_content {
    int kind;            /* enum sc_content_kind */
    const uint8_t *body; /* text, emoji, attachment descriptor */
    size_t body_len;
    uint8_t target[16]; /* reaction: the message reacted to */
    int receipt;        /* SC_RECEIPT_* */
    const uint8_t *ids; /* receipt, read sync: n_ids ids of 16 bytes */
    size_t n_ids;
    int typing; /* 1 started, 0 stopped */
    uint32_t timer_s;
    /* transcript: the message we sent to dest, and its content */
    char dest[SC_NAME_MAX + 1];
    uint8_t mid[16];
    int inner_kind; /* also set for history items */
    /* history: the device it is for; device name: the device named */
    uint32_t for_device;
    size_t n_items;
    const uint8_t *items;
    size_t items_len;
    /* group state, sender key, group message (also inside a transcript):
     * the group; body/body_len is the state encoding or the SKDM; a group
     * message's own id is in mid */
    int has_gid;
    uint8_t gid[SC_GROUP_ID_BYTES];
};

/* A group's state (content kind 11). */
struct sc_group {
    uint8_t id[SC_GROUP_ID_BYTES];
    uint32_t version;
    char name[SC_GROUP_NAME_MAX + 1];
    size_t n_members;
    char members[SC_GROUP_MEMBERS_MAX][SC_NAME_MAX + 1];
};

/* g's encoding (kind 11 without the kind byte) into out (cap >=
 * SC_GROUP_STATE_MAX). SOTTO_ERR_INVALID_ARGUMENT for a group that would
 * not decode (bad name, no or too many members, duplicates). */
SOTTO_MUST_CHECK int sc_group_encode(uint8_t *out, size_t cap, size_t *len,
                                     const struct sc_group *g);
/* The reverse; SOTTO_ERR_INVALID_MESSAGE if malformed. */
SOTTO_MUST_CHECK int sc_group_decode(struct sc_group *g, const uint8_t *p, size_t len);
/* 1 if name is a member of g. */
int sc_group_has(const struct sc_group *g, const char *name);

/* Decodes p[0..len). A transcript's inner content is decoded into the same
 * struct (inner_kind and the inner fields; kind stays TRANSCRIPT). Anything
 * malformed: SOTTO_ERR_INVALID_MESSAGE. */
SOTTO_MUST_CHECK int sc_content_decode(struct sc_content *c, const uint8_t *p, size_t len);

/* One history item. body/target as for a stored message. */
struct sc_history_item {
    int outgoing;
    int status;
    int64_t ts, expires_at;
    char peer[SC_NAME_MAX + 1];
    char mid[SC_MID_LEN + 1];
    int kind; /* enum sc_msg_kind */
    const uint8_t *body;
    size_t body_len;
    char target[SC_MID_LEN + 1];
};

/* Reads the next item at *p (*left bytes left; both advanced).
 * SOTTO_ERR_NOT_FOUND at the end, SOTTO_ERR_INVALID_MESSAGE if malformed. */
SOTTO_MUST_CHECK int sc_history_next(struct sc_history_item *it, const uint8_t **p, size_t *left);

/* m as the stored message an item describes (body points into the item). */
void sc_history_item_message(struct sc_message *m, const struct sc_history_item *it);

/* The content (kind byte first, malloc'd, *len bytes; free with
 * sc_free_secret) for a stored message of kind SC_KIND_* with body (for an
 * attachment: the stored form, whose local path is left out) and target
 * (reaction, hex id). */
SOTTO_MUST_CHECK int sc_content_for_message(uint8_t **out, size_t *len, int kind,
                                            const uint8_t *body, size_t body_len,
                                            const char *target);

/* Wraps inner content sent to dest under message id mid (hex) as a
 * transcript for our own devices. */
SOTTO_MUST_CHECK int sc_content_transcript(uint8_t **out, size_t *len, const char *dest,
                                           const char *mid, const uint8_t *inner, size_t inner_len);

/* Appends message m as a history item to buf (cap bytes, *len used).
 * SOTTO_ERR_TOO_LARGE when it does not fit (start a new batch);
 * SOTTO_ERR_NOT_FOUND for a message that is not transferred (queued or
 * failed outgoing ones). */
SOTTO_MUST_CHECK int sc_history_append(uint8_t *buf, size_t cap, size_t *len,
                                       const struct sc_message *m);

/* 1 if name[0..len) is a usable device name (see kind 10). */
int sc_device_name_valid(const uint8_t *name, size_t len);

/* Hex id <-> 16 bytes. */
SOTTO_MUST_CHECK int sc_mid_to_bytes(uint8_t out[16], const char *hex);
void sc_mid_from_bytes(char hex[SC_MID_LEN + 1], const uint8_t in[16]);

#endif
