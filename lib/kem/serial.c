/*
 * Sizes of the three variants and libsignal's KEM serialization
 * (rust/protocol/src/kem.rs): one key-type byte, then the raw FIPS 203
 * encoding. 0x08 = Kyber1024 (round 3), 0x0A = ML-KEM-1024.
 */
#include <string.h>

#include "kem.h"

size_t st_kem_pk_bytes(enum st_kem_variant v)
{
    switch (v) {
    case ST_KEM_KYBER1024:
    case ST_KEM_MLKEM1024:
        return 1568;
    case ST_KEM_MLKEM768:
        return 1184;
    default:
        return 0;
    }
}

size_t st_kem_sk_bytes(enum st_kem_variant v)
{
    switch (v) {
    case ST_KEM_KYBER1024:
    case ST_KEM_MLKEM1024:
        return 3168;
    case ST_KEM_MLKEM768:
        return 2400;
    default:
        return 0;
    }
}

size_t st_kem_ct_bytes(enum st_kem_variant v)
{
    switch (v) {
    case ST_KEM_KYBER1024:
    case ST_KEM_MLKEM1024:
        return 1568;
    case ST_KEM_MLKEM768:
        return 1088;
    default:
        return 0;
    }
}

/* libsignal's type byte, or -1 for a variant libsignal has no byte for. */
static int type_byte(enum st_kem_variant v)
{
    switch (v) {
    case ST_KEM_KYBER1024:
        return ST_KEM_TYPE_KYBER1024;
    case ST_KEM_MLKEM1024:
        return ST_KEM_TYPE_MLKEM1024;
    default:
        return -1;
    }
}

static int variant_of(enum st_kem_variant *v, uint8_t type)
{
    switch (type) {
    case ST_KEM_TYPE_KYBER1024:
        *v = ST_KEM_KYBER1024;
        return 0;
    case ST_KEM_TYPE_MLKEM1024:
        *v = ST_KEM_MLKEM1024;
        return 0;
    default:
        return -1;
    }
}

static int serialize(uint8_t *out, size_t cap, size_t *outlen, enum st_kem_variant v,
                     const uint8_t *raw, size_t rawlen)
{
    int type = type_byte(v);

    *outlen = 0;
    if (rawlen == 0)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (type < 0)
        return SOTTO_ERR_UNSUPPORTED;
    if (cap < 1 + rawlen)
        return SOTTO_ERR_TOO_LARGE;
    out[0] = (uint8_t)type;
    memcpy(out + 1, raw, rawlen);
    *outlen = 1 + rawlen;
    return SOTTO_OK;
}

/* Type byte known and length exact, else err. */
static int parse(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in, size_t len,
                 size_t (*size_of)(enum st_kem_variant), int err)
{
    enum st_kem_variant found;

    *raw = NULL;
    *v = 0;
    if (in == NULL || len < 1)
        return err;
    if (variant_of(&found, in[0]) != 0)
        return err;
    if (len != 1 + size_of(found))
        return err;
    *v = found;
    *raw = in + 1;
    return SOTTO_OK;
}

int st_kem_serialize_pk(uint8_t *out, size_t cap, size_t *outlen, enum st_kem_variant v,
                        const uint8_t *pk)
{
    return serialize(out, cap, outlen, v, pk, st_kem_pk_bytes(v));
}

int st_kem_parse_pk(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in, size_t len)
{
    return parse(v, raw, in, len, st_kem_pk_bytes, SOTTO_ERR_INVALID_KEY);
}

int st_kem_serialize_sk(uint8_t *out, size_t cap, size_t *outlen, enum st_kem_variant v,
                        const uint8_t *sk)
{
    return serialize(out, cap, outlen, v, sk, st_kem_sk_bytes(v));
}

int st_kem_parse_sk(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in, size_t len)
{
    return parse(v, raw, in, len, st_kem_sk_bytes, SOTTO_ERR_INVALID_KEY);
}

int st_kem_serialize_ct(uint8_t *out, size_t cap, size_t *outlen, enum st_kem_variant v,
                        const uint8_t *ct)
{
    return serialize(out, cap, outlen, v, ct, st_kem_ct_bytes(v));
}

int st_kem_parse_ct(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in, size_t len)
{
    return parse(v, raw, in, len, st_kem_ct_bytes, SOTTO_ERR_INVALID_MESSAGE);
}
