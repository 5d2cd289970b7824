/*
 * HMAC-BLAKE2b and the Noise HKDF (lib/crypto/hmac_blake2b.c). Expected
 * values were computed with Python's hmac + hashlib.blake2b (RFC 2104 over
 * BLAKE2b-512, block 128), for key lengths around the block size:
 *   key[i] = (7*i + keylen) & 0xff, msg[i] = (13*i + msglen) & 0xff.
 * The HKDF cases use ck = 00 01 .. 3f and ikm empty / 64 65 .. 83.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/blake2b.h"
#include "crypto/crypto.h"
#include "testutil.h"

static const struct {
    size_t keylen, msglen;
    const char *mac;
} hmac_cases[] = {
    {0, 0,
     "198cd2006f66ff83fbbd913f78aca2251caf4f19fe9475aade8cf2091b99a684"
     "66775177424f58286886cbae8229644cec747237d4b721735485e17372fdf59c"},
    {20, 3,
     "8ae824b41faf20265a9e4c6215cfbd67b2c3b9e5bea8716232bff5d7d2807045"
     "d35a467f46d856981aeca818410ae4e552dd6db5ae80f1db3823d7b34b210dee"},
    {64, 50,
     "c359c46413d6c635b45a0940746f0cd52f07efda8343070ccf289b0bda2571ff"
     "9620d299702f6aa07ed13501dd6e4be1484cf578012ed7bbe802292c4387987d"},
    {128, 128,
     "5ce342a675e82d30060ab16a388fff351a3f553515417525a5b9fead8fc6727a"
     "4b71bf252fc5bd380c5aaa038ba3c94ff956aef0d738d03414ea0f06113479b1"},
    {129, 1, /* longer than a block: the key is hashed first */
     "e21167eecaeace275678ddb13853ebe650624fc09c5b876a61c2ec256bdebf7e"
     "43db3d80f4d2697b9a0be4d3cc55b529bef3b80c73321a2c211152e604f9e190"},
    {200, 300,
     "77578ed380adfded144295d69ae60caac2101488228c8c47bbf9a899a1824eb3"
     "99dd9015bd1d9c709d2548856fc14569d28441070f1048a06349e5d6cf5c08b8"},
};

static const struct {
    size_t ikmlen;
    const char *out1, *out2, *out3;
} hkdf_cases[] = {
    {0,
     "03be0946afb62e33dcc2e8cb76dfad47663d284d81c0bde963f32a283dede221"
     "be2b9e3a86fa82934234d2a6ed331fb664a3e670252b9454da9ed2567b435e11",
     "8481b385940ea1ddc1e37243d34e6a00d9e35fe86844b75be2f9d084efcbf4a9"
     "d18c764645baf5262707efcb490c9ddfcc81c78ff75e1e727428f05b9fee857f",
     "acdbd8e7a251555a14055d23f4f43995042fdfc8178635fd72bac03932f52c54"
     "f608730b82d65ece0ebd610ca58943edaa3a9928715cdfcd309c4e5749e03f26"},
    {32,
     "2262ed5f40c3324574d00a1e0849a7cc67fb5b6a80211c3c59404bb8e47512b1"
     "cb95e73840718c5d68ca345f934f39a52f1f31e8f6d3ed521f0664f46feddae4",
     "f6a6559fa2aaab64d3d2666b83fe3f4fed6fae1959537fedd6a39b6f8d411e61"
     "32593234cc2a750244335da5021c27bf7eacbb65cfa608457de6ecc144b90077",
     "07c82c1301c70e885f4662f1f3f7b7bb9e04d81c94a6e1882f812c02ffb69580"
     "c93095bb599ad2fced3d3cf38c9c17df4fb3c0029f231247fca69b040e16449e"},
};

static int equals_hex(const uint8_t *got, const char *hex)
{
    size_t len = 0;
    uint8_t *want = t_unhex(hex, &len);
    int ok = want != NULL && len == ST_BLAKE2B512_BYTES && memcmp(got, want, len) == 0;
    free(want);
    return ok;
}

static void test_hmac(void)
{
    uint8_t key[200], msg[300], mac[ST_BLAKE2B512_BYTES];

    for (size_t c = 0; c < sizeof hmac_cases / sizeof hmac_cases[0]; c++) {
        size_t kl = hmac_cases[c].keylen, ml = hmac_cases[c].msglen;
        for (size_t i = 0; i < kl; i++)
            key[i] = (uint8_t)(7 * i + kl);
        for (size_t i = 0; i < ml; i++)
            msg[i] = (uint8_t)(13 * i + ml);
        st_hmac_blake2b(mac, key, kl, msg, ml);
        CHECK(equals_hex(mac, hmac_cases[c].mac));
    }
}

static void test_hkdf(void)
{
    uint8_t ck[64], ikm[32], o1[64], o2[64], o3[64], o1b[64], o2b[64];

    for (int i = 0; i < 64; i++)
        ck[i] = (uint8_t)i;
    for (int i = 0; i < 32; i++)
        ikm[i] = (uint8_t)(100 + i);
    for (size_t c = 0; c < sizeof hkdf_cases / sizeof hkdf_cases[0]; c++) {
        size_t il = hkdf_cases[c].ikmlen;
        st_noise_hkdf_blake2b(o1, o2, o3, ck, il ? ikm : NULL, il);
        CHECK(equals_hex(o1, hkdf_cases[c].out1));
        CHECK(equals_hex(o2, hkdf_cases[c].out2));
        CHECK(equals_hex(o3, hkdf_cases[c].out3));
        /* Two outputs are the first two of three. */
        st_noise_hkdf_blake2b(o1b, o2b, NULL, ck, il ? ikm : NULL, il);
        CHECK(memcmp(o1, o1b, 64) == 0 && memcmp(o2, o2b, 64) == 0);
    }
}

static void test_cat(void)
{
    uint8_t ab[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, x[64], y[64];

    st_blake2b512_cat(x, ab, 4, ab + 4, 6);
    CHECK_OK(st_blake2b(y, sizeof y, NULL, 0, ab, sizeof ab));
    CHECK(memcmp(x, y, 64) == 0);
    st_blake2b512_cat(x, NULL, 0, NULL, 0);
    CHECK_OK(st_blake2b(y, sizeof y, NULL, 0, NULL, 0));
    CHECK(memcmp(x, y, 64) == 0);
}

int main(void)
{
    t_init();
    test_hmac();
    test_hkdf();
    test_cat();
    return t_done();
}
