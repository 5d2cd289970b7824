/*
 * Talking to sottod on the client's behalf (docs/server-api.md): register
 * and upload prekeys, send the outbox with fan-out to every device on the
 * recipient's signed device list, receive/decrypt/store/ack. Every step
 * records what the user must see (messages, key changes, errors) in the
 * store's journal, so the CLI, TUI and daemon show the same events.
 *
 * Key-change policy: a contact's account key that differs from the stored
 * one is always journalled ("key_change"); for a verified contact the
 * contact becomes SC_TRUST_CHANGED, its queued messages are held and
 * sending fails with SOTTO_ERR_UNTRUSTED_IDENTITY until the user verifies
 * again. A device not on the account's signed list is never encrypted to
 * and its messages are refused.
 *
 * trust_mode (trust_new_identities) changes that policy: "always" accepts
 * a changed key at once (the contact becomes unverified, the change is
 * still journalled, nothing is held); "never" sends only to contacts the
 * user verified (`sotto trust`): anything else is held.
 */
#ifndef SC_SYNC_H
#define SC_SYNC_H

#include "client/conn.h"
#include "client/content.h"
#include "client/store.h"

enum {
    SC_PREKEY_BATCH = 50,
    SC_PREKEY_LOW = 10, /* top up below this many one-time prekeys on the server */
    SC_SEND_TIMEOUT_MS = 10000,
};

/* Called for each event as it is journalled (may be NULL). kind is
 * "message", "key_change", "status", "timer" or "error"; json is the event
 * body. "typing" events come with seq 0 and are not journalled. */
typedef void sc_event_fn(void *ctx, int64_t seq, const char *kind, const char *json);

struct sc_sync {
    struct sc_conn *conn;
    struct sc_store *store;
    char self[SC_NAME_MAX + 1];
    sc_event_fn *on_event;
    void *ctx;
    int trust_mode; /* enum sc_trust_mode (client/config.h); 0 = tofu */
    /* The transparency log key from the config (hex, 05...), or NULL: the
     * server's is pinned on first contact (client/kt_check.h). */
    const char *log_key;
    /* Where received attachments are saved (NULL: not downloaded). */
    const char *attach_dir;
};

/* Sets up s (loads our account name). */
SOTTO_MUST_CHECK int sc_sync_init(struct sc_sync *s, struct sc_conn *conn, struct sc_store *st,
                                  sc_event_fn *on_event, void *ctx);

/* Registers this (primary) account and uploads prekeys; a device the
 * server already knows only tops up prekeys. SOTTO_ERR_REFUSED with the
 * server's reason in msg (e.g. username taken). The answer must prove the
 * account is in the transparency log (SOTTO_ERR_KT_* otherwise, with a
 * "kt" event). */
SOTTO_MUST_CHECK int sc_sync_register(struct sc_sync *s, char *msg, size_t msgcap);

/* A linked device whose key the primary has put on the device list:
 * uploads prekeys and learns the account. SOTTO_OK when registered (or
 * already was), SOTTO_ERR_NOT_FOUND when the server does not know this
 * device yet (run `device add` on the primary), SOTTO_ERR_INVALID_STATE for
 * a primary that never registered, SOTTO_ERR_REFUSED when the server no
 * longer lists this registered device (removed from the account). */
SOTTO_MUST_CHECK int sc_sync_prepare(struct sc_sync *s);

/* Primary only: signs dev[0..n) as the next version of our device list and
 * uploads it (SetDevices); stores it locally on success. SOTTO_ERR_KT_*
 * (stored all the same) when the answer does not prove the list is logged. */
SOTTO_MUST_CHECK int sc_sync_set_devices(struct sc_sync *s, const struct sc_device *dev, size_t n,
                                         char *msg, size_t cap);

/*
 * Sends every outbox item due at now. *sent counts delivered items. An item
 * the server refuses for a transient reason is retried later with backoff;
 * one for an untrusted (changed) contact is held. Returns SOTTO_OK, or
 * SOTTO_ERR_UNREACHABLE / SOTTO_ERR_RATE_LIMITED when sending had to stop.
 */
SOTTO_MUST_CHECK int sc_sync_flush(struct sc_sync *s, int64_t now, size_t *sent);

/*
 * Handles pushes for up to timeout_ms (0: only what is already queued and
 * until the server says the queue is empty). Each envelope is decrypted,
 * stored with its journal event in one transaction, then acked. *n counts
 * new messages; stops after max (0 = no limit).
 */
