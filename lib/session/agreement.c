/*
 * X3DH (signal.org/docs/specifications/x3dh) and PQXDH
 * (signal.org/docs/specifications/pqxdh) as libsignal runs them
 * (signal-wire.md section 2):
 *   IKM  = 0xFF x 32 || DH1 || DH2 || DH3 [|| DH4] [|| KEM shared secret]
 *   DH1  = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B),
 *   DH4  = DH(EK_A, OPK_B)
 *   HKDF-SHA256(no salt, IKM, "WhisperText" (v3) or
 *   "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024" (v4), 64) -> rk || ck
 * and the initial ratchet states of both roles.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"

enum { IKM_MAX = 32 * 5 + 32 };

static int derive(uint8_t rk[ST_KEY_BYTES], uint8_t ck[ST_KEY_BYTES], uint32_t version,
                  const uint8_t *ikm, size_t ikm_len)
{
    static const char v3[] = "WhisperText";
    static const char v4[] = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024";
    const char *info = version == ST_VERSION_PQXDH ? v4 : v3;
    size_t info_len = version == ST_VERSION_PQXDH ? sizeof(v4) - 1 : sizeof(v3) - 1;
    uint8_t okm[2 * ST_KEY_BYTES];
    int rc;

    rc = st_hkdf_sha256(okm, sizeof(okm), NULL, 0, ikm, ikm_len, (const uint8_t *)info, info_len);
    if (rc == SOTTO_OK) {
        memcpy(rk, okm, ST_KEY_BYTES);
        memcpy(ck, okm + ST_KEY_BYTES, ST_KEY_BYTES);
    }
    st_wipe(okm, sizeof(okm));
    return rc;
}

/* Appends DH(priv, pub) to ikm at *off. */
static int add_dh(uint8_t *ikm, size_t *off, const uint8_t priv[ST_KEY_BYTES],
                  const uint8_t pub[ST_KEY_BYTES])
{
    int rc = st_x25519(ikm + *off, priv, pub);

    *off += ST_X25519_BYTES;
    return rc;
}

static int check_version(uint32_t version, const uint8_t *kem_ss)
{
    if (version == ST_VERSION_X3DH && kem_ss == NULL)
        return SOTTO_OK;
    if (version == ST_VERSION_PQXDH && kem_ss != NULL)
        return SOTTO_OK;
    return SOTTO_ERR_INVALID_VERSION;
}

int st_alice_init(struct st_state **out, const struct st_alice_params *p)
{
    uint8_t ikm[IKM_MAX], rk[ST_KEY_BYTES], ckr[ST_KEY_BYTES];
    struct st_state *s = NULL;
    size_t off = 32;
    int rc;

    *out = NULL;
    if ((rc = check_version(p->version, p->kem_ss)) != SOTTO_OK)
        return rc;
    memset(ikm, 0xFF, 32);
    if ((rc = add_dh(ikm, &off, p->our_identity_priv, p->their_signed_prekey)) ||
        (rc = add_dh(ikm, &off, p->our_base_priv, p->their_identity)) ||
        (rc = add_dh(ikm, &off, p->our_base_priv, p->their_signed_prekey)))
        goto out;
    if (p->has_one_time && (rc = add_dh(ikm, &off, p->our_base_priv, p->their_one_time)))
        goto out;
    if (p->kem_ss != NULL) {
        memcpy(ikm + off, p->kem_ss, 32);
        off += 32;
    }
    if ((rc = derive(rk, ckr, p->version, ikm, off)) != SOTTO_OK)
        goto out;
    rc = SOTTO_ERR_NOMEM;
    if ((s = st_state_new()) == NULL)
        goto out;
    s->version = p->version;
    memcpy(s->local_identity, p->our_identity_pub, ST_KEY_BYTES);
    memcpy(s->remote_identity, p->their_identity, ST_KEY_BYTES);
    memcpy(s->alice_base_key, p->our_base_pub, ST_KEY_BYTES);
    /* Receiver chain on Bob's signed prekey, then our first sending chain. */
    st_state_add_recv(s, p->their_signed_prekey, ckr);
    if ((rc = st_x25519_keypair(s->send_pub, s->send_priv)) != SOTTO_OK)
        goto out;
    if ((rc = st_root_step(s->rk, s->cks, rk, p->their_signed_prekey, s->send_priv)) != SOTTO_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    st_state_free(s);
    st_wipe(ikm, sizeof(ikm));
    st_wipe(rk, sizeof(rk));
    st_wipe(ckr, sizeof(ckr));
    return rc;
}

int st_bob_init(struct st_state **out, const struct st_bob_params *p)
{
    uint8_t ikm[IKM_MAX];
    struct st_state *s = NULL;
    size_t off = 32;
    int rc;

    *out = NULL;
    if ((rc = check_version(p->version, p->kem_ss)) != SOTTO_OK)
        return rc;
    rc = SOTTO_ERR_NOMEM;
    if ((s = st_state_new()) == NULL)
        goto out;
    memset(ikm, 0xFF, 32);
    if ((rc = add_dh(ikm, &off, p->our_signed_priv, p->their_identity)) ||
        (rc = add_dh(ikm, &off, p->our_identity_priv, p->their_base)) ||
        (rc = add_dh(ikm, &off, p->our_signed_priv, p->their_base)))
        goto out;
    if (p->has_one_time && (rc = add_dh(ikm, &off, p->our_one_time_priv, p->their_base)))
        goto out;
    if (p->kem_ss != NULL) {
        memcpy(ikm + off, p->kem_ss, 32);
        off += 32;
    }
    /* Root key from the KDF; sending chain on the signed prekey pair. */
    if ((rc = derive(s->rk, s->cks, p->version, ikm, off)) != SOTTO_OK)
        goto out;
    s->version = p->version;
    memcpy(s->local_identity, p->our_identity_pub, ST_KEY_BYTES);
    memcpy(s->remote_identity, p->their_identity, ST_KEY_BYTES);
    memcpy(s->alice_base_key, p->their_base, ST_KEY_BYTES);
    memcpy(s->send_pub, p->our_signed_pub, ST_KEY_BYTES);
    memcpy(s->send_priv, p->our_signed_priv, ST_KEY_BYTES);
    *out = s;
    s = NULL;
out:
    st_state_free(s);
    st_wipe(ikm, sizeof(ikm));
    return rc;
}
