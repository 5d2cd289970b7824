/*
 * Sealed sender v1: round trips through the public API, the whole message
 * re-derived here from signal-wire.md section 7 with libsodium X25519 and
 * OpenSSL (HKDF by RFC 5869 steps, AES-256-CTR, HMAC), a message built by
 * hand that the library must open, certificate validation rules, tampering
 * and bad input.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/sealed.h"
#include "sotto/sotto.h"
#include "testutil.h"

static const char *ALICE_UUID = "aaaaaaaa-7000-11eb-b32a-33b8a8a487a6";
static const uint64_t EXPIRES = 1700000000000ull;
static const uint64_t NOW = 1690000000000ull;

struct keypair {
    uint8_t priv[32], pub33[33];
};

static struct keypair root, server, alice, bob, mallory;
static uint8_t server_cert[256], alice_cert[1024];
static size_t server_cert_len, alice_cert_len;

static void make_key(struct keypair *k)
{
    uint8_t pub[32];
    CHECK_OK(st_x25519_keypair(pub, k->priv));
    st_pubkey_encode(k->pub33, pub);
}

static void setup(void)
{
    make_key(&root);
    make_key(&server);
    make_key(&alice);
    make_key(&bob);
    make_key(&mallory);
    CHECK_OK(sotto_server_cert_create(server_cert, &server_cert_len, sizeof server_cert, 7,
                                      server.pub33, root.priv));
    CHECK_OK(sotto_sender_cert_create(alice_cert, &alice_cert_len, sizeof alice_cert, ALICE_UUID,
                                      "+14152222222", 3, EXPIRES, alice.pub33, server_cert,
                                      server_cert_len, server.priv));
}

/* ---- minimal protobuf reader ---- */

struct field {
    unsigned num, wire;
    uint64_t v;
    const uint8_t *d;
    size_t len;
};

static int read_fields(struct field *f, int max, const uint8_t *p, size_t len)
{
    size_t i = 0;
    int n = 0;
    while (i < len && n < max) {
        uint64_t key = 0, v = 0;
        for (int s = 0; i < len; s += 7) {
            key |= (uint64_t)(p[i] & 0x7f) << s;
            if (!(p[i++] & 0x80))
                break;
        }
        f[n].num = (unsigned)(key >> 3);
        f[n].wire = (unsigned)(key & 7);
        if (f[n].wire == 1) { /* fixed64 */
            if (len - i < 8)
                return -1;
            for (int b = 7; b >= 0; b--)
                v = v << 8 | p[i + (size_t)b];
            f[n].v = v;
            i += 8;
        } else {
            for (int s = 0; i < len; s += 7) {
                v |= (uint64_t)(p[i] & 0x7f) << s;
                if (!(p[i++] & 0x80))
                    break;
            }
            if (f[n].wire == 0) {
                f[n].v = v;
            } else if (f[n].wire == 2 && v <= len - i) {
                f[n].d = p + i;
                f[n].len = (size_t)v;
                i += (size_t)v;
            } else {
                return -1;
            }
        }
        n++;
    }
    return i == len ? n : -1;
}

static void put_bytes(uint8_t *o, size_t *n, unsigned field, const uint8_t *d, size_t len)
{
    o[(*n)++] = (uint8_t)(field << 3 | 2);
    if (len >= 128)
        o[(*n)++] = (uint8_t)(len | 0x80), o[(*n)++] = (uint8_t)(len >> 7);
    else
        o[(*n)++] = (uint8_t)len;
    memcpy(o + *n, d, len);
    *n += len;
}

/* ---- the spec's steps with OpenSSL and libsodium ---- */

static void hmac(uint8_t out[32], const uint8_t *key, size_t klen, const uint8_t *m, size_t mlen)
{
    unsigned int olen = 32;
    HMAC(EVP_sha256(), key, (int)klen, m, mlen, out, &olen);
}

