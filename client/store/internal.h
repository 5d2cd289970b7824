/* Private to client/store: the handle, sealing and SQLite helpers. */
#ifndef SC_STORE_INTERNAL_H
#define SC_STORE_INTERNAL_H

#include <sqlite3.h>

#include "client/store.h"

enum {
    SC_INDEX_BYTES = 16, /* blind index: 16 bytes of keyed BLAKE2b, hex */
    SC_INDEX_HEX = 2 * SC_INDEX_BYTES,
    SC_SEAL_OVERHEAD = 24 + 16,
};

struct sc_keys {
    uint8_t seal[SC_KEY_BYTES];  /* XChaCha20-Poly1305 for every sealed column */
    uint8_t index[SC_KEY_BYTES]; /* keyed BLAKE2b for blind indexes */
};

struct sc_store {
    sqlite3 *db;
    struct sc_keys *keys; /* sodium_malloc'd; NULL while locked */
};

/* Seals pt for (table, column, rowkey); *out is malloc'd. */
int sc_seal(struct sc_store *s, uint8_t **out, size_t *outlen, const char *table,
            const char *column, const char *rowkey, const uint8_t *pt, size_t len);
/* Opens a sealed value; *pt is malloc'd with a NUL after *ptlen bytes. */
int sc_unseal(struct sc_store *s, uint8_t **pt, size_t *ptlen, const char *table,
              const char *column, const char *rowkey, const uint8_t *in, size_t len);
/* Binds a sealed copy of pt as parameter idx. */
int sc_bind_sealed(struct sc_store *s, sqlite3_stmt *st, int idx, const char *table,
                   const char *column, const char *rowkey, const uint8_t *pt, size_t len);
/* Opens column col of the current row. */
int sc_column_unseal(struct sc_store *s, uint8_t **pt, size_t *ptlen, sqlite3_stmt *st, int col,
                     const char *table, const char *column, const char *rowkey);
/* Blind index of a name: 32 hex chars + NUL. */
int sc_index(struct sc_store *s, char out[SC_INDEX_HEX + 1], const char *kind, const char *name);

/* Prepares sql; SOTTO_ERR_INVALID_STATE if locked and need_keys. */
int sc_prepare(struct sc_store *s, sqlite3_stmt **st, const char *sql, int need_keys);
/* Runs a statement that returns no rows, then finalizes it. */
int sc_step_done(sqlite3_stmt *st);
int sc_exec(struct sc_store *s, const char *sql);

/* Begins a transaction unless one is open (*own says whether we did);
 * sc_txn_end commits or rolls back ours and passes rc through. */
int sc_txn_begin(struct sc_store *s, int *own);
int sc_txn_end(struct sc_store *s, int own, int rc);

/* Schema creation and migrations (schema.c). */
int sc_schema_migrate(struct sc_store *s);

#endif
