/*
 * lib/kem/keccak.c against OpenSSL's SHA-3: SHA3-256, SHA3-512, SHAKE128
 * and SHAKE256 over lengths around the block sizes, and the incremental
 * sponge with the input and output split at every point.
 */
#include <openssl/evp.h>
#include <string.h>

#include "kem/keccak.h"
#include "testutil.h"

static void openssl_digest(const EVP_MD *md, uint8_t *out, size_t outlen, const uint8_t *in,
                           size_t len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 0;

    CHECK(c != NULL);
    CHECK(EVP_DigestInit_ex(c, md, NULL) == 1);
    CHECK(EVP_DigestUpdate(c, in, len) == 1);
    if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
        CHECK(EVP_DigestFinalXOF(c, out, outlen) == 1);
    else
        CHECK(EVP_DigestFinal_ex(c, out, &n) == 1 && n == outlen);
    EVP_MD_CTX_free(c);
}

static uint8_t input[700];

static void one_shot(void)
{
    uint8_t a[1024], b[1024];
    static const size_t lens[] = {0,   1,   31,  32,  33,  71,  72,  73,  135, 136,
                                  137, 167, 168, 169, 271, 272, 273, 335, 336, 700};

    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        st_sha3_256(a, input, n);
        openssl_digest(EVP_sha3_256(), b, 32, input, n);
        CHECK(memcmp(a, b, 32) == 0);
        st_sha3_512(a, input, n);
        openssl_digest(EVP_sha3_512(), b, 64, input, n);
        CHECK(memcmp(a, b, 64) == 0);
        st_shake128(a, 504 + n % 100, input, n);
        openssl_digest(EVP_shake128(), b, 504 + n % 100, input, n);
        CHECK(memcmp(a, b, 504 + n % 100) == 0);
        st_shake256(a, 128 + n, input, n < 470 ? n : 470);
        openssl_digest(EVP_shake256(), b, 128 + n, input, n < 470 ? n : 470);
        CHECK(memcmp(a, b, 128 + n) == 0);
    }
}

static void split(void)
{
    uint8_t whole[400], parts[400];
    struct st_keccak s;

    st_shake128(whole, sizeof whole, input, 300);
    for (size_t cut = 0; cut <= 300; cut += 7) {
        st_keccak_init(&s, ST_SHAKE128_RATE);
        st_keccak_absorb(&s, input, cut);
        st_keccak_absorb(&s, input + cut, 300 - cut);
        st_keccak_finalize(&s, 0x1F);
        st_keccak_squeeze(&s, parts, cut % 400);
        st_keccak_squeeze(&s, parts + cut % 400, sizeof parts - cut % 400);
        CHECK(memcmp(whole, parts, sizeof whole) == 0);
    }
    /* st_sha3_512_2 and st_shake256_2 hash the concatenation */
    st_sha3_512(whole, input, 97);
    st_sha3_512_2(parts, input, 33, input + 33, 64);
    CHECK(memcmp(whole, parts, 64) == 0);
    st_shake256(whole, 32, input, 1600 / 8);
    st_shake256_2(parts, 32, input, 32, input + 32, 200 - 32);
    CHECK(memcmp(whole, parts, 32) == 0);
}

/* Four-way permutation (dispatched and portable) = four scalar ones. */
static void four_way(void)
{
    uint64_t one[4][25], four[100] __attribute__((aligned(32))), portable[100];

    for (unsigned j = 0; j < 4; j++)
        for (unsigned i = 0; i < 25; i++)
            one[j][i] = four[4 * i + j] =
                (uint64_t)(i * 0x9E3779B97F4A7C15ULL) ^ (j << 7) ^ input[i];
    memcpy(portable, four, sizeof four);
    /* the four-way sponge: SHAKE128 and SHAKE256 of four inputs */
    for (unsigned len = 0; len < 136; len += 33) {
        struct st_keccak_x4 x;
        uint8_t out[4][4 * ST_SHAKE128_RATE], ref[4 * ST_SHAKE128_RATE];
        const uint8_t *const ins[4] = {input, input + 1, input + 2, input + 3};
        uint8_t *const outs[4] = {out[0], out[1], out[2], out[3]};

        st_keccak_x4_absorb_once(&x, ST_SHAKE128_RATE, 0x1F, ins, len);
        st_keccak_x4_squeeze_blocks(&x, outs, 3);
        st_keccak_x4_squeeze_blocks(&x, outs + 0, 0);
        for (unsigned j = 0; j < 4; j++) {
            st_shake128(ref, 3 * ST_SHAKE128_RATE, input + j, len);
            CHECK(memcmp(out[j], ref, 3 * ST_SHAKE128_RATE) == 0);
        }
        st_keccak_x4_absorb_once(&x, ST_SHAKE256_RATE, 0x1F, ins, len);
        st_keccak_x4_squeeze_blocks(&x, outs, 1);
        st_keccak_x4_squeeze_blocks(&x, outs, 1); /* second block overwrites */
        for (unsigned j = 0; j < 4; j++) {
            st_shake256(ref, 2 * ST_SHAKE256_RATE, input + j, len);
            CHECK(memcmp(out[j], ref + ST_SHAKE256_RATE, ST_SHAKE256_RATE) == 0);
        }
    }
    for (int r = 0; r < 3; r++) {
        for (unsigned j = 0; j < 4; j++)
            st_keccak_f1600(one[j]);
        st_keccak_x4_f1600(four);
        st_keccak_x4_f1600_portable(portable);
    }
    for (unsigned j = 0; j < 4; j++)
        for (unsigned i = 0; i < 25; i++) {
            CHECK(four[4 * i + j] == one[j][i]);
            CHECK(portable[4 * i + j] == one[j][i]);
        }
}

int main(void)
{
    t_init();
    for (size_t i = 0; i < sizeof input; i++)
        input[i] = (uint8_t)(i * 131 + 7);
    one_shot();
    split();
    four_way();
    return t_done();
}