static void hkdf96(uint8_t out[96], const uint8_t *salt, size_t saltlen, const uint8_t ikm[32])
{
    uint8_t prk[32], t[33 + 32];
    size_t tlen = 0;
    hmac(prk, salt, saltlen, ikm, 32);
    for (uint8_t c = 1; c <= 3; c++) {
        t[tlen] = c; /* T(i) = HMAC(PRK, T(i-1) || "" || i) */
        hmac(out + 32 * (c - 1), prk, 32, t, tlen + 1);
        memcpy(t, out + 32 * (c - 1), 32);
        tlen = 32;
    }
}

static void ctr(uint8_t *out, const uint8_t key[32], const uint8_t *in, size_t len)
{
    uint8_t iv[16] = {0};
    int n = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    CHECK(EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv) == 1);
    CHECK(EVP_EncryptUpdate(c, out, &n, in, (int)len) == 1);
    EVP_CIPHER_CTX_free(c);
}

/* Opens a v1 message for recipient (priv r) by the spec: USMC into out. */
static size_t spec_open(uint8_t *out, uint8_t s33_out[33], const uint8_t *msg, size_t len,
                        const struct keypair *rcpt)
{
    struct field f[4];
    uint8_t dh[32], salt[20 + 66], okm[96], chain[32], tag[32], salt2[32 + 43];
    int n = read_fields(f, 4, msg + 1, len - 1);

    CHECK((msg[0] >> 4) <= 1);
    CHECK(n == 3 && f[0].num == 1 && f[1].num == 2 && f[2].num == 3);
    if (n != 3)
        return 0;
    CHECK(f[0].len == 33 && f[0].d[0] == 0x05 && f[1].len == 43);
    CHECK(crypto_scalarmult(dh, rcpt->priv, f[0].d + 1) == 0);
    memcpy(salt, "UnidentifiedDelivery", 20);
    memcpy(salt + 20, rcpt->pub33, 33);
    memcpy(salt + 53, f[0].d, 33);
    hkdf96(okm, salt, sizeof salt, dh);
    memcpy(chain, okm, 32);
    hmac(tag, okm + 64, 32, f[1].d, 33);
    CHECK(memcmp(tag, f[1].d + 33, 10) == 0);
    ctr(s33_out, okm + 32, f[1].d, 33);
    CHECK(s33_out[0] == 0x05);
    CHECK(crypto_scalarmult(dh, rcpt->priv, s33_out + 1) == 0);
    memcpy(salt2, chain, 32);
    memcpy(salt2 + 32, f[1].d, 43);
    hkdf96(okm, salt2, sizeof salt2, dh);
    hmac(tag, okm + 64, 32, f[2].d, f[2].len - 10);
    CHECK(memcmp(tag, f[2].d + f[2].len - 10, 10) == 0);
    ctr(out, okm + 32, f[2].d, f[2].len - 10);
    return f[2].len - 10;
}

/* Seals a USMC by the spec with a chosen ephemeral key and version byte. */
static size_t spec_seal(uint8_t *out, uint8_t version, const uint8_t *usmc, size_t usmc_len,
                        const struct keypair *sender, const struct keypair *rcpt)
{
    struct keypair e;
    uint8_t dh[32], salt[20 + 66], okm[96], chain[32], es[43], salt2[32 + 43], tag[32];
    uint8_t *em = malloc(usmc_len + 10);
    size_t n = 0;

    make_key(&e);
    CHECK(crypto_scalarmult(dh, e.priv, rcpt->pub33 + 1) == 0);
    memcpy(salt, "UnidentifiedDelivery", 20);
    memcpy(salt + 20, rcpt->pub33, 33);
    memcpy(salt + 53, e.pub33, 33);
    hkdf96(okm, salt, sizeof salt, dh);
    memcpy(chain, okm, 32);
    ctr(es, okm + 32, sender->pub33, 33);
    hmac(tag, okm + 64, 32, es, 33);
    memcpy(es + 33, tag, 10);
    CHECK(crypto_scalarmult(dh, sender->priv, rcpt->pub33 + 1) == 0);
    memcpy(salt2, chain, 32);
    memcpy(salt2 + 32, es, 43);
    hkdf96(okm, salt2, sizeof salt2, dh);
    ctr(em, okm + 32, usmc, usmc_len);
    hmac(tag, okm + 64, 32, em, usmc_len);
    memcpy(em + usmc_len, tag, 10);
    out[n++] = version;
    put_bytes(out, &n, 1, e.pub33, 33);
    put_bytes(out, &n, 2, es, 43);
    put_bytes(out, &n, 3, em, usmc_len + 10);
    free(em);
    return n;
}

