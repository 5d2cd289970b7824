/* Trial decryption over a record (cipher.c) and the responder's PreKey
 * message handling (responder.c). */
#ifndef ST_SESSION_CIPHER_H
#define ST_SESSION_CIPHER_H

#include "session/session.h"

/* Decrypt m with a copy of the current state; commit it on success. */
SOTTO_MUST_CHECK int st_decrypt_current(struct sotto_buf *pt, struct sotto_session_record *rec,
                                        const struct st_signal_msg *m);
/* Current state, then each archived state (a success is promoted). */
SOTTO_MUST_CHECK int st_decrypt_record(struct sotto_buf *pt, struct sotto_session_record *rec,
                                       const struct st_signal_msg *m);
SOTTO_MUST_CHECK int st_decrypt_prekey(struct sotto_buf *pt, const struct sotto_store *store,
                                       const struct sotto_address *remote, const uint8_t *ct,
                                       size_t len);

#endif
