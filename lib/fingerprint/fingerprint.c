/*
 * Safety numbers as libsignal computes them (signal-wire.md section 8,
 * libsignal rust/protocol/src/fingerprint.rs):
 *
 *   H_0 = SHA-512(0x00 0x00 || key || id || key)
 *   H_i = SHA-512(H_{i-1} || key)            until `iterations` hashes
 *
 * Displayable: the first 30 bytes of each party's hash as six 5-byte
 * big-endian integers mod 100000, five digits each; the smaller 30-digit
 * string first. Scannable: CombinedFingerprints { version, local = first 32
 * bytes of our hash, remote = first 32 bytes of theirs }.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "fingerprint.pb-c.h"
#include "sotto/fingerprint.h"

enum {
    HASH_CONTENT_BYTES = 32, /* scannable content: prefix of the hash */
    DIGITS_PER_PARTY = 30,
    CHUNK_BYTES = 5,
};

/* One party's iterated hash. Inputs were checked by the caller. */
static void party_hash(uint8_t out[ST_SHA512_BYTES], uint32_t iterations, const uint8_t *id,
                       size_t id_len, const uint8_t key[ST_PUBKEY_BYTES])
{
    uint8_t buf[2 + ST_PUBKEY_BYTES + SOTTO_FINGERPRINT_ID_MAX + ST_PUBKEY_BYTES];
    size_t n = 0;

    /* fingerprint format version 0x0000 */
    buf[n++] = 0x00;
    buf[n++] = 0x00;
    memcpy(buf + n, key, ST_PUBKEY_BYTES);
    n += ST_PUBKEY_BYTES;
    if (id_len > 0)
        memcpy(buf + n, id, id_len);
    n += id_len;
    memcpy(buf + n, key, ST_PUBKEY_BYTES);
    n += ST_PUBKEY_BYTES;
    st_sha512(out, buf, n);

    for (uint32_t i = 1; i < iterations; i++) {
        memcpy(buf, out, ST_SHA512_BYTES);
        memcpy(buf + ST_SHA512_BYTES, key, ST_PUBKEY_BYTES);
        st_sha512(out, buf, ST_SHA512_BYTES + ST_PUBKEY_BYTES);
    }
}

/* 30 digits from the first 30 bytes of a hash. */
static void encode_digits(char out[DIGITS_PER_PARTY], const uint8_t hash[ST_SHA512_BYTES])
{
    for (int c = 0; c < DIGITS_PER_PARTY / 5; c++) {
        uint64_t x = 0;
        for (int b = 0; b < CHUNK_BYTES; b++)
            x = x << 8 | hash[c * CHUNK_BYTES + b];
        x %= 100000;
        for (int d = 4; d >= 0; d--) {
            out[c * 5 + d] = (char)('0' + x % 10);
            x /= 10;
        }
    }
}

static int check_key(const uint8_t *key, size_t len)
{
    if (key == NULL || len != ST_PUBKEY_BYTES || key[0] != ST_PUBKEY_TYPE_DJB)
        return SOTTO_ERR_INVALID_KEY;
    return SOTTO_OK;
}

static int check_id(const uint8_t *id, size_t len)
{
    if (id == NULL && len > 0)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (len > SOTTO_FINGERPRINT_ID_MAX)
        return SOTTO_ERR_TOO_LARGE;
    return SOTTO_OK;
}

static void build_display(char out[SOTTO_FINGERPRINT_DISPLAY_LEN + 1],
                          const uint8_t local[ST_SHA512_BYTES],
                          const uint8_t remote[ST_SHA512_BYTES])
{
    char l[DIGITS_PER_PARTY], r[DIGITS_PER_PARTY];

    encode_digits(l, local);
    encode_digits(r, remote);
    /* The lexicographically smaller string first, so both sides agree. */
    if (memcmp(l, r, DIGITS_PER_PARTY) < 0) {
        memcpy(out, l, DIGITS_PER_PARTY);
        memcpy(out + DIGITS_PER_PARTY, r, DIGITS_PER_PARTY);
    } else {
        memcpy(out, r, DIGITS_PER_PARTY);
        memcpy(out + DIGITS_PER_PARTY, l, DIGITS_PER_PARTY);
    }
    out[SOTTO_FINGERPRINT_DISPLAY_LEN] = '\0';
}