static int open_as_bob(struct sotto_sealed_result *r, const uint8_t *msg, size_t len)
{
    return sotto_sealed_decrypt(r, bob.priv, root.pub33, 1, NOW, "bob-uuid", 1, msg, len);
}

static void test_round_trip_and_spec(void)
{
    uint8_t msg[2048], usmc[2048], s33[33], group[5] = {1, 2, 3, 4, 5};
    const uint8_t content[] = "an inner SignalMessage, opaque here";
    struct sotto_sealed_result r;
    struct field f[8], c[8];
    size_t len, ulen;
    int n;

    CHECK_OK(sotto_sealed_encrypt(msg, &len, sizeof msg, alice.priv, bob.pub33,
                                  SOTTO_SEALED_WHISPER, alice_cert, alice_cert_len, content,
                                  sizeof content, SOTTO_SEALED_HINT_DEFAULT, NULL, 0));
    CHECK(msg[0] == 0x11);
    CHECK(len <= SOTTO_SEALED_V1_MAX(alice_cert_len, sizeof content, 0));
    CHECK_OK(open_as_bob(&r, msg, len));
    CHECK(strcmp(r.sender.uuid, ALICE_UUID) == 0 && r.sender.device == 3);
    CHECK(r.sender.has_e164 && strcmp(r.sender.e164, "+14152222222") == 0);
    CHECK(r.msg_type == SOTTO_SEALED_WHISPER && r.content_hint == 0 && r.group_id == NULL);
    CHECK(r.content_len == sizeof content && memcmp(r.content, content, sizeof content) == 0);
    CHECK(memcmp(r.sender.identity_key, alice.pub33, 33) == 0);
    CHECK(r.sender.server_key_id == 7 && memcmp(r.sender.server_key, server.pub33, 33) == 0);
    sotto_sealed_result_free(&r);

    /* The spec's derivation, done here, opens the library's message. */
    ulen = spec_open(usmc, s33, msg, len, &bob);
    CHECK(memcmp(s33, alice.pub33, 33) == 0);
    n = read_fields(f, 8, usmc, ulen);
    /* Default hint and no group id: fields 1, 2, 3 only, in order. */
    CHECK(n == 3 && f[0].num == 1 && f[0].v == 2 && f[1].num == 2 && f[2].num == 3);
    CHECK(f[1].len == alice_cert_len && memcmp(f[1].d, alice_cert, alice_cert_len) == 0);
    CHECK(f[2].len == sizeof content && memcmp(f[2].d, content, sizeof content) == 0);
    /* The certificate as libsignal writes it: fields 1..6 ascending. */
    n = read_fields(f, 8, alice_cert, alice_cert_len);
    CHECK(n == 2 && f[0].num == 1 && f[1].num == 2 && f[1].len == 64);
    n = read_fields(c, 8, f[0].d, f[0].len);
    CHECK(n == 6);
    for (int i = 0; i < n && i < 6; i++)
        CHECK(c[i].num == (unsigned)i + 1);
    CHECK(c[2].wire == 1 && c[2].v == EXPIRES);
    CHECK(c[5].len == strlen(ALICE_UUID) && memcmp(c[5].d, ALICE_UUID, c[5].len) == 0);
    CHECK(st_xeddsa_verify(f[1].d, server.pub33 + 1, f[0].d, f[0].len) == SOTTO_OK);

    /* Hint and group id round trip and appear as fields 4 and 5. */
    CHECK_OK(sotto_sealed_encrypt(msg, &len, sizeof msg, alice.priv, bob.pub33,
                                  SOTTO_SEALED_SENDERKEY, alice_cert, alice_cert_len, content, 3,
                                  SOTTO_SEALED_HINT_RESENDABLE, group, sizeof group));
    CHECK_OK(open_as_bob(&r, msg, len));
    CHECK(r.msg_type == SOTTO_SEALED_SENDERKEY && r.content_hint == 1);
    CHECK(r.group_id_len == 5 && memcmp(r.group_id, group, 5) == 0);
    sotto_sealed_result_free(&r);
    ulen = spec_open(usmc, s33, msg, len, &bob);
    n = read_fields(f, 8, usmc, ulen);
    CHECK(n == 5 && f[0].v == 7 && f[3].num == 4 && f[3].v == 1 && f[4].num == 5);
}

