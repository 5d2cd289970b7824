/*
 * libFuzzer target for attachment descriptors (client/attach.c
 * sc_attach_decode): the sender's descriptor arrives inside an end-to-end
 * encrypted message, so any contact controls it. Decoded both as sent (no
 * path) and as stored (with the local path trailer). Invariants: a decoded
 * descriptor re-encodes to exactly the input (the format has one encoding:
 * fixed fields, length-prefixed strings without NULs, nothing after), except
 * that a stored descriptor without a path trailer gains an empty one; the
 * size is within SC_ATTACH_MAX; the safe file name is never a path.
 */
#include <stdlib.h>
#include <string.h>

#include "client/attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *in, size_t size, int with_path)
{
    struct sc_attach a, b;
    char safe[SC_ATTACH_NAME_MAX + 1];
    uint8_t *enc = NULL;
    size_t len = 0;

    if (sc_attach_decode(&a, in, size, with_path) != SOTTO_OK)
        return;
    if (a.size > SC_ATTACH_MAX || a.name[0] == 0 || (!with_path && a.path[0] != 0))
        abort();
    if (sc_attach_encode(&enc, &len, &a, with_path) != SOTTO_OK)
        abort();
    if (!(len == size && memcmp(enc, in, size) == 0) &&
        !(with_path && len == size + 2 && memcmp(enc, in, size) == 0 && enc[size] == 0 &&
          enc[size + 1] == 0))
        abort();
    if (sc_attach_decode(&b, enc, len, with_path) != SOTTO_OK || memcmp(&a, &b, sizeof a) != 0)
        abort();
    sc_attach_safe_name(safe, sizeof safe, a.name);
    if (safe[0] == 0 || strchr(safe, '/') != NULL || strcmp(safe, ".") == 0 ||
        strcmp(safe, "..") == 0)
        abort();
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *in = malloc(size ? size : 1);
    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    check(in, size, 0);
    check(in, size, 1);
    free(in);
    return 0;
}
