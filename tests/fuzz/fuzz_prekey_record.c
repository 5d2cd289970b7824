/*
 * libFuzzer target: the key records (identity key pair, one-time prekey,
 * signed prekey, Kyber prekey). The first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>

#include "session/keys.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t kyber_sk[ST_KYBER_SK_BYTES], kyber_pk[SOTTO_KYBER_PUBLIC_BYTES];
    uint8_t pub[ST_KEY_BYTES], priv[ST_KEY_BYTES], sig[ST_SIG_BYTES], enc[33];
    uint32_t id;
    int lr;

    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        (void)sotto_identity_parse(enc, priv, data + 1, size - 1);
        break;
    case 1:
        (void)st_prekey_record_load(&id, pub, priv, data + 1, size - 1);
        (void)sotto_prekey_public(&id, enc, data + 1, size - 1);
        break;
    case 2:
        (void)st_signed_prekey_record_load(&id, pub, priv, sig, data + 1, size - 1);
        (void)sotto_signed_prekey_public(&id, enc, sig, data + 1, size - 1);
        break;
    default:
        (void)st_kyber_prekey_record_load(&id, kyber_sk, data + 1, size - 1);
        (void)sotto_kyber_prekey_public(&id, kyber_pk, sig, &lr, data + 1, size - 1);
        break;
    }
    return 0;
}
