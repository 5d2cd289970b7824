/*
 * Sealed sender, internal layer: the USMC (UnidentifiedSenderMessage.Message)
 * writer and reader and the certificate parser shared by cert.c and v1.c.
 */
#ifndef ST_SEALED_H
#define ST_SEALED_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/sealed.h"

enum st_sealed_limits {
    ST_SEALED_V1_VERSION_BYTE = 0x11,
    ST_SEALED_MAC_BYTES = 10, /* truncated HMAC-SHA256 */
    ST_SEALED_STATIC_CT_BYTES = 33 + ST_SEALED_MAC_BYTES,
};

/* USMC fields; pointers into the parsed protobuf, owned by pb. */
struct st_usmc {
    uint32_t type;
    const uint8_t *cert;
    size_t cert_len;
    const uint8_t *content;
    size_t content_len;
    uint32_t content_hint;
    const uint8_t *group_id; /* NULL when absent */
    size_t group_id_len;
    void *pb;
};

/* Packed size of a USMC with these fields. */
size_t st_usmc_size(const struct st_usmc *u);
/* Writes a USMC into out (room for st_usmc_size bytes); returns the length. */
size_t st_usmc_write(uint8_t *out, const struct st_usmc *u);
/* Parses; type must be a known value, certificate and content present. */
SOTTO_MUST_CHECK int st_usmc_parse(struct st_usmc *u, const uint8_t *in, size_t len);
void st_usmc_clear(struct st_usmc *u);

#endif
