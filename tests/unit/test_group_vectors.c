/*
 * Sender keys against bytes captured from libsignal itself
 * (@signalapp/libsignal-client 0.103.0 and 0.72.1, node): an SKDM, three
 * SenderKeyMessages and libsignal's own stored records (sender side, and
 * receiver side after decrypting message 1). sotto must decrypt the
 * messages, read both records, and carry on from them.
 */
#include <string.h>

#include "group/sender_key.h"
#include "sotto/group.h"
#include "sotto/sotto.h"
#include "test_group_store.h"
#include "testutil.h"

struct capture {
    const char *version;
    const char *skdm;
    const char *pt[3];
    const char *ct[3];
    const char *sender_record;
    const char *receiver_record;
};

static const struct capture CAPTURES[] = {
    {
        .version = "0.103.0",
        .skdm = "330a10d1d1d1d1700011ebb32a33b8a8a487a6109cd1de0518002220697019cf4a0c4b133a8fdd61e9"
                "dff5bb"
                "6dcb21efbc34828d5af54a3e1488cef12a21054ff291ba85fa676d5d878f91c0f6c67ab00f2e0d87ae"
                "ce9528"
                "e0bd77d770a11c",
        .pt = {"6c69627369676e616c2067726f7570206d6573736167652030",
               "6c69627369676e616c2067726f7570206d6573736167652031",
               "6c69627369676e616c2067726f7570206d6573736167652032"},
        .ct = {"330a10d1d1d1d1700011ebb32a33b8a8a487a6109cd1de0518002220628e073a7d6323854ab83f981b5"
               "a631b"
               "2b8235a04edd7be12b90779c6d8a40dac207dceca7ffe96d3f902376f5508d85bf3969dfc451c1af45d"
               "c5c69"
               "9f967fa32d9354b80ffdd0c087cf528a7b776f1c4f37e4eadfafd59d0a567a05d7aacf09",
               "330a10d1d1d1d1700011ebb32a33b8a8a487a6109cd1de05180122207139a386b4688b2c06fbccb3869"
               "5e2dc"
               "829629d8c4798a012feea4e9b2b05469eaf5543555e6b78108e67ececdac0ba1e6b10171314251a6ea7"
               "859c0"
               "9261f25b9c4e826e43d07f98cb049b9eeb72044cf9c0a5d1a1ff9d289ff5a01522560707",
               "330a10d1d1d1d1700011ebb32a33b8a8a487a6109cd1de05180222205115ddd99e072443b650dc9a33d"
               "ff757"
               "7a8a5be80b3c641b9f3a82ddefb10f4ae69c66cd9c45a495f80aa07cad31ae286fe06eb5396912033e2"
               "6e419"
               "c80d8e40eff29474e283380ed6d925856391f41ce56f917553914040a9fe36c6928f2e00"},
        .sender_record = "0a74089cd1de05122408031220f022cbad12c55e0903558b7a57f90dbc6b08b5bc88c4196"
                         "acf685d2240eb7e"
                         "e51a450a21054ff291ba85fa676d5d878f91c0f6c67ab00f2e0d87aece9528e0bd77d770a"
                         "11c1220c09d5533"
                         "1765666d59712bdb048058b8fc8bbed7d41d5f2a8436abdeb45925532803",
        .receiver_record = "0a76089cd1de051224080212209a98faae914f2b774e80f3cecaddcce8f457d58aecb83"
                           "c1e31fefe0a9d69ef"
                           "c11a230a21054ff291ba85fa676d5d878f91c0f6c67ab00f2e0d87aece9528e0bd77d77"
                           "0a11c22221220b00f"
                           "dc4f0ab5de177bbc6512ca75570fb718772f60cd1e19a37487bfa82f07b62803",
    },
    {
        .version = "0.72.1",
        .skdm = "330a10d1d1d1d1700011ebb32a33b8a8a487a610b9d381920518002220eb695b859920ee56dba50ea5"
                "d24763"
                "71857e2274763c164f9b41e9940b1dd9c42a2105286b0b1ee4f79b3933a3cf856a5c72f7e5c452302c"
                "c0a29a"
                "931d3809f33d644d",
        .pt = {"6c69627369676e616c2067726f7570206d6573736167652030",
               "6c69627369676e616c2067726f7570206d6573736167652031",
               "6c69627369676e616c2067726f7570206d6573736167652032"},
        .ct = {"330a10d1d1d1d1700011ebb32a33b8a8a487a610b9d381920518002220c5d38aab5149cc1550c07e0cf"
               "6acbc"
               "92dfddbb6c8f9971f2f97c75da39bb7600723067de9133e083bf766617c72a6960f96e1f748bf1ffc11"
               "ee24f"
               "1816db4959aee7b8105a53494ba0b2ad18361d927568a5ddc4e53b71e41547f792aaa0fb0d",
               "330a10d1d1d1d1700011ebb32a33b8a8a487a610b9d3819205180122205983def15ae660be271d0d2e0"
               "b17da"
               "19aa94190ad71511b4c7885a3e55ba221de947d37c87676d957a698868ef8908a48b5d22251f3baa8bb"
               "16ed1"
               "a42d1fe4f5f93db6086bb980dcdeae7b19bf9be9c9312043f4bafc3f8a0eebb98cff786c0e",
               "330a10d1d1d1d1700011ebb32a33b8a8a487a610b9d38192051802222071985aa6c3bc18a1ecd3b365c"
               "1b861"
               "cee0d73c93b6fb55cad27cdef77895f1927f296e76bc0ff469d4152d95b01313aca454fe52417268c60"
               "93a9d"
               "496330df77cd3b0744f865ff1965b5e1b77c7fa29d8915f503358483f61f38463812da6a0f"},
        .sender_record = "0a7508b9d3819205122408031220a80752c65b44789c6dcd854f8af05fd804dccdf91d0fa"
                         "3e9a04d14cb1125"
                         "b8d31a450a2105286b0b1ee4f79b3933a3cf856a5c72f7e5c452302cc0a29a931d3809f33"
                         "d644d1220285033"
                         "e4120acafcec0fc7129ac25a58e35917de70b74bbe38e45a043e730d742803",
        .receiver_record = "0a7708b9d38192051224080212202b65e1aa711976e668b14160924dfcaa06a74580476"
                           "a991e0960809dfacd"
                           "17d31a230a2105286b0b1ee4f79b3933a3cf856a5c72f7e5c452302cc0a29a931d3809f"
                           "33d644d2222122037"
                           "ee23b885ea42dd191d8eed8084b834cc994b50b3a024e764027e453c0194f82803",
    },
};