SOTTO_MUST_CHECK int sc_sync_receive(struct sc_sync *s, int timeout_ms, size_t max, size_t *n,
                                     int until_empty);

/* Tells peer that we have read the messages mids[0..n) (hex ids). */
SOTTO_MUST_CHECK int sc_sync_send_read(struct sc_sync *s, const char *peer,
                                       const char (*mids)[SC_MID_LEN + 1], size_t n);

/* Fetches name's account (key and signed device list) from the server and
 * applies the key policy, e.g. to learn a key before verifying it.
 * SOTTO_ERR_UNTRUSTED_IDENTITY when sending to name is not allowed now. */
SOTTO_MUST_CHECK int sc_sync_lookup(struct sc_sync *s, const char *name);

/* Sends our recent history (the last limit messages, 0 = all) to our own
 * device `device`, just linked, in batches (content kind 8); other devices
 * of ours ignore it. *sent counts the messages. Opt-in: `sotto device add
 * --history`. Queued and failed messages are not sent. */
SOTTO_MUST_CHECK int sc_sync_send_history(struct sc_sync *s, uint32_t device, size_t limit,
                                          size_t *sent);

/* Queues that transfer for `device` (the next flush that can reach it
 * sends it; see client/sync_devices.c). */
SOTTO_MUST_CHECK int sc_sync_queue_history(struct sc_sync *s, uint32_t device, uint32_t limit);

/* Names device id of our account (stored sealed here, copied to our other
 * devices by the next sc_sync_flush that reaches them; never sent to the
 * server in clear). */
SOTTO_MUST_CHECK int sc_sync_rename_device(struct sc_sync *s, uint32_t id, const char *name);
/* Marks every device name to be copied again to our devices (by the next
 * sc_sync_flush that reaches them all): after adding a device. */
SOTTO_MUST_CHECK int sc_device_names_resend(struct sc_store *st);
/* The name of our device id ("" if unnamed) into out. */
SOTTO_MUST_CHECK int sc_device_name_get(struct sc_store *st, char *out, size_t cap, uint32_t id);

/* Tells peer we started (on = 1) or stopped typing. Not stored anywhere;
 * the receiver gets a "typing" event (on_event only, not journalled). */
SOTTO_MUST_CHECK int sc_sync_send_typing(struct sc_sync *s, const char *peer, int on);

/* Sets the disappearing-message timer of the conversation with peer
 * (seconds, 0 = off) here and tells peer, whose client applies it too:
 * messages added afterwards expire ts + seconds later. */
SOTTO_MUST_CHECK int sc_sync_send_timer(struct sc_sync *s, const char *peer, uint32_t seconds);

/* Groups (client/group.h, docs/cli.md "Groups"). Each change stores the
 * new state, journals a "group" event and sends the state to every member
 * (before and after the change) and to our other devices; SOTTO_OK only
 * when all of them took it (the state is stored either way).
 * create: we are a member; members[0..n) the others; *gid the new id. */
SOTTO_MUST_CHECK int sc_sync_group_create(struct sc_sync *s, char gid[SC_GID_LEN + 1],
                                          const char *name, const char (*members)[SC_NAME_MAX + 1],
                                          size_t n);
/* SOTTO_ERR_NOT_GROUP_MEMBER when we are not in the group;
 * SOTTO_ERR_NOT_FOUND for an unknown group or (remove) a non-member. */
SOTTO_MUST_CHECK int sc_sync_group_add(struct sc_sync *s, const char *gid, const char *name);
SOTTO_MUST_CHECK int sc_sync_group_remove(struct sc_sync *s, const char *gid, const char *name);
SOTTO_MUST_CHECK int sc_sync_group_leave(struct sc_sync *s, const char *gid);

/* Appends an event to the journal and calls on_event. */
SOTTO_MUST_CHECK int sc_sync_event(struct sc_sync *s, const char *kind, const char *json);

/* "queued", "sent", ... for enum sc_msg_status. */
const char *sc_msg_status_name(int status);
/* Adds text (the caption), "type":"attachment", name, size and path of an
 * attachment message to o (never its key). */
struct cJSON;
void sc_attach_json(struct cJSON *o, const struct sc_message *m);
/* JSON text of a message event (malloc'd, free()). */
char *sc_message_json_text(const struct sc_message *m);

#endif