static void test_hand_built(void)
{
    uint8_t usmc[2048], msg[4096];
    struct sotto_sealed_result r;
    size_t n = 0, len;

    usmc[n++] = 0x08, usmc[n++] = 0x01; /* PREKEY_MESSAGE */
    put_bytes(usmc, &n, 2, alice_cert, alice_cert_len);
    put_bytes(usmc, &n, 3, (const uint8_t *)"hi", 2);
    /* Version byte 0x01 (high nibble 0) is accepted as v1, as libsignal does. */
    len = spec_seal(msg, 0x01, usmc, n, &alice, &bob);
    CHECK_OK(open_as_bob(&r, msg, len));
    CHECK(r.msg_type == SOTTO_SEALED_PREKEY && r.content_len == 2);
    sotto_sealed_result_free(&r);
    len = spec_seal(msg, 0x11, usmc, n, &alice, &bob);
    CHECK_OK(open_as_bob(&r, msg, len));
    sotto_sealed_result_free(&r);

    /* Mallory seals with her own key but Alice's certificate. */
    len = spec_seal(msg, 0x11, usmc, n, &mallory, &bob);
    CHECK(open_as_bob(&r, msg, len) == SOTTO_ERR_UNTRUSTED_IDENTITY);
    CHECK(r.content == NULL);
    /* An unknown inner type. */
    usmc[1] = 0x03;
    len = spec_seal(msg, 0x11, usmc, n, &alice, &bob);
    CHECK(open_as_bob(&r, msg, len) == SOTTO_ERR_INVALID_MESSAGE);
}

