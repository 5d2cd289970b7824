/*
 * Attachment encryption and descriptors (client/attach.h): sealing and
 * opening round-trips at record boundaries; a flipped byte fails the
 * digest; a dropped last record, swapped records or an appended record
 * fail even with a recomputed digest (index and last flag are in the AAD);
 * descriptors round-trip and bad ones are refused; received names are
 * reduced to a safe base name.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/attach.h"
#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "testutil.h"

enum { R = SC_ATTACH_RECORD, REC = SC_ATTACH_RECORD + 16 };

static void roundtrip(size_t len)
{
    struct sc_attach a;
    uint8_t *pt = malloc(len + 1), *ct, *back;
    size_t ctlen;
    memset(&a, 0, sizeof a);
    st_random_bytes(pt, len);
    CHECK_OK(sc_attach_seal(&ct, &ctlen, &a, pt, len));
    CHECK(ctlen == sc_attach_ct_size(len));
    CHECK(a.size == len);
    CHECK_OK(sc_attach_open(&back, &a, ct, ctlen));
    CHECK(len == 0 || memcmp(back, pt, len) == 0);
    free(back);
    free(ct);
    free(pt);
}

/* Recomputes the digest after tampering, so only the AEAD can notice. */
static int open_tampered(struct sc_attach *a, uint8_t *ct, size_t ctlen)
{
    uint8_t *back = NULL;
    int rc;
    st_sha256(a->digest, ct, ctlen);
    rc = sc_attach_open(&back, a, ct, ctlen);
    free(back);
    return rc;
}

/* Record by record, as the streams do, against the whole-buffer result. */
static void streamed(size_t len)
{
    struct sc_attach a;
    struct st_sha256 h;
    uint8_t *pt = malloc(len + 1), *ct, rec[REC], back[R], digest[32];
    size_t ctlen;
    uint64_t n;
    memset(&a, 0, sizeof a);
    st_random_bytes(pt, len);
    CHECK_OK(sc_attach_seal(&ct, &ctlen, &a, pt, len));
    n = sc_attach_records(len);
    CHECK(n == (len == 0 ? 1 : (len + R - 1) / R));
    st_sha256_init(&h);
    for (uint64_t i = 0; i < n; i++) {
        size_t rl = sc_attach_record_len(len, i);
        CHECK(rl == (i + 1 < n ? (size_t)R : len - (size_t)i * R));
        CHECK_OK(sc_attach_seal_record(rec, &a, i, pt + i * R, rl));
        CHECK(memcmp(rec, ct + i * REC, rl + 16) == 0);
        st_sha256_update(&h, rec, rl + 16);
        memset(back, 0, sizeof back);
        CHECK_OK(sc_attach_open_record(back, &a, i, ct + i * REC, rl + 16));
        CHECK(rl == 0 || memcmp(back, pt + i * R, rl) == 0);
        /* Wrong lengths, the neighbour's index, a flipped bit. */
        CHECK(sc_attach_seal_record(rec, &a, i, pt, rl + 1) == SOTTO_ERR_INVALID_ARGUMENT);
        CHECK(sc_attach_open_record(back, &a, i, ct + i * REC, rl + 15) == SOTTO_ERR_TRUNCATED);
        if (n > 1)
            CHECK(sc_attach_open_record(back, &a, (i + 1) % n, ct + i * REC, rl + 16) != SOTTO_OK);
        rec[rl] ^= 0x80;
        CHECK(sc_attach_open_record(back, &a, i, rec, rl + 16) == SOTTO_ERR_BAD_MAC);
    }
    st_sha256_final(&h, digest);
    CHECK(memcmp(digest, a.digest, 32) == 0);
    CHECK(sc_attach_record_len(len, n) == 0);
    CHECK(sc_attach_seal_record(rec, &a, n, pt, 0) == SOTTO_ERR_INVALID_ARGUMENT);
    free(ct);
    free(pt);
}

