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

#endif
