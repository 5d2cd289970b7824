/* Fuzz target: the key-transparency leaf and signed device list parsers.
 * The first byte picks the parser; whatever parses must re-encode to the
 * same bytes (one encoding per value) and its signature check must not
 * crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/kt.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void leaf(const uint8_t *data, size_t size)
{
    struct sotto_kt_leaf l;
    uint8_t out[SOTTO_KT_LEAF_MAX];
    size_t len;

    if (sotto_kt_leaf_parse(&l, data, size) != SOTTO_OK)
        return;
    if (sotto_kt_leaf_encode(out, &len, sizeof out, &l) != SOTTO_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    (void)sotto_kt_leaf_verify(&l);
}

static void device_list(const uint8_t *data, size_t size)
{
    static struct sotto_kt_device_list dl;
    static uint8_t out[SOTTO_KT_DL_MAX];
    size_t len;

    if (sotto_kt_dl_parse(&dl, data, size) != SOTTO_OK)
        return;
    if (sotto_kt_dl_encode(out, &len, sizeof out, &dl) != SOTTO_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    (void)sotto_kt_dl_verify(&dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sotto_init() != SOTTO_OK || size == 0)
        return 0;
    if (data[0] & 1)
        device_list(data + 1, size - 1);
    else
        leaf(data + 1, size - 1);
    return 0;
}
