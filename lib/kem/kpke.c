/*
 * K-PKE, FIPS 203 §5 (Algorithms 13-15). The matrix A_hat is sampled one
 * entry at a time where it is used (A_hat[i][j] = SampleNTT(rho || j || i)),
 * so it never sits on the stack whole. Secret polynomials are wiped before
 * returning.
 */
#include "crypto/crypto.h"
#include "ct.h"
#include "kpke.h"
#include "poly.h"

struct vec {
    struct st_poly p[ST_KEM_MAX_K];
};

void st_kpke_keygen(const struct st_kem_params *p, uint8_t *ek, uint8_t *dk, const uint8_t rho[32],
                    const uint8_t sigma[32])
{
    struct vec s, e;
    struct st_poly a, t;
    uint8_t n = 0;
    unsigned k = p->k;

    for (unsigned i = 0; i < k; i++)
        st_poly_noise_eta2(&s.p[i], sigma, n++);
    for (unsigned i = 0; i < k; i++)
        st_poly_noise_eta2(&e.p[i], sigma, n++);
    for (unsigned i = 0; i < k; i++) {
        st_poly_ntt(&s.p[i]);
        st_poly_ntt(&e.p[i]);
    }
    /* t_hat = A_hat o s_hat + e_hat */
    for (unsigned i = 0; i < k; i++) {
        st_poly_zero(&t);
        for (unsigned j = 0; j < k; j++) {
            st_poly_sample_ntt(&a, rho, (uint8_t)j, (uint8_t)i);
            st_poly_basemul_acc(&t, &a, &s.p[j]);
        }
        st_poly_tomont(&t);
        st_poly_add(&t, &e.p[i]);
        st_poly_reduce(&t);
        st_poly_tobytes(ek + 384 * i, &t);
        st_poly_tobytes(dk + 384 * i, &s.p[i]);
    }
    for (unsigned b = 0; b < 32; b++)
        ek[384 * k + b] = rho[b];
    st_wipe(&s, sizeof s);
    st_wipe(&e, sizeof e);
    st_wipe(&t, sizeof t);
}

void st_kpke_encrypt(const struct st_kem_params *p, uint8_t *c, const uint8_t *ek,
                     const uint8_t m[32], const uint8_t r[32])
{
    struct vec y, th;
    struct st_poly a, u, e;
    const uint8_t *rho = ek + 384 * p->k;
    uint8_t n = 0;
    unsigned k = p->k;

    for (unsigned i = 0; i < k; i++) {
        st_poly_frombytes(&th.p[i], ek + 384 * i);
        st_poly_noise_eta2(&y.p[i], r, n++);
        st_poly_ntt(&y.p[i]);
    }
    /* u = NTT^-1(A_hat^T o y_hat) + e1 */
    for (unsigned i = 0; i < k; i++) {
        st_poly_zero(&u);
        for (unsigned j = 0; j < k; j++) {
            st_poly_sample_ntt(&a, rho, (uint8_t)i, (uint8_t)j); /* A_hat[j][i] */
            st_poly_basemul_acc(&u, &a, &y.p[j]);
        }
        st_poly_reduce(&u);
        st_poly_invntt(&u);
        st_poly_noise_eta2(&e, r, n++);
        st_poly_add(&u, &e);
        st_poly_compress(c + 32 * p->du * i, &u, p->du);
    }
    /* v = NTT^-1(t_hat^T o y_hat) + e2 + Decompress_1(m) */
    st_poly_zero(&u);
    for (unsigned j = 0; j < k; j++)
        st_poly_basemul_acc(&u, &th.p[j], &y.p[j]);
    st_poly_reduce(&u);
    st_poly_invntt(&u);
    st_poly_noise_eta2(&e, r, n++);
    st_poly_add(&u, &e);
    st_poly_decompress(&e, m, 1);
    st_poly_add(&u, &e);
    st_poly_compress(c + 32 * p->du * k, &u, p->dv);
    st_wipe(&y, sizeof y);
    st_wipe(&u, sizeof u);
    st_wipe(&e, sizeof e);
}

void st_kpke_decrypt(const struct st_kem_params *p, uint8_t m[32], const uint8_t *dk,
                     const uint8_t *c)
{
    struct st_poly s, u, w, acc;
    unsigned k = p->k;

    /* w = v' - NTT^-1(s_hat^T o NTT(u')) */
    st_poly_zero(&acc);
    for (unsigned i = 0; i < k; i++) {
        st_poly_decompress(&u, c + 32 * p->du * i, p->du);
        st_poly_ntt(&u);
        st_poly_frombytes(&s, dk + 384 * i);
        st_poly_basemul_acc(&acc, &s, &u);
    }
    st_poly_reduce(&acc);
    st_poly_invntt(&acc);
    st_poly_decompress(&w, c + 32 * p->du * k, p->dv);
    st_poly_sub(&w, &acc);
    st_poly_compress(m, &w, 1);
    st_wipe(&s, sizeof s);
    st_wipe(&w, sizeof w);
    st_wipe(&acc, sizeof acc);
}
