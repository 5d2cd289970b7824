/*
 * libFuzzer target for device link URIs (client/link_uri.c), which arrive
 * from another person's screen or QR code. Invariants: the parser never
 * reads past len, a parsed URI rebuilds into a canonical URI of at most
 * SC_LINK_URI_MAX bytes that parses to the same fields, and the canonical
 * form is a fixed point.
 */
#include <stdlib.h>
#include <string.h>

#include "client/link_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sc_link_info a, b;
    char uri[SC_LINK_URI_MAX + 1], again[SC_LINK_URI_MAX + 1];
    const char *why = NULL;
    /* A private copy exactly size bytes long, so ASan catches overreads. */
    char *in = malloc(size ? size : 1);
    int rc;

    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    rc = sc_link_uri_parse(&a, &why, in, size);
    if (why == NULL)
        abort();
    if (rc != SOTTO_OK) {
        if (why[0] == 0 || a.account[0] != 0 || a.registration_id != 0)
            abort();
        goto out;
    }
    if (sc_link_uri_build(uri, sizeof uri, &a) != SOTTO_OK || strlen(uri) > SC_LINK_URI_MAX)
        abort();
    if (sc_link_uri_parse(&b, &why, uri, strlen(uri)) != SOTTO_OK || memcmp(&a, &b, sizeof a) != 0)
        abort();
    if (sc_link_uri_build(again, sizeof again, &b) != SOTTO_OK || strcmp(uri, again) != 0)
        abort();
out:
    free(in);
    return 0;
}