static void build_scannable(struct sotto_fingerprint *fp, uint32_t version,
                            const uint8_t local[ST_SHA512_BYTES],
                            const uint8_t remote[ST_SHA512_BYTES])
{
    Sotto__Fingerprint__LogicalFingerprint lf = SOTTO__FINGERPRINT__LOGICAL_FINGERPRINT__INIT;
    Sotto__Fingerprint__LogicalFingerprint rf = SOTTO__FINGERPRINT__LOGICAL_FINGERPRINT__INIT;
    Sotto__Fingerprint__CombinedFingerprints cf = SOTTO__FINGERPRINT__COMBINED_FINGERPRINTS__INIT;

    lf.has_content = 1;
    lf.content.data = (uint8_t *)local;
    lf.content.len = HASH_CONTENT_BYTES;
    rf.has_content = 1;
    rf.content.data = (uint8_t *)remote;
    rf.content.len = HASH_CONTENT_BYTES;
    cf.has_version = 1;
    cf.version = version;
    cf.local_fingerprint = &lf;
    cf.remote_fingerprint = &rf;
    /* Size: tag + varint(version) (2..6) + 2 * (2 + 2 + 32) <= 78. */
    fp->scannable_len = sotto__fingerprint__combined_fingerprints__pack(&cf, fp->scannable);
}

int sotto_fingerprint_create(struct sotto_fingerprint *fp, uint32_t version, uint32_t iterations,
                             const uint8_t *local_id, size_t local_id_len, const uint8_t *local_key,
                             size_t local_key_len, const uint8_t *remote_id, size_t remote_id_len,
                             const uint8_t *remote_key, size_t remote_key_len)
{
    uint8_t lh[ST_SHA512_BYTES], rh[ST_SHA512_BYTES];
    int rc;

    if (fp == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(fp, 0, sizeof *fp);
    if ((rc = check_key(local_key, local_key_len)) != SOTTO_OK ||
        (rc = check_key(remote_key, remote_key_len)) != SOTTO_OK ||
        (rc = check_id(local_id, local_id_len)) != SOTTO_OK ||
        (rc = check_id(remote_id, remote_id_len)) != SOTTO_OK)
        return rc;
    if (iterations < SOTTO_FINGERPRINT_ITERATIONS_MIN ||
        iterations > SOTTO_FINGERPRINT_ITERATIONS_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;

    party_hash(lh, iterations, local_id, local_id_len, local_key);
    party_hash(rh, iterations, remote_id, remote_id_len, remote_key);
    build_display(fp->displayable, lh, rh);
    build_scannable(fp, version, lh, rh);
    return SOTTO_OK;
}

/* Content of a LogicalFingerprint, or NULL when the field is missing. */
static const ProtobufCBinaryData *content_of(const Sotto__Fingerprint__LogicalFingerprint *lf)
{
    if (lf == NULL || !lf->has_content)
        return NULL;
    return &lf->content;
}

/* Length-aware constant-time equality (lengths are public). */
static int same(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{
    if (a->len != b->len)
        return 0;
    return st_ct_equal(a->data, b->data, a->len);
}

int sotto_fingerprint_compare(int *match, const uint8_t *mine, size_t mine_len,
                              const uint8_t *theirs, size_t theirs_len)
{
    Sotto__Fingerprint__CombinedFingerprints *m = NULL, *t = NULL;
    const ProtobufCBinaryData *ml, *mr, *tl, *tr;
    uint32_t their_version;
    int rc = SOTTO_ERR_INVALID_MESSAGE;

    if (match == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *match = 0;
    if ((mine == NULL && mine_len > 0) || (theirs == NULL && theirs_len > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (mine_len > SOTTO_FINGERPRINT_INPUT_MAX || theirs_len > SOTTO_FINGERPRINT_INPUT_MAX)
        return SOTTO_ERR_TOO_LARGE;

    /* Ours must be complete, as libsignal's ScannableFingerprint::deserialize. */
    m = sotto__fingerprint__combined_fingerprints__unpack(NULL, mine_len, mine);
    if (m == NULL || !m->has_version)
        goto out;
    ml = content_of(m->local_fingerprint);
    mr = content_of(m->remote_fingerprint);
    if (ml == NULL || mr == NULL)
        goto out;

    /* Theirs: a missing version counts as 0, which then mismatches. */
    t = sotto__fingerprint__combined_fingerprints__unpack(NULL, theirs_len, theirs);
    if (t == NULL)
        goto out;
    their_version = t->has_version ? t->version : 0;
    if (their_version != m->version) {
        rc = SOTTO_ERR_VERSION_MISMATCH;
        goto out;
    }
    tl = content_of(t->local_fingerprint);
    tr = content_of(t->remote_fingerprint);
    if (tl == NULL || tr == NULL)
        goto out;
    /* Both comparisons always run: & not &&. */
    *match = same(tl, mr) & same(tr, ml);
    rc = SOTTO_OK;
out:
    if (m != NULL)
        sotto__fingerprint__combined_fingerprints__free_unpacked(m, NULL);
    if (t != NULL)
        sotto__fingerprint__combined_fingerprints__free_unpacked(t, NULL);
    return rc;
}
