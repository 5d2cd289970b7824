/*
 * The client's key-transparency checks (docs/transparency.md, spec
 * transparency-and-reporting.md 2.1 "What a client checks"): before a
 * device list is used, its log leaf must be included in a checkpoint
 * signed by the pinned log key and consistent with every checkpoint this
 * client accepted before; the leaf must be the account key's signed
 * statement of exactly that list, at a version that never goes back. The
 * primary also checks that its own account's newest leaf is one it made.
 *
 * State in the sealed store (secrets): "kt_log_key" (pinned on first
 * contact), "kt_checkpoint" (the largest accepted signed note),
 * "kt_dl/<name>" (account key and newest DL version seen), "kt_uuid" and
 * "kt_own_dl" (our log id and the hashes of the lists we signed),
 * "kt_evidence" (the two signed checkpoints of a fork or rollback).
 */
#ifndef SC_KT_CHECK_H
#define SC_KT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "client/store.h"
#include "server.pb-c.h"

struct sc_sync;

enum { SOTTO_KT_VIEW_ROOT_BYTES = 32 };

/*
 * Checks ai (an account whose signed device list already verified under
 * ai->account_key, at version dl_version; NULL: no proof) against the log. SOTTO_OK, or
 * SOTTO_ERR_KT_BAD_PROOF (no or bad proof, leaf not matching the list),
 * SOTTO_ERR_KT_INCONSISTENT (fork, or another log key), SOTTO_ERR_KT_STALE
 * (rollback of the log or of the list), SOTTO_ERR_INVALID_SIGNATURE,
 * SOTTO_ERR_KT_UNAUTHORISED (our own account changed without us); each
 * failure is journalled as a "kt" event first. May send a KtConsistency
 * request on s->conn.
 */
SOTTO_MUST_CHECK int sc_kt_check_account(struct sc_sync *s, const Sotto__Server__AccountInfo *ai,
                                         const char *name, uint64_t dl_version);

/*
 * The largest checkpoint this client accepted (size and root), for the
 * safety-number screen: two people comparing it in person compare their
 * views of the log. SOTTO_ERR_NOT_FOUND before the first one.
 */
SOTTO_MUST_CHECK int sc_kt_view(struct sc_store *st, uint64_t *size,
                                uint8_t root[SOTTO_KT_VIEW_ROOT_BYTES]);

/* Our log uuid (16 random bytes, created and stored on first use). */
SOTTO_MUST_CHECK int sc_kt_uuid(struct sc_store *st, uint8_t uuid[16]);

/*
 * The account key's signatures a Register carries: over the ACCOUNT_CREATE
 * leaf (create_sig) and the DL_UPDATE leaf of sdl (dl_sig). Records sdl's
 * hash as ours.
 */
SOTTO_MUST_CHECK int sc_kt_sign_register(struct sc_store *st, uint8_t uuid[16],
                                         uint8_t create_sig[64], uint8_t dl_sig[64],
                                         const uint8_t account_key[33], uint64_t version,
                                         const Sotto__Server__SignedDeviceList *sdl,
                                         const uint8_t account_priv[32]);
/* The DL_UPDATE signature a SetDevices carries; records sdl's hash as ours. */
SOTTO_MUST_CHECK int sc_kt_sign_update(struct sc_store *st, uint8_t dl_sig[64],
                                       const uint8_t account_key[33], uint64_t version,
                                       const Sotto__Server__SignedDeviceList *sdl,
                                       const uint8_t account_priv[32]);

#endif
