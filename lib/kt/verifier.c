/*
 * A client's view of one log (spec/transparency-and-reporting.md 2.1, "What
 * a client checks", steps 1-2): the largest signed checkpoint accepted so
 * far. A new checkpoint replaces it only if its signature verifies and a
 * consistency proof links the two; tree sizes never go backwards. Two
 * signed checkpoints that cannot be linked are a fork: the caller keeps
 * both notes as evidence and gossips them to monitors.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "kt_internal.h"

struct sotto_kt_verifier {
    char origin[SOTTO_KT_ORIGIN_MAX + 1];
    uint8_t log_key[SOTTO_KT_KEY_BYTES];
    int have;
    struct sotto_kt_checkpoint cp;
    size_t note_len;
    char note[SOTTO_KT_CHECKPOINT_MAX + 1];
};

int sotto_kt_verifier_new(struct sotto_kt_verifier **out, const char *origin,
                          const uint8_t log_key[SOTTO_KT_KEY_BYTES])
{
    uint8_t u[ST_X25519_BYTES];
    size_t olen = st_kt_strnlen(origin, SOTTO_KT_ORIGIN_MAX + 1);
    int rc;

    *out = NULL;
    if (!st_kt_origin_ok(origin, olen))
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = st_pubkey_decode(u, log_key, SOTTO_KT_KEY_BYTES);
    if (rc != SOTTO_OK)
        return rc;
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return SOTTO_ERR_NOMEM;
    memcpy((*out)->origin, origin, olen);
    memcpy((*out)->log_key, log_key, SOTTO_KT_KEY_BYTES);
    return SOTTO_OK;
}

void sotto_kt_verifier_free(struct sotto_kt_verifier *v)
{
    free(v);
}

/* Whether c may follow the accepted checkpoint (see kt.h). */
static int extends(const struct sotto_kt_verifier *v, const struct sotto_kt_checkpoint *c,
                   const sotto_kt_hash *proof, size_t proof_len)
{
    const struct sotto_kt_checkpoint *old = &v->cp;

    if (!v->have || old->size == 0)
        return SOTTO_OK; /* everything extends the empty tree */
    if (c->size < old->size)
        return SOTTO_ERR_KT_STALE;
    if (c->size == old->size)
        return st_ct_equal(c->root, old->root, SOTTO_KT_HASH_BYTES) ? SOTTO_OK
                                                                    : SOTTO_ERR_KT_INCONSISTENT;
    if (proof_len > SOTTO_KT_PROOF_MAX)
        return SOTTO_ERR_KT_BAD_PROOF;
    if (sotto_kt_consistency_verify(old->size, c->size, old->root, c->root, proof, proof_len) !=
        SOTTO_OK)
        return SOTTO_ERR_KT_INCONSISTENT;
    return SOTTO_OK;
}

int sotto_kt_verifier_update(struct sotto_kt_verifier *v, struct sotto_kt_checkpoint *cp,
                             const char *note, size_t len, const sotto_kt_hash *proof,
                             size_t proof_len)
{
    struct sotto_kt_checkpoint c;
    int rc;

    if (cp != NULL)
        memset(cp, 0, sizeof *cp);
    rc = sotto_kt_checkpoint_verify(&c, note, len, v->origin, v->log_key);
    if (rc == SOTTO_OK)
        rc = extends(v, &c, proof, proof_len);
    if (rc != SOTTO_OK)
        return rc;
    /* commit only now: a failure above left the state as it was */
    v->cp = c;
    v->have = 1;
    memcpy(v->note, note, len);
    v->note[len] = '\0';
    v->note_len = len;
    if (cp != NULL)
        *cp = c;
    return SOTTO_OK;
}

int sotto_kt_verifier_current(const struct sotto_kt_verifier *v, struct sotto_kt_checkpoint *cp)
{
    memset(cp, 0, sizeof *cp);
    if (!v->have)
        return SOTTO_ERR_NOT_FOUND;
    *cp = v->cp;
    return SOTTO_OK;
}

const char *sotto_kt_verifier_note(const struct sotto_kt_verifier *v, size_t *len)
{
    *len = v->have ? v->note_len : 0;
    return v->have ? v->note : NULL;
}
