/*
 * Test parties for the session unit tests: a memstore, its sotto_store and
 * an address, plus bundle publishing. Included by tests/unit/test_session*.c
 * (a header with static functions so each test stays one file).
 */
#ifndef SOTTO_TEST_SESSION_PARTY_H
#define SOTTO_TEST_SESSION_PARTY_H

#include <stdlib.h>
#include <string.h>

#include "../peer/memstore.c"
#include "kem/kem.h"
#include "sotto/sotto.h"
#include "testutil.h"

struct party {
    struct memstore ms;
    struct sotto_store st;
    struct sotto_address addr;
    uint32_t next_id;
};

static inline void party_init(struct party *p, const char *name, uint32_t reg_id)
{
    memstore_init(&p->ms);
    memstore_bind(&p->st, &p->ms);
    CHECK_OK(sotto_identity_generate(p->ms.identity_pub, p->ms.identity_priv));
    p->ms.registration_id = reg_id;
    p->addr.name = name;
    p->addr.device_id = 1;
    p->next_id = 1;
}

static inline void party_free(struct party *p)
{
    memstore_clear(&p->ms);
}

/* 1 if the KEM back end works (it may still be a stub). */
static inline int kem_available(void)
{
    static uint8_t pk[1568], sk[3168];
    return st_kem_keypair(ST_KEM_KYBER1024, pk, sk) == SOTTO_OK;
}

static inline void party_bundle(struct party *p, struct sotto_prekey_bundle *b, int kyber,
                                int one_time)
{
    struct sotto_buf rec;
    uint32_t id;
    int lr;

    memset(b, 0, sizeof(*b));
    b->registration_id = p->ms.registration_id;
    b->device_id = p->addr.device_id;
    memcpy(b->identity_key, p->ms.identity_pub, 33);
    if (one_time) {
        CHECK_OK(sotto_prekey_generate(&rec, p->next_id++));
        CHECK_OK(sotto_prekey_public(&b->prekey_id, b->prekey, rec.data, rec.len));
        CHECK_OK(ms_put(&p->ms.prekeys, NULL, b->prekey_id, rec.data, rec.len));
        b->has_prekey = 1;
        sotto_buf_free(&rec);
    }
    CHECK_OK(sotto_signed_prekey_generate(&rec, p->next_id++, p->ms.identity_priv, 1000));
    CHECK_OK(sotto_signed_prekey_public(&b->signed_prekey_id, b->signed_prekey,
                                        b->signed_prekey_signature, rec.data, rec.len));
    CHECK_OK(ms_put(&p->ms.signed_prekeys, NULL, b->signed_prekey_id, rec.data, rec.len));
    sotto_buf_free(&rec);
    if (kyber) {
        CHECK_OK(sotto_kyber_prekey_generate(&rec, p->next_id++, p->ms.identity_priv, 1000, 0));
        CHECK_OK(sotto_kyber_prekey_public(&id, b->kyber_prekey, b->kyber_prekey_signature, &lr,
                                           rec.data, rec.len));
        b->kyber_prekey_id = id;
        CHECK_OK(ms_put(&p->ms.kyber_prekeys, NULL, id, rec.data, rec.len));
        b->has_kyber = 1;
        sotto_buf_free(&rec);
    }
}

/* from encrypts text to "to"; returns the message and its type. */
static inline struct sotto_buf party_send(struct party *from, struct party *to, const char *text,
                                          int *type)
{
    struct sotto_buf ct = {NULL, 0};
    CHECK_OK(sotto_session_encrypt(&ct, type, &from->st, &to->addr, (const uint8_t *)text,
                                   strlen(text), 5000));
    return ct;
}

/* to decrypts and checks the text; returns the sotto_err. */
static inline int party_recv(struct party *to, struct party *from, int type,
                             const struct sotto_buf *ct, const char *text)
{
    struct sotto_buf pt = {NULL, 0};
    int rc = sotto_session_decrypt(&pt, &to->st, &from->addr, type, ct->data, ct->len);
    if (rc == SOTTO_OK && text != NULL)
        CHECK(pt.len == strlen(text) && memcmp(pt.data, text, pt.len) == 0);
    sotto_buf_free(&pt);
    return rc;
}

/* A copy of the serialized session record p holds for peer. */
static inline struct sotto_buf party_record(struct party *p, struct party *peer)
{
    struct ms_entry *e = ms_find(p->ms.sessions, peer->addr.name, peer->addr.device_id);
    struct sotto_buf b = {NULL, 0};
    if (e != NULL) {
        b.data = malloc(e->len);
        memcpy(b.data, e->data, e->len);
        b.len = e->len;
    }
    return b;
}

#endif
