/* Private to client/sync*.c. */
#ifndef SC_SYNC_INTERNAL_H
#define SC_SYNC_INTERNAL_H

#include "client/sync.h"
#include "server.pb-c.h"

int64_t sc_sync_now_ms(void);
int sc_sync_event_kv(struct sc_sync *s, const char *kind, const char *peer, const char *k2,
                     const char *v2);
/* Verifies and stores an account's signed device list, applying the
 * key-change policy. SOTTO_ERR_UNTRUSTED_IDENTITY for a changed contact. */
int sc_sync_apply_account(struct sc_sync *s, const Sotto__Server__AccountInfo *ai,
                          const char *name);
int sc_sync_fetch_account(struct sc_sync *s, const char *name);
/* Uploads a new batch of one-time prekeys (the server said KeysLow). */
int sc_sync_top_up(struct sc_sync *s);
/* Sends content (kind byte first) to every device of `to` under a fresh
 * guid, outside the outbox (receipts). */
int sc_sync_send_content(struct sc_sync *s, const char *to, const uint8_t *content, size_t len);
/* The same to our other devices (SOTTO_OK when there are none). */
int sc_sync_send_own(struct sc_sync *s, const uint8_t *content, size_t len);

/* A device-name content from another device of ours. */
int sc_sync_apply_device_name(struct sc_sync *s, const struct sc_content *ct);
/* Sends pending device names and a queued history transfer when possible;
 * *done = 1 if the history went. */
int sc_sync_pending_history(struct sc_sync *s, int *done);

/* The same SenderKeyMessage to every device of `to` as envelope type 7
 * under guid (retrying like sc_sync_send_content). */
int sc_sync_send_skm(struct sc_sync *s, const char *to, const uint8_t *skm, size_t len,
                     const uint8_t guid[16], int64_t ts);
/* A transcript of inner (sent to dest under mid) to our other devices;
 * best effort (a failure is journalled). */
void sc_sync_transcript(struct sc_sync *s, const char *dest, const char *mid, const uint8_t *inner,
                        size_t inner_len, int64_t ts);

/* Groups (client/sync_group.c). */
int sc_sync_send_group(struct sc_sync *s, const struct sc_outbox_item *it);
int sc_sync_apply_group_state(struct sc_sync *s, const char *peer, const struct sc_content *ct);
int sc_sync_apply_sender_key(struct sc_sync *s, const char *peer, uint32_t device,
                             const struct sc_content *ct);
/* Decrypts a SenderKeyMessage from (peer, device) to its content (kind
 * 13, *pt malloc'd, free with sc_free_secret(*pt, ct_len)); refuses one
 * whose sender or whose reader (we) is not a current member of the group
 * (SOTTO_ERR_NOT_GROUP_MEMBER). SOTTO_ERR_NO_SESSION: no sender key yet. */
int sc_sync_group_open(struct sc_sync *s, uint8_t **pt, size_t *pt_len, const char *peer,
                       uint32_t device, const uint8_t *ct, size_t ct_len);

#endif
