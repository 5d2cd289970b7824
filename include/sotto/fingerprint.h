/*
 * Safety numbers (fingerprints), byte for byte as libsignal computes them
 * (signal-wire.md section 8): a 60-digit displayable number and a scannable
 * protobuf for QR codes.
 *
 * Usage (the peer driver's `fingerprint` and `compare_scannable` ops):
 *
 *     struct sotto_fingerprint fp;
 *     int rc = sotto_fingerprint_create(&fp, SOTTO_FINGERPRINT_VERSION,
 *                                       SOTTO_FINGERPRINT_ITERATIONS,
 *                                       (const uint8_t *)local_id, strlen(local_id),
 *                                       my_identity_key, 33,
 *                                       (const uint8_t *)remote_id, strlen(remote_id),
 *                                       their_identity_key, 33);
 *     if (rc != SOTTO_OK) ... sotto_err_name(rc) ...
 *     puts(fp.displayable);                         60 digits, NUL-terminated
 *     hex(fp.scannable, fp.scannable_len);          74 bytes for version < 128
 *
 *     int match;
 *     rc = sotto_fingerprint_compare(&match, mine, mine_len, theirs, theirs_len);
 *     rc == SOTTO_ERR_VERSION_MISMATCH: the two sides use different versions
 *     rc == SOTTO_OK: match is 1 when the numbers agree, 0 when they differ
 */
#ifndef SOTTO_FINGERPRINT_H
#define SOTTO_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum sotto_fingerprint_sizes {
    SOTTO_FINGERPRINT_DISPLAY_LEN = 60,   /* digits, without the NUL */
    SOTTO_FINGERPRINT_SCANNABLE_MAX = 78, /* 1+5 (version) + 2 * 36 (contents) */
    SOTTO_FINGERPRINT_ITERATIONS = 5200,  /* what Signal uses */
    SOTTO_FINGERPRINT_VERSION = 2,        /* Signal: 2 with the 16-byte ACI */
    SOTTO_FINGERPRINT_ITERATIONS_MIN = 2, /* libsignal's accepted range */
    SOTTO_FINGERPRINT_ITERATIONS_MAX = 1000000,
    SOTTO_FINGERPRINT_ID_MAX = 1024,    /* stable identifier, opaque bytes */
    SOTTO_FINGERPRINT_INPUT_MAX = 4096, /* a scannable from a QR code */
};

struct sotto_fingerprint {
    char displayable[SOTTO_FINGERPRINT_DISPLAY_LEN + 1];
    uint8_t scannable[SOTTO_FINGERPRINT_SCANNABLE_MAX];
    size_t scannable_len;
};

/*
 * Computes both forms for the local party. Identifiers are opaque bytes
 * (Signal: the E.164 string for version 1, the 16-byte ACI for version 2);
 * identity keys are 33-byte libsignal encodings (0x05 || u).
 * Errors: SOTTO_ERR_INVALID_KEY (key not 33 bytes or wrong type byte),
 * SOTTO_ERR_INVALID_ARGUMENT (iterations outside 2..1000000, NULL),
 * SOTTO_ERR_TOO_LARGE (identifier over SOTTO_FINGERPRINT_ID_MAX).
 * On failure *fp is zeroed.
 */
SOTTO_MUST_CHECK int sotto_fingerprint_create(struct sotto_fingerprint *fp, uint32_t version,
                                              uint32_t iterations, const uint8_t *local_id,
                                              size_t local_id_len, const uint8_t *local_key,
                                              size_t local_key_len, const uint8_t *remote_id,
                                              size_t remote_id_len, const uint8_t *remote_key,
                                              size_t remote_key_len);

/*
 * Compares our scannable form (mine) with the one scanned from the peer
 * (theirs): *match = 1 when their local equals our remote and their remote
 * equals our local (constant time), else 0.
 * Errors: SOTTO_ERR_VERSION_MISMATCH (versions differ; *match = 0),
 * SOTTO_ERR_INVALID_MESSAGE (either input does not parse or lacks a field),
 * SOTTO_ERR_TOO_LARGE (input over SOTTO_FINGERPRINT_INPUT_MAX).
 */
SOTTO_MUST_CHECK int sotto_fingerprint_compare(int *match, const uint8_t *mine, size_t mine_len,
                                               const uint8_t *theirs, size_t theirs_len);

#endif
