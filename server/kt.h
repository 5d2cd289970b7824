/*
 * sottod's key-transparency log (docs/transparency.md): the leaves of every
 * account creation and device-list change, an RFC 9162 tree over them, and
 * a checkpoint signed with the log key whenever the tree grows and at least
 * every SD_KT_HEARTBEAT_MS. The store holds the leaves (appended in the
 * transaction of the change they record) and the newest checkpoint; this
 * module keeps the leaf hashes in memory, rebuilt from the store at start.
 */
#ifndef SD_KT_H
#define SD_KT_H

#include <stdint.h>

#include "server.pb-c.h"
#include "sotto/kt.h"
#include "store/store.h"

enum { SD_KT_HEARTBEAT_MS = 60000 };

struct sd_server;
struct sd_req;
struct sd_kt;

/*
 * `sottod admin kt` / `kt-leaves`: recomputes the tree from the stored
 * leaves (one line each with list), checks them against the stored
 * checkpoint and prints "ok log_key=... log_origin=... log_size=N root=H"
 * or "broken: ...". Signs and writes nothing. SD_ST_OK or SD_ST_ERROR.
 */
int sd_kt_admin(struct sd_store *st, const char *key_path, int list, sd_row_cb cb, void *arg);

/* Loads (or creates, 0600) the log key at path, rebuilds the tree from the
 * store and checks it extends the stored checkpoint; signs a fresh one.
 * 0, or -1 with the reason logged. */
int sd_kt_open(struct sd_kt **out, struct sd_store *st, const char *key_path);
void sd_kt_free(struct sd_kt *kt);
/* Leaves in the log. */
uint64_t sd_kt_size(const struct sd_kt *kt);
/* The log's public key (0x05 || u). */
const uint8_t *sd_kt_public(const struct sd_kt *kt);
/* After the store committed a batch: extends the tree and signs. 0 or -1. */
int sd_kt_appended(struct sd_kt *kt, struct sd_store *st, const struct sd_kt_batch *b);
/* Re-signs the current tree (heartbeat). */
int sd_kt_heartbeat(struct sd_kt *kt, struct sd_store *st);
/* Fills the KT fields of an AccountInfo in r's arena: 0, or -1 (no memory
 * or storage failure). An account without a leaf gets no KT fields. */
int sd_kt_fill(struct sd_req *r, Sotto__Server__AccountInfo *ai, int64_t account_id);
/* The account's newest leaf, parsed (for its uuid). SD_ST_* status. */
int sd_kt_account_leaf(struct sd_store *st, int64_t account_id, struct sotto_kt_leaf *leaf);
/* "key=<hex of the 33-byte key> origin=<origin>" for logs and the ready file. */
void sd_kt_describe(const struct sd_kt *kt, char *out, size_t cap);

/* handlers: KtConsistency */
int sd_h_kt_consistency(struct sd_req *r);

#endif
