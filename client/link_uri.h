/*
 * Device link URIs: what `sotto link` prints on a new device and
 * `sotto device add` reads on the primary one.
 *
 *     sotto://link?account=NAME&device_key=HEX&registration_id=N
 *
 * Grammar (strict, so a URI means one thing):
 *   - the prefix "sotto://link?" exactly, then key=value pairs joined by '&';
 *   - account: an account name ([a-z0-9._-]{1,64});
 *   - device_key: 66 hex digits (either case), the 33-byte identity key of
 *     the new device, which starts with 0x05;
 *   - registration_id: decimal 1..16380, no sign, no leading zero;
 *   - each of the three exactly once; other keys ([a-z0-9_]{1,32}) with
 *     values of unreserved characters are ignored, for later versions;
 *   - no percent-encoding: every valid value is made of RFC 3986 unreserved
 *     characters, so a '%' (or any other character) is refused instead of
 *     decoded; no empty pairs, no fragment, nothing after the last value;
 *   - at most SC_LINK_URI_MAX bytes.
 * The builder writes the three keys in that order with lowercase hex, and
 * parse(build(x)) == x.
 */
#ifndef SC_LINK_URI_H
#define SC_LINK_URI_H

#include <stddef.h>
#include <stdint.h>

#include "client/store.h"

enum sc_link_uri_sizes {
    SC_LINK_URI_MAX = 256,     /* the canonical form is at most 185 bytes */
    SC_LINK_REGID_MAX = 16380, /* libsignal's registration id range */
};

struct sc_link_info {
    char account[SC_NAME_MAX + 1];
    uint8_t device_key[SC_IDKEY_BYTES];
    uint32_t registration_id;
};

/* Parses uri[0..len) (no NUL needed; an embedded NUL is refused). On error
 * *out is zeroed and *why (if why != NULL) points to a static sentence
 * saying what is wrong, e.g. "device_key is not 66 hex digits".
 * Errors: SOTTO_ERR_TOO_LARGE (longer than SC_LINK_URI_MAX),
 * SOTTO_ERR_INVALID_MESSAGE (anything else). */
SOTTO_MUST_CHECK int sc_link_uri_parse(struct sc_link_info *out, const char **why, const char *uri,
                                       size_t len);

/* Writes the canonical URI for in, NUL-terminated, into out[0..cap).
 * Errors: SOTTO_ERR_INVALID_ARGUMENT (a field outside the grammar),
 * SOTTO_ERR_TOO_LARGE (cap too small; out is then ""). */
SOTTO_MUST_CHECK int sc_link_uri_build(char *out, size_t cap, const struct sc_link_info *in);

#endif
