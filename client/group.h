/*
 * Groups in the client (docs/cli.md "Groups"): the state we keep per group
 * (sealed in the store: flags byte, then the kind-11 encoding of
 * client/content.h), the sender-key distribution id of a group, and
 * libsotto's sender-key store over the client store.
 *
 * Membership rules of this slice: any current member may add or remove
 * members (there are no admins); a state is accepted only from a current
 * member (or, for a group we do not know, from a member of the new state
 * that lists us) and only with a higher version. The distribution id is
 * SHA-256("sotto group v1" || group id)[0..16]; every sender key of the
 * group uses it, and a rotation replaces our own key under the same id.
 */
#ifndef SC_GROUP_H
#define SC_GROUP_H

#include "client/content.h"
#include "client/store.h"
#include "sotto/group.h"

enum {
    SC_GROUP_NEED_SKDM = 1,     /* our sender key must go to every member first */
    SC_GROUP_ROTATE = 2,        /* a member left: make a new sender key first */
    SC_ENVELOPE_SENDER_KEY = 7, /* envelope type of a SenderKeyMessage (libsignal's) */
};

/* A group as we keep it (sealed: flags, devices, then the kind-11
 * encoding). devices: SHA-256 over the members' listed devices (ids and
 * identity keys, ours included) when we last sent our sender key; when the
 * lists change, the state and our key go to every member again, so a
 * member's new device can read (and our own new device learns the group). */
struct sc_group_rec {
    struct sc_group g;
    int flags; /* SC_GROUP_* */
    uint8_t devices[32];
    char hex[SC_GID_LEN + 1];
};

void sc_group_dist(uint8_t dist[SOTTO_GROUP_UUID_BYTES], const uint8_t gid[SC_GROUP_ID_BYTES]);

/* Loads group gid (hex). SOTTO_ERR_NOT_FOUND when unknown. */
SOTTO_MUST_CHECK int sc_group_load(struct sc_store *st, struct sc_group_rec *r, const char *gid);
SOTTO_MUST_CHECK int sc_group_save(struct sc_store *st, const struct sc_group_rec *r);
/* Calls cb for every group we know. */
typedef int sc_group_cb(void *ctx, const struct sc_group_rec *r);
SOTTO_MUST_CHECK int sc_group_list(struct sc_store *st, sc_group_cb *cb, void *ctx);

/* libsotto's sender-key store over the client store. want/has_want: a
 * distribution id every record touched must have (else the callback
 * fails and mismatch is set); seen: the last one touched. */
struct sc_skstore {
    struct sc_store *st;
    uint8_t *rec;
    size_t len;
    int has_want, mismatch;
    uint8_t want[SOTTO_GROUP_UUID_BYTES], seen[SOTTO_GROUP_UUID_BYTES];
};
void sc_skstore_init(struct sotto_sender_key_store *ks, struct sc_skstore *x, struct sc_store *st);
void sc_skstore_clear(struct sc_skstore *x);

#endif