static void test_certificates(void)
{
    uint8_t scert[256], cert[1024], roots[3 * 33];
    size_t slen, clen;
    struct sotto_sender_cert c;

    CHECK_OK(sotto_sender_cert_validate(alice_cert, alice_cert_len, root.pub33, 1, NOW));
    CHECK_OK(sotto_sender_cert_validate(alice_cert, alice_cert_len, root.pub33, 1, EXPIRES));
    CHECK(sotto_sender_cert_validate(alice_cert, alice_cert_len, root.pub33, 1, EXPIRES + 1) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    CHECK(sotto_sender_cert_validate(alice_cert, alice_cert_len, server.pub33, 1, NOW) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    /* Several roots: any one may have signed. */
    memcpy(roots, mallory.pub33, 33);
    memcpy(roots + 33, root.pub33, 33);
    memcpy(roots + 66, server.pub33, 33);
    CHECK_OK(sotto_sender_cert_validate(alice_cert, alice_cert_len, roots, 3, NOW));
    CHECK(sotto_sender_cert_validate(alice_cert, alice_cert_len, roots, 1, NOW) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    roots[0] = 0x06;
    CHECK(sotto_sender_cert_validate(alice_cert, alice_cert_len, roots, 3, NOW) ==
          SOTTO_ERR_INVALID_KEY);

    /* A revoked server key id. */
    CHECK_OK(sotto_server_cert_create(scert, &slen, sizeof scert, SOTTO_SEALED_REVOKED_KEY_ID,
                                      server.pub33, root.priv));
    CHECK_OK(sotto_sender_cert_create(cert, &clen, sizeof cert, ALICE_UUID, NULL, 3, EXPIRES,
                                      alice.pub33, scert, slen, server.priv));
    CHECK(sotto_sender_cert_validate(cert, clen, root.pub33, 1, NOW) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    /* A sender certificate signed by a key other than the server's. */
    CHECK_OK(sotto_sender_cert_create(cert, &clen, sizeof cert, ALICE_UUID, NULL, 3, EXPIRES,
                                      alice.pub33, server_cert, server_cert_len, mallory.priv));
    CHECK(sotto_sender_cert_validate(cert, clen, root.pub33, 1, NOW) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    CHECK_OK(sotto_sender_cert_parse(&c, cert, clen));
    CHECK(!c.has_e164 && c.e164[0] == '\0');

    /* Every flipped byte of a certificate breaks validation or parsing. */
    for (size_t i = 0; i < alice_cert_len; i++) {
        memcpy(cert, alice_cert, alice_cert_len);
        cert[i] ^= 0x01;
        CHECK(sotto_sender_cert_validate(cert, alice_cert_len, root.pub33, 1, NOW) != SOTTO_OK);
    }
    CHECK(sotto_sender_cert_parse(&c, alice_cert, alice_cert_len - 1) != SOTTO_OK);
    CHECK(sotto_sender_cert_parse(&c, NULL, 0) == SOTTO_ERR_INVALID_MESSAGE);
}

/* A certificate built by hand with the alternative oneof fields 7 and 8. */
static void test_certificate_variants(void)
{
    uint8_t inner[512], cert[1024], sig[64], uuid[16];
    size_t n = 0, cn = 0;
    struct sotto_sender_cert c;

    for (int i = 0; i < 16; i++)
        uuid[i] = (uint8_t)(0xa0 + i);
    inner[n++] = 0x10, inner[n++] = 0x05; /* device 5 */
    inner[n++] = 0x19;                    /* expires, fixed64 */
    for (int i = 0; i < 8; i++)
        inner[n++] = (uint8_t)(EXPIRES >> (8 * i));
    put_bytes(inner, &n, 4, alice.pub33, 33);
    put_bytes(inner, &n, 5, server_cert, server_cert_len);
    put_bytes(inner, &n, 7, uuid, 16); /* uuid as bytes */
    CHECK_OK(st_xeddsa_sign(sig, server.priv, inner, n));
    put_bytes(cert, &cn, 1, inner, n);
    put_bytes(cert, &cn, 2, sig, 64);
    CHECK_OK(sotto_sender_cert_parse(&c, cert, cn));
    CHECK(strcmp(c.uuid, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf") == 0 && c.device == 5);
    CHECK_OK(sotto_sender_cert_validate(cert, cn, root.pub33, 1, NOW));
    /* A signer by id (libsignal's built-in certificates) is not supported. */
    n -= 2 + 16;                          /* drop the uuid */
    inner[n++] = 0x40, inner[n++] = 0x03; /* field 8 = 3 */
    put_bytes(inner, &n, 6, (const uint8_t *)ALICE_UUID, strlen(ALICE_UUID));
    cn = 0;
    put_bytes(cert, &cn, 1, inner, n);
    put_bytes(cert, &cn, 2, sig, 64);
    CHECK(sotto_sender_cert_parse(&c, cert, cn) == SOTTO_ERR_UNSUPPORTED);
}

static void test_tamper_and_bad_input(void)
{
    uint8_t msg[2048], bad[2048];
    struct sotto_sealed_result r;
    size_t len;

    CHECK_OK(sotto_sealed_encrypt(msg, &len, sizeof msg, alice.priv, bob.pub33,
                                  SOTTO_SEALED_WHISPER, alice_cert, alice_cert_len,
                                  (const uint8_t *)"x", 1, 0, NULL, 0));
    /* Every byte but the version byte's low nibble (ignored, as in libsignal). */
    for (size_t i = 0; i < len; i++) {
        int rc;
        memcpy(bad, msg, len);
        bad[i] ^= i == 0 ? 0x40 : 0x04;
        rc = open_as_bob(&r, bad, len);
        if (rc == SOTTO_OK)
            fprintf(stderr, "flip at %zu accepted\n", i);
        CHECK(rc != SOTTO_OK);
        CHECK(r.content == NULL);
    }
    memcpy(bad, msg, len);
    bad[0] = 0x1f;
    CHECK_OK(open_as_bob(&r, bad, len));
    sotto_sealed_result_free(&r);
    CHECK(open_as_bob(&r, msg, len - 1) != SOTTO_OK);
    /* The wrong recipient. */
    CHECK(sotto_sealed_decrypt(&r, mallory.priv, root.pub33, 1, NOW, NULL, 0, msg, len) ==
          SOTTO_ERR_BAD_MAC);
    /* Versions: 2 is v2 (not here), 3 unknown. */
    memcpy(bad, msg, len);
    bad[0] = 0x22;
    CHECK(open_as_bob(&r, bad, len) == SOTTO_ERR_UNSUPPORTED);
    bad[0] = 0x31;
    CHECK(open_as_bob(&r, bad, len) == SOTTO_ERR_INVALID_VERSION);
    CHECK(open_as_bob(&r, bad, 0) == SOTTO_ERR_INVALID_MESSAGE);
    /* Expired at the receiver's clock. */
    CHECK(sotto_sealed_decrypt(&r, bob.priv, root.pub33, 1, EXPIRES + 1, NULL, 0, msg, len) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    /* From ourselves (same uuid and device) is refused; another device is fine. */
    CHECK(sotto_sealed_decrypt(&r, bob.priv, root.pub33, 1, NOW, ALICE_UUID, 3, msg, len) ==
          SOTTO_ERR_INVALID_STATE);
    CHECK_OK(sotto_sealed_decrypt(&r, bob.priv, root.pub33, 1, NOW, ALICE_UUID, 4, msg, len));
    sotto_sealed_result_free(&r);

    /* Encrypt-side arguments. */
    CHECK(sotto_sealed_encrypt(msg, &len, 50, alice.priv, bob.pub33, SOTTO_SEALED_WHISPER,
                               alice_cert, alice_cert_len, (const uint8_t *)"x", 1, 0, NULL,
                               0) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_sealed_encrypt(msg, &len, sizeof msg, alice.priv, bob.pub33, 3, alice_cert,
                               alice_cert_len, (const uint8_t *)"x", 1, 0, NULL,
                               0) == SOTTO_ERR_INVALID_ARGUMENT);
    memcpy(bad, bob.pub33, 33);
    bad[0] = 0x06;
    CHECK(sotto_sealed_encrypt(msg, &len, sizeof msg, alice.priv, bad, SOTTO_SEALED_WHISPER,
                               alice_cert, alice_cert_len, (const uint8_t *)"x", 1, 0, NULL,
                               0) == SOTTO_ERR_INVALID_KEY);
    CHECK(sotto_sealed_type_from_ciphertext_type(3) == SOTTO_SEALED_PREKEY);
    CHECK(sotto_sealed_type_to_ciphertext_type(SOTTO_SEALED_PREKEY) == 3);
    CHECK(sotto_sealed_type_from_ciphertext_type(2) == SOTTO_SEALED_WHISPER);
    CHECK(sotto_sealed_type_from_ciphertext_type(4) == 0);
    CHECK(sotto_sealed_type_to_ciphertext_type(3) == 0);
}

int main(void)
{
    t_init();
    t_seed_random(777);
    setup();
    test_round_trip_and_spec();
    test_hand_built();
    test_certificates();
    test_certificate_variants();
    test_tamper_and_bad_input();
    return t_done();
}
