/* Shared between sotto-peer's files: the driver state and request helpers. */
#ifndef SOTTO_PEER_H
#define SOTTO_PEER_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "memstore_json.h"
#include "sotto/sotto.h"

struct driver {
    struct memstore ms;
    struct sotto_store st;
    char name[256];
    uint32_t device;
    int initialized;
    uint32_t next_id;
    const char *state_path;
};

/* A failed request: the code for the response and a message. */
struct failure {
    const char *code;
    const char *message;
};

typedef int peer_op_fn(struct driver *d, const cJSON *req, cJSON *res, struct failure *f);

uint64_t peer_now_ms(void);
int peer_fail(struct failure *f, int err);
int peer_bad_request(struct failure *f, const char *why);
/* Hex string field into a fresh buffer; NULL if absent or bad. */
uint8_t *peer_get_hex(const cJSON *req, const char *field, size_t *len);
int peer_get_u32(uint32_t *out, const cJSON *req, const char *field, double lo, double hi);
void peer_add_hex(cJSON *res, const char *field, const uint8_t *p, size_t len);
/* peer + peer_device as an address (name points into req). */
int peer_get_peer(struct sotto_address *a, const cJSON *req);

/* peer_extra.c: sender keys and sealed sender. */
peer_op_fn op_group_create, op_group_process, op_group_encrypt, op_group_decrypt;
peer_op_fn op_sealed_encrypt, op_sealed_decrypt;

#endif