static const char *ALICE = "9d0652a3-dcc3-4d11-975f-74d61598733f";

struct bytes {
    uint8_t *b;
    size_t n;
};

static struct bytes B(const char *hex) {
    struct bytes x;
    x.b = t_unhex(hex, &x.n);
    return x;
}

static int
decrypt_is(struct sotto_sender_key_store *st, const char *ct_hex, const char *pt_hex)
{
    struct bytes ct = B(ct_hex), want = B(pt_hex);
    uint8_t pt[256];
    size_t n = 0;
    int rc = sotto_group_decrypt(pt, &n, sizeof pt, st, ALICE, 1, ct.b, ct.n);
    int ok = rc == SOTTO_OK && n == want.n && memcmp(pt, want.b, n) == 0;
    free(ct.b);
    free(want.b);
    return ok ? SOTTO_OK : (rc != SOTTO_OK ? rc : -1);
}

static void run(const struct capture *c)
{
    struct mem_store ms = {0}, rs = {0}, ss = {0};
    struct sotto_sender_key_store st = mem_iface(&ms), rst = mem_iface(&rs), sst = mem_iface(&ss);
    struct bytes skdm = B(c->skdm), rec;
    struct st_skdm d;
    struct st_sk_record r;
    uint8_t dist[16];

    printf("libsignal %s\n", c->version);
    CHECK_OK(sotto_group_uuid_parse(dist, "d1d1d1d1-7000-11eb-b32a-33b8a8a487a6"));
    CHECK_OK(st_skdm_parse(&d, skdm.b, skdm.n));
    CHECK(d.iteration == 0 && memcmp(d.distribution_id, dist, 16) == 0);

    /* Their messages, out of order, then a duplicate. */
    CHECK_OK(sotto_group_process(&st, ALICE, 1, skdm.b, skdm.n));
    CHECK_OK(decrypt_is(&st, c->ct[2], c->pt[2]));
    CHECK_OK(decrypt_is(&st, c->ct[0], c->pt[0]));
    CHECK_OK(decrypt_is(&st, c->ct[1], c->pt[1]));
    CHECK(decrypt_is(&st, c->ct[1], c->pt[1]) == SOTTO_ERR_DUPLICATE_MESSAGE);

    /* Their receiver record (after message 1): key 0 skipped, chain at 2. */
    rec = B(c->receiver_record);
    CHECK_OK(st_sk_record_parse(&r, rec.b, rec.n));
    CHECK(r.n == 1 && r.states[0].version == 3 && r.states[0].chain_id == d.chain_id);
    CHECK(r.states[0].iteration == 2 && r.states[0].n_skipped == 1);
    CHECK(r.states[0].n_skipped == 1 && r.states[0].skipped[0].iteration == 0);
    CHECK(!r.states[0].has_priv);
    st_sk_record_clear(&r);
    CHECK_OK(mem_save(&rs, ALICE, 1, dist, rec.b, rec.n));
    CHECK_OK(decrypt_is(&rst, c->ct[0], c->pt[0]));
    CHECK_OK(decrypt_is(&rst, c->ct[2], c->pt[2]));
    CHECK(decrypt_is(&rst, c->ct[1], c->pt[1]) == SOTTO_ERR_DUPLICATE_MESSAGE);
    free(rec.b);

    /* Their sender record: we continue their chain at iteration 3. */
    rec = B(c->sender_record);
    CHECK_OK(mem_save(&ss, ALICE, 1, dist, rec.b, rec.n));
    {
        uint8_t out[SOTTO_GROUP_SKDM_MAX], ct[256], pt[64];
        size_t n, ctn, ptn;
        struct st_skdm d2;
        CHECK_OK(sotto_group_create(out, &n, sizeof out, &sst, ALICE, 1, dist));
        CHECK_OK(st_skdm_parse(&d2, out, n));
        CHECK(d2.chain_id == d.chain_id && d2.iteration == 3);
        CHECK(memcmp(d2.signing_key, d.signing_key, 33) == 0);
        CHECK_OK(sotto_group_encrypt(ct, &ctn, sizeof ct, &sst, ALICE, 1, dist,
                                     (const uint8_t *)"from sotto", 10));
        CHECK_OK(sotto_group_decrypt(pt, &ptn, sizeof pt, &st, ALICE, 1, ct, ctn));
        CHECK(ptn == 10 && memcmp(pt, "from sotto", 10) == 0);
    }
    free(rec.b);
    free(skdm.b);
    mem_free(&ms);
    mem_free(&rs);
    mem_free(&ss);
}

int main(void)
{
    t_init();
    for (size_t i = 0; i < sizeof CAPTURES / sizeof CAPTURES[0]; i++)
        run(&CAPTURES[i]);
    return t_done();
}
