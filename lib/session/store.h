/* Calls into the caller's struct sotto_store, shared by bundle.c,
 * cipher.c and responder.c (store.c). */
#ifndef ST_SESSION_STORE_H
#define ST_SESSION_STORE_H

#include "session/session.h"

/* The record for addr, or a new empty one when the store has none
 * (*found = 0). */
SOTTO_MUST_CHECK int st_store_load_record(struct sotto_session_record **rec, int *found,
                                          const struct sotto_store *st,
                                          const struct sotto_address *addr);
SOTTO_MUST_CHECK int st_store_save_record(const struct sotto_store *st,
                                          const struct sotto_address *addr,
                                          const struct sotto_session_record *rec);
/* Our identity key pair (u-coordinate public, clamped private). */
SOTTO_MUST_CHECK int st_store_identity(uint8_t pub[ST_KEY_BYTES], uint8_t priv[ST_KEY_BYTES],
                                       const struct sotto_store *st);
/* UNTRUSTED_IDENTITY unless the store trusts key (u-coordinate) for addr. */
SOTTO_MUST_CHECK int st_store_check_trust(const struct sotto_store *st,
                                          const struct sotto_address *addr,
                                          const uint8_t key[ST_KEY_BYTES],
                                          enum sotto_direction dir);
SOTTO_MUST_CHECK int st_store_save_identity(const struct sotto_store *st,
                                            const struct sotto_address *addr,
                                            const uint8_t key[ST_KEY_BYTES]);
/* 1 if every callback the session code needs is set. */
int st_store_complete(const struct sotto_store *st);

#endif