static void write_file(const char *path, const uint8_t *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (len > 0 && fwrite(p, 1, len, f) != len) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* A .part file of part_len bytes (pt, with byte flip flipped if >= 0), then
 * a fetch with no connection. */
static int fetch_part(struct sc_attach *a, const char *dir, const uint8_t *pt, size_t part_len,
                      long flip)
{
    char part[600];
    uint8_t *p = malloc(part_len + 1);
    int rc;
    memcpy(p, pt, part_len < a->size ? part_len : a->size);
    if (part_len > a->size)
        memset(p + a->size, 'x', part_len - a->size);
    if (flip >= 0)
        p[flip] ^= 1;
    snprintf(part, sizeof part, "%s/0123-%s.part", dir, a->name);
    write_file(part, p, part_len);
    free(p);
    rc = sc_attach_fetch(NULL, a, dir, "0123");
    return rc;
}

static void part_files(void)
{
    char dir[] = "/tmp/sotto-test-attach-XXXXXX", final[600], part[600];
    size_t len = 3 * R + 5;
    uint8_t *pt = malloc(len), *ct, *got;
    struct sc_attach a;
    size_t ctlen, glen;
    struct stat sb;

    if (mkdtemp(dir) == NULL)
        exit(1);
    memset(&a, 0, sizeof a);
    st_random_bytes(pt, len);
    CHECK_OK(sc_attach_seal(&ct, &ctlen, &a, pt, len));
    strcpy(a.name, "f.bin");
    snprintf(final, sizeof final, "%s/0123-f.bin", dir);
    snprintf(part, sizeof part, "%s/0123-f.bin.part", dir);

    /* Complete and intact: the digest checks out, no server needed. */
    CHECK_OK(fetch_part(&a, dir, pt, len, -1));
    CHECK(strcmp(a.path, final) == 0 && file_size(part) == -1);
    got = (uint8_t *)t_read_file(final, &glen);
    CHECK(glen == len && memcmp(got, pt, len) == 0);
    free(got);
    CHECK(stat(final, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    unlink(final);

    /* Complete but one plaintext byte changed: its re-encryption does not
     * hash to the digest. Nothing is left. */
    CHECK(fetch_part(&a, dir, pt, len, R + 7) == SOTTO_ERR_BAD_MAC);
    CHECK(file_size(final) == -1 && file_size(part) == -1 && a.path[0] == 0);
    CHECK(fetch_part(&a, dir, pt, len, (long)len - 1) == SOTTO_ERR_BAD_MAC);
    CHECK(file_size(final) == -1 && file_size(part) == -1);

    /* Longer than the file: dropped, then the server is needed. Without
     * one the (now empty) part is kept for a later fetch, nothing saved. */
    CHECK(fetch_part(&a, dir, pt, len + 3, -1) == SOTTO_ERR_UNREACHABLE);
    CHECK(file_size(final) == -1 && file_size(part) == 0);
    /* Torn inside record 2: cut back to two whole records. */
    CHECK(fetch_part(&a, dir, pt, 2 * R + 100, -1) == SOTTO_ERR_UNREACHABLE);
    CHECK(file_size(final) == -1 && file_size(part) == 2 * R);
    unlink(part);

    /* A tampered ciphertext can only fail: covered by sc_attach_open_record
     * above; the same bytes via sc_attach_open as a whole. */
    ct[ctlen - 1] ^= 1;
    CHECK(sc_attach_open(&got, &a, ct, ctlen) == SOTTO_ERR_BAD_MAC);
    free(ct);
    free(pt);
    rmdir(dir);
}

int main(void)
{
    static const size_t sizes[] = {0, 1, R - 1, R, R + 1, 3 * R + 5};
    struct sc_attach a, b;
    uint8_t *pt, *ct, *back = NULL, *enc, *tmp;
    size_t ctlen, enclen;
    char name[SC_ATTACH_NAME_MAX + 1];

    t_init();
    t_seed_random(7);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        roundtrip(sizes[i]);
        streamed(sizes[i]);
    }
    part_files();

    /* Three records: R, R, 10 bytes. */
    pt = malloc(2 * R + 10);
    st_random_bytes(pt, 2 * R + 10);
    memset(&a, 0, sizeof a);
    CHECK_OK(sc_attach_seal(&ct, &ctlen, &a, pt, 2 * R + 10));
    CHECK(ctlen == 2 * REC + 26);
    ct[5] ^= 1;
    CHECK(sc_attach_open(&back, &a, ct, ctlen) == SOTTO_ERR_BAD_MAC); /* digest */
    CHECK(back == NULL);
    CHECK(open_tampered(&a, ct, ctlen) != SOTTO_OK); /* the record's tag */
    ct[5] ^= 1;
    CHECK(open_tampered(&a, ct, ctlen) == SOTTO_OK);
    /* Swap records 0 and 1. */
    tmp = malloc(REC);
    memcpy(tmp, ct, REC);
    memcpy(ct, ct + REC, REC);
    memcpy(ct + REC, tmp, REC);
    CHECK(open_tampered(&a, ct, ctlen) != SOTTO_OK);
    memcpy(ct + REC, ct, REC);
    memcpy(ct, tmp, REC);
    CHECK(open_tampered(&a, ct, ctlen) == SOTTO_OK);
    /* Drop the last record and claim a size of 2 R: record 1 is not last. */
    b = a;
    b.size = 2 * R;
    CHECK(open_tampered(&b, ct, 2 * REC) != SOTTO_OK);
    /* A wrong size for the bytes given. */
    CHECK(sc_attach_open(&back, &a, ct, ctlen - 1) == SOTTO_ERR_TRUNCATED);
    /* Another key. */
    b = a;
    b.key[0] ^= 1;
    CHECK(open_tampered(&b, ct, ctlen) != SOTTO_OK);
    free(tmp);

    /* Descriptors. */
    memset(a.id, 0xab, 16);
    strcpy(a.name, "photo.jpg");
    strcpy(a.caption, "look");
    strcpy(a.path, "/home/a/photo.jpg");
    CHECK_OK(sc_attach_encode(&enc, &enclen, &a, 1));
    CHECK_OK(sc_attach_decode(&b, enc, enclen, 1));
    CHECK(memcmp(b.id, a.id, 16) == 0 && memcmp(b.key, a.key, 32) == 0 &&
          memcmp(b.nonce, a.nonce, 24) == 0 && memcmp(b.digest, a.digest, 32) == 0);
    CHECK(b.size == a.size && strcmp(b.name, "photo.jpg") == 0 && strcmp(b.caption, "look") == 0 &&
          strcmp(b.path, "/home/a/photo.jpg") == 0);
    CHECK(sc_attach_decode(&b, enc, enclen - 1, 1) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(sc_attach_decode(&b, enc, enclen, 0) == SOTTO_ERR_INVALID_MESSAGE); /* trailer */
    free(enc);
    CHECK_OK(sc_attach_encode(&enc, &enclen, &a, 0));
    CHECK_OK(sc_attach_decode(&b, enc, enclen, 0));
    CHECK(b.path[0] == 0);
    enc[112] = 0; /* empty name */
    CHECK(sc_attach_decode(&b, enc, enclen, 0) == SOTTO_ERR_INVALID_MESSAGE);
    free(enc);
    a.name[0] = 0;
    CHECK(sc_attach_encode(&enc, &enclen, &a, 0) == SOTTO_ERR_INVALID_ARGUMENT);

    /* Names from senders. */
    sc_attach_safe_name(name, sizeof name, "../../evil");
    CHECK(strcmp(name, "evil") == 0);
    sc_attach_safe_name(name, sizeof name, "/etc/passwd");
    CHECK(strcmp(name, "passwd") == 0);
    sc_attach_safe_name(name, sizeof name, "..");
    CHECK(strcmp(name, "attachment") == 0);
    sc_attach_safe_name(name, sizeof name, "dir/");
    CHECK(strcmp(name, "attachment") == 0);
    sc_attach_safe_name(name, sizeof name, "a b\\c\n.txt");
    CHECK(strcmp(name, "a_b_c_.txt") == 0);

    free(ct);
    free(pt);
    return t_done();
}
