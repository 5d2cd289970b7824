/* Hex encoding for the client (ids, keys, link URIs, settings). */
#ifndef SC_HEX_H
#define SC_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

/* out gets 2 * len lowercase hex digits and a NUL. */
void sc_hex_encode(char *out, const uint8_t *in, size_t len);
/* Decodes exactly 2 * n hex digits (either case) at hex[0..hexlen) into
 * out[0..n). Another length or a non-hex character:
 * SOTTO_ERR_INVALID_ARGUMENT (out may be partly written). */
SOTTO_MUST_CHECK int sc_hex_decode(uint8_t *out, size_t n, const char *hex, size_t hexlen);

#endif
